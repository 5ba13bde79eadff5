"""The failed-sign-in limit is one count for all processes: two separate Python processes,
each with the project's own settings (no REDIS_URL, so the database cache), share one
SQLite file, and after the limit the second process checks no further attempt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = r"""
import json, os, sys
import django
django.setup()
from django.core.management import call_command
from django.test import RequestFactory
from hazardloop.accounts import ratelimit

mode, count = sys.argv[1], int(sys.argv[2])
if mode == "setup":
    call_command("createcachetable", verbosity=0)
    print(json.dumps({"backend": __import__("django.conf").conf.settings.CACHES["default"]["BACKEND"]}))
    sys.exit(0)
request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="10.66.0.1")
checked = refused = 0
for _ in range(count):
    if ratelimit.retry_after(request) is not None:
        refused += 1
        continue
    checked += 1  # here the view would check the password (or the code) ...
    ratelimit.record_failure(request)  # ... and it was wrong
print(json.dumps({"pid": os.getpid(), "checked": checked, "refused": refused}))
"""


def run(tmp_path: Path, *args: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "DATABASE_URL"} and not key.startswith("PYTEST")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="hazardloop.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'shared.sqlite3'}",
        LOGIN_IP_MAX_ATTEMPTS="10",
        LOGIN_IP_WINDOW_SECONDS="3600",
        PYTHONPATH=str(settings.BASE_DIR),
    )
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_the_sign_in_limit_holds_across_two_processes(tmp_path):
    setup = run(tmp_path, "setup", "0")
    assert setup["backend"] == "django.core.cache.backends.db.DatabaseCache"
    first = run(tmp_path, "try", "6")
    second = run(tmp_path, "try", "40")
    assert first["pid"] != second["pid"]
    assert first == {"pid": first["pid"], "checked": 6, "refused": 0}
    # The second process sees the first one's six failures: four more are checked, then none.
    assert (second["checked"], second["refused"]) == (4, 36)
    print(f"\nwrong codes checked by the second process after the limit: {second['checked'] - 4}")


@pytest.mark.slow
def test_failures_at_the_same_moment_are_each_counted(tmp_path):
    run(tmp_path, "setup", "0")
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _i: run(tmp_path, "try", "8"), range(2)))
    # Ten slots, sixteen attempts at once from two processes: every failure took its own slot,
    # so at most the ten (plus the one or two that passed the check at the same instant as the
    # tenth was taken) were checked, never sixteen.
    assert sum(r["checked"] for r in results) <= 12
    after = run(tmp_path, "try", "5")
    assert after["checked"] == 0
