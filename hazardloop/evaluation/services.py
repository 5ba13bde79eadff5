"""The only writers of service-quality evaluation. Pages, API, the demo and commands call these.

Each service: check scope (a record the actor may not see is `EvaluationNotFound`, a 404) and
capability (`EvaluationPermissionDenied`, a 403), lock the row it changes, check the state and
the data (`EvaluationError` with Chinese messages, nothing written), then write and record an
audit row in the same transaction. `actor=None` is the system (the demo, commands): no scope
or capability check.

`measure` reads the records behind each KPI (see the KPI docstrings in `_measure_*`) and is the
one place the figures come from; `compute_scorecard` freezes them with the ids of the records
counted, so a scorecard's drill-down shows what it was computed from even after records change.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.accounts import scoping
from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event
from hazardloop.core.access import may
from hazardloop.core.access import require as require_capability
from hazardloop.core.errors import NotVisible, Refused, ServiceError
from hazardloop.core.workflows import check
from hazardloop.hazards import rules as hazard_rules
from hazardloop.hazards.choices import HazardStatus
from hazardloop.hazards.models import Hazard, Rectification, ReInspection
from hazardloop.hazards.services import workday_overrides
from hazardloop.inspections.choices import InspectionStatus
from hazardloop.inspections.models import Inspection
from hazardloop.procurement import rules as procurement_rules
from hazardloop.procurement.models import (
    BreachKind,
    ComplianceBreach,
    ContractStatus,
    MilestoneStatus,
    PaymentMilestone,
    PlannedVisit,
    PlanStatus,
    ServiceContract,
    VisitStatus,
)
from hazardloop.registry.models import Provider

from . import rules
from .choices import RATING_ROLE, KpiCode, RatingKind
from .models import FindingsExpectation, Kpi, PaymentAdjustment, PaymentRule, Rating, Scorecard, ScorecardKpi


class EvaluationError(ServiceError):
    """A refused action. `message` is for the user (Chinese); `errors` maps fields to messages."""


class EvaluationPermissionDenied(EvaluationError, Refused):
    """The actor's role may not do this."""


class EvaluationNotFound(EvaluationError, NotVisible):
    """Not there, or not the actor's to see."""


def _require(actor, capability: str) -> None:
    """core.access.require, except that `actor=None` (the system) is not restricted."""
    if actor is not None:
        require_capability(actor, capability)


def _check(card: Scorecard, step: str, actor, not_now: str) -> None:
    """May `actor` take `step` (declared on Scorecard) on this card now? 403 / EvaluationError."""
    check(getattr(card, step), actor, not_now=not_now, error=EvaluationError)


def _visible(qs, actor, message: str):
    """The single row of `qs` if the actor may see it (the system sees everything)."""
    row = (qs if actor is None else scoping.scope(qs, actor)).first()
    if row is None:
        raise EvaluationNotFound(message)
    return row


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise EvaluationError("；".join(m for ms in errors.values() for m in ms), errors=errors)


def _decimal(errors, field_name: str, value, label: str) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError, ValueError):
        errors.setdefault(field_name, []).append(_("%(label)s请填写数字。") % {"label": label})
        return None
    if not number.is_finite():
        errors.setdefault(field_name, []).append(_("%(label)s请填写数字。") % {"label": label})
        return None
    return number


# --- ratings ---------------------------------------------------------------------------------

COMMENT_MAX = 500


def rating_kind_for(actor) -> str | None:
    """Which rating this user gives (enterprise satisfaction or officer), or None."""
    return RATING_ROLE.get(getattr(actor, "role", None))


def may_rate(inspection: Inspection, actor) -> bool:
    """Would `rate_inspection` accept a rating from `actor` now (for showing the form)? The
    access predicate, then the state and data the service checks."""
    kind = rating_kind_for(actor)
    if not may(actor, "evaluation.may_rate", inspection) or inspection.status == InspectionStatus.DRAFT:
        return False
    return not Rating.objects.filter(inspection_id=inspection.pk, kind=kind).exists()


@transaction.atomic
def rate_inspection(inspection: Inspection | int, *, actor, score, comment: str = "") -> Rating:
    """Rate one submitted visit: the enterprise its satisfaction, the township or member unit
    (the government side that accompanies visits) the officer's rating; 1–5 with a comment.

    Precondition: the inspection is in the actor's scope (else EvaluationNotFound) and the
    actor's role rates (else EvaluationPermissionDenied); it is submitted; this kind of rating
    is not given yet (each once per visit). Effects: the inspection row is locked and the
    rating stored. Audit: record created (200). Errors: EvaluationError, nothing written."""
    pk = inspection.pk if isinstance(inspection, Inspection) else inspection
    # The scoped lookup and the lock in one query: the row is locked only if the actor sees it.
    locked = scoping.scope(Inspection.objects.select_for_update().filter(pk=pk), actor).first()
    if locked is None:
        raise EvaluationNotFound(_("检查记录不存在或不在您的管辖范围内。"))
    kind = rating_kind_for(actor)
    if not may(actor, "evaluation.may_rate", locked):
        raise EvaluationPermissionDenied(_("只有被检查企业和陪同检查的乡镇、成员单位可以评价。"))
    if locked.status == InspectionStatus.DRAFT:
        raise EvaluationError(_("检查记录提交后才能评价。"))
    if Rating.objects.filter(inspection=locked, kind=kind).exists():
        raise EvaluationError(
            _("该次检查的%(kind)s已评价，不能重复评价。") % {"kind": RatingKind(kind).label}
        )
    errors: dict[str, list[str]] = {}
    try:
        value = int(str(score).strip())
    except (TypeError, ValueError):
        value = None
    if value is None or not 1 <= value <= 5:
        errors["score"] = [_("请选择1到5分。")]
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [_("评价意见不能超过%(n)d字。") % {"n": COMMENT_MAX}]
    _raise_if(errors)
    rating = Rating.objects.create(
        inspection=locked, kind=kind, score=value, comment=comment, rated_by=actor, rated_at=timezone.now()
    )
    record_event(
        EventType.RECORD_CREATED,
        actor=actor,
        target=rating,
        data={"inspection": locked.pk, "report": locked.report_number, "kind": kind, "score": value},
    )
    return rating


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Measurement:
    """One KPI's raw value and what it was computed from. `records` maps a record type
    (inspection, hazard, breach, visit, rating) to the ids counted."""

    value: Decimal | None
    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)
    details: dict = field(default_factory=dict)
    records: dict[str, list[int]] = field(default_factory=dict)

    def inputs(self) -> dict:
        return {"details": self.details, "records": self.records}


def contracts_for(provider: Provider, contract: ServiceContract | None, period: rules.Period):
    """The contracts a scorecard covers: the one named, or every contract of the provider in
    force (active or completed) that overlaps the period."""
    if contract is not None:
        return [contract]
    return list(
        ServiceContract.objects.filter(
            provider=provider,
            status__in=[ContractStatus.ACTIVE, ContractStatus.COMPLETED],
            start_date__lte=period.end,
            end_date__gte=period.start,
        ).order_by("number")
    )


def _local_bounds(period: rules.Period) -> tuple[dt.datetime, dt.datetime]:
    """The period as [first local midnight, the midnight after its last day): a range on the
    indexed timestamp, where `__date` would cast every row (in Python, on SQLite)."""
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min))
    return start, end


def _inspections(contracts, period: rules.Period):
    start, end = _local_bounds(period)
    return Inspection.objects.filter(
        contract__in=contracts, started_at__gte=start, started_at__lt=end
    ).exclude(status=InspectionStatus.DRAFT)


def _measure_coverage(contracts, period, inspections, today: dt.date) -> Measurement:
    """Visits done ÷ visits planned. Planned: the visits of each contract's current stored plan
    dated in the period up to `today` (a visit planned for later is not owed yet), less
    cancelled ones. Done, per enterprise: rules.covered_visits of the
    visits marked done and the contract's submitted inspections of that enterprise in the
    period."""
    visits = list(
        PlannedVisit.objects.filter(
            plan__contract__in=contracts,
            plan__status=PlanStatus.CURRENT,
            day__gte=period.start,
            day__lte=min(period.end, today),
        )
        .exclude(status=VisitStatus.CANCELLED)
        .values_list("pk", "plan__contract_id", "enterprise_id", "status")
    )
    planned: dict[tuple, int] = defaultdict(int)
    marked: dict[tuple, int] = defaultdict(int)
    for _pk, contract_id, enterprise_id, status in visits:
        planned[(contract_id, enterprise_id)] += 1
        if status == VisitStatus.DONE:
            marked[(contract_id, enterprise_id)] += 1
    inspected: dict[tuple, int] = defaultdict(int)
    for contract_id, enterprise_id in inspections.values_list("contract_id", "enterprise_id"):
        inspected[(contract_id, enterprise_id)] += 1
    done = sum(rules.covered_visits(n, marked[key], inspected[key]) for key, n in planned.items())
    # Which visits the count stands for (for the drill-down): per enterprise, those marked done
    # first, then the earliest.
    by_key: dict[tuple, list] = defaultdict(list)
    for pk, contract_id, enterprise_id, _status in sorted(
        visits, key=lambda v: (v[3] != VisitStatus.DONE, v[0])
    ):
        by_key[(contract_id, enterprise_id)].append(pk)
    done_ids = sorted(
        pk
        for key, pks in by_key.items()
        for pk in pks[: rules.covered_visits(planned[key], marked[key], inspected[key])]
    )
    total = len(visits)
    unplanned = sum(max(0, n - planned.get(key, 0)) for key, n in inspected.items())
    return Measurement(
        value=rules.ratio(done, total),
        numerator=Decimal(done),
        denominator=Decimal(total),
        details={"planned": total, "done": done, "marked_done": sum(marked.values()), "unplanned": unplanned},
        records={
            "visit": [v[0] for v in visits],
            "visit_done": done_ids,
            "inspection": list(inspections.values_list("pk", flat=True)),
        },
    )


COMPLIANCE_KINDS = (
    BreachKind.SHORT_TEAM,
    BreachKind.MISSING_SPECIALTY,
    BreachKind.LATE_REPORT,
    BreachKind.LATE_REINSPECTION,
)


def _measure_compliance(contracts, period, inspections) -> Measurement:
    """Breaches of the contract standard ÷ inspections in the period. Counted: the contracts'
    unresolved team-size, specialty, late-report and late-re-inspection breaches
    (procurement.ComplianceBreach) that arose from the period's inspections — the inspection
    itself, or a hazard it found."""
    inspection_ids = list(inspections.values_list("pk", flat=True))
    hazard_ids = Hazard.objects.filter(inspection_id__in=inspection_ids).values("pk")
    breaches = list(
        ComplianceBreach.objects.filter(
            contract__in=contracts, kind__in=COMPLIANCE_KINDS, resolved_at__isnull=True
        )
        .filter(Q(inspection_id__in=inspection_ids) | Q(hazard_id__in=hazard_ids))
        .values_list("pk", "kind")
    )
    by_kind: dict[str, int] = defaultdict(int)
    for _pk, kind in breaches:
        by_kind[kind] += 1
    return Measurement(
        value=rules.ratio(len(breaches), len(inspection_ids)),
        numerator=Decimal(len(breaches)),
        denominator=Decimal(len(inspection_ids)),
        details={"by_kind": dict(by_kind), "inspections": len(inspection_ids)},
        records={"breach": [b[0] for b in breaches], "inspection": inspection_ids},
    )


def _measure_findings(contracts, period, inspections) -> Measurement:
    """Hazards found ÷ hazards expected. Found: hazards registered from the period's
    inspections (overturned ones included; the overturned KPI weighs those). Expected: Σ over
    the inspections of the expectation for the enterprise's class (ordinary / large-medium /
    high-risk, FindingsExpectation)."""
    per_visit = {row.enterprise_class: row.per_visit for row in FindingsExpectation.objects.all()}
    visits_by_class: dict[str, int] = defaultdict(int)
    rows = list(inspections.values_list("pk", "enterprise__size", "enterprise__high_risk"))
    for _pk, size, high_risk in rows:
        visits_by_class[procurement_rules.enterprise_class(size, high_risk)] += 1
    hazards = list(Hazard.objects.filter(inspection_id__in=[r[0] for r in rows]).values_list("pk", flat=True))
    expected = rules.expected_findings(visits_by_class, per_visit)
    return Measurement(
        value=rules.ratio(len(hazards), expected),
        numerator=Decimal(len(hazards)),
        denominator=expected,
        details={
            "visits_by_class": dict(visits_by_class),
            "per_visit": {k: str(v) for k, v in per_visit.items()},
        },
        records={"hazard": hazards, "inspection": [r[0] for r in rows]},
    )


def _measure_reinspection(contracts, period, inspections, today: dt.date) -> Measurement:
    """Re-inspections on time ÷ re-inspections due. A round is due `reinspection_working_days`
    working days (the contract's limit, the district calendar) after the enterprise submitted
    its rectification; rounds due in the period of hazards found by the contracts' inspections
    count. On time: re-inspected by the due day. Late: re-inspected after it, or still not
    re-inspected when the due day has passed on `today`. Rounds not yet due are left out."""
    limits = {c.pk: c.reinspection_working_days for c in contracts}
    if not limits:
        return _reinspection_measurement([], [])
    overrides = workday_overrides()  # the district calendar, read once for every round
    # Only rounds submitted late enough to fall due in the period are read (due dates grow with
    # the submission day), so the cost follows the period, not the contracts' whole history.
    longest = max(limits.values())
    earliest = period.start
    while hazard_rules.add_working_days(earliest - dt.timedelta(days=1), longest, overrides) >= period.start:
        earliest -= dt.timedelta(days=1)
    rounds = Rectification.objects.filter(
        hazard__inspection__contract__in=contracts,
        submitted_at__gte=timezone.make_aware(dt.datetime.combine(earliest, dt.time.min)),
        submitted_at__lt=timezone.make_aware(
            dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min)
        ),
    )
    done = {
        (hazard_id, number): timezone.localdate(at)
        for hazard_id, number, at in ReInspection.objects.filter(
            hazard_id__in=rounds.values("hazard_id")
        ).values_list("hazard_id", "round", "inspected_at")
    }
    on_time, late = [], []
    for hazard_id, number, submitted_at, contract_id in rounds.values_list(
        "hazard_id", "round", "submitted_at", "hazard__inspection__contract_id"
    ):
        due = hazard_rules.add_working_days(timezone.localdate(submitted_at), limits[contract_id], overrides)
        if not period.contains(due):
            continue
        when = done.get((hazard_id, number))
        if when is not None and when <= due:
            on_time.append(hazard_id)
        elif when is not None or today > due:
            late.append(hazard_id)
    return _reinspection_measurement(on_time, late)


def _reinspection_measurement(on_time: list[int], late: list[int]) -> Measurement:
    total = len(on_time) + len(late)
    return Measurement(
        value=rules.ratio(len(on_time), total),
        numerator=Decimal(len(on_time)),
        denominator=Decimal(total),
        details={"on_time": len(on_time), "late": len(late)},
        records={
            "hazard": sorted(set(on_time + late)),
            "hazard_on_time": sorted(set(on_time)),
            "late_hazard": sorted(set(late)),
        },
    )


def _measure_overturned(contracts, period, inspections) -> Measurement:
    """Hazards overturned as mistaken ÷ hazards found, over the hazards registered from the
    period's inspections."""
    rows = list(Hazard.objects.filter(inspection_id__in=inspections.values("pk")).values_list("pk", "status"))
    overturned = [pk for pk, status in rows if status == HazardStatus.OVERTURNED]
    return Measurement(
        value=rules.ratio(len(overturned), len(rows)),
        numerator=Decimal(len(overturned)),
        denominator=Decimal(len(rows)),
        details={"found": len(rows), "overturned": len(overturned)},
        records={"hazard": overturned, "found_hazard": [pk for pk, _status in rows]},
    )


def _measure_rating(kind: str, inspections) -> Measurement:
    """The mean of the ratings of this kind given to the period's inspections (1–5)."""
    rows = list(Rating.objects.filter(inspection__in=inspections, kind=kind).values_list("pk", "score"))
    scores = [s for _pk, s in rows]
    spread = {str(n): scores.count(n) for n in range(1, 6)}
    return Measurement(
        value=rules.mean(scores),
        numerator=Decimal(sum(scores)),
        denominator=Decimal(len(scores)),
        details={"count": len(scores), "spread": spread},
        records={"rating": [pk for pk, _s in rows]},
    )


def measure(
    provider: Provider,
    contract: ServiceContract | None,
    period: rules.Period,
    *,
    today: dt.date | None = None,
) -> dict[str, Measurement]:
    """Every KPI's raw value for the provider (one contract, or all in force) in the period, as
    the records stand now. Reads only."""
    today = today or timezone.localdate()
    contracts = contracts_for(provider, contract, period)
    inspections = _inspections(contracts, period)
    return {
        KpiCode.COVERAGE: _measure_coverage(contracts, period, inspections, today),
        KpiCode.COMPLIANCE: _measure_compliance(contracts, period, inspections),
        KpiCode.FINDINGS: _measure_findings(contracts, period, inspections),
        KpiCode.REINSPECTION: _measure_reinspection(contracts, period, inspections, today),
        KpiCode.OVERTURNED: _measure_overturned(contracts, period, inspections),
        KpiCode.SATISFACTION: _measure_rating(RatingKind.ENTERPRISE, inspections),
        KpiCode.OFFICER: _measure_rating(RatingKind.OFFICER, inspections),
    }


# --- scorecards ------------------------------------------------------------------------------


def _check_scorecard_subject(actor, provider: Provider, contract: ServiceContract | None, period) -> None:
    if actor is not None and not may(actor, "evaluation.may_compute_for", contract):
        raise EvaluationPermissionDenied(_("服务机构全部合同的考核表由区安监局计算。"))
    if contract is None:
        return
    _visible(ServiceContract.objects.filter(pk=contract.pk), actor, _("服务合同不存在或不在您的管辖范围内。"))
    if contract.provider_id != provider.pk:
        raise EvaluationError(
            _("该合同的承接主体不是所选服务机构。"), errors={"contract": [_("合同与服务机构不符。")]}
        )
    if contract.status not in (ContractStatus.ACTIVE, ContractStatus.COMPLETED):
        raise EvaluationError(_("只能考核履行中或已完成的合同。"))
    if contract.start_date > period.end or contract.end_date < period.start:
        raise EvaluationError(
            _("合同服务期（%(start)s至%(end)s）与考核周期%(period)s不重叠。")
            % {"start": contract.start_date, "end": contract.end_date, "period": period.label}
        )


@transaction.atomic
def compute_scorecard(
    *,
    actor,
    provider: Provider,
    period: rules.Period,
    contract: ServiceContract | None = None,
    today: dt.date | None = None,
) -> Scorecard:
    """Compute and store the provider's scorecard for the period, over one contract or (bureau
    only) all its contracts.

    Precondition: evaluation.manage; the contract in the actor's scope, the provider's, in force
    and overlapping the period; no confirmed scorecard for the same subject and period (it is
    frozen). Effects: a draft scorecard (a stored draft for the same subject is replaced) with
    one row per KPI: the weight and anchors in force, the value, the score, the counts and the
    ids of the records counted; the total (rules.weighted_total). Audit: record created (200)
    or updated (201). Errors: EvaluationError, EvaluationPermissionDenied, EvaluationNotFound."""
    _require(actor, "evaluation.manage")
    _check_scorecard_subject(actor, provider, contract, period)
    Provider.objects.select_for_update().filter(pk=provider.pk).first()  # one computation at a time
    existing = (
        Scorecard.objects.select_for_update()
        .filter(provider=provider, contract=contract, period_kind=period.kind, period_start=period.start)
        .first()
    )
    if existing is not None:
        _check(
            existing,
            "recompute",
            actor,
            _("%(period)s的考核表已确认，不能重新计算。") % {"period": period.label},
        )
    figures = measure(provider, contract, period, today=today)
    kpis = list(Kpi.objects.order_by("order", "code"))
    now = timezone.now()
    scorecard = existing or Scorecard(
        provider=provider, contract=contract, period_kind=period.kind, period_start=period.start
    )
    scorecard.period_end = period.end
    scorecard.computed_at = now
    scorecard.computed_by = actor
    rows = []
    for kpi in kpis:
        m = figures[kpi.code]
        rows.append(
            ScorecardKpi(
                code=kpi.code,
                weight=kpi.weight,
                target=kpi.target,
                zero_at=kpi.zero_at,
                value=m.value,
                score=rules.linear_score(m.value, kpi.target, kpi.zero_at),
                numerator=m.numerator,
                denominator=m.denominator,
                inputs=m.inputs(),
                order=kpi.order,
            )
        )
    scorecard.total = rules.weighted_total((r.weight, r.score) for r in rows)
    scorecard.save()
    if existing is not None:
        scorecard.kpis.all().delete()
    for row in rows:
        row.scorecard = scorecard
    ScorecardKpi.objects.bulk_create(rows)
    record_event(
        EventType.RECORD_UPDATED if existing else EventType.RECORD_CREATED,
        actor=actor,
        target=scorecard,
        data={
            "event": "scorecard_computed",
            "provider": provider.pk,
            "contract": contract.number if contract else None,
            "period": period.label,
            "total": scorecard.total,
            "scores": {r.code: r.score for r in rows},
        },
    )
    return scorecard


def _lock_scorecard(scorecard: Scorecard | int, actor) -> Scorecard:
    pk = scorecard.pk if isinstance(scorecard, Scorecard) else scorecard
    _visible(Scorecard.objects.filter(pk=pk), actor, _("考核表不存在或不在您的管辖范围内。"))
    return Scorecard.objects.select_for_update(of=("self",)).select_related("provider", "contract").get(pk=pk)


def recompute_scorecard(scorecard: Scorecard | int, *, actor, today: dt.date | None = None) -> Scorecard:
    """Compute a draft scorecard again from the records as they stand (compute_scorecard with
    the same subject and period). A confirmed one is refused."""
    with transaction.atomic():
        locked = _lock_scorecard(scorecard, actor)
        return compute_scorecard(
            actor=actor, provider=locked.provider, contract=locked.contract, period=locked.period, today=today
        )


@transaction.atomic
def confirm_scorecard(scorecard: Scorecard | int, *, actor) -> Scorecard:
    """Confirm (freeze) a draft scorecard.

    Precondition: in scope; evaluation.manage (a provider-wide one: the bureau); a draft with a
    total whose period has ended (a period still running would be frozen half-counted). Effects: confirmed, with who and when; from now on it is never recomputed. Audit:
    state transition (300)."""
    locked = _lock_scorecard(scorecard, actor)
    _require(actor, "evaluation.manage")
    if actor is not None and not may(actor, "evaluation.may_manage", locked):
        raise EvaluationPermissionDenied(_("服务机构全部合同的考核表由区安监局确认。"))
    _check(
        locked,
        "confirm",
        actor,
        _("该考核表已于%(at)s确认。")
        % {
            "at": timezone.localtime(locked.confirmed_at).strftime("%Y-%m-%d %H:%M")
            if locked.confirmed_at
            else ""
        },
    )
    if locked.total is None:
        raise EvaluationError(_("本期没有可计算的指标，考核表不能确认。"))
    if locked.period_end >= timezone.localdate():
        raise EvaluationError(
            _("考核周期到%(end)s结束，结束后才能确认。") % {"end": locked.period_end.isoformat()}
        )
    locked.confirm(at=timezone.now(), by=actor)
    locked.save(update_fields=["status", "confirmed_at", "confirmed_by"])
    record_event(
        EventType.STATE_TRANSITION,
        actor=actor,
        target=locked,
        data={"event": "scorecard_confirmed", "period": locked.period.label, "total": locked.total},
    )
    return locked


# --- configuration ---------------------------------------------------------------------------


@transaction.atomic
def configure_kpis(
    *,
    actor,
    kpis: Mapping[str, Mapping[str, object]],
    expectations: Mapping[str, object] | None = None,
) -> list[Kpi]:
    """Set the KPIs' weights and anchors (code → {weight, target, zero_at}) and the findings
    expected a visit by enterprise class.

    Precondition: evaluation.configure. Every KPI is given; weights are 0–100 and add up to
    100; each KPI's anchors differ; expectations are ≥ 0. Effects: the rows updated (scorecards
    already computed keep the figures they were computed with). Audit: record updated (201)
    with old and new values. Errors: EvaluationError per field, nothing written."""
    _require(actor, "evaluation.configure")
    rows = {k.code: k for k in Kpi.objects.select_for_update()}
    errors: dict[str, list[str]] = {}
    parsed: dict[str, dict[str, Decimal]] = {}
    for code, row in rows.items():
        given = kpis.get(code)
        if given is None:
            errors.setdefault(code, []).append(_("缺少指标“%(kpi)s”。") % {"kpi": row.get_code_display()})
            continue
        values = {}
        for name, label in (("weight", _("权重")), ("target", _("满分值")), ("zero_at", _("零分值"))):
            values[name] = _decimal(
                errors, f"{code}-{name}", given.get(name), f"{row.get_code_display()}{label}"
            )
        if None not in values.values():
            problem = rules.anchors_problem(values["target"], values["zero_at"])
            if problem:
                errors.setdefault(f"{code}-target", []).append(f"{row.get_code_display()}：{problem}")
            parsed[code] = values
    if len(parsed) == len(rows):
        problem = rules.weights_problem(v["weight"] for v in parsed.values())
        if problem:
            errors.setdefault("weight", []).append(problem)
    expected_rows = {e.enterprise_class: e for e in FindingsExpectation.objects.select_for_update()}
    new_expectations: dict[str, Decimal] = {}
    for cls, value in (expectations or {}).items():
        row = expected_rows.get(cls)
        if row is None:
            continue
        number = _decimal(errors, f"expect-{cls}", value, row.get_enterprise_class_display())
        if number is not None and number < 0:
            errors.setdefault(f"expect-{cls}", []).append(_("预期隐患数不能为负数。"))
        elif number is not None:
            new_expectations[cls] = number
    _raise_if(errors)
    changes = {}
    for code, values in parsed.items():
        row = rows[code]
        old = {k: str(getattr(row, k)) for k in values}
        if any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.updated_by = actor
            row.save()
            changes[code] = {"old": old, "new": {k: str(v) for k, v in values.items()}}
    for cls, number in new_expectations.items():
        row = expected_rows[cls]
        if row.per_visit != number:
            changes[f"expect:{cls}"] = {"old": str(row.per_visit), "new": str(number)}
            row.per_visit = number
            row.save(update_fields=["per_visit"])
    if changes:
        first = next(iter(rows.values()))
        record_event(
            EventType.RECORD_UPDATED, actor=actor, target=first, data={"event": "kpis_configured", **changes}
        )
    return list(Kpi.objects.order_by("order", "code"))


def default_payment_rule() -> rules.PaymentRule:
    return rules.PaymentRule.from_mapping(getattr(settings, "EVALUATION_PAYMENT_RULE", None))


def payment_rule_for(contract: ServiceContract) -> rules.PaymentRule:
    """The contract's own rule, or the district default from settings."""
    row = PaymentRule.objects.filter(contract_id=contract.pk).first()
    return row.as_rule() if row else default_payment_rule()


@transaction.atomic
def set_payment_rule(contract: ServiceContract, *, actor, **values) -> PaymentRule:
    """Give the contract its own payment rule (full_score, deduct_per_point, floor_score,
    floor_share).

    Precondition: evaluation.configure; the contract in scope. The rule must be sound
    (rules.payment_rule_problems: a higher score never pays less). Effects: the contract's rule
    created or replaced; adjustments already applied keep the rule they used. Audit: record
    updated (201) with old and new rule. Errors: EvaluationError per field, nothing written."""
    _require(actor, "evaluation.configure")
    contract = _visible(
        ServiceContract.objects.filter(pk=contract.pk), actor, _("服务合同不存在或不在您的管辖范围内。")
    )
    errors: dict[str, list[str]] = {}
    labels = {f.name: f.verbose_name for f in PaymentRule._meta.get_fields() if hasattr(f, "verbose_name")}
    parsed = {}
    for name in rules.PaymentRule.__dataclass_fields__:
        parsed[name] = _decimal(errors, name, values.get(name), str(labels[name]))
    _raise_if(errors)
    rule = rules.PaymentRule(**parsed)
    problems = rules.payment_rule_problems(rule)
    _raise_if({k: [v] for k, v in problems.items()})
    old = payment_rule_for(contract).as_dict()
    row, _created = PaymentRule.objects.select_for_update().update_or_create(
        contract=contract, defaults={**parsed, "updated_by": actor}
    )
    record_event(
        EventType.RECORD_UPDATED,
        actor=actor,
        target=contract,
        data={"event": "payment_rule", "number": contract.number, "old": old, "new": rule.as_dict()},
    )
    return row


@transaction.atomic
def apply_payment_adjustment(
    scorecard: Scorecard | int, milestone: PaymentMilestone | int, *, actor
) -> PaymentAdjustment:
    """Adjust a payment milestone by a confirmed contract scorecard under the contract's rule.

    Precondition: evaluation.adjust_payment; scorecard and milestone in scope; the scorecard is
    confirmed, of one contract, with a total; the milestone is that contract's, still to be
    paid and not adjusted before. Effects: the milestone row is locked and a PaymentAdjustment
    stored (score, share = rules.payment_share, original and adjusted amount, the rule, who,
    when); the milestone keeps the contract amount. Audit: record created (200). Errors:
    EvaluationError, nothing written."""
    card = _lock_scorecard(scorecard, actor)  # out of scope is 404 before any 403
    _require(actor, "evaluation.adjust_payment")
    pk = milestone.pk if isinstance(milestone, PaymentMilestone) else milestone
    _visible(PaymentMilestone.objects.filter(pk=pk), actor, _("付款节点不存在或不在您的管辖范围内。"))
    locked = PaymentMilestone.objects.select_for_update().select_related("contract").get(pk=pk)
    _check(card, "apply_payment", actor, _("考核表确认后才能用于付款调整。"))
    if card.contract_id is None:
        raise EvaluationError(_("付款调整须使用单个合同的考核表。"))
    if card.total is None:
        raise EvaluationError(_("该考核表没有综合得分。"))
    if locked.contract_id != card.contract_id:
        raise EvaluationError(
            _("付款节点不属于该考核表的合同。"), errors={"milestone": [_("请选择本合同的付款节点。")]}
        )
    if locked.status != MilestoneStatus.PENDING:
        raise EvaluationError(
            _("付款节点“%(name)s”%(status)s，不能调整。")
            % {"name": locked.name, "status": locked.get_status_display()}
        )
    if PaymentAdjustment.objects.filter(milestone=locked).exists():
        raise EvaluationError(
            _("付款节点“%(name)s”已按考核结果调整过，不能重复调整。") % {"name": locked.name}
        )
    rule = payment_rule_for(locked.contract)
    share = rules.payment_share(card.total, rule)
    adjustment = PaymentAdjustment.objects.create(
        milestone=locked,
        scorecard=card,
        score=card.total,
        share=share,
        original_amount=locked.amount,
        adjusted_amount=rules.adjusted_amount(locked.amount, share),
        rule=rule.as_dict(),
        applied_by=actor,
        applied_at=timezone.now(),
    )
    record_event(
        EventType.RECORD_CREATED,
        actor=actor,
        target=adjustment,
        data={
            "event": "payment_adjusted",
            "contract": locked.contract.number,
            "milestone": locked.name,
            "scorecard": card.pk,
            "score": card.total,
            "share": share,
            "original": locked.amount,
            "adjusted": adjustment.adjusted_amount,
        },
    )
    return adjustment


def pending_milestones(contract: ServiceContract) -> Iterable[PaymentMilestone]:
    """The contract's milestones still to be paid and not yet adjusted."""
    return PaymentMilestone.objects.filter(
        contract=contract, status=MilestoneStatus.PENDING, adjustment__isnull=True
    ).order_by("due_date", "pk")
