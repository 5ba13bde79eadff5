"""The access matrix: every URL pattern and API route × every persona role (and anonymous).

Generated from the URL conf at test time, so a page added by any app is walked the day it
lands. For each route, object ids are filled from records inside and outside the persona's
scope (as `scoping.scope` decides), and every answer is checked against the house rules:

- anonymous: a page redirects to the login page, the API answers 401/403;
- a record outside the scope (or one that does not exist): 404, or 403 when the role lacks
  the capability altogether — never 200, so guessing ids reveals nothing;
- a record inside the scope of a detail route whose model is known for sure (API viewsets,
  and pages named after their model): not 404;
- a list (a page's `page_obj` or an API page of results) shows only ids in the scope;
- a POST of an empty form anywhere, inside or outside the scope: no 500 either;
- never a 500, for anyone.

Sessions of bureau and admin pass the second factor first (two-factor login stays on here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from hazardloop.accounts import scoping
from hazardloop.accounts.testing import login_verified

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]

ROLES = [
    "admin",
    "bureau",
    "leader",
    "safety_unit",
    "police",
    "township",
    "provider",
    "expert",
    "enterprise",
    "outsider",
]

# Routes that cannot be walked generically, and why.
SKIP = {
    "logout": "ends the session the walk is using",
    "set_language": "switches the language for the rest of the walk; covered by accounts tests",
    "api-root": "DRF's browsable index of routes, no data",
}
# Open without signing in, by design.
# onboarding:activate: an enterprise without an account opens one with its notice's code.
PUBLIC = {
    "login",
    "healthz",
    "api-token",
    "two_factor_setup",
    "two_factor_verify",
    "api-schema",
    "onboarding:activate",
}
# Not walked with POST: they count sign-in attempts or end the session.
NO_POST = {
    "login",
    "api-token",
    "two_factor_setup",
    "two_factor_verify",
    "password_change",
    "onboarding:activate",
}

# kwarg name → model label, for ids that are not the route's own record.
KWARG_MODELS = {
    "hazard_pk": "hazards.hazard",
    "finding_pk": "inspections.finding",
    "item_pk": "inspections.checklistitem",
    "template_pk": "inspections.checklisttemplate",
}
# Values for non-id kwargs: a name no view accepts is fine, it must still be a clean refusal.
PLACEHOLDERS = {"action": "no-such-action", "name": "no_such_transition", "label": "registry.expert"}
MISSING_ID = 987654321


@dataclass
class Route:
    name: str
    pattern: str
    kwargs: list[str]
    is_api: bool
    regex: str = ""
    model: str | None = None  # the label of the record `pk`/`code` names
    confident: bool = False  # the model is certain (a viewset's queryset, or the page's name)
    list_view: bool = False
    methods: set[str] = field(default_factory=lambda: {"get", "post"})

    @property
    def id(self) -> str:
        return self.name


def _model_labels() -> dict[str, set[str]]:
    by_app: dict[str, set[str]] = {}
    for model in apps.get_models():
        by_app.setdefault(model._meta.app_label, set()).add(model._meta.model_name)
    return by_app


def _guess_page_model(namespace: str | None, url_name: str) -> tuple[str | None, bool]:
    """registry:enterprise_detail → registry.enterprise (certain); hazards:detail → the app's
    own model named like the app (hazards.hazard, less certain)."""
    if not namespace:
        return None, False
    models = _model_labels().get(namespace, set())
    words = url_name.split("_")
    for n in range(len(words), 0, -1):
        candidate = "".join(words[:n])
        if candidate in models:
            return f"{namespace}.{candidate}", True
    singular = namespace.rstrip("s")
    if singular in models:
        return f"{namespace}.{singular}", False
    return None, False


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield prefix + str(entry.pattern), namespace, entry


def routes() -> list[Route]:
    found: dict[str, Route] = {}
    for pattern, namespace, entry in _walk(get_resolver().url_patterns):
        if pattern.startswith("admin/"):
            continue  # Django's admin: its own permission system, checked in accounts tests
        full = f"{namespace}:{entry.name}" if namespace else entry.name
        if entry.name in SKIP or full in found:
            continue
        kwargs = list(entry.pattern.regex.groupindex)
        if "format" in kwargs:
            continue  # the .json suffix twin of a route already walked
        callback = entry.callback
        cls = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", None) or {}
        route = Route(
            full, pattern, kwargs, is_api=pattern.startswith("api/"), regex=entry.pattern.regex.pattern
        )
        queryset = getattr(cls, "queryset", None)
        if queryset is not None:
            route.model, route.confident = queryset.model._meta.label_lower, True
            route.list_view = actions.get("get") == "list"
        elif any(k in kwargs for k in ("pk", "code")):
            route.model, route.confident = _guess_page_model(namespace, entry.name)
        else:
            route.list_view = not route.is_api and entry.name.endswith("list")
        if actions:
            route.methods = set(actions)
        found[full] = route
    return sorted(found.values(), key=lambda r: r.name)


ROUTES = routes()


def _ids(label: str | None, user) -> tuple[object | None, object | None]:
    """(a record in the user's scope, one that exists outside it) — by primary key or code."""
    if label is None:
        return None, None
    model = apps.get_model(label)
    key = "code" if label in ("registry.region", "registry.industry") else "pk"
    visible = scoping.scope(model.objects.all(), user)
    inside = visible.order_by("pk").values_list(key, flat=True).first()
    outside = (
        model.objects.exclude(pk__in=visible.values("pk")).order_by("pk").values_list(key, flat=True).first()
    )
    return inside, outside


def _group_pattern(pattern: str, name: str) -> str:
    start = pattern.find(f"(?P<{name}>")
    if start < 0:
        return ""
    i, depth = start + len(name) + 5, 1
    body_start = i
    while i < len(pattern) and depth:
        depth += {"(": 1, ")": -1}.get(pattern[i], 0)
        i += 1
    return pattern[body_start : i - 1]


def _placeholder(route: Route, kwarg: str):
    """A value the route's pattern accepts for a kwarg that is not a record id: the first
    choice of an alternation (publish|close), else a word no view knows."""
    if kwarg in PLACEHOLDERS:
        return PLACEHOLDERS[kwarg]
    body = _group_pattern(route.regex, kwarg)
    if re.fullmatch(r"[\w-]+(\|[\w-]+)+", body):
        return body.split("|")[0]
    for candidate in ("no-such", "x", MISSING_ID):
        if re.fullmatch(body or ".*", str(candidate)):
            return candidate
    return "x"


def _url(route: Route, user, which: str) -> str | None:
    """The route's URL with ids `inside` or `outside` the user's scope (or a missing id)."""
    values = {}
    for kwarg in route.kwargs:
        if kwarg not in ("pk", "code") and kwarg not in KWARG_MODELS:
            values[kwarg] = _placeholder(route, kwarg)
            continue
        label = route.model if kwarg in ("pk", "code") else KWARG_MODELS.get(kwarg)
        inside, outside = _ids(label, user) if user is not None else (None, None)
        chosen = {"inside": inside, "outside": outside}.get(which)
        if chosen is None:
            if which == "inside":
                return None
            chosen = "ZZ-missing" if kwarg == "code" else MISSING_ID
        values[kwarg] = chosen
    return reverse(route.name, kwargs=values)


@pytest.fixture
def world(personas, district, settings, tmp_path):
    """The personas' district, plus hazards inside and outside most scopes when the hazards
    app's builders are at hand (they are that app's test helpers; if they change, the walk goes
    on with the records it has and missing ids)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    try:
        from hazardloop.hazards.tests.conftest import Loop

        loop = Loop(personas, district)
        loop.noticed()  # at 龙泉煤业 (township A, the provider's contract)
        loop.routed(enterprise=district.machine, actor=personas.provider)
    except Exception:  # noqa: BLE001 — the matrix must not depend on another app's test helpers
        pass
    return personas


def _client_for(client, user):
    client.logout()
    if user is not None:
        login_verified(client, user)
    return client


def _listed_ids(response, route: Route) -> list | None:
    if route.is_api:
        try:
            body = response.json()
        except ValueError:
            return None
        results = body.get("results") if isinstance(body, dict) else body
        if not isinstance(results, list):
            return None
        key = "code" if route.model in ("registry.region", "registry.industry") else "id"
        return [row.get(key) for row in results if isinstance(row, dict)]
    context = response.context
    page = context.get("page_obj") if context is not None else None
    if page is None:
        return None
    return [obj.pk for obj in page.object_list if hasattr(obj, "pk")]


def _groups() -> dict[str, list[Route]]:
    # One test per URL namespace (an app's pages, an app's API): the persona world is built
    # once per group rather than once per route, which keeps the walk to a few minutes.
    groups: dict[str, list[Route]] = {}
    for route in ROUTES:
        groups.setdefault(route.name.split(":")[0] if ":" in route.name else "site", []).append(route)
    return groups


GROUPS = _groups()


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_access_matrix(client, world, group):
    problems: list[str] = []
    ids: dict = {}
    for route in GROUPS[group]:
        _walk_route(client, world, route, problems, ids)
    assert not problems, "\n".join(problems)


def _walk_route(client, personas, route: Route, problems: list[str], cache: dict) -> None:
    def check(condition: bool, message: str) -> None:
        if not condition:
            problems.append(f"[{route.name}] {message}")

    def url_for(user, which):
        key = (route.name, getattr(user, "pk", None), which)
        if key not in cache:
            cache[key] = _url(route, user, which)
        return cache[key]

    # Anonymous.
    if route.name not in PUBLIC:
        url = url_for(None, "outside")
        for method in sorted(route.methods & {"get", "post"}):
            response = getattr(_client_for(client, None), method)(url)
            if route.is_api:
                check(
                    response.status_code in (401, 403, 405),
                    f"anonymous {method} {url}: {response.status_code}",
                )
            else:
                location = response.get("Location", "")
                check(
                    response.status_code == 405
                    or (response.status_code == 302 and location.startswith(reverse("login"))),
                    f"anonymous {method} {url}: {response.status_code} {location}",
                )

    for role in ROLES:
        user = getattr(personas, role)
        c = _client_for(client, user)
        for which in ("outside", "missing", "inside"):
            if which != "inside" and not route.kwargs:
                continue
            if which == "missing" and url_for(user, "outside") != url_for(None, "outside"):
                continue  # a real record outside the scope was tried; a missing id adds nothing
            url = url_for(user, which)
            if url is None:
                continue
            if "get" in route.methods:
                response = c.get(url)
                status = response.status_code
                check(status < 500, f"{role} GET {url} ({which}): {status}")
                if which in ("outside", "missing") and route.model:
                    check(
                        status in (403, 404, 405), f"{role} GET {url} ({which} scope): {status}, not 403/404"
                    )
                if which == "inside" and route.confident and route.kwargs:
                    check(status != 404, f"{role} GET {url} (in scope): 404")
                if which == "inside" and status == 200 and route.list_view:
                    listed = _listed_ids(response, route)
                    if listed and route.model or (listed and not route.is_api):
                        label = route.model or _list_model(response)
                        if label:
                            model = apps.get_model(label)
                            key = "code" if label in ("registry.region", "registry.industry") else "pk"
                            allowed = set(
                                scoping.scope(model.objects.all(), user).values_list(key, flat=True)
                            )
                            extra = set(listed) - allowed
                            check(
                                not extra,
                                f"{role} GET {url} lists ids outside the scope: {sorted(extra)[:5]}",
                            )
            if "post" in route.methods and route.name not in NO_POST:
                response = c.post(url, {})
                status = response.status_code
                check(status < 500, f"{role} POST {url} ({which}): {status}")
                if which in ("outside", "missing") and route.model:
                    check(
                        status in (403, 404, 405), f"{role} POST {url} ({which} scope): {status}, not 403/404"
                    )


def _list_model(response) -> str | None:
    page = response.context.get("page_obj") if response.context is not None else None
    if page is None or not page.object_list:
        return None
    first = page.object_list[0]
    return first._meta.label_lower if hasattr(first, "_meta") else None


def test_the_walk_covers_the_url_conf():
    """Guards the generator itself: the main pages and API routes are all in the walk."""
    names = {r.name for r in ROUTES}
    for expected in (
        "home",
        "registry:enterprise_list",
        "registry:enterprise_detail",
        "registry-api:enterprise-detail",
    ):
        assert expected in names
    detail = next(r for r in ROUTES if r.name == "registry:enterprise_detail")
    assert detail.model == "registry.enterprise" and detail.confident
    api = next(r for r in ROUTES if r.name == "registry-api:enterprise-list")
    assert api.model == "registry.enterprise" and api.list_view
    assert re.match(r"^registry/", detail.pattern)
