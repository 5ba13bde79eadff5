"""The one place that decides what each user may see and do.

Every page, API view, export and background job reaches data through `scope(queryset, user)`
(usually via `Model.objects.visible_to(user)`), and asks `can(user, capability)` before acting.
A record outside the scope is answered with 404, never 403, so that ids reveal nothing.

Visibility by role (DESIGN.md):
- admin, district bureau, district leader: everything under their region (code prefix);
- member unit: enterprises in its district whose industry falls under one of its duties;
- township: the enterprises in its own township or street office;
- provider: enterprises covered by its service contracts;
- expert: the provider's contract enterprises, less those the expert must not inspect
  (narrowed to the expert's own visits once planning assigns them);
- enterprise: itself only.
"""

from __future__ import annotations

from django.db.models import QuerySet

from hazardloop.core import access
from hazardloop.core.access import (  # noqa: F401  (the one place callers ask, re-exported)
    can,
    get_visible_or_404,
    may,
    register_capabilities,
    register_predicates,
    require,
    require_may,
    scope,
)

# The registry's capabilities and scopers (enterprises, providers, experts, member units, regions,
# industries, import jobs) live in `registry/access.py`; `enterprise_filter` is re-exported here
# because other apps' scopers build on it.
from hazardloop.registry.access import (  # noqa: F401
    DISTRICT_WIDE,
    GOVERNMENT,
    enterprise_filter,
)

from .choices import Role

# Capabilities: what a role may do, independent of which record. Record-level scope is `scope`.
# The registry itself is `core.access.CAPABILITIES`; these are the base apps' entries.
CAPABILITIES = access.CAPABILITIES
# (Contracts' capability and scoper live in `procurement/access.py` with the rest of procurement's.)
_BASE_CAPABILITIES: dict[str, set[str]] = {}


def _scope_users(qs: QuerySet, user) -> QuerySet:
    return qs if user.role == Role.ADMIN else qs.filter(pk=user.pk)


_SCOPERS = {
    "accounts.user": _scope_users,
}


def register(label: str, scoper) -> None:
    """Later apps (hazards, meetings, …) add their models' rules here at start-up."""
    access.register_scoper(label, scoper)


register_capabilities(_BASE_CAPABILITIES)
for _label, _scoper in _SCOPERS.items():
    register(_label, _scoper)
