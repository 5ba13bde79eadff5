"""Declared workflows: one statement of which step is open and who may take it.

A model declares each step with django-fsm-2 and names the access predicate that decides who may
take it::

    @transition(field=status, source=S.HELD, target=S.MINUTES_PUBLISHED,
                permission=permitted("meetings.may_approve"))
    def publish_minutes(self, *, at): ...

Then a service takes the step with `take(meeting.publish_minutes, actor, …)` — refused (403) when
the predicate says no, the app's own error (400) when the state does not allow it — and a page
offers exactly `offered(meeting, user)`. Both read the same declaration, so a button cannot be
offered that the service would refuse, nor the other way round.
"""

from __future__ import annotations

from collections.abc import Callable

from django_fsm import can_proceed

from . import access
from .errors import Refused, ServiceError


def permitted(predicate: str) -> Callable[[object, object], bool]:
    """A transition `permission` that asks the registered access predicate (looked up when asked,
    so the model module need not import the app's access rules)."""

    def check(instance, user) -> bool:
        return access.may(user, predicate, instance)

    check.predicate = predicate  # type: ignore[attr-defined]
    check.__name__ = f"permitted({predicate})"
    return check


def may_take(method, user) -> bool:
    """The user passes the step's permission, whatever the record's state."""
    meta = method._django_fsm
    return all(t.has_perm(method.__self__, user) for t in meta.transitions.values())


def offered(instance, user, field: str = "status") -> set[str]:
    """Names of the steps open in the record's state (conditions met) that the user may take."""
    return {t.name for t in getattr(instance, f"get_available_user_{field}_transitions")(user)}


def check(
    method,
    actor,
    *,
    not_now: str,
    error: type[ServiceError] = ServiceError,
    refused: str | None = None,
) -> None:
    """May `actor` take the step now? `Refused` when the actor may not take it at all,
    `error(not_now)` (also as the `status` field's message) when the record's state or a
    condition does not allow it now. `actor=None` is the system (demo, commands), which the
    access rules do not restrict; the state still does."""
    if actor is not None and not may_take(method, actor):
        raise Refused(refused)
    if not can_proceed(method):
        raise error(not_now, errors={"status": [not_now]})


def take(
    method,
    actor,
    *,
    not_now: str,
    error: type[ServiceError] = ServiceError,
    refused: str | None = None,
    **kwargs,
):
    """`check`, then the transition runs (it changes only the record's own fields — the caller
    saves and records the event). A service that validates data between the two calls `check`
    first and the bound method itself after."""
    check(method, actor, not_now=not_now, error=error, refused=refused)
    return method(**kwargs)
