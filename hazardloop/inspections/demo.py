"""The inspections part of the demo: the providers carry out their stored year plans.

Every visit that a contract's current plan (procurement step 20) puts before the demo's "today"
is recorded on the planned day by the planned team, and the planned visit is marked done
(procurement.services.mark_visit_done), so plan pages, fulfilment and compliance agree with the
records. A small share goes as real work goes: a visit a few working days late, a visit missed
(left planned and overdue), a member who falls ill so the team is short and the record says so
(a team deviation, which compliance reports). Teams meet the rules (size, specialty, no
conflicts) because the plan was checked against the same standard; every checklist item gets a
result, and a visit finds 0–4 hazards, registered through the real services at the visit's
moment (time-machine), so their found dates and default deadlines lie in the past. Enterprises
with a demo login acknowledge most of their reports a day or two later. Hazards stay as
registration leaves them; a later step drives them through the loop.

A plan has about twice as many visits as a year of one visit per enterprise, so a visit finds
hazards less often than before (most routine visits find nothing): the hazard loop keeps its
size and load_demo its time.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.db.models import Prefetch
from django.test.utils import override_settings

from hazardloop.accounts.choices import Role
from hazardloop.accounts.models import User
from hazardloop.core.demo import DemoContext, demo_step
from hazardloop.hazards.models import HazardLevel
from hazardloop.procurement import services as procurement_services
from hazardloop.procurement.models import InspectionPlan, PlanStatus, ServiceContract, VisitStatus
from hazardloop.registry.choices import EnterpriseStatus
from hazardloop.registry.demo import DEMO_YEAR
from hazardloop.registry.models import Expert

from . import services
from .choices import ItemOutcome

# The demo's "today": visits planned before it have happened (or been missed).
DEMO_TODAY = dt.date(DEMO_YEAR, 11, 24)
# Deviations from the plan, as shares of the visits due. Late: 2–7 working days after the
# planned day (never on or after "today"). Short: only where the planned team is at the
# contract's minimum, so one absent member makes it short.
LATE_SHARE = 0.04
MISSED_SHARE = 0.012
SHORT_TEAM_SHARE = 0.01
SHORT_TEAM_REASONS = ("一名专家临时因病缺席，经乡镇同意按期检查", "一名专家被抽调参加事故调查，未能到场")
FINDINGS_WEIGHTS = (0.62, 0.22, 0.09, 0.04, 0.03)  # P(0), P(1), … P(4) findings a visit
MAJOR_SHARE = 0.12  # of findings on a major-criterion item
ACKNOWLEDGED_SHARE = 0.8

LOCATIONS = {
    "消防安全": ("生产车间", "仓库", "员工宿舍", "办公楼"),
    "用电安全": ("配电室", "生产车间", "仓库"),
    "现场管理": ("生产车间", "原料库", "厂区道路"),
}
OFFICER_UNITS = ("安监站", "应急办", "综治办")
OFFICER_NAMES = ("刘", "陈", "杨", "黄", "周", "吴", "徐", "孙")


def _later_working_day(day: dt.date, steps: int) -> dt.date:
    while steps:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            steps -= 1
    return day


def _leader(team, requirement):
    """The first member holding the specialty the enterprise needs (the planner put one in)."""
    return next((e for e in team if requirement.specialties <= set(e.specialties)), team[0])


def _due_visits(rng):
    """(moment, planned visit, team, deviation) for every planned visit before "today" of the
    current plans of the contracts in force; deviation is "", "late", "missed" or "short"."""
    zone = ZoneInfo(settings.TIME_ZONE)
    experts = Prefetch(
        "team",
        queryset=Expert.objects.prefetch_related("specialty_rows").order_by("pk"),
    )
    plans = (
        InspectionPlan.objects.filter(status=PlanStatus.CURRENT, year=DEMO_YEAR, contract__in=_in_force())
        .select_related("contract__provider")
        .order_by("contract__number")
    )
    out = []
    for plan in plans:
        visits = (
            plan.visits.filter(status=VisitStatus.PLANNED, day__lt=DEMO_TODAY)
            .exclude(enterprise__status=EnterpriseStatus.CLOSED)
            .select_related("enterprise__industry", "enterprise__township")
            .prefetch_related(experts)
            .order_by("day", "enterprise_id", "index")
        )
        for visit in visits:
            visit.plan = plan  # the contract without a query per visit
            team = list(visit.team.all())
            requirement = services.required_team(visit.enterprise, plan.contract)
            draw = rng.random()
            day, deviation = visit.day, ""
            if draw < MISSED_SHARE:
                deviation = "missed"
            elif draw < MISSED_SHARE + LATE_SHARE:
                late = _later_working_day(visit.day, rng.randint(2, 7))
                if late < DEMO_TODAY and late <= plan.contract.end_date:
                    day, deviation = late, "late"
            elif (
                draw < MISSED_SHARE + LATE_SHARE + SHORT_TEAM_SHARE
                and len(team) == requirement.size.minimum > 1
            ):
                leader = _leader(team, requirement)
                team = [leader, *[e for e in team if e.pk != leader.pk][1:]]
                deviation = "short"
            moment = dt.datetime.combine(
                day, dt.time(rng.choice((8, 9, 10, 13, 14)), rng.choice((0, 30))), zone
            )
            out.append((moment, visit, team, requirement, deviation))
    out.sort(key=lambda p: (p[0], p[1].enterprise.credit_code, p[1].index))
    return out


def _in_force():
    return ServiceContract.objects.in_force()


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
    """The planned visits before "today", by the planned teams, with a few deviations."""
    rng = ctx.rng("inspections")
    levels = {lv.code: lv for lv in HazardLevel.objects.filter(code__in=["general", "major"])}
    actors = {
        u.provider_id: u for u in User.objects.filter(role=Role.PROVIDER, is_active=True).order_by("pk")
    }
    acknowledgers = {
        u.enterprise_id: u for u in User.objects.filter(role=Role.ENTERPRISE, is_active=True).order_by("pk")
    }
    planned = InspectionPlan.objects.filter(status=PlanStatus.CURRENT, year=DEMO_YEAR)
    unplanned = _in_force().exclude(pk__in=planned.values("contract_id")).count()
    versions: dict[str, object] = {}
    made = findings = majors = acknowledged = 0
    late = missed = short = 0
    pending: list[tuple] = []  # acknowledgements, made in time order between the visits

    def acknowledge_until(limit):
        nonlocal acknowledged
        pending.sort(key=lambda p: p[0])
        while pending and (limit is None or pending[0][0] <= limit):
            when, inspection, user = pending.pop(0)
            with time_machine.travel(when, tick=False):
                services.acknowledge_inspection(inspection, actor=user, note="已收到检查报告，将按期整改。")
            acknowledged += 1

    for moment, visit, team, requirement, deviation in _due_visits(rng):
        contract, enterprise = visit.plan.contract, visit.enterprise
        actor = actors.get(contract.provider_id)
        if actor is None:
            continue
        if deviation == "missed":
            missed += 1  # stays planned: the plan page shows it overdue, compliance may count it
            continue
        acknowledge_until(moment)
        code = enterprise.industry.code
        if code not in versions:
            version = services.checklist_for(enterprise)
            versions[code] = (version, list(version.items.all()) if version else [])
        version, items = versions[code]
        if not items:
            continue
        ended = moment + dt.timedelta(hours=rng.choice((2, 3, 4)))
        k = rng.choices(range(len(FINDINGS_WEIGHTS)), weights=FINDINGS_WEIGHTS)[0]
        failed = rng.sample(items, k)
        failed_ids = {i.pk for i in failed}
        results = {
            item.pk: (ItemOutcome.NOT_APPLICABLE if rng.random() < 0.15 else ItemOutcome.CONFORMING, "")
            for item in items
            if item.pk not in failed_ids
        }
        reason = rng.choice(SHORT_TEAM_REASONS) if deviation == "short" else ""
        # A district that lets a short team go ahead records it as a deviation; the demo shows
        # what such a district sees (the setting is off by default).
        allow = override_settings(INSPECTION_ALLOW_TEAM_DEVIATION=deviation == "short")
        with allow, time_machine.travel(ended, tick=False):
            inspection = services.create_inspection(
                actor=actor,
                enterprise=enterprise,
                experts=team,
                leader=_leader(team, requirement),
                started_at=moment,
                ended_at=ended,
                contract=contract,
                checklist_version=version,
                officer_name=f"{rng.choice(OFFICER_NAMES)}干事",
                officer_unit=f"{enterprise.township.name}{rng.choice(OFFICER_UNITS)}",
                deviation_reason=reason,
                results=results,
            )
            for item in failed:
                data = _finding(rng, item, levels)
                majors += data.level.code == "major"
                services.add_finding(inspection, data, actor=actor)
            services.submit_inspection(inspection, actor=actor)
            procurement_services.mark_visit_done(visit, actor=actor)
        made += 1
        findings += k
        late += deviation == "late"
        short += deviation == "short"
        ack = acknowledgers.get(enterprise.pk)
        if ack is not None and rng.random() < ACKNOWLEDGED_SHARE:
            when = ended + dt.timedelta(days=rng.choice((1, 2)), hours=1)
            if when.date() < DEMO_TODAY:
                pending.append((when, inspection, ack))
    acknowledge_until(None)
    ctx.log(
        f"  按计划排查 {made} 次（推迟 {late} 次，人数不足 {short} 次，漏检 {missed} 次），"
        f"发现隐患 {findings} 条（重大 {majors} 条），企业确认 {acknowledged} 次"
        + (f"；{unplanned} 份合同无本年计划，未排查" if unplanned else "")
    )
