"""The closed loop: hazards, their state machine and timeline, and the records each step leaves.

Transitions are declared on `Hazard` (django-fsm-2); each body changes only the hazard's own
fields. Everything else — locking, scope, guards, the records below, the timeline event, the
audit row and notifications — is done by `services.py`, the only writer."""

from __future__ import annotations

import copy
import datetime as dt

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from hazardloop.core.models import TimeStampedModel
from hazardloop.core.querysets import ScopedQuerySet
from hazardloop.registry.choices import HazardCategory

from .choices import (
    DUE_FIELD_OF_STATE,
    GOVERNMENT_ACTORS,
    OPEN_STATES,
    RECTIFICATION_CLOCK_STATES,
    AssessedBy,
    AttachmentKind,
    Closure,
    DeadlineBasis,
    DeadlineSource,
    Decision,
    EventName,
    GradeBasis,
    HazardForm,
    HazardSource,
    HazardStatus,
    LegalLevel,
    ListingLevel,
    NotificationKind,
    Verdict,
    states_in_stage,
)

S = HazardStatus


class HazardLevel(models.Model):
    """A level the district grades hazards by (一般, 重大, or e.g. 较大), each mapped onto one of
    the two legal levels, with the default time limit a notice proposes."""

    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=32, unique=True)
    legal_level = models.CharField(_("法定等级"), max_length=16, choices=LegalLevel.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    default_time_limit = models.PositiveSmallIntegerField(_("默认整改期限"), default=10)
    time_limit_basis = models.CharField(
        _("期限计算方式"), max_length=16, choices=DeadlineBasis.choices, default=DeadlineBasis.WORKING
    )
    active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患等级")
        verbose_name_plural = _("隐患等级")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class WorkdayOverrideQuerySet(models.QuerySet):
    def as_mapping(self) -> dict[dt.date, bool]:
        return dict(self.values_list("date", "is_working_day"))


class WorkdayOverride(models.Model):
    """A day whose working status the administrator sets by hand: the State Council's schedule for
    a year the calendar package does not cover yet, or a local change."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    objects = WorkdayOverrideQuerySet.as_manager()

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {_('上班') if self.is_working_day else _('休息')}"


class RoutingRule(models.Model):
    """Which member unit a hazard goes to. The matching rule of highest priority wins; blank
    fields match anything. With no rule matching, routing falls back to the member units' duties
    (registry.MemberUnitDuty)."""

    priority = models.IntegerField(_("优先级"), default=0, help_text=_("数字大者优先"))
    industry_prefix = models.CharField(_("行业代码前缀"), max_length=4, blank=True)
    category = models.CharField(_("隐患类别"), max_length=32, choices=HazardCategory.choices, blank=True)
    township = models.ForeignKey(
        "registry.Region",
        verbose_name=_("乡镇街道"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    member_unit = models.ForeignKey(
        "registry.MemberUnit",
        verbose_name=_("交办成员单位"),
        on_delete=models.PROTECT,
        related_name="routing_rules",
    )
    active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("交办规则")
        verbose_name_plural = _("交办规则")
        ordering = ["-priority", "id"]
        indexes = [models.Index(fields=["active", "-priority"], name="routingrule_active_priority")]

    def __str__(self) -> str:
        parts = [self.industry_prefix or "*", self.get_category_display() or "*", str(self.township or "*")]
        return f"[{self.priority}] {' / '.join(parts)} → {self.member_unit}"


class NumberSequence(models.Model):
    """A counter per key (hazard numbers per district and year, notice numbers per member unit
    and year), taken under a row lock so that two writers never draw the same number."""

    key = models.CharField(max_length=64, unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class HazardQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATES)

    def major(self):
        return self.filter(legal_level=LegalLevel.MAJOR)

    def in_stage(self, stage: str):
        return self.filter(status__in=states_in_stage(stage))

    def seekable(self):
        """The same rows, ordering and joins, with the filter so far as a per-row EXISTS, for
        windows over a large scope. A district scope is `enterprise_id IN (…)`; SQLite's planner
        takes the enterprise index for it and sorts the whole scope before LIMIT (20–30 s at a
        million hazards), where walking the ordering's index and checking each row stops after
        one window (0.1 s). Only for large scopes: a small one (an enterprise's 2,000 of a
        million) is found faster through its own index, and counted that way too."""
        outer = self.model.objects.filter(Exists(self.order_by().filter(pk=OuterRef("pk"))))
        outer.query.select_related = copy.deepcopy(self.query.select_related)
        return outer.order_by(*self.query.order_by)

    def _due(self, **lookup) -> Q:
        condition = Q(pk__in=[])
        for state, field in DUE_FIELD_OF_STATE.items():
            condition |= Q(status=state, **{f"{field}__{op}": value for op, value in lookup.items()})
        return condition

    def overdue(self, today: dt.date):
        """Open hazards whose running clock ended before `today`."""
        return self.filter(self._due(lt=today))

    def due_within(self, today: dt.date, last: dt.date):
        return self.filter(self._due(gte=today, lte=last))


def _is_general(hazard: Hazard) -> bool:
    return hazard.legal_level == LegalLevel.GENERAL


def _is_halted(hazard: Hazard) -> bool:
    return hazard.halted


def _grade_settled(hazard: Hazard) -> bool:
    """A suspected major hazard gets no notice until a department has decided its grade."""
    return hazard.grade_basis != GradeBasis.SUSPECTED


def _is_suspected_major(hazard: Hazard) -> bool:
    return hazard.grade_basis == GradeBasis.SUSPECTED


def _listable(hazard: Hazard) -> bool:
    return hazard.legal_level == LegalLevel.MAJOR and _grade_settled(hazard) and not hazard.is_listed


def _government(hazard: Hazard, user) -> bool:
    """The FSM's own guard on the acts the law gives to government alone (认定, 挂牌, 验收销号,
    摘牌, regrade, resumption review): a provider's or an expert's account never passes it."""
    return getattr(user, "role", None) in GOVERNMENT_ACTORS


# States in which a department may still regrade a hazard: before the re-inspection, while what
# the grade decides (plan, halt, deadline, listing) can still follow it.
REGRADABLE_STATES = (S.FOUND, S.ROUTED, S.AWAITING_PLAN, S.PLAN_REVIEW, S.RECTIFYING)


class Hazard(ConcurrentTransitionMixin, TimeStampedModel):
    """One hazard (隐患) at one enterprise, from discovery to 销号 (or 撤销). `status` moves only
    through the transitions below; `version` grows with every change a user decision rests on,
    so a service refuses an action based on an outdated view."""

    number = models.CharField(_("隐患编号"), max_length=32, unique=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="hazards"
    )
    source = models.CharField(_("来源"), max_length=16, choices=HazardSource.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="reported_hazards",
    )
    provider = models.ForeignKey(
        "registry.Provider",
        verbose_name=_("排查机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    # The visit whose finding this is; tip-offs, self-inspections and department checks have none.
    # (A plain id column until the inspections app existed; migration 0003 made it this key.)
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("检查记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    level = models.ForeignKey(HazardLevel, verbose_name=_("隐患等级"), on_delete=models.PROTECT)
    # Copied from the level at registration: the legal grade is what the hazard was found as,
    # even if the district remaps its levels later.
    legal_level = models.CharField(_("法定等级"), max_length=16, choices=LegalLevel.choices)
    category = models.CharField(_("隐患类别"), max_length=32, choices=HazardCategory.choices)
    form = models.CharField(_("隐患形态"), max_length=16, choices=HazardForm.choices)
    title = models.CharField(_("隐患名称"), max_length=200)
    description = models.TextField(_("隐患描述"))
    location = models.CharField(_("隐患部位"), max_length=200, blank=True)
    legal_basis = models.TextField(_("依据"), blank=True)
    legal_basis_law = models.CharField(_("法规标准"), max_length=200, blank=True)
    legal_basis_article = models.CharField(_("条"), max_length=32, blank=True)
    legal_basis_item = models.CharField(_("款项"), max_length=32, blank=True)
    suggested_measure = models.TextField(_("整改建议"), blank=True)
    found_at = models.DateTimeField(_("发现时间"))

    status = FSMField(_("状态"), max_length=32, choices=HazardStatus.choices, default=S.FOUND, protected=True)
    round = models.PositiveSmallIntegerField(_("整改轮次"), default=1)
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    deadline_basis = models.CharField(
        _("期限计算方式"), max_length=16, choices=DeadlineBasis.choices, blank=True
    )
    member_unit = models.ForeignKey(
        "registry.MemberUnit",
        verbose_name=_("督办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    routed_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    fed_back_at = models.DateTimeField(_("联席会议反馈时间"), null=True, blank=True)
    fed_back_meeting = models.CharField(_("反馈会议"), max_length=64, blank=True)
    listed_supervision = models.BooleanField(_("挂牌督办"), default=False)
    listed_at = models.DateTimeField(_("挂牌时间"), null=True, blank=True)
    delisted_at = models.DateTimeField(_("摘牌时间"), null=True, blank=True)
    halted = models.BooleanField(_("停产停业整改"), default=False)
    # Who settled the legal level, and when a suspected major must be decided by (认定时限).
    grade_basis = models.CharField(
        _("等级认定"), max_length=16, choices=GradeBasis.choices, default=GradeBasis.REPORTED
    )
    graded_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    confirmation_due = models.DateTimeField(_("认定时限"), null=True, blank=True)
    # The finding names a 重大事故隐患判定标准 item: major by rule unless government decides.
    criterion = models.BooleanField(_("判定标准项"), default=False)
    acceptance_due = models.DateField(_("验收期限"), null=True, blank=True)
    plan_approved_at = models.DateTimeField(_("治理方案批准时间"), null=True, blank=True)
    reinspection_due = models.DateField(_("复查期限"), null=True, blank=True)
    resumption_due = models.DateField(_("复产审查期限"), null=True, blank=True)
    # Placeholder until the enforcement app records the action itself (then a foreign key).
    enforcement_note = models.TextField(_("执法处理情况"), blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closure = models.CharField(_("销号方式"), max_length=32, choices=Closure.choices, blank=True)
    overturned_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    overturn_reason = models.TextField(_("撤销理由"), blank=True)
    # Which clock ("state:date") the deadline scan has already flagged or reminded about, so a
    # second run sends nothing twice and a new deadline starts afresh.
    overdue_flagged = models.CharField(max_length=64, blank=True, editable=False)
    reminded = models.CharField(max_length=64, blank=True, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1)

    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering = ["-found_at", "-id"]
        indexes = [
            models.Index(fields=["status", "deadline"], name="hazard_status_deadline"),
            models.Index(fields=["legal_level", "status"], name="hazard_legal_level_status"),
            models.Index(fields=["member_unit", "status"], name="hazard_unit_status"),
            models.Index(fields=["enterprise", "status"], name="hazard_enterprise_status"),
            models.Index(fields=["provider", "status"], name="hazard_provider_status"),
            models.Index(fields=["deadline"], name="hazard_deadline"),
            models.Index(fields=["-found_at", "-id"], name="hazard_found_desc"),
            # The board filtered by state or stage, newest first, one keyset window at a time.
            models.Index(fields=["status", "-found_at", "-id"], name="hazard_status_found_desc"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(round__gte=1), name="hazard_round_positive"),
            models.CheckConstraint(
                condition=~Q(halted=True) | Q(legal_level=LegalLevel.MAJOR),
                name="hazard_halt_only_major",
            ),
            models.CheckConstraint(
                condition=~Q(listed_supervision=True) | Q(listed_at__isnull=False),
                name="hazard_listed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=S.CLOSED) | (Q(closed_at__isnull=False) & ~Q(closure="")),
                name="hazard_closed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status=S.OVERTURNED) | (Q(overturned_at__isnull=False) & ~Q(overturn_reason="")),
                name="hazard_overturned_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(source=HazardSource.PROVIDER_INSPECTION) | Q(provider__isnull=False),
                name="hazard_provider_source_has_provider",
            ),
            models.CheckConstraint(
                condition=~Q(closure=Closure.ON_THE_SPOT) | Q(legal_level=LegalLevel.GENERAL),
                name="hazard_on_the_spot_only_general",
            ),
            # A finding on a criterion item is never stored as general without a government decision.
            models.CheckConstraint(
                condition=~Q(criterion=True, legal_level=LegalLevel.GENERAL)
                | Q(grade_basis=GradeBasis.GOVERNMENT),
                name="hazard_criterion_general_only_by_government",
            ),
            # Only a major hazard can be suspected; a suspected one has a time limit.
            models.CheckConstraint(
                condition=~Q(grade_basis=GradeBasis.SUSPECTED)
                | (Q(legal_level=LegalLevel.MAJOR) & Q(confirmation_due__isnull=False)),
                name="hazard_suspected_is_major",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_major(self) -> bool:
        return self.legal_level == LegalLevel.MAJOR

    @property
    def is_suspected_major(self) -> bool:
        return _is_suspected_major(self)

    @property
    def is_listed(self) -> bool:
        """Listed for supervision (挂牌督办) and not yet de-listed (摘牌)."""
        return self.listed_supervision and self.delisted_at is None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def due_date(self) -> dt.date | None:
        """The date the current state's clock runs to, if it has one."""
        field = DUE_FIELD_OF_STATE.get(self.status)
        return getattr(self, field) if field else None

    # --- transitions: own fields only ------------------------------------------------------

    @transition(field=status, source=S.FOUND, target=S.ROUTED)
    def route(self, *, member_unit, at: dt.datetime) -> None:
        self.member_unit = member_unit
        self.routed_at = at

    @transition(field=status, source=sorted(OPEN_STATES - {S.FOUND}), target=None)
    def reassign(self, *, member_unit) -> None:
        self.member_unit = member_unit

    @transition(field=status, source="*", target=None)
    def record_feedback(self, *, at: dt.datetime, meeting: str) -> None:
        self.fed_back_at = at
        self.fed_back_meeting = meeting

    @transition(
        field=status,
        source=S.ROUTED,
        target=RETURN_VALUE(S.AWAITING_PLAN, S.RECTIFYING),
        conditions=[_grade_settled],
    )
    def issue_notice(self, *, deadline: dt.date, basis: str, halt: bool) -> str:
        self.deadline = deadline
        self.deadline_basis = basis
        self.halted = self.halted or halt
        # A major hazard needs its governance plan first (Order 16 Art. 15).
        return S.AWAITING_PLAN if self.is_major else S.RECTIFYING

    @transition(field=status, source=S.AWAITING_PLAN, target=S.PLAN_REVIEW)
    def submit_plan(self) -> None:
        pass

    @transition(field=status, source=S.PLAN_REVIEW, target=S.RECTIFYING)
    def approve_plan(self, *, at: dt.datetime) -> None:
        self.plan_approved_at = at

    @transition(field=status, source=S.PLAN_REVIEW, target=S.AWAITING_PLAN)
    def reject_plan(self) -> None:
        pass

    @transition(field=status, source=sorted(RECTIFICATION_CLOCK_STATES), target=None)
    def request_extension(self) -> None:
        pass

    @transition(field=status, source=sorted(RECTIFICATION_CLOCK_STATES), target=None)
    def extend_deadline(self, *, deadline: dt.date) -> None:
        self.deadline = deadline

    @transition(field=status, source=sorted(RECTIFICATION_CLOCK_STATES), target=None)
    def refuse_extension(self) -> None:
        pass

    @transition(field=status, source=S.RECTIFYING, target=S.AWAITING_REINSPECTION)
    def submit_rectification(self, *, reinspection_due: dt.date) -> None:
        self.reinspection_due = reinspection_due

    @transition(
        field=status,
        source=S.AWAITING_REINSPECTION,
        target=RETURN_VALUE(S.CLOSED, S.AWAITING_RESUMPTION, S.AWAITING_ACCEPTANCE),
    )
    def pass_reinspection(self, *, at: dt.datetime, acceptance_due: dt.date | None = None) -> str:
        self.reinspection_due = None
        if self.halted:
            # Under a halt the enterprise must apply to resume, and the regulator reviews on site
            # before the hazard is written off (Order 16 Arts. 18, 23).
            return S.AWAITING_RESUMPTION
        if self.is_major:
            # The re-inspection of a major hazard is an opinion; the department accepts (验收)
            # and only that act closes and de-lists it.
            self.acceptance_due = acceptance_due
            return S.AWAITING_ACCEPTANCE
        self._close(at, Closure.REINSPECTION)
        return S.CLOSED

    # --- major hazards: government acts -------------------------------------------------------

    @transition(
        field=status,
        source=[S.FOUND, S.ROUTED],
        target=None,
        conditions=[_is_suspected_major],
        permission=_government,
    )
    def confirm_major(self, *, at: dt.datetime) -> None:
        self.grade_basis = GradeBasis.GOVERNMENT
        self.graded_at = at
        self.confirmation_due = None

    @transition(
        field=status,
        source=[S.FOUND, S.ROUTED],
        target=None,
        conditions=[_is_suspected_major],
        permission=_government,
    )
    def grade_general(
        self, *, at: dt.datetime, level: HazardLevel, deadline: dt.date | None, basis: str
    ) -> None:
        self._set_grade(at, level)
        if deadline is not None:
            self.deadline, self.deadline_basis = deadline, basis

    @transition(
        field=status,
        source=list(REGRADABLE_STATES),
        target=RETURN_VALUE(*REGRADABLE_STATES),
        permission=_government,
    )
    def regrade(self, *, at: dt.datetime, level: HazardLevel, deadline: dt.date | None, basis: str) -> str:
        self._set_grade(at, level)
        if deadline is not None:
            self.deadline, self.deadline_basis = deadline, basis
        if self.is_major and self.status == S.RECTIFYING and self.plan_approved_at is None:
            return S.AWAITING_PLAN  # a major hazard is rectified by an approved plan (Art. 15)
        if not self.is_major and self.status in (S.AWAITING_PLAN, S.PLAN_REVIEW):
            return S.RECTIFYING
        return self.status

    def _set_grade(self, at: dt.datetime, level: HazardLevel) -> None:
        self.level = level
        self.legal_level = level.legal_level
        self.grade_basis = GradeBasis.GOVERNMENT
        self.graded_at = at
        self.confirmation_due = None
        if not self.is_major and self.is_listed:
            self.delisted_at = at  # a hazard found general is no longer under listed supervision

    @transition(
        field=status, source=sorted(OPEN_STATES), target=None, conditions=[_listable], permission=_government
    )
    def list_major(self, *, at: dt.datetime) -> None:
        self.listed_supervision = True
        self.listed_at = at
        self.delisted_at = None

    @transition(field=status, source=S.AWAITING_ACCEPTANCE, target=S.CLOSED, permission=_government)
    def accept_rectification(self, *, at: dt.datetime) -> None:
        self.acceptance_due = None
        self._close(at, Closure.ACCEPTANCE)

    @transition(field=status, source=S.AWAITING_ACCEPTANCE, target=S.RECTIFYING, permission=_government)
    def refuse_acceptance(self, *, deadline: dt.date | None) -> None:
        self.acceptance_due = None
        self.round += 1
        if deadline is not None:
            self.deadline = deadline

    @transition(field=status, source=S.AWAITING_REINSPECTION, target=S.RECTIFYING)
    def fail_reinspection(self, *, deadline: dt.date | None) -> None:
        self.reinspection_due = None
        self.round += 1
        if deadline is not None:
            self.deadline = deadline

    @transition(field=status, source=S.FOUND, target=S.CLOSED, conditions=[_is_general])
    def close_on_the_spot(self, *, at: dt.datetime) -> None:
        self._close(at, Closure.ON_THE_SPOT)

    @transition(field=status, source=[S.FOUND, S.ROUTED], target=S.OVERTURNED)
    def overturn(self, *, at: dt.datetime, reason: str) -> None:
        self.overturned_at = at
        self.overturn_reason = reason
        if self.is_listed:
            self.delisted_at = at

    @transition(field=status, source=[S.AWAITING_PLAN, S.RECTIFYING], target=S.UNDER_ENFORCEMENT)
    def start_enforcement(self, *, record: str, halt: bool) -> None:
        self.enforcement_note = record
        self.halted = self.halted or halt

    @transition(
        field=status,
        source=S.UNDER_ENFORCEMENT,
        target=RETURN_VALUE(S.AWAITING_PLAN, S.RECTIFYING),
    )
    def conclude_enforcement(self, *, record: str, deadline: dt.date, basis: str, halt: bool) -> str:
        self.enforcement_note = "\n".join(filter(None, [self.enforcement_note, record]))
        self.deadline = deadline
        self.deadline_basis = basis
        self.halted = self.halted or halt
        if self.is_major and self.plan_approved_at is None:
            return S.AWAITING_PLAN
        return S.RECTIFYING

    @transition(
        field=status, source=S.AWAITING_RESUMPTION, target=S.RESUMPTION_REVIEW, conditions=[_is_halted]
    )
    def apply_resumption(self, *, review_due: dt.date) -> None:
        self.resumption_due = review_due

    @transition(field=status, source=S.RESUMPTION_REVIEW, target=S.CLOSED, permission=_government)
    def pass_resumption_review(self, *, at: dt.datetime) -> None:
        self.resumption_due = None
        self.halted = False
        self._close(at, Closure.RESUMPTION_REVIEW)

    @transition(field=status, source=S.RESUMPTION_REVIEW, target=S.RECTIFYING, permission=_government)
    def fail_resumption_review(self, *, deadline: dt.date | None) -> None:
        self.resumption_due = None
        self.round += 1
        if deadline is not None:
            self.deadline = deadline

    @transition(field=status, source=sorted(DUE_FIELD_OF_STATE), target=None)
    def flag_overdue(self, *, key: str) -> None:
        self.overdue_flagged = key

    @transition(field=status, source=sorted(DUE_FIELD_OF_STATE), target=None)
    def flag_reminded(self, *, key: str) -> None:
        self.reminded = key

    def _close(self, at: dt.datetime, how: str) -> None:
        self.closed_at = at
        self.closure = how
        if self.is_listed:
            self.delisted_at = at  # 摘牌


class HazardEvent(models.Model):
    """One entry of a hazard's timeline: who did what, when, from which state to which."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField(_("序号"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    name = models.CharField(_("事件"), max_length=32, choices=EventName.choices)
    from_state = models.CharField(_("原状态"), max_length=32, choices=HazardStatus.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=32, choices=HazardStatus.choices)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患处理记录")
        verbose_name_plural = _("隐患处理记录")
        ordering = ["hazard", "seq"]
        constraints = [models.UniqueConstraint(fields=["hazard", "seq"], name="hazardevent_unique_seq")]
        indexes = [models.Index(fields=["name", "at"], name="hazardevent_name_at")]

    def __str__(self) -> str:
        return f"{self.hazard_id}#{self.seq} {self.name}"


class HazardAttachment(models.Model):
    """A photo or document: before and after pictures, evidence of rectification or review."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        HazardEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("文件"), upload_to="hazards/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患附件")
        verbose_name_plural = _("隐患附件")
        ordering = ["hazard", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class RectificationNotice(models.Model):
    """整改通知书 (for a major hazard, 整改指令书): issued by a member unit, numbered per unit and
    year, covering one or more hazards of one enterprise."""

    member_unit = models.ForeignKey(
        "registry.MemberUnit", verbose_name=_("签发单位"), on_delete=models.PROTECT, related_name="notices"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("序号"))
    number = models.CharField(_("文号"), max_length=160, unique=True)
    enterprise = models.ForeignKey(
        "registry.Enterprise", verbose_name=_("企业"), on_delete=models.PROTECT, related_name="notices"
    )
    hazards = models.ManyToManyField(Hazard, verbose_name=_("隐患"), related_name="notices")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签发人"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("签发时间"))
    deadline = models.DateField(_("整改期限"))
    deadline_basis = models.CharField(_("期限计算方式"), max_length=16, choices=DeadlineBasis.choices)
    deadline_source = models.CharField(
        _("期限确定方式"), max_length=16, choices=DeadlineSource.choices, default=DeadlineSource.SET
    )
    legal_basis = models.TextField(_("依据"), blank=True)
    requirements = models.TextField(_("整改要求"))
    halt_ordered = models.BooleanField(_("责令停产停业整改"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改通知书")
        verbose_name_plural = _("整改通知书")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member_unit", "year", "serial"], name="notice_unique_serial")
        ]

    def __str__(self) -> str:
        return self.number


class GovernancePlan(models.Model):
    """治理方案 for a major hazard with the six elements of Order 16 Art. 15, all required.
    A rejected plan stays on file; the enterprise submits a new one."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="plans")
    goal_and_tasks = models.TextField(_("治理的目标和任务"))
    methods_and_measures = models.TextField(_("采取的方法和措施"))
    funds_and_materials = models.TextField(_("经费和物资的落实"))
    funds_amount = models.DecimalField(
        _("治理经费（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    responsible_body_and_people = models.TextField(_("负责治理的机构和人员"))
    time_limit_and_requirements = models.TextField(_("治理的时限和要求"))
    safety_and_emergency = models.TextField(_("安全措施和应急预案"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    decision = models.CharField(
        _("审核结果"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)

    objects = ScopedQuerySet.as_manager()

    ELEMENTS = (
        "goal_and_tasks",
        "methods_and_measures",
        "funds_and_materials",
        "responsible_body_and_people",
        "time_limit_and_requirements",
        "safety_and_emergency",
    )

    class Meta:
        verbose_name = _("治理方案")
        verbose_name_plural = _("治理方案")
        ordering = ["hazard", "submitted_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(goal_and_tasks="")
                & ~Q(methods_and_measures="")
                & ~Q(funds_and_materials="")
                & ~Q(responsible_body_and_people="")
                & ~Q(time_limit_and_requirements="")
                & ~Q(safety_and_emergency=""),
                name="plan_six_elements_present",
            ),
            models.UniqueConstraint(
                fields=["hazard"], condition=Q(decision=Decision.PENDING), name="plan_one_pending"
            ),
            models.UniqueConstraint(
                fields=["hazard"], condition=Q(decision=Decision.APPROVED), name="plan_one_approved"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_decision_display()}"


class Rectification(models.Model):
    """What the enterprise did in one round: measures, cost, who answers for it, when finished."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="rectifications")
    round = models.PositiveSmallIntegerField(_("轮次"))
    measures = models.TextField(_("整改措施"))
    cost = models.DecimalField(_("整改费用（元）"), max_digits=14, decimal_places=2, default=0)
    responsible_person = models.CharField(_("整改责任人"), max_length=64)
    completed_on = models.DateField(_("完成日期"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("整改情况")
        verbose_name_plural = _("整改情况")
        ordering = ["hazard", "round"]
        constraints = [
            models.UniqueConstraint(fields=["hazard", "round"], name="rectification_unique_round"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="rectification_cost_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} #{self.round}"


class ExtensionRequest(models.Model):
    """A request for more time, asked in time and decided by the member unit within a limit."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="extension_requests")
    previous_deadline = models.DateField(_("原整改期限"))
    requested_deadline = models.DateField(_("申请延期至"))
    reason = models.TextField(_("延期理由"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("申请时间"))
    decision_due = models.DateField(_("审批期限"))
    decision = models.CharField(
        _("审批结果"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["hazard", "requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"], condition=Q(decision=Decision.PENDING), name="extension_one_pending"
            ),
            models.CheckConstraint(
                condition=Q(requested_deadline__gt=models.F("previous_deadline")),
                name="extension_moves_deadline_later",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} → {self.requested_deadline}"


class ReInspection(models.Model):
    """复查: the verdict on one round of rectification."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="reinspections")
    round = models.PositiveSmallIntegerField(_("轮次"))
    verdict = models.CharField(_("复查结论"), max_length=16, choices=Verdict.choices)
    findings = models.TextField(_("复查意见"), blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("复查人"), on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "registry.Provider",
        verbose_name=_("复查机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reinspections",
    )
    inspected_at = models.DateTimeField(_("复查时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("复查记录")
        verbose_name_plural = _("复查记录")
        ordering = ["hazard", "round"]
        constraints = [models.UniqueConstraint(fields=["hazard", "round"], name="reinspection_unique_round")]

    def __str__(self) -> str:
        return f"{self.hazard_id} #{self.round} {self.get_verdict_display()}"


class ResumptionReview(models.Model):
    """复产审查 of a halted major hazard: the enterprise's written application after assessment
    (Order 16 Art. 18) and the regulator's on-site review within the limit (Art. 23)."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="resumption_reviews")
    assessed_by = models.CharField(_("评估方式"), max_length=16, choices=AssessedBy.choices)
    assessment_summary = models.TextField(_("评估结论"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("申请时间"))
    review_due = models.DateField(_("审查期限"))
    verdict = models.CharField(_("审查结论"), max_length=16, choices=Verdict.choices, blank=True)
    findings = models.TextField(_("审查意见"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审查人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审查时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("复产审查")
        verbose_name_plural = _("复产审查")
        ordering = ["hazard", "applied_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hazard"], condition=Q(verdict=""), name="resumption_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.get_verdict_display() or _('待审查')}"


class Notification(models.Model):
    """One message in a user's inbox. `dedupe_key` makes a repeated send a no-op."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hazard_notifications"
    )
    hazard = models.ForeignKey(
        Hazard, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类别"), max_length=16, choices=NotificationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    dedupe_key = models.CharField(max_length=128, blank=True, editable=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_dedupe"
            )
        ]

    def __str__(self) -> str:
        return self.title


class MajorHazardListing(models.Model):
    """挂牌督办: a government decision to put a confirmed major hazard under listed supervision,
    with its level, supervising unit, deadline and a numbered 督办通知书; ended (摘牌) by the
    acceptance of its rectification, a resumption review, or a regrade to general."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="listings"
    )
    number = models.CharField(_("督办通知书编号"), max_length=64, unique=True)
    level = models.CharField(_("督办级别"), max_length=16, choices=ListingLevel.choices)
    supervising_unit = models.ForeignKey(
        "registry.MemberUnit", verbose_name=_("督办单位"), on_delete=models.PROTECT, related_name="listings"
    )
    deadline = models.DateField(_("督办期限"))
    requirements = models.TextField(_("督办要求"))
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("挂牌人"), on_delete=models.PROTECT, related_name="+"
    )
    listed_at = models.DateTimeField(_("挂牌时间"))
    delisted_at = models.DateTimeField(_("摘牌时间"), null=True, blank=True)
    delisted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("摘牌人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    delist_reason = models.CharField(_("摘牌原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("挂牌督办")
        verbose_name_plural = _("挂牌督办")
        ordering = ["-listed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"], condition=Q(delisted_at__isnull=True), name="listing_one_open_per_hazard"
            ),
        ]

    def __str__(self) -> str:
        return self.number


class Acceptance(models.Model):
    """验收: the listing authority's decision on a major hazard's re-inspected rectification, with
    its numbered 整改复查意见书. Passed closes and de-lists the hazard; not passed sends it back."""

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("隐患"), on_delete=models.CASCADE, related_name="acceptances"
    )
    round = models.PositiveSmallIntegerField(_("整改轮次"))
    number = models.CharField(_("整改复查意见书编号"), max_length=64, unique=True)
    member_unit = models.ForeignKey(
        "registry.MemberUnit", verbose_name=_("验收单位"), on_delete=models.PROTECT, related_name="+"
    )
    verdict = models.CharField(_("验收结论"), max_length=16, choices=Verdict.choices)
    opinion = models.TextField(_("复查意见"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("验收人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("验收时间"))

    class Meta:
        verbose_name = _("验收")
        verbose_name_plural = _("验收")
        ordering = ["hazard", "round", "id"]

    def __str__(self) -> str:
        return self.number
