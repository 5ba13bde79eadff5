"""Benchmark: the hazard board (隐患台账) page and the hazard API list at 1,000,000 hazards.

    .venv/bin/python -m benchmarks hazard_board
    .venv/bin/python -m benchmarks.hazard_board --hazards 200000 --repeat 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_board .venv/bin/python -m benchmarks.hazard_board

The database (var/bench/hazard_board_<N>.sqlite3, or the DATABASE_URL given) is the demo
district plus N synthetic hazards spread over its 439 enterprises, its member units and every
state, found over the past three years, written with bulk inserts on first use and reused after
(a database holding another number of hazards is refused). For each login — bureau (the whole
district), a member unit (its routed hazards), a township, an enterprise — and for the page
(hazards:list) and the API (/api/hazards/hazards/), at 50 rows: page 1, page 1 filtered to 整改中,
the next and the last window by the links the list offers (keyset cursors above the exact-count
threshold, page numbers below): the status, the queries one request makes and the median and slowest time over
`repeat` requests, through Django's test Client in this process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import re
import time
from html import unescape

from benchmarks import database_url, format_figures, setup_django
from benchmarks.registry_lists import measure

DEFAULT_HAZARDS = 1_000_000
REPEAT = 5
PAGE_SIZE = 50
API_PATH = "/api/hazards/hazards/"
BATCH = 20_000


def _synthetic_rows(count: int, start: int):
    """Hazards in every state with the fields their state implies; deterministic."""
    from django.utils import timezone

    from hazardloop.accounts.models import User
    from hazardloop.hazards.choices import HazardStatus, LegalLevel
    from hazardloop.hazards.models import Hazard, HazardLevel
    from hazardloop.registry.models import Enterprise, MemberUnit, Provider

    rng = random.Random(2026 + start)
    enterprises = list(Enterprise.objects.values_list("pk", flat=True))
    units = list(MemberUnit.objects.values_list("pk", flat=True))
    providers = list(Provider.objects.values_list("pk", flat=True))
    levels = list(HazardLevel.objects.filter(active=True))
    reporter = User.objects.filter(role="expert").order_by("pk").first()
    states = [s.value for s in HazardStatus]
    weights = [2, 3, 1, 1, 8, 3, 1, 1, 1, 75, 4]  # most hazards of past years are closed
    now = timezone.now()
    for i in range(start, start + count):
        level = rng.choice(levels)
        status = rng.choices(states, weights)[0]
        found = now - dt.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        routed = status != HazardStatus.FOUND
        major = level.legal_level == LegalLevel.MAJOR
        closed = status == HazardStatus.CLOSED
        overturned = status == HazardStatus.OVERTURNED
        yield Hazard(
            number=f"BM-{i:09d}",
            enterprise_id=rng.choice(enterprises),
            source="provider",
            reporter=reporter,
            level=level,
            legal_level=level.legal_level,
            category=rng.choice(["production", "fire", "electrical", "special_equipment", "hazchem"]),
            form=rng.choice(["state", "behaviour", "management"]),
            title=f"合成隐患 {i}",
            description="基准测试用合成隐患",
            found_at=found,
            status=status,
            member_unit_id=rng.choice(units) if routed else None,
            routed_at=found if routed else None,
            deadline=(found + dt.timedelta(days=rng.randrange(5, 60))).date() if routed else None,
            provider_id=rng.choice(providers),
            listed_supervision=major,
            listed_at=found if major else None,
            closed_at=found + dt.timedelta(days=rng.randrange(3, 60)) if closed else None,
            closure="reinspection" if closed else "",
            overturned_at=found + dt.timedelta(days=2) if overturned else None,
            overturn_reason="误判" if overturned else "",
        )


def prepare(hazards: int) -> dict:
    setup_django(database_url(f"hazard_board_{hazards}.sqlite3"))
    from django.core.management import call_command
    from django.db import connection, transaction

    from hazardloop.hazards.models import Hazard
    from hazardloop.registry.models import Enterprise

    call_command("migrate", verbosity=0)
    if not Enterprise.objects.exists():
        call_command("load_demo", verbosity=0)
    have = Hazard.objects.count()
    built_s = None
    if have < hazards and not Hazard.objects.filter(number__startswith="BM-").exists():
        print(f"writing {hazards:,} hazards …", flush=True)
        started = time.perf_counter()
        for start in range(0, hazards, BATCH):
            with transaction.atomic():
                Hazard.objects.bulk_create(
                    _synthetic_rows(min(BATCH, hazards - start), start), batch_size=2000
                )
            print(f"  {start + BATCH:,}", end="\r", flush=True)
        built_s = round(time.perf_counter() - started, 1)
        print(f"written in {built_s} s", flush=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    elif Hazard.objects.filter(number__startswith="BM-").count() != hazards:
        raise SystemExit(
            f"{connection.settings_dict['NAME']} holds another number of synthetic hazards: "
            "give an empty database or the one this benchmark built."
        )
    return {"database": connection.vendor, "name": str(connection.settings_dict["NAME"]), "built_s": built_s}


def _logins():
    from hazardloop.accounts.choices import Role
    from hazardloop.accounts.models import User

    yield "bureau", User.objects.get(username="bureau")
    for role in (Role.MEMBER_UNIT, Role.TOWNSHIP, Role.ENTERPRISE):
        user = User.objects.filter(role=role).order_by("pk").first()
        if user is not None:
            yield user.username, user


def _query_of(url: str) -> str:
    return url.split("?", 1)[1] if "?" in url else ""


def _page_cases(client, path: str, visible: int) -> list[tuple[str, str]]:
    """The board's cases: page 1, page 1 filtered, and the next and last windows by the links
    the page itself offers (cursor links above the exact-count threshold, page numbers below).
    A page number typed by hand on a large list still takes the OFFSET path; it is not measured
    here (the figures of 2026-11-24, session 2, are that path)."""
    html = client.get(f"{path}?page_size={PAGE_SIZE}&page=1").content.decode()
    cases = [("page 1", "page=1"), ("整改中 page 1", "page=1&status=rectifying")]
    links = {
        name: unescape(href)
        for href, name in re.findall(r'href="\?([^"]*)"[^>]*data-testid="page-(next|last)"', html)
    }
    if links:
        # Keyset windows: the links carry the cursor (and the page size).
        cases += [("next (cursor)", links["next"]), ("last (cursor)", links["last"])]
    else:
        last = max(1, math.ceil(visible / PAGE_SIZE))
        cases += [("next (page 2)", "page=2"), (f"last ({last})", f"page={last}")]
    return cases


def _api_cases(client, path: str, visible: int) -> list[tuple[str, str]]:
    """The API's cases: page 1 and filtered page 1 by number (with the count), then the cursor
    walk's next and last windows, and the last page by number where the count is exact."""
    body = client.get(f"{path}?page_size={PAGE_SIZE}&cursor=").json()
    cases = [("page 1", "page=1"), ("整改中 page 1", "page=1&status=rectifying")]
    if body.get("next"):
        cases.append(("next (cursor)", _query_of(body["next"])))
    if body.get("last"):
        cases.append(("last (cursor)", _query_of(body["last"])))
    if body.get("count_exact"):
        last = max(1, math.ceil(visible / PAGE_SIZE))
        cases.append((f"last by number ({last})", f"page={last}"))
    return cases


def run(hazards: int = DEFAULT_HAZARDS, repeat: int = REPEAT) -> list[dict]:
    info = prepare(hazards)
    import os

    from django.test import Client
    from django.urls import reverse

    from hazardloop.accounts.testing import login_verified
    from hazardloop.hazards.models import Hazard

    print(f"{info['database']} {info['name']}: {Hazard.objects.count():,} hazards, {repeat} requests each")
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    page_url = reverse("hazards:list")
    rows = []
    for username, user in _logins():
        visible = Hazard.objects.visible_to(user).count()
        client = Client()
        # Signed in as after the password and, for bureau and admin, the second factor.
        login_verified(client, user)
        for label, path, cases in (
            ("page", page_url, _page_cases(client, page_url, visible)),
            ("api", API_PATH, _api_cases(client, API_PATH, visible)),
        ):
            for case, query in cases:
                # An API link carries the page size already; the repeated key has the same value.
                figures = measure(client, f"{path}?page_size={PAGE_SIZE}&{query}", repeat)
                rows.append(
                    {"login": username, "visible": visible, "endpoint": label, "case": case, **figures}
                )
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hazards", type=int, default=DEFAULT_HAZARDS)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    args = parser.parse_args(argv)
    print(format_figures(run(args.hazards, args.repeat)))


if __name__ == "__main__":
    main()
