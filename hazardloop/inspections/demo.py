"""The inspections part of the demo: a year of visits by every provider to its contract enterprises.

Every contract enterprise is visited once in the first half of the demo year, and some (mostly
high-risk ones) again in the second half, up to the day before the demo's "today". Teams meet
the rules (size, specialty, no conflicts), every checklist item gets a result, and a visit finds
0–4 hazards, registered through the real services at the visit's moment (time-machine), so their
found dates and default deadlines lie in the past. Enterprises with a demo login acknowledge most
of their reports a day or two later. Hazards stay as registration leaves them; a later step
drives them through the loop.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.db.models import Prefetch

from hazardloop.accounts.choices import Role
from hazardloop.accounts.models import User
from hazardloop.core.demo import DemoContext, demo_step
from hazardloop.hazards.models import HazardLevel
from hazardloop.procurement.models import ServiceContract
from hazardloop.registry.choices import EnterpriseStatus
from hazardloop.registry.demo import DEMO_YEAR
from hazardloop.registry.models import Enterprise, Expert

from . import services
from .choices import ItemOutcome

# The demo's "today": visits end the day before.
DEMO_TODAY = dt.date(DEMO_YEAR, 11, 24)
FIRST_HALF = (dt.date(DEMO_YEAR, 1, 6), dt.date(DEMO_YEAR, 6, 30))
SECOND_HALF = (dt.date(DEMO_YEAR, 7, 1), DEMO_TODAY - dt.timedelta(days=1))
# Second visits in the second half: kept few so that the step stays fast.
HIGH_RISK_SECOND_VISIT = 0.4
SECOND_VISIT_SHARE = 0.05
FINDINGS_WEIGHTS = (0.35, 0.35, 0.17, 0.08, 0.05)  # P(0), P(1), … P(4) findings a visit
MAJOR_SHARE = 0.12  # of findings on a major-criterion item
ACKNOWLEDGED_SHARE = 0.8

LOCATIONS = {
    "消防安全": ("生产车间", "仓库", "员工宿舍", "办公楼"),
    "用电安全": ("配电室", "生产车间", "仓库"),
    "现场管理": ("生产车间", "原料库", "厂区道路"),
}
OFFICER_UNITS = ("安监站", "应急办", "综治办")
OFFICER_NAMES = ("刘", "陈", "杨", "黄", "周", "吴", "徐", "孙")


def _day(rng, start: dt.date, end: dt.date) -> dt.date:
    for _attempt in range(20):
        day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
        if day.weekday() < 5:
            return day
    return day


def _team(rng, enterprise, contract, experts):
    """A team meeting `required_team`: a specialist first (the leader), then others, none
    conflicted."""
    requirement = services.required_team(enterprise, contract)
    free = [e for e in experts if enterprise.pk not in e.conflict_ids]
    specialists = [e for e in free if requirement.specialties <= set(e.specialties)]
    if not specialists:
        return None, None
    leader = rng.choice(specialists)
    size = requirement.size.minimum
    if requirement.size.maximum and rng.random() < 0.3:
        size = min(requirement.size.maximum, size + 1)
    others = [e for e in free if e.pk != leader.pk]
    if len(others) < size - 1:
        return None, None
    return [leader, *rng.sample(others, size - 1)], leader


def _finding(rng, item, levels) -> services.FindingData:
    major = item.major_criterion and rng.random() < MAJOR_SHARE
    text = item.text
    return services.FindingData(
        level=levels["major" if major else "general"],
        category=item.hazard_category,
        form=item.hazard_form,
        title=f"{item.section}：{text[:40]}不符合要求",
        description=f"现场检查发现，{text}的要求未落实。",
        location=rng.choice(LOCATIONS.get(item.section, ("生产现场", "车间", "库房"))),
        legal_basis_law=item.source,
        legal_basis_article=item.article[:32],
        suggested_measure=f"对照{item.source}{item.article}的要求立即组织整改，并留存整改记录。",
        item=item,
    )


@demo_step(40)
def build_inspections(ctx: DemoContext) -> None:
    """Visits by every provider over its in-force contracts' enterprises."""
    rng = ctx.rng("inspections")
    zone = ZoneInfo(settings.TIME_ZONE)
    levels = {lv.code: lv for lv in HazardLevel.objects.filter(code__in=["general", "major"])}
    actors = {
        u.provider_id: u for u in User.objects.filter(role=Role.PROVIDER, is_active=True).order_by("pk")
    }
    acknowledgers = {
        u.enterprise_id: u for u in User.objects.filter(role=Role.ENTERPRISE, is_active=True).order_by("pk")
    }
    versions: dict[str, object] = {}
    plans = []
    contracts = (
        ServiceContract.objects.in_force()
        .select_related("provider")
        .prefetch_related(
            Prefetch(
                "enterprises",
                queryset=Enterprise.objects.exclude(status=EnterpriseStatus.CLOSED)
                .select_related("industry", "township")
                .order_by("credit_code"),
            )
        )
        .order_by("number")
    )
    expert_cache: dict[int, list] = {}
    for contract in contracts:
        if contract.provider_id not in actors:
            continue
        if contract.provider_id not in expert_cache:
            experts = list(
                Expert.objects.filter(provider_id=contract.provider_id, active=True)
                .prefetch_related("specialty_rows", "conflict_rows")
                .order_by("pk")
            )
            for e in experts:
                e.conflict_ids = {c.enterprise_id for c in e.conflict_rows.all()}
            expert_cache[contract.provider_id] = experts
        for enterprise in contract.enterprises.all():
            windows = [FIRST_HALF]
            if rng.random() < (HIGH_RISK_SECOND_VISIT if enterprise.high_risk else SECOND_VISIT_SHARE):
                windows.append(SECOND_HALF)
            for start, end in windows:
                start, end = max(start, contract.start_date), min(end, contract.end_date)
                if start > end:
                    continue
                day = _day(rng, start, end)
                moment = dt.datetime.combine(
                    day, dt.time(rng.choice((8, 9, 10, 13, 14)), rng.choice((0, 30))), zone
                )
                plans.append((moment, contract, enterprise))
    plans.sort(key=lambda p: (p[0], p[2].credit_code))

    made = findings = majors = acknowledged = skipped = 0
    pending: list[tuple] = []  # acknowledgements, made in time order between the visits

    def acknowledge_until(limit):
        nonlocal acknowledged
        pending.sort(key=lambda p: p[0])
        while pending and (limit is None or pending[0][0] <= limit):
            when, inspection, user = pending.pop(0)
            with time_machine.travel(when, tick=False):
                services.acknowledge_inspection(inspection, actor=user, note="已收到检查报告，将按期整改。")
            acknowledged += 1

    for moment, contract, enterprise in plans:
        acknowledge_until(moment)
        experts, leader = _team(rng, enterprise, contract, expert_cache[contract.provider_id])
        if experts is None:
            skipped += 1
            continue
        code = enterprise.industry.code
        if code not in versions:
            version = services.checklist_for(enterprise)
            versions[code] = (version, list(version.items.all()) if version else [])
        version, items = versions[code]
        if not items:
            skipped += 1
            continue
        actor = actors[contract.provider_id]
        ended = moment + dt.timedelta(hours=rng.choice((2, 3, 4)))
        k = rng.choices(range(len(FINDINGS_WEIGHTS)), weights=FINDINGS_WEIGHTS)[0]
        failed = rng.sample(items, k)
        failed_ids = {i.pk for i in failed}
        results = {
            item.pk: (ItemOutcome.NOT_APPLICABLE if rng.random() < 0.15 else ItemOutcome.CONFORMING, "")
            for item in items
            if item.pk not in failed_ids
        }
        with time_machine.travel(ended, tick=False):
            inspection = services.create_inspection(
                actor=actor,
                enterprise=enterprise,
                experts=experts,
                leader=leader,
                started_at=moment,
                ended_at=ended,
                contract=contract,
                checklist_version=version,
                officer_name=f"{rng.choice(OFFICER_NAMES)}干事",
                officer_unit=f"{enterprise.township.name}{rng.choice(OFFICER_UNITS)}",
                results=results,
            )
            for item in failed:
                data = _finding(rng, item, levels)
                majors += data.level.code == "major"
                services.add_finding(inspection, data, actor=actor)
            services.submit_inspection(inspection, actor=actor)
        made += 1
        findings += k
        ack = acknowledgers.get(enterprise.pk)
        if ack is not None and rng.random() < ACKNOWLEDGED_SHARE:
            when = ended + dt.timedelta(days=rng.choice((1, 2)), hours=1)
            if when.date() < DEMO_TODAY:
                pending.append((when, inspection, ack))
    acknowledge_until(None)
    ctx.log(
        f"  排查 {made} 次，发现隐患 {findings} 条（重大 {majors} 条），企业确认 {acknowledged} 次"
        + (f"，{skipped} 家无法组成合规检查组未排查" if skipped else "")
    )
