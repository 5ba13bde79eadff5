"""Every named URL of the project, read from the URL conf at test time, so a route added by any
app is seen the day it lands (and fails the matrix until it has a row in the table)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

# Never walked, and why.
SKIP = {
    "logout": "ends the session the walk is using",
    "set_language": "switches the language for the rest of the walk; covered by accounts tests",
    "api-root": "DRF's browsable index of routes, no data",
}


@dataclass
class Route:
    name: str
    pattern: str
    kwargs: list[str]
    is_api: bool
    regex: str = ""
    model: str | None = None  # a viewset's model label; pages leave it to the table
    methods: set[str] = field(default_factory=lambda: {"get", "post"})


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
            route.model = queryset.model._meta.label_lower
        if actions:
            route.methods = set(actions)
        found[full] = route
    return sorted(found.values(), key=lambda r: r.name)
