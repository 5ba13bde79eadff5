"""以奖代补: the district's awards to its townships for the service they buy.

The formula is `rules.allocate_awards` (its docstring and the module comment above it say how
each figure is made); this module gathers its inputs from the records and holds the three
services around it:

* `publish_award_formula` — a new version of the year's formula (pool, base share, weights,
  text). Versions are kept; awards name the version they were computed with.
* `compute_awards` — every township of the district gets a draft award from the latest version
  and the records as they stand; drafts are replaced on each run.
* `confirm_awards` — the bureau (or the leader, who approves the money) freezes the drafts.

Inputs per township, for the calendar year Y (see `award_inputs`):
* spend — Σ over its service contracts in force (active or completed) overlapping Y of the price
  × the contract's days in Y / the contract's days, so a three-year contract counts one year's
  share each year;
* enterprises — distinct enterprises under those contracts; inspected — those of them with a
  submitted inspection under one of the contracts started in Y;
* found — hazards at the township's enterprises found in Y (overturned ones left out); closed —
  of those, closed; overdue — of those, open past their running deadline on the day of
  computation (`as_of`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.accounts import scoping
from hazardloop.accounts.choices import Role
from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event
from hazardloop.hazards.choices import HazardStatus
from hazardloop.hazards.models import Hazard
from hazardloop.inspections.choices import InspectionStatus
from hazardloop.inspections.models import Inspection
from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import Region

from .. import rules
from ..models import Award, AwardFormula, AwardStatus, ServiceContract
from .common import ProcurementError, ProcurementPermissionDenied, _fail

CENT = Decimal("0.01")


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def district_of(user) -> Region | None:
    """The district a government user acts in (its region, or its township's parent)."""
    region = getattr(user, "region", None)
    if region is None:
        return None
    if region.level == RegionLevel.TOWNSHIP:
        return region.parent
    return region if region.level == RegionLevel.DISTRICT else None


def townships_of(district: Region):
    return Region.objects.filter(level=RegionLevel.TOWNSHIP, code__startswith=district.code).order_by("code")


def _check_manager(actor, district: Region, predicate: str) -> None:
    """`predicate` is procurement.manage_awards or procurement.confirm_awards (procurement.access);
    the message says whether the role or the district was wrong."""
    if actor is None or scoping.may(actor, predicate, district):
        return
    if not scoping.can(actor, predicate):  # the capability of the same name
        raise ProcurementPermissionDenied(_("您无权办理以奖代补。"))
    raise ProcurementPermissionDenied(_("只能办理本区的以奖代补。"))


def contract_spend_in_year(price: Decimal, start: dt.date, end: dt.date, year: int) -> Fraction:
    """The part of a contract's price that falls in `year`, by days of service."""
    first, last = year_bounds(year)
    overlap = (min(end, last) - max(start, first)).days + 1
    if overlap <= 0:
        return Fraction(0)
    return Fraction(price) * overlap / ((end - start).days + 1)


def award_inputs(
    district: Region, year: int, *, today: dt.date
) -> list[tuple[Region, int, rules.TownshipResults]]:
    """(township, contract count, its `rules.TownshipResults`) for every township of the district,
    in code order; the module docstring says how each figure is counted."""
    first, last = year_bounds(year)
    townships = list(townships_of(district))
    contracts = list(
        ServiceContract.objects.in_force()
        .filter(township__in=townships, start_date__lte=last, end_date__gte=first)
        .only("pk", "township_id", "price", "start_date", "end_date")
    )
    spend: dict[int, Fraction] = defaultdict(Fraction)
    count: dict[int, int] = defaultdict(int)
    township_of_contract = {}
    for c in contracts:
        spend[c.township_id] += contract_spend_in_year(c.price, c.start_date, c.end_date, year)
        count[c.township_id] += 1
        township_of_contract[c.pk] = c.township_id
    covered: dict[int, set[int]] = defaultdict(set)
    for contract_id, enterprise_id in ServiceContract.enterprises.through.objects.filter(
        servicecontract_id__in=township_of_contract
    ).values_list("servicecontract_id", "enterprise_id"):
        covered[township_of_contract[contract_id]].add(enterprise_id)
    inspected: dict[int, set[int]] = defaultdict(set)
    for contract_id, enterprise_id in (
        Inspection.objects.filter(
            contract_id__in=township_of_contract,
            started_at__gte=_aware(first),
            started_at__lt=_aware(last + dt.timedelta(days=1)),
        )
        .exclude(status=InspectionStatus.DRAFT)
        .values_list("contract_id", "enterprise_id")
        .distinct()
    ):
        township_id = township_of_contract[contract_id]
        if enterprise_id in covered[township_id]:
            inspected[township_id].add(enterprise_id)
    found_in_year = (
        Hazard.objects.filter(
            enterprise__township__in=townships,
            found_at__gte=_aware(first),
            found_at__lt=_aware(last + dt.timedelta(days=1)),
        )
        .exclude(status=HazardStatus.OVERTURNED)
        .order_by()
    )
    hazards = {
        r["enterprise__township_id"]: r
        for r in found_in_year.values("enterprise__township_id").annotate(
            found=Count("pk"), closed=Count("pk", filter=Q(status=HazardStatus.CLOSED))
        )
    }
    overdue = dict(
        found_in_year.overdue(today).values_list("enterprise__township_id").annotate(n=Count("pk"))
    )
    out = []
    for township in townships:
        h = hazards.get(township.pk, {})
        money = spend.get(township.pk, Fraction(0))
        out.append(
            (
                township,
                count.get(township.pk, 0),
                rules.TownshipResults(
                    key=township.pk,
                    spend=(Decimal(money.numerator) / Decimal(money.denominator)).quantize(
                        CENT, ROUND_HALF_UP
                    ),
                    enterprises=len(covered.get(township.pk, ())),
                    inspected=len(inspected.get(township.pk, ())),
                    found=h.get("found", 0),
                    closed=h.get("closed", 0),
                    overdue=overdue.get(township.pk, 0),
                ),
            )
        )
    return out


def latest_formula(district: Region, year: int) -> AwardFormula | None:
    return AwardFormula.objects.filter(district=district, year=year).order_by("-version").first()


def is_confirmed(district: Region, year: int) -> bool:
    return Award.objects.filter(
        year=year, township__code__startswith=district.code, status=AwardStatus.CONFIRMED
    ).exists()


def _decimal(field: str, value) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        _fail(field, _("请填写数字。"))
    if not number.is_finite():
        _fail(field, _("请填写数字。"))
    return number.quantize(CENT, ROUND_HALF_UP)


@transaction.atomic
def publish_award_formula(
    district: Region,
    year: int,
    *,
    actor,
    pool,
    base_share,
    coverage_weight,
    closure_weight,
    punctuality_weight,
    note: str = "",
) -> AwardFormula:
    """Publish a new version of the district's award formula for `year`.

    Precondition: actor may manage awards in the district (the bureau, the administrator; None is
    the system); the year's awards are not confirmed; pool ≥ 0, base share 0–100, the three
    results weights non-negative and adding up to 100. Effects: a new AwardFormula version
    (earlier ones kept; draft awards computed with them are marked out of date on the page and
    must be computed again); audit row 200. Errors: ProcurementError (Chinese, by field),
    ProcurementPermissionDenied."""
    _check_manager(actor, district, "procurement.manage_awards")
    Region.objects.select_for_update().get(pk=district.pk)  # serialises versions of the district
    if not 2000 <= int(year) <= 2999:
        _fail("year", _("年度不正确。"))
    if is_confirmed(district, year):
        _fail("year", _("{year}年以奖代补已确认，办法不能再修改。").format(year=year))
    values = {
        "pool": _decimal("pool", pool),
        "base_share": _decimal("base_share", base_share),
        "coverage_weight": _decimal("coverage_weight", coverage_weight),
        "closure_weight": _decimal("closure_weight", closure_weight),
        "punctuality_weight": _decimal("punctuality_weight", punctuality_weight),
    }
    weights = rules.AwardWeights(**{k: v for k, v in values.items() if k != "pool"})
    problems = rules.award_formula_problems(values["pool"], weights)
    if problems:
        raise ProcurementError({field: [message] for field, message in problems.items()})
    previous = latest_formula(district, year)
    formula = AwardFormula.objects.create(
        district=district,
        year=year,
        version=(previous.version + 1) if previous else 1,
        note=(note or "").strip(),
        published_at=timezone.now(),
        published_by=actor,
        **values,
    )
    record_event(
        EventType.RECORD_CREATED,
        actor=actor,
        target=formula,
        data={"year": year, "version": formula.version, **{k: str(v) for k, v in values.items()}},
    )
    return formula


@transaction.atomic
def compute_awards(district: Region, year: int, *, actor, today: dt.date | None = None) -> list[Award]:
    """Compute every township's draft award for `year` from the latest formula and the records.

    Precondition: actor may manage awards in the district; a formula is published for the year;
    the year's awards are not confirmed. Effects: the year's draft awards of the district are
    replaced by one per township (with its inputs, rates, score and amounts; as_of = `today`);
    audit row 201 on the formula with the total. Errors: ProcurementError,
    ProcurementPermissionDenied."""
    _check_manager(actor, district, "procurement.manage_awards")
    today = today or timezone.localdate()
    formula = (
        AwardFormula.objects.select_for_update()
        .filter(district=district, year=year)
        .order_by("-version")
        .first()
    )
    if formula is None:
        _fail("year", _("{year}年以奖代补办法尚未发布。").format(year=year))
    if is_confirmed(district, year):
        _fail("year", _("{year}年以奖代补已确认，不能重新测算。").format(year=year))
    inputs = award_inputs(district, year, today=today)
    shares = {
        s.key: s for s in rules.allocate_awards(formula.pool, formula.weights(), [r for _t, _c, r in inputs])
    }
    Award.objects.filter(year=year, township__in=[t for t, _c, _r in inputs]).delete()
    now = timezone.now()
    awards = [
        Award(
            formula=formula,
            year=year,
            township=township,
            status=AwardStatus.DRAFT,
            as_of=today,
            contracts=contracts,
            spend=row.spend,
            enterprises=row.enterprises,
            inspected=row.inspected,
            found=row.found,
            closed=row.closed,
            overdue=row.overdue,
            coverage_rate=rules.percent(shares[row.key].coverage),
            closure_rate=rules.percent(shares[row.key].closure),
            overdue_rate=rules.percent(shares[row.key].overdue_rate),
            score=rules.percent(shares[row.key].score),
            base_amount=shares[row.key].base_amount,
            results_amount=shares[row.key].results_amount,
            amount=shares[row.key].amount,
            computed_at=now,
            computed_by=actor,
        )
        for township, contracts, row in inputs
    ]
    Award.objects.bulk_create(awards)
    record_event(
        EventType.RECORD_UPDATED,
        actor=actor,
        target=formula,
        data={
            "event": "compute_awards",
            "year": year,
            "version": formula.version,
            "townships": len(awards),
            "total": str(sum((a.amount for a in awards), Decimal(0))),
            "as_of": today.isoformat(),
        },
    )
    return awards


@transaction.atomic
def confirm_awards(district: Region, year: int, *, actor) -> int:
    """Freeze the district's draft awards for `year`.

    Precondition: actor may confirm awards in the district (bureau, leader, administrator); there
    are draft awards and all were computed with the latest formula version. Effects: each draft
    becomes confirmed with confirmed_at/by; the formula can no longer change for the year; audit
    row 300 per award (the figure and its inputs); each township's users are notified (inbox,
    e-mail on commit). Returns the number confirmed."""
    _check_manager(actor, district, "procurement.confirm_awards")
    drafts = list(
        Award.objects.select_for_update()
        .filter(year=year, township__code__startswith=district.code, status=AwardStatus.DRAFT)
        .select_related("township", "formula")
    )
    if not drafts:
        _fail("year", _("{year}年没有待确认的奖补测算。").format(year=year))
    latest = latest_formula(district, year)
    if any(a.formula_id != latest.pk for a in drafts):
        _fail("year", _("奖补办法已更新为第{v}版，请先重新测算。").format(v=latest.version))
    now = timezone.now()
    for award in drafts:
        award.confirm(by=actor, at=now)
        award.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        record_event(
            EventType.STATE_TRANSITION,
            actor=actor,
            target=award,
            data={
                "event": "confirm_award",
                "year": year,
                "township": award.township.name,
                "formula_version": award.formula.version,
                "amount": str(award.amount),
                "spend": str(award.spend),
                "enterprises": award.enterprises,
                "inspected": award.inspected,
                "found": award.found,
                "closed": award.closed,
                "overdue": award.overdue,
                "as_of": award.as_of.isoformat(),
            },
        )
    _notify_townships(drafts, actor=actor)
    return len(drafts)


def _notify_townships(confirmed: list[Award], *, actor) -> None:
    """Each township's users learn their confirmed figure (inbox now, e-mail on commit)."""
    from hazardloop.accounts.models import User
    from hazardloop.hazards.choices import NotificationKind
    from hazardloop.hazards.services import notify

    users = User.objects.filter(is_active=True, role=Role.TOWNSHIP)
    for award in confirmed:
        notify(
            users.filter(region_id=award.township_id),
            hazard=None,
            kind=NotificationKind.INFO,
            title=_("{year}年以奖代补已确认：{name} ¥{amount}").format(
                year=award.year, name=award.township.name, amount=award.amount
            ),
            body=_("按奖补办法第{v}版测算，数据截至{as_of}。可在“以奖代补”页面查看测算依据。").format(
                v=award.formula.version, as_of=award.as_of.isoformat()
            ),
            exclude=actor,
            dedupe_key=f"award-confirmed:{award.pk}",
        )
