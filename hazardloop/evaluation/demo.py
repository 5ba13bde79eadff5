"""The evaluation part of the demo (order 97, after the contracts' compliance at 95).

Ratings: after most visits the township's office (the officer's side) rates the visit a day or
two after the report, and enterprises with a demo login rate their own visits. Each firm has its
own level of service, so the scores spread realistically (文昌大道街道's single-source firm 恒誉
rates lowest). Every rating goes through `services.rate_inspection` at its past moment.

Scorecards: for every contract in force, a scorecard for each quarter of the demo year to date,
computed by the bureau ten days after the quarter ends and confirmed the same day; the running
quarter is computed as a draft (a period still running cannot be confirmed). Each firm also gets
a provider-wide scorecard per finished quarter. The latest confirmed quarter of each contract is
applied to its milestone still to be paid (the year-end settlement), so contract pages show the
adjustment the score would make; in practice the year's scorecard settles that milestone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings

from hazardloop.accounts.choices import Role
from hazardloop.accounts.models import User
from hazardloop.core.demo import DemoContext, demo_step
from hazardloop.inspections.choices import InspectionStatus
from hazardloop.inspections.demo import DEMO_TODAY
from hazardloop.inspections.models import Inspection
from hazardloop.procurement.models import ServiceContract
from hazardloop.registry.demo import DEMO_YEAR

from . import rules, services
from .models import Rating, Scorecard

OFFICER_SHARE = 0.8  # visits the township rates
ENTERPRISE_SHARE = 0.6  # of the visits to enterprises with a login
WEAK_PROVIDER = "安阳恒誉安全科技有限公司"
COMMENTS = {
    5: ("专家认真细致，讲解清楚，整改建议可操作。", "检查全面，报告及时。", ""),
    4: ("总体满意，个别问题讲解不够细。", "检查规范，按时到场。", ""),
    3: ("检查时间偏短，部分部位未查到。", "报告内容较简单。", ""),
    2: ("专家迟到，检查流于形式。", "整改建议不够具体。"),
    1: ("检查组人数不足，未按检查表逐项检查。",),
}


def _score(rng, mean: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, 0.8))))


def _moment(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), ZoneInfo(settings.TIME_ZONE))


@demo_step(97)
def build_evaluation(ctx: DemoContext) -> None:
    rng = ctx.rng("evaluation")
    if Rating.objects.exists() or Scorecard.objects.exists():
        ctx.log("  服务评价：已存在，跳过")
        return
    made = _ratings(rng)
    confirmed, drafts, adjusted = _scorecards()
    ctx.log(
        f"  服务评价：评价 {made} 条；考核表已确认 {confirmed} 份、草稿 {drafts} 份；付款调整 {adjusted} 笔"
    )


def _ratings(rng) -> int:
    townships = {
        u.region_id: u for u in User.objects.filter(role=Role.TOWNSHIP, is_active=True).order_by("pk")
    }
    enterprises = {
        u.enterprise_id: u for u in User.objects.filter(role=Role.ENTERPRISE, is_active=True).order_by("pk")
    }
    providers = {}
    planned = []
    inspections = (
        Inspection.objects.exclude(status=InspectionStatus.DRAFT)
        .filter(submitted_at__isnull=False)
        .select_related("enterprise", "provider")
        .order_by("submitted_at", "pk")
    )
    for inspection in inspections:
        provider = inspection.provider
        if provider.pk not in providers:
            providers[provider.pk] = 2.6 if provider.name == WEAK_PROVIDER else rng.uniform(3.6, 4.6)
        mean = providers[provider.pk]
        day = inspection.submitted_at.date()
        officer = townships.get(inspection.enterprise.township_id)
        if officer is not None and rng.random() < OFFICER_SHARE:
            when = _moment(day + dt.timedelta(days=rng.choice((1, 2))), rng.choice((9, 10, 15)))
            planned.append((when, inspection, officer, _score(rng, mean)))
        owner = enterprises.get(inspection.enterprise_id)
        if owner is not None and rng.random() < ENTERPRISE_SHARE:
            when = _moment(day + dt.timedelta(days=rng.choice((2, 3, 5))), rng.choice((11, 16)))
            planned.append((when, inspection, owner, _score(rng, mean + 0.2)))
    limit = _moment(DEMO_TODAY, 18)
    planned = sorted((p for p in planned if p[0] <= limit), key=lambda p: (p[0], p[1].pk))
    for when, inspection, user, score in planned:
        with time_machine.travel(when, tick=False):
            services.rate_inspection(inspection, actor=user, score=score, comment=rng.choice(COMMENTS[score]))
    return len(planned)


def _scorecards() -> tuple[int, int, int]:
    bureau = (
        User.objects.filter(role=Role.BUREAU, is_active=True, region__code__startswith="410506")
        .order_by("pk")
        .first()
    )
    contracts = list(ServiceContract.objects.in_force().select_related("provider").order_by("number"))
    confirmed = drafts = adjusted = 0
    for index in range(1, 5):
        period = rules.Period("quarter", DEMO_YEAR, index)
        if period.start > DEMO_TODAY:
            break
        finished = period.end < DEMO_TODAY
        day = period.end + dt.timedelta(days=10) if finished else DEMO_TODAY
        with time_machine.travel(_moment(day, 10), tick=False):
            subjects = [
                (c.provider, c)
                for c in contracts
                if c.start_date <= period.end and c.end_date >= period.start
            ]
            if finished:
                subjects += [(p, None) for p in sorted({c.provider for c in contracts}, key=lambda p: p.pk)]
            for provider, contract in subjects:
                card = services.compute_scorecard(
                    actor=bureau, provider=provider, contract=contract, period=period
                )
                if finished and card.total is not None:
                    services.confirm_scorecard(card, actor=bureau)
                    confirmed += 1
                else:
                    drafts += 1
    with time_machine.travel(_moment(DEMO_TODAY, 11), tick=False):
        for contract in contracts:
            card = (
                Scorecard.objects.filter(contract=contract, status="confirmed", total__isnull=False)
                .order_by("-period_start")
                .first()
            )
            if card is None:
                continue
            for milestone in services.pending_milestones(contract):
                services.apply_payment_adjustment(card, milestone, actor=bureau)
                adjusted += 1
    return confirmed, drafts, adjusted
