"""A database that cannot be reached answers 503 (JSON on the API, the Chinese page on the
site) instead of a 500 HTML page; on PostgreSQL web processes run with a statement timeout and
an idle-in-transaction timeout, commands with longer ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client

pytestmark = pytest.mark.django_db


def outage():
    return mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper._cursor",
        side_effect=OperationalError('connection to server at "db.internal" failed: Connection refused'),
    )


def test_the_token_endpoint_answers_503_json_when_the_database_is_down(db):
    client = Client(raise_request_exception=False)
    with outage():
        answer = client.post(
            "/api/token/", {"username": "township", "password": "x"}, content_type="application/json"
        )
    assert answer.status_code == 503
    assert answer["Content-Type"] == "application/json"
    assert answer.json() == {"detail": "数据库暂时无法访问，请稍后重试。"}
    assert answer["Retry-After"] == "30"


def test_a_page_answers_the_chinese_503_page(personas):
    client = Client(raise_request_exception=False)
    client.force_login(personas.township)
    with outage():
        answer = client.get("/registry/enterprises/")
    assert answer.status_code == 503
    page = answer.content.decode()
    assert "数据库暂时无法访问" in page and "<html" in page


def test_other_failures_keep_500_and_json_on_the_api(personas):
    client = Client(raise_request_exception=False)
    client.force_login(personas.township)
    with mock.patch("hazardloop.accounts.api.ApiTokenViewSet.get_queryset", side_effect=ValueError("bug")):
        answer = client.get("/api/tokens/")
    assert answer.status_code == 500
    assert answer.json()["detail"].startswith("服务器内部错误")


def test_a_csrf_failure_is_explained_in_chinese(personas):
    client = Client(enforce_csrf_checks=True)
    answer = client.post("/accounts/login/", {"username": "township", "password": "x"})
    assert answer.status_code == 403
    page = answer.content.decode()
    assert "CSRF" in page and "刷新后重新提交" in page and "Forbidden" not in page


SCRIPT = r"""
import json, time
import django
django.setup()
from django.conf import settings
from django.db import OperationalError, connection
with connection.cursor() as cursor:
    cursor.execute("SHOW statement_timeout"); statement = cursor.fetchone()[0]
    cursor.execute("SHOW idle_in_transaction_session_timeout"); idle = cursor.fetchone()[0]
started = time.monotonic()
try:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(3)")
    cancelled = False
except OperationalError:
    cancelled = True
print(json.dumps({"statement": statement, "idle": idle, "cancelled": cancelled,
                  "seconds": round(time.monotonic() - started, 2)}))
"""


def run_as(process: str, **extra) -> dict:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DB_"))}
    env.update(DJANGO_SETTINGS_MODULE="hazardloop.settings", DATABASE_URL=url, HAZARDLOOP_PROCESS=process)
    env.update(extra)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_web_processes_have_short_timeouts_and_commands_long_ones():
    if connection.vendor != "postgresql":
        pytest.skip("statement timeouts are PostgreSQL settings")
    web = run_as("web", DB_STATEMENT_TIMEOUT_MS="500")
    assert (web["statement"], web["idle"]) == ("500ms", "1min")
    assert web["cancelled"] and web["seconds"] < 2.5
    worker = run_as("command")
    assert (worker["statement"], worker["idle"]) == ("1h", "10min")
    assert not worker["cancelled"]
