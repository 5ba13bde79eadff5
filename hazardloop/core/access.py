"""The mechanism that decides who may see and do what; the rules themselves live per app.

Three registries, each filled at start-up from every app's `access.py` (see `register_app`):

- capabilities: what a role may do at all (`can`, `require`);
- scopers: which rows of a model a user may see (`scope`, `get_visible_or_404`); a model with no
  scoper is closed — nobody sees its rows until it is given one;
- predicates: may this user act on this row (`may`, `require_may`), so a service enforces and a
  view offers a button through the same function.

An app's `access.py` declares `CAPABILITIES`, `SCOPERS` and `PREDICATES` dicts (each optional) and
its AppConfig.ready() calls `register_app(access)`. Nothing here knows any domain; roles are the
strings on `user.role`.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from .errors import NotVisible, Refused

Scoper = Callable[[QuerySet, object], QuerySet]
Predicate = Callable[..., bool]

CAPABILITIES: dict[str, set[str]] = {}
SCOPERS: dict[str, Scoper] = {}
PREDICATES: dict[str, Predicate] = {}


# --- registration ---------------------------------------------------------------------------


def register_capabilities(capabilities: dict[str, set[str]]) -> None:
    """A capability is defined once; defining it again with other roles is a start-up error."""
    for name, roles in capabilities.items():
        roles = {str(r) for r in roles}
        if name in CAPABILITIES and CAPABILITIES[name] != roles:
            raise ImproperlyConfigured(f"capability {name} is defined twice")
        CAPABILITIES[name] = roles


def register_scoper(label: str, scoper: Scoper) -> None:
    SCOPERS[label] = scoper


def register_predicates(predicates: dict[str, Predicate]) -> None:
    for name, predicate in predicates.items():
        if name in PREDICATES and PREDICATES[name] is not predicate:
            raise ImproperlyConfigured(f"access predicate {name} is defined twice")
        PREDICATES[name] = predicate


def register_app(module: ModuleType) -> None:
    """Register everything an app's `access.py` declares."""
    register_capabilities(getattr(module, "CAPABILITIES", {}))
    for label, scoper in getattr(module, "SCOPERS", {}).items():
        register_scoper(label, scoper)
    register_predicates(getattr(module, "PREDICATES", {}))


# --- asking ---------------------------------------------------------------------------------


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def can(user, capability: str) -> bool:
    """The role may do this kind of thing (an unknown capability is a programming error)."""
    if not _active(user):
        return False
    return str(user.role) in CAPABILITIES[capability]


def require(user, capability: str, message: str | None = None) -> None:
    """Raise `Refused` unless the user's role has the capability."""
    if not can(user, capability):
        raise Refused(message)


def may(user, predicate: str, *args, **kwargs) -> bool:
    """The user may act on this record (a registered row-level rule)."""
    if not _active(user):
        return False
    return bool(PREDICATES[predicate](user, *args, **kwargs))


def require_may(user, predicate: str, *args, message: str | None = None, **kwargs) -> None:
    if not may(user, predicate, *args, **kwargs):
        raise Refused(message)


def scope(qs: QuerySet, user) -> QuerySet:
    """Restrict `qs` to what `user` may see. Anonymous and inactive users see nothing; a model
    without a scoper sees nothing either, so a new model is closed until it is given one."""
    if not _active(user):
        return qs.none()
    scoper = SCOPERS.get(qs.model._meta.label_lower)
    if scoper is None:
        return qs.none()
    return scoper(qs, user)


def get_visible_or_404(qs: QuerySet, user, *, message: str | None = None, **lookup):
    """The record if `user` may see it; otherwise `NotVisible` (404), whether it exists or not."""
    try:
        return scope(qs, user).get(**lookup)
    except qs.model.DoesNotExist as exc:
        raise NotVisible(message) from exc


def visible(qs: QuerySet, user, pk) -> bool:
    return scope(qs.filter(pk=pk), user).exists()
