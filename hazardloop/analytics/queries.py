"""The dashboard's and the statutory statistics' figures, each one ORM aggregation over a
scoped queryset.

Every figure starts from `Hazard.objects.visible_to(user)` (contracts and enterprises from
their own `visible_to`), so a role sees only its scope. Figures are grouped and counted in the
database: the number of queries does not grow with the number of hazards, and Python only
reshapes the few aggregate rows (one per status, month, township, …)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Aggregate, Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from hazardloop.hazards.choices import STAGE_OF_STATE, HazardStatus, LegalLevel, Stage
from hazardloop.hazards.models import GovernancePlan, Hazard, Rectification
from hazardloop.procurement.models import ServiceContract
from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import Enterprise, Industry, Region

from . import conf, rules
from .choices import StatisticsLevel
from .rules import Period

# The six stages of the Longan scheme in their order, then the end; the funnel follows it.
FUNNEL_ORDER = [
    Stage.INSPECTION,
    Stage.FEEDBACK,
    Stage.SUPERVISION,
    Stage.RECTIFICATION,
    Stage.REINSPECTION,
    Stage.HANDLING,
    Stage.CLOSED,
]


def aware(day: dt.date) -> dt.datetime:
    """Midnight of `day` in the installation's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def between(field_name: str, start: dt.date, end: dt.date) -> Q:
    return Q(**{f"{field_name}__gte": aware(start), f"{field_name}__lt": aware(end)})


@dataclass(frozen=True)
class DashboardFilter:
    year: int
    township: Region | None = None

    @property
    def period(self) -> Period:
        return Period(self.year)


def visible_townships(user):
    """The townships holding an enterprise the user sees: the township filter's choices."""
    return Region.objects.filter(
        level=RegionLevel.TOWNSHIP, pk__in=Enterprise.objects.visible_to(user).values("township_id")
    ).order_by("code")


def hazards(user, f: DashboardFilter):
    qs = Hazard.objects.visible_to(user)
    if f.township is not None:
        qs = qs.filter(enterprise__township=f.township)
    return qs.order_by()


def found_in(f: DashboardFilter) -> Q:
    return between("found_at", f.period.start, f.period.end)


def _counts(prefix: str = "") -> dict:
    """Found, major, closed and open counts over hazards (or `prefix`-ed related hazards)."""
    p = prefix
    return {
        "found": Count(f"{p}pk"),
        "major": Count(f"{p}pk", filter=Q(**{f"{p}legal_level": LegalLevel.MAJOR})),
        "closed": Count(f"{p}pk", filter=Q(**{f"{p}status": HazardStatus.CLOSED})),
        "open": Count(
            f"{p}pk",
            filter=~Q(**{f"{p}status__in": [HazardStatus.CLOSED, HazardStatus.OVERTURNED]}),
        ),
    }


def funnel(user, f: DashboardFilter) -> dict:
    """Hazards found in the year by the stage they are in now (STAGE_OF_STATE), and how many
    have reached each stage of the scheme's order. 反馈 has no state of its own (a milestone on
    the hazard), so its current count is 0 and `fed_back` says how many were fed back."""
    rows = (
        hazards(user, f)
        .filter(found_in(f))
        .values("status")
        .annotate(n=Count("pk"), fed_back=Count("pk", filter=Q(fed_back_at__isnull=False)))
    )
    by_status = {r["status"]: r["n"] for r in rows}
    fed_back = sum(r["fed_back"] for r in rows)
    current = dict.fromkeys(Stage.values, 0)
    for status, n in by_status.items():
        current[STAGE_OF_STATE[status]] += n
    stages = []
    for index, stage in enumerate(FUNNEL_ORDER):
        reached = sum(current[s] for s in FUNNEL_ORDER[index:])
        stages.append(
            {
                "stage": str(stage),
                "label": str(Stage(stage).label),
                "current": current[stage],
                "reached": reached,
            }
        )
    return {
        "stages": stages,
        "overturned": current[Stage.OVERTURNED],
        "fed_back": fed_back,
        "total": sum(by_status.values()),
    }


def months(year: int) -> list[str]:
    return [f"{year}-{m:02d}" for m in range(1, 13)]


def _month_bounds(year: int) -> list[tuple[dt.date, dt.date]]:
    starts = [dt.date(year, m, 1) for m in range(1, 13)] + [dt.date(year + 1, 1, 1)]
    return list(zip(starts[:-1], starts[1:], strict=True))


def trend(user, f: DashboardFilter) -> dict:
    """Per month of the year: hazards found, and hazards closed (销号) whenever found. One scan
    with a filtered count per month (local-time month bounds), no per-row date functions."""
    bounds = _month_bounds(f.year)
    closed = Q(status=HazardStatus.CLOSED)
    counts = {}
    for i, (start, end) in enumerate(bounds):
        counts[f"found_{i}"] = Count("pk", filter=between("found_at", start, end))
        counts[f"closed_{i}"] = Count("pk", filter=closed & between("closed_at", start, end))
    figures = (
        hazards(user, f)
        .filter(found_in(f) | (closed & between("closed_at", f.period.start, f.period.end)))
        .aggregate(**counts)
    )
    return {
        "months": months(f.year),
        "found": [figures[f"found_{i}"] for i in range(12)],
        "closed": [figures[f"closed_{i}"] for i in range(12)],
    }


def overdue_link(f: DashboardFilter) -> str:
    url = reverse("hazards:list") + "?overdue=true"
    if f.township is not None:
        url += f"&township={f.township.pk}"
    return url


def by_township(user, f: DashboardFilter, *, today: dt.date | None = None) -> list[dict]:
    today = today or timezone.localdate()
    qs = hazards(user, f)
    rows = list(
        qs.filter(found_in(f))
        .values("enterprise__township_id", "enterprise__township__name", "enterprise__township__code")
        .annotate(**_counts())
        .order_by("enterprise__township__code")
    )
    overdue = dict(
        qs.overdue(today).values_list("enterprise__township_id").annotate(n=Count("pk")).order_by()
    )
    list_url = reverse("hazards:list")
    return [
        {
            "township_id": r["enterprise__township_id"],
            "name": r["enterprise__township__name"],
            "found": r["found"],
            "major": r["major"],
            "closed": r["closed"],
            "open": r["open"],
            "overdue": overdue.get(r["enterprise__township_id"], 0),
            "closure_rate": rules.rate(r["closed"], r["found"]),
            "overdue_url": f"{list_url}?overdue=true&township={r['enterprise__township_id']}",
        }
        for r in rows
    ]


def by_industry(user, f: DashboardFilter, *, top: int | None = None) -> list[dict]:
    """The industries (GB/T 4754 divisions, two digits) with the most hazards found."""
    top = top or conf.get("ANALYTICS_TOP_INDUSTRIES")
    rows = list(
        hazards(user, f)
        .filter(found_in(f))
        .annotate(division=Substr("enterprise__industry__code", 1, 2))
        .values("division")
        .annotate(**_counts())
        .order_by("-found", "division")[:top]
    )
    names = dict(Industry.objects.filter(code__in=[r["division"] for r in rows]).values_list("code", "name"))
    return [
        {
            "division": r["division"],
            "name": names.get(r["division"], r["division"]),
            "found": r["found"],
            "major": r["major"],
            "closed": r["closed"],
        }
        for r in rows
    ]


def by_provider(user, f: DashboardFilter) -> list[dict]:
    rows = (
        hazards(user, f)
        .filter(found_in(f))
        .values("provider_id", "provider__name")
        .annotate(**_counts())
        .order_by("-found", "provider__name")
    )
    return [
        {
            "provider_id": r["provider_id"],
            "name": r["provider__name"] or "企业自查/部门检查",
            "found": r["found"],
            "major": r["major"],
            "closed": r["closed"],
            "closure_rate": rules.rate(r["closed"], r["found"]),
        }
        for r in rows
    ]


def overdue(user, f: DashboardFilter, *, today: dt.date | None = None) -> dict:
    """Open hazards past their running clock now (whatever year they were found in)."""
    today = today or timezone.localdate()
    counts = (
        hazards(user, f)
        .overdue(today)
        .aggregate(total=Count("pk"), major=Count("pk", filter=Q(legal_level=LegalLevel.MAJOR)))
    )
    return {**counts, "url": overdue_link(f), "today": today.isoformat()}


DURATION = ExpressionWrapper(F("closed_at") - F("found_at"), output_field=DurationField())


def _days(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        return round(value.total_seconds() / 86400, 1)
    return round(float(value) / 86_400_000_000, 1)  # a backend that returns microseconds


class Median(Aggregate):
    """PostgreSQL's ordered-set aggregate: the continuous median of a duration."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def time_to_closure(user, f: DashboardFilter) -> list[dict]:
    """Days from discovery to 销号 of the hazards closed in the year, by legal level: count,
    average and median in one aggregate on PostgreSQL (PERCENTILE_CONT); elsewhere the median
    is the middle row(s) of the ordered durations, one small query per level."""
    qs = (
        hazards(user, f)
        .filter(between("closed_at", f.period.start, f.period.end), status=HazardStatus.CLOSED)
        .annotate(duration=DURATION)
    )
    native = connection.vendor == "postgresql"
    measures = {"n": Count("pk"), "avg": Avg("duration")}
    if native:
        measures["median"] = Median("duration")
    stats = {r["legal_level"]: r for r in qs.values("legal_level").annotate(**measures).order_by()}
    out = []
    for level in LegalLevel:
        row = stats.get(level.value)
        n = row["n"] if row else 0
        median = None
        if n and native:
            median = _days(row["median"])
        elif n:
            lo = (n - 1) // 2
            hi = n // 2
            middle = list(
                qs.filter(legal_level=level.value)
                .order_by("duration", "pk")
                .values_list("duration", flat=True)[lo : hi + 1]
            )
            median = rules.median([_days(v) for v in middle])
            median = round(median, 1) if median is not None else None
        out.append(
            {
                "level": level.value,
                "label": str(level.label),
                "closed": n,
                "average_days": _days(row["avg"]) if row else None,
                "median_days": median,
            }
        )
    return out


def baseline(user, f: DashboardFilter) -> dict:
    """The year's hazards found and handled (found in the year and closed) beside the
    pre-reform baseline (a setting, with its source) and the previous year from the records."""
    qs = hazards(user, f)
    this_year = Q(found_at__gte=aware(f.period.start), found_at__lt=aware(f.period.end))
    last = Period(f.year - 1)
    last_year = between("found_at", last.start, last.end)
    figures = qs.aggregate(
        found=Count("pk", filter=this_year),
        handled=Count("pk", filter=this_year & Q(status=HazardStatus.CLOSED)),
        previous_found=Count("pk", filter=last_year),
        previous_handled=Count("pk", filter=last_year & Q(status=HazardStatus.CLOSED)),
    )
    base = conf.get("ANALYTICS_BASELINE")
    baseline_count = int(base["baseline_hazards_handled"] or 0)
    return {
        **figures,
        "year": f.year,
        "previous_year": last.year,
        "versus_previous": rules.ratio(figures["handled"], figures["previous_handled"]),
        "baseline_year": base["baseline_year"],
        "baseline_handled": baseline_count or None,
        "versus_baseline": rules.ratio(figures["handled"], baseline_count) if baseline_count else None,
        "reform_year": base["reform_year"],
        "reform_ratio": Decimal(base["reform_ratio"]),
        "source": base["source"],
    }


def cost_effectiveness(user, f: DashboardFilter) -> dict:
    """Per township: what its service contracts in force during the year cost, beside the
    staff cost of inspecting its enterprises with government posts at the case study's ratio."""
    contracts = (
        ServiceContract.objects.visible_to(user)
        .in_force()
        .filter(start_date__lt=f.period.end, end_date__gte=f.period.start)
    )
    enterprises = Enterprise.objects.visible_to(user).active()
    if f.township is not None:
        contracts = contracts.filter(township=f.township)
        enterprises = enterprises.filter(township=f.township)
    spend = {
        r["township_id"]: r
        for r in contracts.values("township_id", "township__name", "township__code")
        .annotate(spend=Sum("price"), contracts=Count("pk"))
        .order_by()
    }
    covered = dict(enterprises.values_list("township_id").annotate(n=Count("pk")).order_by())
    per_post = conf.posts_per_enterprise()
    cost_per_post = Decimal(conf.get("ANALYTICS_STAFF_COST_PER_POST"))
    rows = []
    for township_id, r in sorted(spend.items(), key=lambda item: item[1]["township__code"]):
        n = covered.get(township_id, 0)
        staff = rules.staff_cost_replaced(n, posts_per_enterprise=per_post, cost_per_post=cost_per_post)
        rows.append(
            {
                "township_id": township_id,
                "name": r["township__name"],
                "contracts": r["contracts"],
                "spend": r["spend"] or Decimal(0),
                "enterprises": n,
                "posts": (Decimal(n) * per_post).quantize(Decimal("0.1")),
                "staff_cost": staff,
                "saving": staff - (r["spend"] or Decimal(0)),
            }
        )
    total_spend = sum((r["spend"] for r in rows), Decimal(0))
    total_staff = sum((r["staff_cost"] for r in rows), Decimal(0))
    return {
        "rows": rows,
        "total_spend": total_spend,
        "total_staff_cost": total_staff,
        "cost_per_post": cost_per_post,
        "posts_per_enterprise": per_post.quantize(Decimal("0.0001")),
        "case_service_fee": Decimal(conf.get("ANALYTICS_CASE_SERVICE_FEE")),
        "case_staff_cost": Decimal(conf.get("ANALYTICS_POSTS_REPLACED")) * cost_per_post,
        "source": conf.get("ANALYTICS_COST_SOURCE"),
    }


CHARTS = {
    "funnel": funnel,
    "trend": trend,
    "townships": by_township,
    "industries": by_industry,
    "providers": by_provider,
    "overdue": overdue,
    "closure": time_to_closure,
    "baseline": baseline,
    "cost": cost_effectiveness,
}


def dashboard(user, f: DashboardFilter) -> dict:
    return {name: fn(user, f) for name, fn in CHARTS.items()}


# --- statutory statistics (Order 16 Art. 14) ---------------------------------------------------


# The group each level counts by, as a path from Hazard; Rectification and GovernancePlan reach
# it through `hazard__`.
GROUP_PATH = {
    StatisticsLevel.ENTERPRISE: "enterprise_id",
    StatisticsLevel.TOWNSHIP: "enterprise__township_id",
    StatisticsLevel.DISTRICT: "enterprise__township__parent_id",
}

MEASURES = (
    "found_general",
    "found_major",
    "found",
    "rectified_general",
    "rectified_major",
    "rectified",
    "unrectified",
    "major_planned",
    "major_listed",
    "major_delisted",
    "rectification_funds",
    "plan_funds",
    "funds",
)


@dataclass
class StatisticsTable:
    period: Period
    level: str
    due: dt.date
    rows: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)


def statistics_due(period: Period) -> dt.date:
    return period.due(
        quarterly_day=conf.get("STATISTICS_QUARTERLY_DUE_DAY"),
        annual_month_day=tuple(conf.get("STATISTICS_ANNUAL_DUE")),
    )


def _units(user, level: str, township: Region | None, q: str):
    """The rows of the table: every visible enterprise (a zero line is a report too), or the
    townships and districts that hold one."""
    enterprises = Enterprise.objects.visible_to(user)
    if township is not None:
        enterprises = enterprises.filter(township=township)
    if level == StatisticsLevel.ENTERPRISE:
        if q:
            enterprises = enterprises.filter(Q(name__icontains=q) | Q(credit_code__icontains=q))
        return [
            {
                "id": r["pk"],
                "name": r["name"],
                "credit_code": r["credit_code"],
                "township": r["township__name"],
            }
            for r in enterprises.order_by("township__code", "name", "pk").values(
                "pk", "name", "credit_code", "township__name"
            )
        ]
    if level == StatisticsLevel.TOWNSHIP:
        regions = Region.objects.filter(pk__in=enterprises.values("township_id"))
    else:
        regions = Region.objects.filter(pk__in=enterprises.values("township__parent_id"))
    if q:
        regions = regions.filter(name__icontains=q)
    return [
        {"id": r["pk"], "name": r["name"], "credit_code": r["code"], "township": ""}
        for r in regions.order_by("code").values("pk", "name", "code")
    ]


def statistics(
    user, period: Period, level: str, *, township: Region | None = None, q: str = ""
) -> StatisticsTable:
    """The hidden-hazard statistics table (隐患排查治理情况统计) of `period`, one row per
    enterprise, township or district in the user's scope, with a totals row.

    Counted: hazards found in the period (一般/重大; overturned ones were never hazards); of
    those, rectified (销号) by the period's end; major hazards put under and taken off listed
    supervision in the period, and the major hazards found whose governance plan (治理方案,
    Art. 15) was approved by the period's end; funds: rectification costs submitted and governance-plan
    budgets approved in the period."""
    group = GROUP_PATH[StatisticsLevel(level)]
    start, end = period.start, period.end
    hz = Hazard.objects.visible_to(user).exclude(status=HazardStatus.OVERTURNED).order_by()
    if township is not None:
        hz = hz.filter(enterprise__township=township)
    found = between("found_at", start, end)
    rectified = found & Q(status=HazardStatus.CLOSED, closed_at__lt=aware(end))
    general, major = Q(legal_level=LegalLevel.GENERAL), Q(legal_level=LegalLevel.MAJOR)
    counts = {
        r["group"]: r
        for r in hz.filter(found | between("listed_at", start, end) | between("delisted_at", start, end))
        .values(group=F(group))
        .annotate(
            found_general=Count("pk", filter=found & general),
            found_major=Count("pk", filter=found & major),
            rectified_general=Count("pk", filter=rectified & general),
            rectified_major=Count("pk", filter=rectified & major),
            major_planned=Count("pk", filter=found & major & Q(plan_approved_at__lt=aware(end))),
            major_listed=Count("pk", filter=major & between("listed_at", start, end)),
            major_delisted=Count("pk", filter=major & between("delisted_at", start, end)),
        )
    }
    rect = Rectification.objects.visible_to(user).filter(between("submitted_at", start, end))
    plans = GovernancePlan.objects.visible_to(user).filter(
        between("decided_at", start, end), decision="approved", funds_amount__isnull=False
    )
    if township is not None:
        rect = rect.filter(hazard__enterprise__township=township)
        plans = plans.filter(hazard__enterprise__township=township)
    rect = rect.exclude(hazard__status=HazardStatus.OVERTURNED)
    plans = plans.exclude(hazard__status=HazardStatus.OVERTURNED)
    rect_funds = dict(
        rect.order_by().values(g=F(f"hazard__{group}")).annotate(s=Sum("cost")).values_list("g", "s")
    )
    plan_funds = dict(
        plans.order_by().values(g=F(f"hazard__{group}")).annotate(s=Sum("funds_amount")).values_list("g", "s")
    )
    table = StatisticsTable(period=period, level=level, due=statistics_due(period))
    totals = dict.fromkeys(MEASURES, 0)
    totals.update(rectification_funds=Decimal(0), plan_funds=Decimal(0), funds=Decimal(0))
    for unit in _units(user, level, township, q):
        c = counts.get(unit["id"], {})
        row = dict(unit)
        for m in (
            "found_general",
            "found_major",
            "rectified_general",
            "rectified_major",
            "major_planned",
            "major_listed",
            "major_delisted",
        ):
            row[m] = c.get(m, 0)
        row["found"] = row["found_general"] + row["found_major"]
        row["rectified"] = row["rectified_general"] + row["rectified_major"]
        row["unrectified"] = row["found"] - row["rectified"]
        row["rectification_funds"] = rect_funds.get(unit["id"]) or Decimal(0)
        row["plan_funds"] = plan_funds.get(unit["id"]) or Decimal(0)
        row["funds"] = row["rectification_funds"] + row["plan_funds"]
        row["rate"] = rules.rate(row["rectified"], row["found"])
        for m in MEASURES:
            totals[m] += row[m]
        table.rows.append(row)
    totals["rate"] = rules.rate(totals["rectified"], totals["found"])
    table.totals = totals
    return table
