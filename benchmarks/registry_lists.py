"""Benchmark: the enterprise list page and API over a 100,000-enterprise province slice.

    .venv/bin/python -m benchmarks registry_lists
    .venv/bin/python -m benchmarks.registry_lists --enterprises 20000 --repeat 10
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_lists .venv/bin/python -m benchmarks.registry_lists

The database is `load_demo --enterprises N` in var/bench/registry_lists_<N>.sqlite3 (or the
DATABASE_URL given), built on first use and reused after: an empty database is built, one that
already holds exactly N enterprises is reused, anything else is refused so that a stray
DATABASE_URL never fills a real database with synthetic firms.

For each login — `bureau` (龙安区, 439 enterprises visible in a table of N) and `province`
(河南省, all N) — and for the page (registry:enterprise_list) and the API
(/api/registry/enterprises/), at page sizes 20/50/100, on page 1 and on the last page: the
status, the queries one request makes (session save included, as SESSION_SAVE_EVERY_REQUEST is
on) and the median and slowest time over `repeat` requests after one warm-up request, through
Django's test Client in this process (no network, no server).
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

from benchmarks import database_url, format_figures, setup_django

DEFAULT_ENTERPRISES = 100_000
PAGE_SIZES = (20, 50, 100)
REPEAT = 20
LOGINS = ("bureau", "province")
API_PATH = "/api/registry/enterprises/"


def prepare(enterprises: int) -> dict:
    """Start Django on the benchmark database and make sure it holds the demo at this size."""
    setup_django(database_url(f"registry_lists_{enterprises}.sqlite3"))
    from django.core.management import call_command
    from django.db import connection

    from hazardloop.registry.models import Enterprise

    call_command("migrate", verbosity=0)
    have = Enterprise.objects.count()
    built_s = None
    if have == 0:
        print(f"building {enterprises:,} enterprises with load_demo …", flush=True)
        started = time.perf_counter()
        call_command("load_demo", enterprises=enterprises, verbosity=0)
        built_s = round(time.perf_counter() - started, 1)
        print(f"built in {built_s} s", flush=True)
    elif have != enterprises:
        raise SystemExit(
            f"{connection.settings_dict['NAME']} holds {have:,} enterprises, not {enterprises:,}: "
            "give an empty database or the one this benchmark built."
        )
    return {"database": connection.vendor, "name": str(connection.settings_dict["NAME"]), "built_s": built_s}


def _status(response):
    # An endpoint still being written answers 404 or a bare placeholder; say so in the table.
    if response.status_code == 200 and response.content.strip() in {b"TODO", b""}:
        return "placeholder"
    return response.status_code


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: first-use caches (templates, querysets of choices) are not the figure
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    # Read now: the log is reset when the next request starts.
    queries = len(captured)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return {
        "status": _status(response),
        "queries": queries,
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
    }


def run(enterprises: int = DEFAULT_ENTERPRISES, repeat: int = REPEAT) -> list[dict]:
    """Measure every combination; returns one row of figures each."""
    info = prepare(enterprises)
    from django.test import Client
    from django.urls import reverse

    from hazardloop.accounts.models import User
    from hazardloop.accounts.testing import login_verified
    from hazardloop.registry.models import Enterprise

    print(
        f"{info['database']} {info['name']}: {enterprises:,} enterprises, {repeat} requests each", flush=True
    )
    page_url = reverse("registry:enterprise_list")
    rows = []
    for username in LOGINS:
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        visible = Enterprise.objects.visible_to(user).count()
        client = Client()
        # Signed in as after the password and, for bureau and admin, the second factor.
        login_verified(client, user)
        for label, path in (("page", page_url), ("api", API_PATH)):
            for size in PAGE_SIZES:
                last = max(1, math.ceil(visible / size))
                for page in sorted({1, last}):
                    figures = measure(client, f"{path}?page_size={size}&page={page}", repeat)
                    rows.append(
                        {
                            "login": username,
                            "visible": visible,
                            "endpoint": label,
                            "page_size": size,
                            "page": page,
                            **figures,
                        }
                    )
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=DEFAULT_ENTERPRISES)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    args = parser.parse_args(argv)
    print(format_figures(run(args.enterprises, args.repeat)))


if __name__ == "__main__":
    main()
