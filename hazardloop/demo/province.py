"""Province-scale load for benchmarks: millions of hazards over the demo's enterprises.

`load_demo --enterprises 100000 --hazards 5000000` builds the demo (the district and the
synthetic districts, through every app's demo step), then calls `build_province_load`, which
writes, without the services (they would take days at this size):

- for every synthetic district, a provider (服务机构), and for each of its townships a
  three-year service contract covering the township's enterprises;
- inspection visits by the township's provider at its enterprises, spread over the past three
  years, each with 0–8 findings registered as hazards (`inspection_id`, `provider`), plus some
  hazards from self-inspection;
- every hazard in the state its age makes likely (recent ones open, older ones mostly 销号),
  with the dates and fields that state implies (routing, deadlines, feedback, listing, plan
  approval, closure, overturning), the enterprise's rectification record for each hazard that
  reached re-inspection, and a re-inspection record for each hazard closed after it.

Rows stream in chunks: COPY on PostgreSQL, executemany on SQLite, each chunk committed, ids
allocated here so that findings point at their visits. The stream is deterministic for a seed.
Nothing here is used by the running application.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from hazardloop.hazards.choices import Closure, HazardStatus, LegalLevel
from hazardloop.hazards.models import Hazard, HazardLevel, Rectification, ReInspection

S = HazardStatus
NUMBER_PREFIX = "PV-"
YEARS = 3
CHUNK = 100_000  # hazards per committed chunk
FINDINGS_PER_VISIT = (0, 1, 2, 3, 3, 4, 4, 5, 5, 6, 7, 8)  # mean 4
SELF_REPORTED = 0.08

# State weights by the hazard's age: recent hazards are spread over the loop, older ones are
# mostly written off, a few linger (long rectifications, enforcement) and a few were mistakes.
_STATES = [s.value for s in S]
_WEIGHTS = {
    30: {S.FOUND: 10, S.ROUTED: 10, S.AWAITING_PLAN: 5, S.PLAN_REVIEW: 3, S.RECTIFYING: 40,
         S.AWAITING_REINSPECTION: 10, S.AWAITING_RESUMPTION: 1, S.RESUMPTION_REVIEW: 1,
         S.UNDER_ENFORCEMENT: 1, S.CLOSED: 17, S.OVERTURNED: 2},
    120: {S.FOUND: 1, S.ROUTED: 1, S.AWAITING_PLAN: 1, S.PLAN_REVIEW: 1, S.RECTIFYING: 8,
          S.AWAITING_REINSPECTION: 3, S.AWAITING_RESUMPTION: 1, S.RESUMPTION_REVIEW: 1,
          S.UNDER_ENFORCEMENT: 1, S.CLOSED: 79, S.OVERTURNED: 3},
    None: {S.FOUND: 0.05, S.ROUTED: 0.05, S.AWAITING_PLAN: 0.1, S.PLAN_REVIEW: 0.1,
           S.RECTIFYING: 0.5, S.AWAITING_REINSPECTION: 0.3, S.AWAITING_RESUMPTION: 0.1,
           S.RESUMPTION_REVIEW: 0.1, S.UNDER_ENFORCEMENT: 0.5, S.CLOSED: 95.2, S.OVERTURNED: 3},
}  # fmt: skip
_WEIGHT_LISTS = {age: [w.get(s, 0) for s in _STATES] for age, w in _WEIGHTS.items()}
MAJOR_SHARE = 0.03
ON_THE_SPOT_SHARE = 0.25  # of closed general hazards
REINSPECTION_ON_TIME = 0.88


class _Table:
    """One model's rows in column order; each row starts from the model's defaults."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        self.names = [f.attname for f in self.fields]
        self.defaults = {f.attname: (None if f.null else f.get_default()) for f in self.fields}
        self.rows: list[tuple] = []
        self.written = 0

    def add(self, **values) -> None:
        merged = {**self.defaults, **values}
        self.rows.append(tuple(merged[name] for name in self.names))

    def flush(self) -> None:
        if not self.rows:
            return
        table = self.model._meta.db_table
        qn = connection.ops.quote_name
        cols = ", ".join(qn(c) for c in self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {qn(table)} ({cols}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                adapt = [_adapter(f) for f in self.fields]
                params = [
                    tuple(a(v) if a else v for a, v in zip(adapt, row, strict=True)) for row in self.rows
                ]
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(f"INSERT INTO {qn(table)} ({cols}) VALUES ({marks})", params)
        self.written += len(self.rows)
        self.rows = []


def _adapter(field) -> Callable | None:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    return None


def _next_id(model) -> int:
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


def _synthetic_contracts(rng: random.Random, start: dt.date, end: dt.date, log) -> None:
    """A provider per synthetic district and a contract per township covering its enterprises
    (the case-study district keeps the contracts its demo step made)."""
    from hazardloop.procurement.models import ContractStatus, ServiceContract
    from hazardloop.registry.models import Enterprise, Provider, Region

    covered = set(ServiceContract.objects.values_list("township_id", flat=True))
    townships = list(
        Region.objects.filter(level="township", enterprises__isnull=False)
        .exclude(pk__in=covered)
        .distinct()
        .select_related("parent")
        .order_by("code")
    )
    providers: dict[int, Provider] = {}
    for township in townships:
        district = township.parent
        if district.pk not in providers:
            providers[district.pk] = Provider(
                name=f"{district.name}安全生产技术服务中心（合成 {district.code}）",
                credit_code=f"91{district.code[:6]}SP{len(providers):08d}",
                status="active",
                staff_count=rng.randint(12, 60),
                office_area_m2=rng.randint(150, 900),
            )
    Provider.objects.bulk_create(providers.values(), batch_size=1000)
    contracts = [
        ServiceContract(
            number=f"SYN-{t.code}",
            title=f"{t.name}安全生产隐患排查服务（合成）",
            township=t,
            provider=providers[t.parent_id],
            start_date=start,
            end_date=end,
            price=Decimal(rng.randrange(20, 60) * 1000),
            status=ContractStatus.ACTIVE,
            stable_service=True,
        )
        for t in townships
    ]
    ServiceContract.objects.bulk_create(contracts, batch_size=1000)
    through = ServiceContract.enterprises.through
    by_township = {c.township_id: c.pk for c in ServiceContract.objects.filter(number__startswith="SYN-")}
    links = (
        through(servicecontract_id=by_township[t], enterprise_id=e)
        for e, t in Enterprise.objects.filter(township_id__in=by_township).values_list("pk", "township_id")
    )
    through.objects.bulk_create(links, batch_size=5000)
    log(f"  合成服务机构 {len(providers)} 家，合同 {len(contracts)} 份")


def _state(rng: random.Random, age_days: float) -> str:
    weights = (
        _WEIGHT_LISTS[30] if age_days < 30 else _WEIGHT_LISTS[120] if age_days < 120 else _WEIGHT_LISTS[None]
    )
    return rng.choices(_STATES, weights)[0]


def build_province_load(hazards: int, *, seed: int = 2026, log: Callable[[str], None] = print) -> dict:
    """Write `hazards` synthetic hazards (and their visits, contracts and re-inspections) over
    the enterprises in the database. Refuses a database that already holds them."""
    from hazardloop.accounts.models import User
    from hazardloop.inspections.models import ChecklistVersion, Inspection
    from hazardloop.procurement.models import ServiceContract
    from hazardloop.registry.models import Enterprise, MemberUnit

    if Hazard.objects.filter(number__startswith=NUMBER_PREFIX).exists():
        raise ValueError("库中已有合成隐患（PV-）：请在新库上建立。")
    started = time.perf_counter()
    rng = random.Random(f"hazardloop-province:{seed}")
    now = timezone.now()
    today = timezone.localdate()
    first = dt.date(today.year - YEARS + 1, 1, 1)
    with transaction.atomic():
        _synthetic_contracts(rng, first, dt.date(today.year, 12, 31), log)

    contract_of: dict[int, tuple[int, int]] = {}
    for pk, township_id, provider_id in (
        ServiceContract.objects.in_force()
        .order_by("start_date", "pk")
        .values_list("pk", "township_id", "provider_id")
    ):
        contract_of[township_id] = (pk, provider_id)  # the latest contract of the township wins
    enterprises: Sequence[tuple[int, int]] = list(Enterprise.objects.values_list("pk", "township_id"))
    units = list(MemberUnit.objects.values_list("pk", flat=True))
    general = [lv.pk for lv in HazardLevel.objects.filter(active=True, legal_level=LegalLevel.GENERAL)]
    major = [lv.pk for lv in HazardLevel.objects.filter(active=True, legal_level=LegalLevel.MAJOR)]
    checklist = (
        ChecklistVersion.objects.filter(status="published").order_by("pk").values_list("pk", flat=True)[0]
    )
    expert = User.objects.filter(role="expert").order_by("pk").values_list("pk", flat=True)[0]
    categories = ["production", "fire", "electrical", "special_equipment", "hazchem"]
    forms = ["state", "behaviour", "management"]

    visits, hazard_rows = _Table(Inspection), _Table(Hazard)
    rectifications, reinspections = _Table(Rectification), _Table(ReInspection)
    visit_id, hazard_id = _next_id(Inspection), _next_id(Hazard)
    rectification_id, reinspection_id = _next_id(Rectification), _next_id(ReInspection)
    span = int((now - timezone.make_aware(dt.datetime.combine(first, dt.time.min))).total_seconds())
    made = 0

    def hazard(enterprise_id: int, found: dt.datetime, provider_id: int | None, inspection_id: int | None):
        nonlocal hazard_id, rectification_id, reinspection_id
        age = (now - found).total_seconds() / 86400
        status = _state(rng, age)
        is_major = rng.random() < MAJOR_SHARE
        legal = LegalLevel.MAJOR if is_major else LegalLevel.GENERAL

        def later(days_low: float, days_high: float) -> dt.datetime:
            # A moment after discovery, never in the future.
            return min(
                found + dt.timedelta(days=rng.uniform(days_low, days_high)), now - dt.timedelta(minutes=1)
            )

        routed = status != S.FOUND and not (status == S.OVERTURNED and rng.random() < 0.5)
        routed_at = later(0.2, 2) if routed else None
        deadline = (routed_at + dt.timedelta(days=rng.randrange(10, 60))).date() if routed else None
        closed_at = closure = None
        on_the_spot = False
        if status == S.CLOSED:
            on_the_spot = not is_major and rng.random() < ON_THE_SPOT_SHARE
            closure = Closure.ON_THE_SPOT if on_the_spot else Closure.REINSPECTION
            closed_at = later(0, 0.1) if on_the_spot else later(5, 75)
        reinspection_due = None
        if status == S.AWAITING_REINSPECTION:
            reinspection_due = today + dt.timedelta(days=rng.randrange(-10, 10))
        elif status == S.CLOSED and not on_the_spot:
            slack = rng.randrange(0, 6) if rng.random() < REINSPECTION_ON_TIME else -rng.randrange(1, 8)
            reinspection_due = closed_at.date() + dt.timedelta(days=slack)
        fed_back = routed and age > 20 and rng.random() < 0.9
        hazard_rows.add(
            id=hazard_id,
            number=f"{NUMBER_PREFIX}{hazard_id:010d}",
            enterprise_id=enterprise_id,
            source="provider" if provider_id else "self",
            reporter_id=expert,
            provider_id=provider_id,
            inspection_id=inspection_id,
            level_id=rng.choice(major if is_major else general),
            legal_level=legal,
            category=rng.choice(categories),
            form=rng.choice(forms),
            title="合成隐患",
            description="省级规模基准测试用合成隐患",
            found_at=found,
            status=status,
            deadline=deadline,
            deadline_basis="",
            member_unit_id=rng.choice(units) if routed else None,
            routed_at=routed_at,
            fed_back_at=later(15, 35) if fed_back else None,
            listed_supervision=is_major,
            listed_at=later(0.5, 3) if is_major else None,
            delisted_at=closed_at if is_major and closed_at else None,
            plan_approved_at=(
                later(8, 20)
                if is_major and status in (S.RECTIFYING, S.AWAITING_REINSPECTION, S.CLOSED)
                else None
            ),
            reinspection_due=reinspection_due,
            resumption_due=today + dt.timedelta(days=rng.randrange(-5, 15))
            if status == S.RESUMPTION_REVIEW
            else None,
            closed_at=closed_at,
            closure=closure or "",
            overturned_at=later(1, 5) if status == S.OVERTURNED else None,
            overturn_reason="误判" if status == S.OVERTURNED else "",
            created_at=found,
            updated_at=closed_at or found,
        )
        rectified = None
        if closure == Closure.REINSPECTION:
            rectified = max(found, closed_at - dt.timedelta(days=rng.uniform(0.5, 9)))
        elif status == S.AWAITING_REINSPECTION:
            rectified = later(3, 50)
        if rectified is not None:
            rectifications.add(
                id=rectification_id,
                hazard_id=hazard_id,
                round=1,
                measures="已按整改通知完成整改",
                cost=Decimal(rng.randrange(0, 200) * 100),
                responsible_person="企业安全负责人",
                completed_on=timezone.localdate(rectified),
                submitted_by_id=expert,
                submitted_at=rectified,
            )
            rectification_id += 1
        if closure == Closure.REINSPECTION:
            reinspections.add(
                id=reinspection_id,
                hazard_id=hazard_id,
                round=1,
                verdict="passed",
                inspector_id=expert,
                provider_id=provider_id,
                inspected_at=closed_at,
            )
            reinspection_id += 1
        hazard_id += 1

    def flush():
        with transaction.atomic():
            visits.flush()
            hazard_rows.flush()
            rectifications.flush()
            reinspections.flush()

    next_report = made
    while made < hazards:
        enterprise_id, township_id = rng.choice(enterprises)
        at = now - dt.timedelta(seconds=rng.randrange(span))
        contract = contract_of.get(township_id)
        if contract is None or rng.random() < SELF_REPORTED:
            hazard(enterprise_id, at, None, None)
            made += 1
        else:
            contract_id, provider_id = contract
            submitted = min(at + dt.timedelta(days=rng.uniform(0.5, 4)), now)
            visits.add(
                id=visit_id,
                enterprise_id=enterprise_id,
                contract_id=contract_id,
                provider_id=provider_id,
                checklist_version_id=checklist,
                started_at=at,
                ended_at=at + dt.timedelta(hours=2),
                status="acknowledged" if rng.random() < 0.7 else "submitted",
                report_number=f"PVR-{visit_id:010d}",
                team_deviation=rng.random() < 0.03,
                created_by_id=expert,
                created_at=at,
                submitted_at=submitted,
                submitted_by_id=expert,
            )
            for _ in range(min(rng.choice(FINDINGS_PER_VISIT), hazards - made)):
                hazard(enterprise_id, at + dt.timedelta(minutes=rng.randrange(5, 110)), provider_id, visit_id)
                made += 1
            visit_id += 1
        if len(hazard_rows.rows) >= CHUNK:
            flush()
        if made >= next_report:
            log(f"  {made:,} / {hazards:,} 条隐患，{time.perf_counter() - started:.0f} 秒")
            next_report += 500_000
    flush()
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(
            no_style(), [Inspection, Hazard, Rectification, ReInspection]
        ):
            cursor.execute(sql)
        cursor.execute("ANALYZE")
    elapsed = time.perf_counter() - started
    log(
        f"  合成检查 {visits.written:,} 次，隐患 {hazard_rows.written:,} 条，"
        f"整改记录 {rectifications.written:,} 条，复查记录 {reinspections.written:,} 条，用时 {elapsed:.0f} 秒"
    )
    return {
        "inspections": visits.written,
        "hazards": hazard_rows.written,
        "rectifications": rectifications.written,
        "reinspections": reinspections.written,
        "seconds": round(elapsed, 1),
    }
