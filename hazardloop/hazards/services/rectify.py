"""The enterprise's report of a finished rectification round."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import (
    AttachmentKind,
    EventName,
    NotificationKind,
    Party,
)
from ..models import (
    Hazard,
    Rectification,
)
from ._core import (
    S,
    _apply,
    _attach,
    _clean_files,
    _expect_state,
    _lock,
    _raise_if,
    _require_text,
    _today,
)
from .config import add_working_days, time_limits
from .errors import HazardError
from .extension import _withdraw_pending_extension
from .notify import _label, _notify_party


def _parse_cost(value) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else 0))
    except InvalidOperation as exc:
        raise HazardError(_("整改费用格式不正确。"), errors={"cost": [_("整改费用格式不正确。")]}) from exc


@transaction.atomic
def submit_rectification(
    hazard: Hazard,
    *,
    actor,
    version: int,
    measures: str,
    responsible_person: str,
    completed_on: dt.date | None,
    cost=0,
    evidence: Sequence = (),
    on_behalf: bool = False,
    received_from: str = "",
) -> Rectification:
    """The enterprise reports this round's rectification done — or, with `on_behalf`, a
    township or member-unit officer records it for the enterprise (代录) from what the
    enterprise's `received_from` person handed in.

    Guard: measures, responsible person, completion date (not in the future) and at least one
    piece of evidence; on behalf, the capability hazards.record_rectification and the name of
    the enterprise's person. Effects: the round's record (submitted_by: whoever typed it); a
    pending extension is withdrawn; rectifying → awaiting_reinspection with a re-inspection due
    date. Event: submit_rectification, whose data names the enterprise recorded for."""
    capability = "hazards.record_rectification" if on_behalf else "hazards.submit_rectification"
    hazard = _lock(hazard, actor=actor, capability=capability, version=version)
    _expect_state(hazard, [S.RECTIFYING], _("提交整改"))
    errors: dict[str, list[str]] = {}
    if on_behalf:
        received_from = _require_text(
            errors, "received_from", received_from, _("请填写提交整改材料的企业人员。")
        )
    measures = _require_text(errors, "measures", measures, _("请填写整改措施。"))
    responsible_person = _require_text(
        errors, "responsible_person", responsible_person, _("请填写整改责任人。")
    )
    if completed_on is None:
        errors.setdefault("completed_on", []).append(_("请填写完成日期。"))
    elif completed_on > _today():
        errors.setdefault("completed_on", []).append(_("完成日期不能晚于今天。"))
    amount = _parse_cost(cost)
    if amount < 0:
        errors.setdefault("cost", []).append(_("整改费用不能为负数。"))
    if not evidence:
        errors.setdefault("evidence", []).append(_("请上传整改佐证材料（照片或文件）。"))
    evidence = _clean_files(errors, "evidence", evidence)
    _raise_if(errors)
    record = Rectification.objects.create(
        hazard=hazard,
        round=hazard.round,
        measures=measures,
        cost=amount,
        responsible_person=responsible_person,
        completed_on=completed_on,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    _withdraw_pending_extension(hazard)
    due = add_working_days(_today(), time_limits().reinspection_working_days)
    event = _apply(
        hazard,
        EventName.SUBMIT_RECTIFICATION,
        actor=actor,
        note=measures,
        data={
            "rectification": record.pk,
            "round": record.round,
            "cost": amount,
            **(
                {
                    "on_behalf_of": hazard.enterprise_id,
                    "on_behalf_of_name": hazard.enterprise.name,
                    "received_from": received_from,
                }
                if on_behalf
                else {}
            ),
        },
        reinspection_due=due,
    )
    _attach(hazard, event, AttachmentKind.AFTER, evidence, actor)
    _notify_party(
        hazard,
        Party.PROVIDER,
        NotificationKind.TASK,
        _("整改已完成，请于%(due)s前复查：%(hazard)s") % {"due": due.isoformat(), "hazard": _label(hazard)},
        actor=actor,
    )
    return record
