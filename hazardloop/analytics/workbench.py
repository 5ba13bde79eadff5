"""The workbench's to-do list: for each role, the items that wait for this user, ordered by
their deadline, each with the one link that acts on it (decision 0061).

Every list is read through the user's scope (`visible_to` / `scope`), so a task can never name
a record the user may not open; the role decides only which of those rows are work."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hazardloop.accounts import scoping
from hazardloop.accounts.choices import Role

LIMIT = 12  # per list: the workbench shows what is next, the ledgers hold the rest
WEEK = 6  # today and the six days after it


@dataclass(frozen=True)
class Task:
    kind: str  # which list: "visit", "reinspect", "notice", "review", "rectify", ...
    title: str
    detail: str
    due: dt.date | None
    url: str
    action: Promise | str

    def days_left(self, today: dt.date) -> int | None:
        return None if self.due is None else (self.due - today).days


@dataclass(frozen=True)
class TaskList:
    key: str
    title: Promise
    tasks: list[Task]
    more_url: str = ""


# What the party holding a hazard does next, by state: the label of the one button.
HAZARD_ACTION = {
    "found": _("交办/认定"),
    "routed": _("下达整改通知书"),
    "awaiting_plan": _("提交治理方案"),
    "plan_review": _("审核治理方案"),
    "rectifying": _("提交整改"),
    "awaiting_reinspection": _("录入复查"),
    "awaiting_acceptance": _("验收销号"),
    "awaiting_resumption": _("申请复产"),
    "resumption_review": _("复产审查"),
    "under_enforcement": _("执法处理"),
}


def _hazard_due(hazard) -> dt.date | None:
    from hazardloop.hazards.choices import DUE_FIELD_OF_STATE

    field = DUE_FIELD_OF_STATE.get(hazard.status)
    return getattr(hazard, field) if field else None


def _hazard_task(hazard, kind: str, action=None) -> Task:
    return Task(
        kind=kind,
        title=f"{hazard.number} {hazard.title}",
        detail=f"{hazard.enterprise.name} · {hazard.get_status_display()}",
        due=_hazard_due(hazard),
        url=reverse("hazards:detail", args=[hazard.pk]),
        action=action or HAZARD_ACTION.get(hazard.status, _("处理")),
    )


def _by_due(tasks: list[Task]) -> list[Task]:
    # Items with a deadline first, soonest (most overdue) first; the rest in the order read.
    return sorted(tasks, key=lambda t: (t.due is None, t.due or dt.date.max))


def _hazards(user):
    from hazardloop.hazards.models import Hazard

    return Hazard.objects.visible_to(user).select_related("enterprise")


def my_hazard_tasks(user, today: dt.date) -> list[Task]:
    """The hazards whose next move is this user's party's (待我处理)."""
    from hazardloop.hazards.filters import awaiting_move_of

    rows = _hazards(user).filter(awaiting_move_of(user)).order_by("deadline", "reinspection_due", "pk")
    return _by_due([_hazard_task(h, "mine") for h in rows[: LIMIT * 4]])[:LIMIT]


def overdue_tasks(user, today: dt.date) -> list[Task]:
    # Supervising (督办) is the member unit's and the bureau's; a township opens and follows up.
    action = _("督办") if scoping.can(user, "hazards.issue_notice") else _("查看")
    rows = _hazards(user).overdue(today).order_by("deadline", "pk")[: LIMIT * 2]
    return _by_due([_hazard_task(h, "overdue", action) for h in rows])[:LIMIT]


def planned_visit_tasks(user, today: dt.date) -> list[Task]:
    """An expert's planned visits of this week (and any still open from before), or a firm's."""
    from hazardloop.procurement.models import PlannedVisit, PlanStatus, VisitStatus

    if user.role == Role.EXPERT:
        # An expert's scope of visits is their own assignments (DESIGN: "its own assignments");
        # the contract scope that plans are read through does not reach experts.
        visits = PlannedVisit.objects.filter(team=user.expert)
    else:
        visits = scoping.scope(PlannedVisit.objects.all(), user)
    visits = visits.filter(
        status=VisitStatus.PLANNED,
        plan__status=PlanStatus.CURRENT,
        day__gte=today - dt.timedelta(days=WEEK),
        day__lte=today + dt.timedelta(days=WEEK),
    )
    visits = visits.select_related("enterprise").prefetch_related("team").order_by("day", "pk")[:LIMIT]
    start = reverse("inspections:new")
    return [
        Task(
            kind="visit",
            title=visit.enterprise.name,
            detail=str(_("检查组：")) + "、".join(e.name for e in visit.team.all()),
            due=visit.day,
            url=f"{start}?visit={visit.pk}&enterprise={visit.enterprise_id}",
            action=_("开始排查"),
        )
        for visit in visits
    ]


def on_behalf_tasks(user, today: dt.date) -> list[Task]:
    """Hazards waiting for an enterprise that has no account: the officer may record (代录)."""
    from hazardloop.accounts.models import User
    from hazardloop.onboarding.services import account_filter

    if not scoping.can(user, "hazards.record_rectification"):
        return []
    accounts = User.objects.filter(account_filter(), enterprise=OuterRef("enterprise_id"))
    rows = (
        _hazards(user)
        .filter(status="rectifying")
        .annotate(reachable=Exists(accounts))
        .filter(reachable=False)
        .order_by("deadline", "pk")[:LIMIT]
    )
    return [_hazard_task(h, "on_behalf", _("代企业录入整改")) for h in rows]


def township_tasks(user, today: dt.date) -> list[Task]:
    from hazardloop.procurement.models import (
        Award,
        AwardStatus,
        ContractStatus,
        MilestoneStatus,
        PaymentMilestone,
        ServiceContract,
    )

    tasks: list[Task] = []
    contracts = ServiceContract.objects.visible_to(user)
    for contract in contracts.filter(status=ContractStatus.DRAFT).order_by("start_date", "pk")[:LIMIT]:
        tasks.append(
            Task(
                "contract",
                contract.title,
                contract.number,
                contract.start_date,
                reverse("procurement:contract_detail", args=[contract.pk]),
                _("发布合同"),
            )
        )
    ending = contracts.filter(
        status=ContractStatus.ACTIVE, end_date__lte=today + dt.timedelta(days=60), end_date__gte=today
    )
    for contract in ending.order_by("end_date", "pk")[:LIMIT]:
        tasks.append(
            Task(
                "contract",
                contract.title,
                str(_("合同即将到期，请安排续签或新一轮采购")),
                contract.end_date,
                reverse("procurement:contract_detail", args=[contract.pk]),
                _("查看合同"),
            )
        )
    milestones = scoping.scope(PaymentMilestone.objects.all(), user).filter(
        status=MilestoneStatus.PENDING, due_date__lte=today + dt.timedelta(days=30)
    )
    for milestone in milestones.select_related("contract").order_by("due_date", "pk")[:LIMIT]:
        tasks.append(
            Task(
                "acceptance",
                f"{milestone.contract.title} · {milestone.name}",
                str(_("验收履约情况后支付")),
                milestone.due_date,
                reverse("procurement:milestone_list"),
                _("验收并支付"),
            )
        )
    awards = scoping.scope(Award.objects.all(), user).filter(status=AwardStatus.DRAFT)
    for award in awards.select_related("township").order_by("pk")[:LIMIT]:
        tasks.append(
            Task(
                "award",
                str(award),
                str(_("以奖代补测算稿，待核对")),
                None,
                reverse("procurement:award_detail", args=[award.pk]),
                _("核对"),
            )
        )
    return _by_due(tasks)[:LIMIT]


def meeting_tasks(user, today: dt.date) -> list[Task]:
    from django.utils import timezone

    from hazardloop.meetings.choices import MeetingStatus
    from hazardloop.meetings.models import Meeting

    meetings = scoping.scope(Meeting.objects.all(), user).exclude(status=MeetingStatus.MINUTES_PUBLISHED)
    tasks = []
    for meeting in meetings.order_by("scheduled_at", "pk")[:LIMIT]:
        tasks.append(
            Task(
                "meeting",
                str(meeting),
                meeting.get_status_display(),
                timezone.localtime(meeting.scheduled_at).date(),
                reverse("meetings:detail", args=[meeting.pk]),
                _("会议材料与纪要"),
            )
        )
    return tasks


def award_approval_tasks(user, today: dt.date) -> list[Task]:
    from hazardloop.procurement.models import Award, AwardStatus

    drafts = scoping.scope(Award.objects.all(), user).filter(status=AwardStatus.DRAFT)
    count = drafts.count()
    if not count:
        return []
    return [
        Task(
            "award",
            str(_("以奖代补测算稿")),
            str(_("%(n)s 个乡镇（街道）待审核确认")) % {"n": count},
            None,
            reverse("procurement:award_list"),
            _("审核确认"),
        )
    ]


def task_lists(user, today: dt.date) -> list[TaskList]:
    """The role's lists, in the order the role works them. Empty lists are kept: an empty
    list says "nothing waits for you here", which is itself the answer a clerk looks for."""
    role = user.role
    hazards_url = reverse("hazards:list")
    mine = TaskList("mine", _("待我处理的隐患"), [], f"{hazards_url}?mine=true")
    if scoping.can(user, "hazards.view"):
        mine = TaskList("mine", _("待我处理的隐患"), my_hazard_tasks(user, today), f"{hazards_url}?mine=true")
    overdue = TaskList(
        "overdue", _("已逾期的隐患"), overdue_tasks(user, today), f"{hazards_url}?overdue=true"
    )
    if role == Role.EXPERT or role == Role.PROVIDER:
        return [
            TaskList(
                "visits",
                _("本周计划检查"),
                planned_visit_tasks(user, today),
                reverse("procurement:plan_list") if scoping.can(user, "procurement.view_plans") else "",
            ),
            TaskList("mine", _("待复查的隐患"), mine.tasks, mine.more_url),
        ]
    if role == Role.MEMBER_UNIT:
        return [
            TaskList("mine", _("待我处理的隐患（通知、审核、复产、执法）"), mine.tasks, mine.more_url),
            TaskList("on_behalf", _("企业未开通账号，可代录整改"), on_behalf_tasks(user, today)),
            overdue,
        ]
    if role == Role.ENTERPRISE:
        return [TaskList("mine", _("需要本企业整改的隐患"), mine.tasks, mine.more_url)]
    if role == Role.TOWNSHIP:
        return [
            TaskList("township", _("合同、验收与以奖代补"), township_tasks(user, today)),
            TaskList("on_behalf", _("企业未开通账号，可代录整改"), on_behalf_tasks(user, today)),
            overdue,
        ]
    if role in (Role.BUREAU, Role.ADMIN):
        return [
            TaskList("mine", _("待认定、交办的隐患"), mine.tasks, mine.more_url),
            TaskList("meetings", _("联席会议"), meeting_tasks(user, today), reverse("meetings:list")),
            overdue,
        ]
    if role == Role.LEADER:
        return [TaskList("approvals", _("待审批"), award_approval_tasks(user, today))]
    return []


def leader_figures(user, today: dt.date) -> list[tuple[Promise, int, str]]:
    """The handful of figures a district leader asks for, each linked to its list."""
    from hazardloop.hazards.choices import HazardStatus

    hazards = _hazards(user)
    open_states = [s for s in HazardStatus.values if s not in ("closed", "overturned")]
    hazards_url = reverse("hazards:list")
    month_start = today.replace(day=1)
    return [
        (_("在办隐患"), hazards.filter(status__in=open_states).count(), hazards_url),
        (_("其中重大隐患"), hazards.filter(status__in=open_states, level__code="major").count(), hazards_url),
        (_("已逾期"), hazards.overdue(today).count(), f"{hazards_url}?overdue=true"),
        (
            _("本月销号"),
            hazards.filter(status="closed", closed_at__date__gte=month_start).count(),
            f"{hazards_url}?stage=closed",
        ),
    ]
