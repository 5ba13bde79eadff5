"""The enforcement part of the demo: a year of 处理 records in 龙安区.

Runs after the hazards' and inspections' steps (order 70). Every record is made by the real
service at a past moment (`time_machine.travel(moment, tick=False)`), by a user of the acting
member unit:

- overdue hazards awaiting their plan or rectifying are taken into enforcement with an order,
  a fine or (for major hazards) a halt;
- one enterprise with a major hazard collects three penalties within 180 days, crossing the
  Work Safety Law Art. 113 threshold, and the bureau then proposes its closure;
- a few stand-alone records (interviews, warnings, referrals) not tied to a hazard.

With no suitable hazards (the loop's demo steps absent or empty) only the stand-alone records
are made. A record the service refuses is skipped, never fatal: the demo must always load.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import time_machine
from django.db.models import Max
from django.utils import timezone

from hazardloop.accounts.choices import Role
from hazardloop.accounts.models import User
from hazardloop.core.demo import DemoContext, demo_step
from hazardloop.hazards.choices import HazardStatus, LegalLevel
from hazardloop.hazards.models import Hazard
from hazardloop.registry.demo import DISTRICT
from hazardloop.registry.models import Enterprise, MemberUnit

from . import rules, services
from .choices import ActionKind
from .models import EnforcementAction

S = HazardStatus
MAX_HAZARD_ACTIONS = 12
STANDALONE_ACTIONS = 8
WORK_SAFETY_LAW = "中华人民共和国安全生产法"

# What each kind of demo record says and rests on.
TEMPLATES: dict[str, dict] = {
    ActionKind.ORDER_RECTIFY_BY_DEADLINE: {
        "facts": "经复查，隐患逾期未整改，责令于期限内整改完毕并书面报告。",
        "article": "第六十五条",
        "item": "第一款第（二）项",
    },
    ActionKind.FINE: {
        "facts": "未采取措施消除事故隐患，责令立即消除，逾期未改正。",
        "article": "第一百零二条",
        "item": "",
    },
    ActionKind.ORDER_WITHDRAW_HALT: {
        "facts": "重大事故隐患排除前无法保证安全，责令从危险区域撤出作业人员并暂时停产停业。",
        "article": "第六十五条",
        "item": "第一款第（三）项",
    },
    ActionKind.HALT_FOR_RECTIFICATION: {
        "facts": "拒不执行消除事故隐患的决定，责令停产停业整顿。",
        "article": "第一百零二条",
        "item": "",
    },
    ActionKind.WARNING: {
        "facts": "隐患排查治理情况未如实记录，予以警告。",
        "article": "第九十七条",
        "item": "第（五）项",
    },
    ActionKind.INTERVIEW: {
        "facts": "约谈企业主要负责人，通报隐患整改滞后情况，提出整改要求。",
        "article": "",
        "item": "",
    },
    ActionKind.TRANSFER_DEPARTMENT: {
        "facts": "检查发现的问题不属本部门职责，依法移送有关部门处理。",
        "article": "",
        "item": "",
    },
    ActionKind.PROPOSE_CLOSURE: {
        "facts": "该企业因重大事故隐患180日内三次受到行政处罚，依法提请区人民政府予以关闭。",
        "article": "第一百一十三条",
        "item": "第（一）项",
    },
}


class _Numbers:
    """Document numbers per unit and year: 龙应急罚〔2026〕7号. Continues after existing ones,
    so a second run of the demo does not collide."""

    def __init__(self):
        self.next: dict[tuple[int, int, str], int] = defaultdict(int)

    def draw(self, unit: MemberUnit, year: int, kind: str) -> str:
        word = "罚" if rules.is_penalty(kind) else ("责改" if kind.startswith("order") else "执")
        short = unit.name.removeprefix(DISTRICT[1]).removeprefix("区")[:2] or str(unit.pk)
        prefix = f"龙{short}{word}〔{year}〕"
        key = (unit.pk, year, word)
        if not self.next[key]:
            self.next[key] = (
                EnforcementAction.objects.filter(member_unit=unit, document_number__startswith=prefix).count()
                + 1
            )
        number = self.next[key]
        self.next[key] += 1
        return f"{prefix}{number}号"


def _unit_user(unit_id: int) -> User | None:
    return (
        User.objects.filter(role=Role.MEMBER_UNIT, member_unit_id=unit_id, is_active=True)
        .order_by("pk")
        .first()
    )


def _bureau_user() -> User | None:
    return (
        User.objects.filter(role=Role.BUREAU, region__code=DISTRICT[0], is_active=True).order_by("pk").first()
    )


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 30)))


def _record(numbers: _Numbers, *, actor, unit, enterprise, kind, day: dt.date, hazards=(), **extra):
    template = TEMPLATES.get(kind, TEMPLATES[ActionKind.WARNING])
    fields = {
        "facts": template["facts"],
        "document_number": numbers.draw(unit, day.year, kind),
        "decided_on": day,
        "legal_basis_law": WORK_SAFETY_LAW if template["article"] else "",
        "legal_basis_article": template["article"],
        "legal_basis_item": template["item"],
    }
    if rules.needs_deadline(kind):
        fields["deadline"] = day + dt.timedelta(days=30)
    fields.update(extra)
    with time_machine.travel(_at(day, 10), tick=False):
        try:
            return services.record_enforcement_action(
                actor=actor, member_unit=unit, enterprise=enterprise, kind=kind, hazards=hazards, **fields
            )
        except services.EnforcementError:
            return None


def _last_event_day(hazard: Hazard) -> dt.date:
    last = hazard.events.aggregate(last=Max("at"))["last"] or hazard.found_at
    return timezone.localdate(last)


def _overdue_candidates(today: dt.date) -> list[Hazard]:
    return list(
        Hazard.objects.filter(
            enterprise__township__code__startswith=DISTRICT[0],
            status__in=sorted(services.ENFORCEABLE_STATES),
            deadline__lt=today - dt.timedelta(days=2),
            member_unit__isnull=False,
        )
        .select_related("enterprise", "member_unit")
        .order_by("deadline", "pk")
    )


def _enforce_overdue(ctx, rng, numbers, today: dt.date) -> int:
    made = 0
    for hazard in _overdue_candidates(today):
        if made >= MAX_HAZARD_ACTIONS:
            break
        actor = _unit_user(hazard.member_unit_id)
        if actor is None:
            continue
        earliest = max(hazard.deadline + dt.timedelta(days=1), _last_event_day(hazard) + dt.timedelta(days=1))
        if earliest >= today:
            continue
        day = min(earliest + dt.timedelta(days=rng.randint(1, 10)), today - dt.timedelta(days=1))
        if hazard.legal_level == LegalLevel.MAJOR:
            kind = rng.choice(
                [ActionKind.ORDER_WITHDRAW_HALT, ActionKind.FINE, ActionKind.ORDER_RECTIFY_BY_DEADLINE]
            )
        else:
            kind = rng.choice([ActionKind.ORDER_RECTIFY_BY_DEADLINE, ActionKind.FINE, ActionKind.WARNING])
        extra = {}
        if kind == ActionKind.FINE:
            extra["unit_fine_amount"] = Decimal(rng.choice([10000, 20000, 30000, 50000]))
        if _record(
            numbers,
            actor=actor,
            unit=hazard.member_unit,
            enterprise=hazard.enterprise,
            kind=kind,
            day=day,
            hazards=[hazard],
            **extra,
        ):
            made += 1
    return made


def _art113_case(ctx, rng, numbers, today: dt.date) -> bool:
    """Three penalties for one enterprise's major hazard within 180 days, then 提请关闭."""
    already = services.flagged_enterprise_ids()
    hazards = (
        Hazard.objects.filter(
            enterprise__township__code__startswith=DISTRICT[0],
            legal_level=LegalLevel.MAJOR,
            member_unit__isnull=False,
        )
        .exclude(status=S.OVERTURNED)
        .exclude(enterprise_id__in=already)
        .select_related("enterprise", "member_unit")
        .order_by("found_at", "pk")
    )
    for hazard in hazards:
        actor = _unit_user(hazard.member_unit_id)
        if actor is None:
            continue
        start = max(_last_event_day(hazard) + dt.timedelta(days=1), today - dt.timedelta(days=170))
        if (today - start).days < 12:
            continue
        span = (today - start).days - 2
        days = [start + dt.timedelta(days=span * n // 3) for n in range(3)]
        plan = [
            (ActionKind.FINE, {"unit_fine_amount": Decimal("50000")}),
            (
                ActionKind.FINE,
                {
                    "unit_fine_amount": Decimal("80000"),
                    "individual_fine_amount": Decimal("20000"),
                    "individual_name": "主要负责人",
                },
            ),
            (ActionKind.HALT_FOR_RECTIFICATION, {}),
        ]
        made = [
            _record(
                numbers,
                actor=actor,
                unit=hazard.member_unit,
                enterprise=hazard.enterprise,
                kind=kind,
                day=day,
                hazards=[hazard],
                **extra,
            )
            for day, (kind, extra) in zip(days, plan, strict=True)
        ]
        if not all(made):
            continue
        bureau = _bureau_user()
        if bureau is not None:
            _record(
                numbers,
                actor=bureau,
                unit=hazard.member_unit,
                enterprise=hazard.enterprise,
                kind=ActionKind.PROPOSE_CLOSURE,
                day=days[-1] + dt.timedelta(days=1),
                hazards=[hazard],
            )
        ctx.log(f"  第一百一十三条情形：{hazard.enterprise.name}")
        return True
    return False


def _standalone(ctx, rng, numbers, today: dt.date) -> int:
    units = list(MemberUnit.objects.filter(district__code=DISTRICT[0]).order_by("pk"))
    staffed = [(u, _unit_user(u.pk)) for u in units]
    staffed = [(u, user) for u, user in staffed if user is not None]
    if not staffed:
        return 0
    made = 0
    kinds = [ActionKind.INTERVIEW, ActionKind.WARNING, ActionKind.TRANSFER_DEPARTMENT, ActionKind.INTERVIEW]
    for n in range(STANDALONE_ACTIONS):
        unit, actor = staffed[n % len(staffed)]
        enterprises = Enterprise.objects.visible_to(actor).order_by("credit_code")
        count = enterprises.count()
        if not count:
            continue
        enterprise = enterprises[rng.randrange(min(count, 200))]
        day = today - dt.timedelta(days=rng.randint(5, 330))
        if _record(
            numbers, actor=actor, unit=unit, enterprise=enterprise, kind=kinds[n % len(kinds)], day=day
        ):
            made += 1
    return made


@demo_step(70)
def build_enforcement(ctx: DemoContext) -> None:
    """Enforcement records over the past year; see the module docstring."""
    rng = ctx.rng("enforcement")
    numbers = _Numbers()
    today = timezone.localdate()
    linked = _enforce_overdue(ctx, rng, numbers, today)
    crossed = _art113_case(ctx, rng, numbers, today)
    alone = _standalone(ctx, rng, numbers, today)
    ctx.log(
        f"  执法处理记录：关联逾期隐患 {linked} 条，单独记录 {alone} 条"
        + ("，含第一百一十三条情形 1 家" if crossed else "")
    )
