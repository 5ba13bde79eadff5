"""Compliance of a provider's work with its service contract (履约检查).

`check_contract_compliance` reads the records — submitted inspections, their teams and report
times, the re-inspections of the hazards the provider found — and returns what falls short of
the contract's standards, without changing anything. `record_compliance` is the service that
upserts those findings as `ComplianceBreach` rows; `contract_fulfilment` gives the figures the
contract page shows.

The checks:

* short_team — a submitted inspection whose team size is outside
  `contract.team_requirement(enterprise)` (minimum, and maximum where set), or which the
  inspection itself recorded as a team deviation (`team_deviation`).
* missing_specialty — no member of the team has the specialty the enterprise's industry
  requires (`Industry.specialty`, general excepted).
* late_report — the report was submitted more than `contract.report_days` calendar days after
  the visit ended; a draft whose visit ended longer ago than that and is still unsubmitted on
  `today` counts too (actual: 未提交).
* late_reinspection — for hazards the contract's provider found at the contract's enterprises
  during the contract: each round's due date is `contract.reinspection_working_days` working
  days (the district calendar, `hazards.services.add_working_days`) after the day the
  enterprise submitted that round's rectification. The hazard's own `reinspection_due` is
  cleared once re-inspected, so the round's due date is rebuilt from the rectification record
  with the contract's limit — the contract is the standard being checked. A round re-inspected
  after its due date, or still awaiting re-inspection after it on `today`, is a breach.
* visits_short — pro-rating: in the calendar year of `today`, the contract serves from
  S = max(start_date, 1 Jan) to E = min(end_date, 31 Dec). The enterprise's yearly count R
  (`contract.visits_required`) is spread evenly over [S, E]; by `today` at least
  floor(R × elapsed / length) visits must be done, where elapsed counts the days from S to
  min(today, E) inclusive and length the days of [S, E]. So each visit is owed only once its
  whole share of the period has passed, and all R are owed on E. Done visits are the
  contract's submitted inspections of the enterprise started in [S, today].
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event
from hazardloop.hazards.choices import HazardStatus
from hazardloop.hazards.models import Hazard, Rectification, ReInspection
from hazardloop.hazards.services import add_working_days
from hazardloop.inspections.choices import InspectionStatus
from hazardloop.inspections.models import Inspection
from hazardloop.registry.choices import Specialty

from ..models import BreachKind, ComplianceBreach, PlannedVisit, PlanStatus, ServiceContract, VisitStatus


@dataclass(frozen=True)
class Breach:
    """One shortfall as computed (not yet stored)."""

    kind: str
    key: str
    expected: str
    actual: str
    note: str = ""
    enterprise_id: int | None = None
    inspection_id: int | None = None
    hazard_id: int | None = None


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _submitted(contract: ServiceContract):
    return Inspection.objects.filter(contract=contract).exclude(status=InspectionStatus.DRAFT)


def report_on_time(inspection: Inspection, contract: ServiceContract) -> bool:
    """Was the report submitted within the contract's limit after the visit ended?"""
    if inspection.submitted_at is None:
        return False
    ended = inspection.ended_at or inspection.started_at
    return inspection.submitted_at - ended <= dt.timedelta(days=contract.report_days)


def _team_breaches(contract: ServiceContract, inspection: Inspection) -> list[Breach]:
    out = []
    enterprise = inspection.enterprise
    members = [m.expert for m in inspection.members.all()]
    required = contract.team_requirement(enterprise)
    common = {
        "enterprise_id": enterprise.pk,
        "inspection_id": inspection.pk,
        "key": f"inspection:{inspection.pk}",
    }
    if not required.admits(len(members)) or inspection.team_deviation:
        note = inspection.deviation_reason if inspection.team_deviation else ""
        out.append(
            Breach(
                kind=BreachKind.SHORT_TEAM,
                expected=_("%(size)s 人") % {"size": required},
                actual=_("%(n)d 人") % {"n": len(members)},
                note=_("检查记录登记为人数不足：%(reason)s") % {"reason": note} if note else "",
                **common,
            )
        )
    specialty = enterprise.industry.specialty
    covered = any(specialty in (e.specialties or ()) for e in members)
    if specialty and specialty != Specialty.GENERAL and not covered:
        label = dict(Specialty.choices).get(specialty, specialty)
        out.append(Breach(kind=BreachKind.MISSING_SPECIALTY, expected=str(label), actual=_("无"), **common))
    return out


def _report_breach(contract: ServiceContract, inspection: Inspection) -> Breach | None:
    if report_on_time(inspection, contract):
        return None
    ended = inspection.ended_at or inspection.started_at
    late = inspection.submitted_at - ended
    return Breach(
        kind=BreachKind.LATE_REPORT,
        key=f"inspection:{inspection.pk}",
        enterprise_id=inspection.enterprise_id,
        inspection_id=inspection.pk,
        expected=_("检查结束后 %(n)d 天内") % {"n": contract.report_days},
        actual=_("%(days)d 天 %(hours)d 小时") % {"days": late.days, "hours": late.seconds // 3600},
    )


def _pending_report_breaches(contract: ServiceContract, today: dt.date) -> list[Breach]:
    """Drafts whose visit ended more than the limit before `today` and are still not submitted."""
    out = []
    drafts = Inspection.objects.filter(
        contract=contract, status=InspectionStatus.DRAFT, ended_at__isnull=False
    )
    for inspection in drafts:
        due = timezone.localdate(inspection.ended_at) + dt.timedelta(days=contract.report_days)
        if today > due:
            out.append(
                Breach(
                    kind=BreachKind.LATE_REPORT,
                    key=f"inspection:{inspection.pk}",
                    enterprise_id=inspection.enterprise_id,
                    inspection_id=inspection.pk,
                    expected=_("检查结束后 %(n)d 天内") % {"n": contract.report_days},
                    actual=_("未提交"),
                    note=_("应于%(due)s前提交") % {"due": due.isoformat()},
                )
            )
    return out


def _reinspection_breaches(contract: ServiceContract, today: dt.date) -> list[Breach]:
    hazards = Hazard.objects.filter(
        provider_id=contract.provider_id,
        enterprise__in=contract.enterprises.all(),
        found_at__date__gte=contract.start_date,
        found_at__date__lte=contract.end_date,
    )
    hazard_ids = list(hazards.values_list("pk", flat=True))
    if not hazard_ids:
        return []
    submitted = {
        (r.hazard_id, r.round): r.submitted_at for r in Rectification.objects.filter(hazard_id__in=hazard_ids)
    }
    limit = contract.reinspection_working_days
    expected = _("整改提交后 %(n)d 个工作日内") % {"n": limit}

    def due_of(hazard_id: int, round_: int) -> dt.date | None:
        at = submitted.get((hazard_id, round_))
        return add_working_days(timezone.localdate(at), limit) if at else None

    out = []
    for record in ReInspection.objects.filter(hazard_id__in=hazard_ids).select_related("hazard"):
        due = due_of(record.hazard_id, record.round)
        done = timezone.localdate(record.inspected_at)
        if due is not None and done > due:
            out.append(
                Breach(
                    kind=BreachKind.LATE_REINSPECTION,
                    key=f"hazard:{record.hazard_id}:round:{record.round}",
                    enterprise_id=record.hazard.enterprise_id,
                    hazard_id=record.hazard_id,
                    expected=expected,
                    actual=_("%(done)s复查（期限%(due)s）")
                    % {"done": done.isoformat(), "due": due.isoformat()},
                )
            )
    for hazard in hazards.filter(status=HazardStatus.AWAITING_REINSPECTION):
        due = due_of(hazard.pk, hazard.round) or hazard.reinspection_due
        if due is not None and today > due:
            out.append(
                Breach(
                    kind=BreachKind.LATE_REINSPECTION,
                    key=f"hazard:{hazard.pk}:round:{hazard.round}",
                    enterprise_id=hazard.enterprise_id,
                    hazard_id=hazard.pk,
                    expected=expected,
                    actual=_("逾期未复查（期限%(due)s）") % {"due": due.isoformat()},
                )
            )
    return out


def visits_expected(required: int, start: dt.date, end: dt.date, today: dt.date) -> int:
    """Visits owed by `today` out of `required` spread evenly over [start, end] (see the module
    docstring): floor(required × elapsed / length), 0 before `start`."""
    if today < start or end < start:
        return 0
    length = (end - start).days + 1
    elapsed = (min(today, end) - start).days + 1
    return math.floor(required * elapsed / length)


def year_period(contract: ServiceContract, year: int) -> tuple[dt.date, dt.date]:
    return max(contract.start_date, dt.date(year, 1, 1)), min(contract.end_date, dt.date(year, 12, 31))


def _visit_breaches(contract: ServiceContract, today: dt.date) -> list[Breach]:
    start, end = year_period(contract, today.year)
    if today < start or end < start:
        return []
    done: dict[int, int] = defaultdict(int)
    for enterprise_id in (
        _submitted(contract)
        .filter(started_at__date__gte=start, started_at__date__lte=today)
        .values_list("enterprise_id", flat=True)
    ):
        done[enterprise_id] += 1
    out = []
    for enterprise in contract.enterprises.all():
        required = contract.visits_required(enterprise)
        owed = visits_expected(required, start, end, today)
        if done[enterprise.pk] < owed:
            out.append(
                Breach(
                    kind=BreachKind.VISITS_SHORT,
                    key=f"enterprise:{enterprise.pk}:year:{today.year}",
                    enterprise_id=enterprise.pk,
                    expected=_("截至%(today)s应检查 %(owed)d 次（全年 %(required)d 次）")
                    % {"today": today.isoformat(), "owed": owed, "required": required},
                    actual=_("%(n)d 次") % {"n": done[enterprise.pk]},
                )
            )
    return out


def check_contract_compliance(contract: ServiceContract, *, today: dt.date | None = None) -> list[Breach]:
    """Every shortfall of the contract's records against its standards on `today` (default:
    the local date). Reads only; see the module docstring for each check."""
    today = _today(today)
    out: list[Breach] = []
    submitted = (
        _submitted(contract).select_related("enterprise__industry").prefetch_related("members__expert")
    )
    for inspection in submitted:
        out.extend(_team_breaches(contract, inspection))
        late = _report_breach(contract, inspection)
        if late is not None:
            out.append(late)
    out.extend(_pending_report_breaches(contract, today))
    out.extend(_reinspection_breaches(contract, today))
    out.extend(_visit_breaches(contract, today))
    return out


@transaction.atomic
def record_compliance(
    contract: ServiceContract, *, actor=None, today: dt.date | None = None
) -> dict[str, int]:
    """Store the contract's current compliance findings.

    Precondition: none (a system check; `actor` is recorded in the audit row when given).
    Effects: the contract row is locked; each breach from `check_contract_compliance` is created
    or, when already stored under the same (contract, kind, key), updated (and reopened if it
    had been resolved); stored breaches no longer found get `resolved_at`. Re-running on the
    same records changes nothing. Audit: record updated (201) when anything changed.
    Returns counts: found, created, updated, resolved."""
    contract = ServiceContract.objects.select_for_update().get(pk=contract.pk)
    found = check_contract_compliance(contract, today=today)
    now = timezone.now()
    stored = {(b.kind, b.key): b for b in ComplianceBreach.objects.filter(contract=contract)}
    created = updated = resolved = 0
    seen = set()
    for breach in found:
        ident = (breach.kind, breach.key)
        if ident in seen:
            continue
        seen.add(ident)
        values = {
            "enterprise_id": breach.enterprise_id,
            "inspection_id": breach.inspection_id,
            "hazard_id": breach.hazard_id,
            "expected": breach.expected[:100],
            "actual": breach.actual[:100],
            "note": breach.note[:300],
        }
        row = stored.get(ident)
        if row is None:
            ComplianceBreach.objects.create(
                contract=contract, kind=breach.kind, key=breach.key, detected_at=now, **values
            )
            created += 1
            continue
        changed = [f for f, v in values.items() if getattr(row, f) != v]
        if row.resolved_at is not None:
            row.resolved_at = None
            changed.append("resolved_at")
        if changed:
            for f in changed:
                if f != "resolved_at":
                    setattr(row, f, values[f])
            row.save(update_fields=changed)
            updated += 1
    for ident, row in stored.items():
        if ident not in seen and row.resolved_at is None:
            row.resolved_at = now
            row.save(update_fields=["resolved_at"])
            resolved += 1
    summary = {"found": len(seen), "created": created, "updated": updated, "resolved": resolved}
    if created or updated or resolved:
        record_event(
            EventType.RECORD_UPDATED,
            actor=actor,
            target=contract,
            data={"number": contract.number, "event": "compliance", **summary},
        )
    return summary


def record_all(*, actor=None, today: dt.date | None = None) -> dict[str, dict[str, int]]:
    """`record_compliance` for every contract in force (active or completed); contract number →
    summary."""
    return {
        contract.number: record_compliance(contract, actor=actor, today=today)
        for contract in ServiceContract.objects.in_force().order_by("number")
    }


def contract_fulfilment(contract: ServiceContract, *, today: dt.date | None = None) -> dict:
    """Fulfilment to date for the contract page: visits done / planned (current plans) / owed by
    `today` this year, the share of reports submitted on time, and open breaches by kind."""
    today = _today(today)
    submitted = list(_submitted(contract).only("pk", "started_at", "ended_at", "submitted_at"))
    on_time = sum(1 for i in submitted if report_on_time(i, contract))
    planned = PlannedVisit.objects.filter(plan__contract=contract, plan__status=PlanStatus.CURRENT).exclude(
        status=VisitStatus.CANCELLED
    )
    start, end = year_period(contract, today.year)
    owed = sum(
        visits_expected(contract.visits_required(e), start, end, today) for e in contract.enterprises.all()
    )
    breaches = list(
        ComplianceBreach.objects.filter(contract=contract, resolved_at__isnull=True).select_related(
            "enterprise", "inspection", "hazard"
        )
    )
    by_kind = []
    for kind, label in BreachKind.choices:
        rows = [b for b in breaches if b.kind == kind]
        if rows:
            by_kind.append((label, rows))
    return {
        "visits_done": len(submitted),
        "visits_planned": planned.count(),
        "visits_planned_done": planned.filter(status=VisitStatus.DONE).count(),
        "visits_owed": owed,
        "reports_on_time": on_time,
        "on_time_share": round(100 * on_time / len(submitted)) if submitted else None,
        "breach_count": len(breaches),
        "breaches_by_kind": by_kind,
    }
