"""The monthly joint meeting (联席会议, stage 反馈 of the loop): the meeting, who attends and what
each member unit reports, the frozen pack of figures, the minutes and the decisions.

Written only by `services.py`."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from hazardloop.core.models import TimeStampedModel
from hazardloop.core.querysets import ScopedQuerySet
from hazardloop.core.workflows import permitted

from . import rules
from .choices import DecisionKind, DecisionOutcome, MeetingStatus

S = MeetingStatus
OPEN = [S.SCHEDULED, S.HELD]  # until the minutes are published the meeting's record may change


class Meeting(ConcurrentTransitionMixin, TimeStampedModel):
    """One monthly joint meeting of a district's safety committee. `year`/`month` name the month
    it reviews (报告月份); it is normally held around the 10th of the month after.

    `status` moves only through the steps declared below (scheduled → held → minutes
    published); the steps that leave it where it is say in which states they are open, so pages
    and services read one declaration."""

    number = models.CharField(_("会议编号"), max_length=64, unique=True)
    district = models.ForeignKey(
        "registry.Region",
        verbose_name=_("区县"),
        on_delete=models.PROTECT,
        related_name="meetings",
        limit_choices_to={"level": "district"},
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    scheduled_at = models.DateTimeField(_("会议时间"))
    place = models.CharField(_("会议地点"), max_length=200)
    convener = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("召集人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="convened_meetings",
    )
    convener_name = models.CharField(_("召集人姓名"), max_length=64, blank=True)
    status = FSMField(
        _("状态"),
        max_length=24,
        choices=MeetingStatus.choices,
        default=MeetingStatus.SCHEDULED,
        protected=True,
    )
    held_at = models.DateTimeField(_("召开时间"), null=True, blank=True)
    member_units = models.ManyToManyField(
        "registry.MemberUnit", through="Attendance", verbose_name=_("成员单位"), related_name="meetings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-year", "-month", "-id"]
        indexes = [
            models.Index(fields=["district", "-year", "-month"], name="meeting_district_period"),
            models.Index(fields=["status"], name="meeting_status"),
            models.Index(fields=["-scheduled_at"], name="meeting_scheduled_desc"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["district", "year", "month"], name="meeting_one_per_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="meeting_month_valid"),
            models.CheckConstraint(
                condition=Q(status=MeetingStatus.SCHEDULED) | Q(held_at__isnull=False),
                name="meeting_held_has_date",
            ),
        ]

    def __str__(self) -> str:
        return str(self.title)

    @property
    def period(self) -> rules.Period:
        return rules.Period(self.year, self.month)

    @property
    def title(self) -> str:
        return _("%(period)s隐患排查治理联席会议") % {"period": self.period.label()}

    @property
    def convener_display(self) -> str:
        if self.convener_name:
            return self.convener_name
        return str(self.convener) if self.convener else ""

    @property
    def current_pack(self):
        return self.packs.order_by("-built_at", "-id").first()

    # --- steps: own fields only; the services lock, check, save and audit ------------------

    @transition(field=status, source=OPEN, target=S.HELD, permission=permitted("meetings.may_manage"))
    def hold(self, *, at) -> None:
        """Attendance recorded: the meeting was held (re-recording corrects it until publication)."""
        self.held_at = self.held_at or at

    @transition(field=status, source=OPEN, target=None, permission=permitted("meetings.may_manage"))
    def build_pack(self) -> None:
        pass

    @transition(field=status, source=OPEN, target=None, permission=permitted("meetings.may_report"))
    def report(self) -> None:
        pass

    @transition(field=status, source=S.HELD, target=None, permission=permitted("meetings.may_manage"))
    def record_minutes(self) -> None:
        pass

    @transition(field=status, source=S.HELD, target=None, permission=permitted("meetings.may_manage"))
    def record_decision(self) -> None:
        pass

    @transition(
        field=status, source=S.HELD, target=S.MINUTES_PUBLISHED, permission=permitted("meetings.may_approve")
    )
    def publish_minutes(self) -> None:
        """The leader approved the minutes; afterwards nothing of the meeting changes."""


class Attendance(models.Model):
    """A member unit asked to the meeting: whether it attended, who came, and its own report
    (what the unit says about the hazards routed to it)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member_unit = models.ForeignKey(
        "registry.MemberUnit", verbose_name=_("成员单位"), on_delete=models.PROTECT, related_name="+"
    )
    attended = models.BooleanField(_("出席"), default=False)
    representative = models.CharField(_("参会人"), max_length=64, blank=True)
    report = models.TextField(_("成员单位汇报"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("填报时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("参会单位")
        verbose_name_plural = _("参会单位")
        ordering = ["meeting", "member_unit__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member_unit"], name="attendance_unique_unit")
        ]
        indexes = [models.Index(fields=["member_unit", "meeting"], name="attendance_unit_meeting")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.member_unit}"


class MeetingPack(models.Model):
    """The meeting pack (会议材料) as built: every figure frozen as JSON, and the ids of the
    hazards it covers (which were marked fed back). A rebuild adds a new pack; the latest is
    the meeting's, older ones stay as they were printed."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="packs")
    data = models.JSONField(_("材料数据"), encoder=DjangoJSONEncoder)
    hazard_ids = models.JSONField(_("涉及隐患"), default=list, encoder=DjangoJSONEncoder)
    built_at = models.DateTimeField(_("生成时间"))
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("生成人"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议材料")
        verbose_name_plural = _("会议材料")
        ordering = ["meeting", "-built_at", "-id"]
        indexes = [models.Index(fields=["meeting", "-built_at"], name="pack_meeting_built")]

    def __str__(self) -> str:
        return f"{self.meeting} @ {self.built_at:%Y-%m-%d %H:%M}"


class Minutes(models.Model):
    """会议纪要: recorded by the bureau, approved (and so published) by the district leader."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField(_("纪要正文"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="minutes_text_present")]

    def __str__(self) -> str:
        return f"{self.meeting} {_('纪要')}"


class MeetingDecision(models.Model):
    """One decision of the meeting (议定事项). A decision on hazards is carried out at once by the
    hazard services; what they did, or that it was recorded only, is kept in `outcome_detail`."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    seq = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("类别"), max_length=16, choices=DecisionKind.choices)
    text = models.TextField(_("议定内容"))
    hazards = models.ManyToManyField(
        "hazards.Hazard", verbose_name=_("涉及隐患"), blank=True, related_name="meeting_decisions"
    )
    member_unit = models.ForeignKey(
        "registry.MemberUnit",
        verbose_name=_("交办/改派至"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    outcome = models.CharField(_("执行结果"), max_length=16, choices=DecisionOutcome.choices)
    outcome_detail = models.TextField(_("执行情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["meeting", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "seq"], name="decision_unique_seq"),
            models.CheckConstraint(condition=~Q(text=""), name="decision_text_present"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}#{self.seq} {self.get_kind_display()}"
