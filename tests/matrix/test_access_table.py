"""The access matrix: every URL pattern and API route × every persona, against a table written
by hand (`table.py`), not against the code's own scoping.

For each route the table names the record its URL is built with (a named object of the matrix's
own world, `world.py`, or a missing id) and what each role gets on it: `ok` (2xx, or a redirect
that is not to the login page), `400` (an empty POST to an action got past the access check and
was refused as bad input), `409`, `403` refused, `404` not visible, `405`. Action pages that take
only POST are walked with an empty POST (their row starts with "POST"). Anonymous users are sent
to the login page (pages) or refused (API, 401/403), except on the few public routes (`table.ANONYMOUS`).

Besides the table, every request is held to the house rules: never a 500, and a role refused on
a route's GET is refused on its POST too (an empty POST form must not slip past the check that
guards the page).

A route with no row fails ("route X has no row in the access table"); so does a row for a route
that no longer exists. One test per URL namespace, so the world is built once per group.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from django.db import transaction
from django.urls import reverse

from . import table
from .routes import routes
from .world import build

pytestmark = pytest.mark.django_db

ROUTES = routes()
MISSING_ID = 987654321


def _group(name: str) -> str:
    return name.split(":")[0] if ":" in name else "site"


GROUPS = sorted({_group(r.name) for r in ROUTES})


@pytest.fixture
def world(personas, district, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build(personas, district)


def _value(route, kwarg, world):
    subject = table.subject(route, kwarg)
    if subject is None:
        return MISSING_ID
    if subject.startswith("="):
        return subject[1:]  # a literal (an action name, a chart slug)
    obj = getattr(world, subject)
    return obj.code if kwarg == "code" else obj.pk


def url_for(route, world) -> str:
    return reverse(route.name, kwargs={k: _value(route, k, world) for k in route.kwargs})


def outcome(response, is_api: bool) -> str:
    status = response.status_code
    if status in (301, 302, 303):
        location = response.get("Location", "")
        return "login" if location.startswith(reverse("login")) else "ok"
    if is_api and status == 401:
        return "login"
    if status < 300:
        return "ok"
    return str(status)


def test_every_route_has_a_row_and_every_row_a_route():
    names = {r.name for r in ROUTES}
    missing = sorted(names - set(table.TABLE))
    stale = sorted(set(table.TABLE) - names)
    assert not missing, "\n".join(f"route {n} has no row in the access table" for n in missing)
    assert not stale, "\n".join(f"row {n} of the access table names no route" for n in stale)


@pytest.mark.parametrize("group", GROUPS)
def test_access_matrix(client, personas, world, group):
    problems: list[str] = []
    observed: dict[str, dict[str, str]] = {}
    for route in (r for r in ROUTES if _group(r.name) == group):
        if route.name not in table.TABLE:
            problems.append(f"route {route.name} has no row in the access table")
            if not os.environ.get("MATRIX_DUMP"):
                continue
        url = url_for(route, world)
        primary = table.method(route.name) or ("get" if "get" in route.methods else "post")
        expected = (
            table.expected(route.name) if route.name in table.TABLE else dict.fromkeys(table.ROLES, "?")
        )
        seen = observed.setdefault(route.name, {})

        client.logout()
        response = getattr(client, primary)(url)
        got = outcome(response, route.is_api)
        if route.is_api and response.status_code == 403:
            got = "login"  # DRF answers 403 to an anonymous caller when no challenge applies
        want = table.ANONYMOUS.get(route.name, "login")
        seen["anonymous"] = got
        if got != want:
            problems.append(f"[{route.name}] anonymous {primary.upper()} {url}: {got}, expected {want}")

        for role in table.ROLES:
            # Each persona's requests run in a savepoint rolled back afterwards: an empty POST that
            # does act (publishing a draft, say) must not change what the next persona or route
            # is shown, so every row is checked against the same world.
            with transaction.atomic():
                _walk_role(client, personas, route, role, url, primary, expected, seen, problems)
                transaction.set_rollback(True)
    if os.environ.get("MATRIX_DUMP"):
        with open(os.path.join(os.environ["MATRIX_DUMP"], f"{group}.json"), "w") as out:
            json.dump(observed, out, ensure_ascii=False, indent=0)
        return
    assert not problems, "\n".join(problems)


def _walk_role(client, personas, route, role, url, primary, expected, seen, problems):
    user = getattr(personas, role)
    client.force_login(user)
    response = getattr(client, primary)(url)
    got = outcome(response, route.is_api)
    seen[role] = got
    if response.status_code >= 500:
        problems.append(f"[{route.name}] {role} {primary.upper()} {url}: {response.status_code}")
    elif got != expected[role]:
        problems.append(
            f"[{route.name}] {role} {primary.upper()} {url}: {got}, the table says {expected[role]}"
        )
    if primary == "get" and "post" in route.methods and route.name not in table.NO_POST:
        posted = client.post(url, {})
        seen[f"{role} POST"] = outcome(posted, route.is_api)
        if posted.status_code >= 500:
            problems.append(f"[{route.name}] {role} POST {url}: {posted.status_code}")
        elif got in ("403", "404") and outcome(posted, route.is_api) not in (got, "405"):
            problems.append(
                f"[{route.name}] {role} POST {url}: {posted.status_code}, but GET was refused ({got})"
            )


def test_the_table_speaks_of_known_roles_and_outcomes():
    for name in table.TABLE:
        expected = table.expected(name)
        assert set(expected) == set(table.ROLES), name
        assert set(expected.values()) <= {"ok", "400", "403", "404", "405", "409"}, name
    assert re.fullmatch(r"[a-z_]+", "".join(table.ROLES))
