"""The joint meetings of the demo district: twelve monthly meetings, the latest held this month.

Runs after the loop's and enforcement's steps (order 90). Each meeting reviews the month before
the one it is held in, around the 10th (moved to the Monday after a weekend), and everything is
done by the real services at its past moment (`time_machine.travel(moment, tick=False)`):
scheduled a week ahead by the bureau, reports by the member units two days before, attendance
and the pack on the day (so the pack's figures and the fed-back marks carry that date), minutes
the day after, approved by the leader the day after that — except the latest meeting's, which
waits in the leader's inbox.

Decisions are recorded as text: a meeting in the past cannot reassign a hazard without putting
an event out of order in its timeline. Without hazards (the loop's demo absent) the meetings
and empty packs are still built. Meetings that already exist are left alone.
"""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db.models import Count, Q
from django.utils import timezone

from hazardloop.accounts.choices import Role
from hazardloop.accounts.models import User
from hazardloop.core.demo import DemoContext, demo_step
from hazardloop.hazards.choices import HazardStatus
from hazardloop.registry.demo import DISTRICT
from hazardloop.registry.models import MemberUnit, Region

from . import pack as pack_figures
from . import rules, services
from .models import Meeting

MEETINGS = 12
PLACE = "龙安区人民政府三楼第一会议室"
S = HazardStatus


def _moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def held_on(period: rules.Period) -> dt.date:
    day = rules.usual_meeting_day(period)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def demo_periods(today: dt.date, count: int = MEETINGS) -> list[rules.Period]:
    """The months reviewed by the last `count` meetings held up to `today`, oldest first."""
    period = rules.Period.containing(today).previous
    if held_on(period) > today:
        period = period.previous
    periods = []
    for _ in range(count):
        periods.append(period)
        period = period.previous
    return list(reversed(periods))


def _unit_report(unit_name: str, period: rules.Period, counts: dict, rng) -> str:
    routed, closed, overdue = counts.get("routed", 0), counts.get("closed", 0), counts.get("overdue", 0)
    if not routed:
        return f"{period.label()}本单位无新交办隐患，对辖区企业开展了日常监督检查。"
    text = f"{period.label()}本单位接收交办隐患{routed}项，已全部下达整改通知，目前已销号{closed}项"
    if overdue:
        text += f"，逾期未整改{overdue}项，已约谈企业主要负责人并督促限期整改"
    text += "。"
    return text + rng.choice(
        ["下一步将加强复查督导。", "将对重点企业开展回头看。", "将配合服务机构做好复查工作。"]
    )


@demo_step(90)
def build_meetings(ctx: DemoContext) -> None:
    rng = ctx.rng("meetings")
    district = Region.objects.filter(code=DISTRICT[0]).first()
    bureau = User.objects.filter(role=Role.BUREAU, region=district, is_active=True).order_by("pk").first()
    leader = User.objects.filter(role=Role.LEADER, region=district, is_active=True).order_by("pk").first()
    if district is None or bureau is None or leader is None:
        ctx.log("  联席会议：缺少区县、安监局或分管领导账号，跳过")
        return
    units = list(MemberUnit.objects.filter(district=district).order_by("name"))
    reporters = {
        u.member_unit_id: u
        for u in User.objects.filter(role=Role.MEMBER_UNIT, member_unit__in=units, is_active=True).order_by(
            "-pk"
        )
    }
    periods = demo_periods(timezone.localdate())
    done = set(Meeting.objects.filter(district=district).values_list("year", "month"))
    built = decisions = 0
    for index, period in enumerate(periods):
        if (period.year, period.month) in done:
            continue
        day = held_on(period)
        latest = index == len(periods) - 1
        with time_machine.travel(_moment(day - dt.timedelta(days=7), 9), tick=False):
            meeting = services.schedule_meeting(
                actor=bureau,
                district=district,
                year=period.year,
                month=period.month,
                scheduled_at=_moment(day, 9),
                place=PLACE,
                convener=leader,
                member_units=units,
            )
        # Each unit's own figures for its report: one grouped query per meeting.
        as_of = day - dt.timedelta(days=2)
        month = pack_figures.month_findings(district, period)
        per_unit = {
            row["member_unit_id"]: row
            for row in month.filter(member_unit__isnull=False)
            .order_by()
            .values("member_unit_id")
            .annotate(routed=Count("pk"), closed=Count("pk", filter=Q(status=S.CLOSED)))
        }
        overdue = dict(month.overdue(as_of).order_by().values_list("member_unit_id").annotate(n=Count("pk")))
        with time_machine.travel(_moment(as_of, 15), tick=False):
            for unit in units:
                reporter = reporters.get(unit.pk)
                if reporter is None:
                    continue
                counts = {**per_unit.get(unit.pk, {}), "overdue": overdue.get(unit.pk, 0)}
                services.submit_unit_report(
                    meeting, actor=reporter, report=_unit_report(unit.name, period, counts, rng)
                )
        absent = {rng.choice(units).pk} if units and rng.random() < 0.4 else set()
        with time_machine.travel(_moment(day, 9, 30), tick=False):
            services.record_attendance(
                meeting, actor=bureau, attended=[u.pk for u in units if u.pk not in absent]
            )
        with time_machine.travel(_moment(day, 10), tick=False):
            pack = services.build_pack(meeting, actor=bureau)
        totals = pack.data["totals"]
        with time_machine.travel(_moment(day, 11, 30), tick=False):
            texts = [
                f"对{totals['overdue']}项逾期未整改隐患，由各督办单位逐项约谈企业，"
                f"仍不整改的依法转入执法处理，下次会议通报结果。"
                if totals["overdue"]
                else "本月无逾期隐患，各成员单位保持督办力度。",
                f"{totals['listed']}项挂牌督办重大隐患由区安监局牵头，每周调度治理进度。"
                if totals["listed"]
                else "继续做好重大隐患排查，发现一项挂牌一项。",
            ]
            top = max(pack.data["findings_by_industry"], key=lambda r: r["total"], default=None)
            if top is not None and rng.random() < 0.7:
                texts.append(
                    f"下月针对{top['name'] or top['code']}行业开展专项排查，由服务机构加密检查频次。"
                )
            for text in texts:
                services.record_decision(meeting, actor=bureau, kind="other", text=text)
                decisions += 1
        with time_machine.travel(_moment(day + dt.timedelta(days=1), 16), tick=False):
            services.record_minutes(
                meeting,
                actor=bureau,
                text=(
                    f"{day.year}年{day.month}月{day.day}日，区安委会召开{period.label()}隐患排查治理联席会议，"
                    f"由{leader}主持。会议通报了{period.label()}排查隐患{totals['findings']}项"
                    f"（其中重大隐患{totals['major']}项），听取了各成员单位汇报，"
                    f"研究了逾期未整改和挂牌督办隐患的处理，议定事项{len(texts)}项。"
                ),
            )
        if not latest:
            with time_machine.travel(_moment(day + dt.timedelta(days=2), 10), tick=False):
                services.approve_minutes(meeting, actor=leader)
        built += 1
    ctx.log(f"  联席会议 {built} 次（议定事项 {decisions} 项）")
