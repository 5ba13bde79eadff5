"""误判撤销: a wrongly recorded hazard is overturned."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import (
    EventName,
    NotificationKind,
    Party,
)
from ..models import (
    Hazard,
)
from ._core import (
    S,
    _apply,
    _expect_state,
    _lock,
    _raise_if,
    _require_text,
)
from .notify import _label, notify, party_users


@transaction.atomic
def overturn_hazard(hazard: Hazard, *, actor, version: int, reason: str) -> Hazard:
    """误判撤销: the bureau or the member unit finds the hazard was wrongly recorded.

    Precondition: found or routed. Effects: overturned with the reason; when a provider found
    it, the event says so, and evaluation counts it against the provider. Event: overturn."""
    hazard = _lock(hazard, actor=actor, capability="hazards.overturn", version=version)
    _expect_state(hazard, [S.FOUND, S.ROUTED], _("撤销"))
    errors: dict[str, list[str]] = {}
    reason = _require_text(errors, "reason", reason, _("请填写撤销理由。"))
    _raise_if(errors)
    _apply(
        hazard,
        EventName.OVERTURN,
        actor=actor,
        note=reason,
        data={"against_provider": hazard.provider_id},
        at=timezone.now(),
        reason=reason,
    )
    notify(
        list(party_users(hazard, Party.PROVIDER)) + list(party_users(hazard, Party.ENTERPRISE)),
        hazard=hazard,
        kind=NotificationKind.INFO,
        title=_("隐患已撤销（误判）：%(hazard)s") % {"hazard": _label(hazard)},
        body=reason,
        exclude=actor,
    )
    return hazard


# --- enforcement (处理): government only ----------------------------------------------------
