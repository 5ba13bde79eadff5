"""One form per action on a hazard, shared by the hazard page and the API.

Each form knows which model transition must be open, which capability the role needs, any
further condition on who may act (`available`), and how to call its service (`perform`). The
services decide; a form only shapes input and shows the services' per-field messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardloop.core import access
from hazardloop.core.actions import ServiceErrorsMixin
from hazardloop.core.forms import BootstrapFormMixin
from hazardloop.registry.models import MemberUnit

from . import services
from .choices import AssessedBy, DeadlineBasis, Decision, EnforcementReason, LegalLevel, ListingLevel, Verdict
from .models import GovernancePlan, Hazard, HazardLevel


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; each is checked by the service (core.uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
            if self.required and not files:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return files
        value = single(data, initial)
        return [value] if value else []


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _units_of(hazard: Hazard):
    return MemberUnit.objects.filter(district__code=hazard.enterprise.township.code[:6]).order_by("name")


class ActionForm(ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    """Base: the version the user saw (lost-update protection) and the action's metadata."""

    name = ""
    transitions: tuple[str, ...] = ()
    capability = ""
    label = ""
    submit_label = _("提交")
    success_message = _("操作成功")

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, hazard: Hazard, user, **kwargs):
        self.hazard = hazard
        self.user = user
        # Several forms share the page: ids carry the action's name, field names stay plain so
        # that the page and the API post the same keys.
        kwargs.setdefault("auto_id", f"id_{self.name}_%s")
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = hazard.version
        self.setup()

    def setup(self) -> None:
        """Per-hazard choices and initial values."""

    @classmethod
    def available(cls, hazard: Hazard, user) -> bool:
        """Further conditions beyond the open transition and the role's capability."""
        return True

    def perform(self, *, actor, version: int):
        raise NotImplementedError

    def data_fields(self):
        return [field for field in self if field.name != "version"]


# --- supervision --------------------------------------------------------------------------------


class RouteForm(ActionForm):
    name = "route"
    transitions = ("route",)
    capability = "hazards.route"
    label = _("交办")
    submit_label = _("交办")
    success_message = _("已交办")

    member_unit = forms.ModelChoiceField(queryset=MemberUnit.objects.none(), label=_("交办成员单位"))
    note = forms.CharField(label=_("交办说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self):
        self.fields["member_unit"].queryset = _units_of(self.hazard)
        self.suggestion, _why = services.find_route(self.hazard)
        if self.suggestion is not None:
            self.fields["member_unit"].initial = self.suggestion.pk
            self.fields["member_unit"].help_text = _("交办规则建议：%(unit)s") % {
                "unit": self.suggestion.name
            }
        else:
            self.fields["member_unit"].help_text = _("没有匹配的交办规则，请指定成员单位。")

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.route_hazard(
            self.hazard, actor=actor, version=version, member_unit=data["member_unit"], note=data["note"]
        )


class ReassignForm(ActionForm):
    name = "reassign"
    transitions = ("reassign",)
    capability = "hazards.reassign"
    label = _("移送（改派）")
    submit_label = _("移送")
    success_message = _("已移送")

    member_unit = forms.ModelChoiceField(queryset=MemberUnit.objects.none(), label=_("移送至"))
    reason = forms.CharField(label=_("移送理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self):
        self.fields["member_unit"].queryset = _units_of(self.hazard).exclude(pk=self.hazard.member_unit_id)

    @classmethod
    def available(cls, hazard, user):
        return hazard.member_unit_id is not None

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.reassign_hazard(
            self.hazard, actor=actor, version=version, member_unit=data["member_unit"], reason=data["reason"]
        )


class IssueNoticeForm(ActionForm):
    name = "issue_notice"
    transitions = ("issue_notice",)
    capability = "hazards.issue_notice"
    label = _("下达整改通知书")
    submit_label = _("签发")
    success_message = _("整改通知书已签发")

    deadline = forms.DateField(label=_("整改期限"), widget=DateInput)
    basis = forms.ChoiceField(label=_("期限计算方式"), choices=DeadlineBasis.choices)
    requirements = forms.CharField(label=_("整改要求"), widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(label=_("依据"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    halt = forms.BooleanField(label=_("责令停产停业整改"), required=False)

    def setup(self):
        hazard = self.hazard
        deadline, basis = services.default_deadline(hazard.level, timezone.localdate())
        self.fields["deadline"].initial = deadline
        self.fields["basis"].initial = basis
        self.fields["deadline"].help_text = _("按隐患等级默认：%(days)d个%(basis)s") % {
            "days": hazard.level.default_time_limit,
            "basis": DeadlineBasis(hazard.level.time_limit_basis).label,
        }
        self.fields["requirements"].initial = hazard.suggested_measure
        law = "".join(
            filter(None, [hazard.legal_basis_law, hazard.legal_basis_article, hazard.legal_basis_item])
        )
        self.fields["legal_basis"].initial = hazard.legal_basis or law
        if not hazard.is_major:
            del self.fields["halt"]

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.issue_notice(
            self.hazard,
            actor=actor,
            version=version,
            requirements=data["requirements"],
            deadline=data["deadline"],
            basis=data["basis"],
            legal_basis=data["legal_basis"],
            halt=data.get("halt", False),
        )


# --- governance plan ----------------------------------------------------------------------------


def _plan_field(name: str) -> forms.CharField:
    return forms.CharField(
        label=GovernancePlan._meta.get_field(name).verbose_name, widget=forms.Textarea(attrs={"rows": 2})
    )


class SubmitPlanForm(ActionForm):
    name = "submit_plan"
    transitions = ("submit_plan",)
    capability = "hazards.submit_plan"
    label = _("提交治理方案")
    success_message = _("治理方案已提交，等待审核")

    goal_and_tasks = _plan_field("goal_and_tasks")
    methods_and_measures = _plan_field("methods_and_measures")
    funds_and_materials = _plan_field("funds_and_materials")
    funds_amount = forms.DecimalField(
        label=_("治理经费（元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    responsible_body_and_people = _plan_field("responsible_body_and_people")
    time_limit_and_requirements = _plan_field("time_limit_and_requirements")
    safety_and_emergency = _plan_field("safety_and_emergency")
    files = MultipleFileField(label=_("附件（方案文本、图纸等）"), required=False)

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.submit_plan(
            self.hazard,
            actor=actor,
            version=version,
            funds_amount=data["funds_amount"],
            files=data["files"],
            **{name: data[name] for name in GovernancePlan.ELEMENTS},
        )


class ApprovePlanForm(ActionForm):
    name = "approve_plan"
    transitions = ("approve_plan",)
    capability = "hazards.review_plan"
    label = _("批准治理方案")
    submit_label = _("批准")
    success_message = _("治理方案已批准")

    note = forms.CharField(label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def perform(self, *, actor, version):
        return services.approve_plan(
            self.hazard, actor=actor, version=version, note=self.cleaned_data["note"]
        )


class RejectPlanForm(ActionForm):
    name = "reject_plan"
    transitions = ("reject_plan",)
    capability = "hazards.review_plan"
    label = _("退回治理方案")
    submit_label = _("退回")
    success_message = _("治理方案已退回")

    note = forms.CharField(label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def perform(self, *, actor, version):
        return services.reject_plan(self.hazard, actor=actor, version=version, note=self.cleaned_data["note"])


# --- extensions ---------------------------------------------------------------------------------


def _pending_extension(hazard: Hazard):
    return hazard.extension_requests.filter(decision=Decision.PENDING).first()


class RequestExtensionForm(ActionForm):
    name = "request_extension"
    transitions = ("request_extension",)
    capability = "hazards.request_extension"
    label = _("申请延期")
    success_message = _("延期申请已提交")

    requested_deadline = forms.DateField(label=_("申请延期至"), widget=DateInput)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def available(cls, hazard, user):
        return hazard.deadline is not None and _pending_extension(hazard) is None

    def setup(self):
        if self.hazard.deadline:
            self.fields["requested_deadline"].help_text = _("原整改期限：%(deadline)s") % {
                "deadline": self.hazard.deadline.isoformat()
            }

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.request_extension(
            self.hazard,
            actor=actor,
            version=version,
            requested_deadline=data["requested_deadline"],
            reason=data["reason"],
        )


class DecideExtensionForm(ActionForm):
    name = "decide_extension"
    transitions = ("extend_deadline", "refuse_extension")
    capability = "hazards.decide_extension"
    label = _("审批延期申请")
    success_message = _("延期申请已审批")

    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[(Decision.APPROVED, _("同意延期")), (Decision.REFUSED, _("不同意延期"))],
        widget=forms.RadioSelect,
    )
    deadline = forms.DateField(
        label=_("同意延期至"), required=False, widget=DateInput, help_text=_("默认为企业申请的期限")
    )
    note = forms.CharField(
        label=_("审批意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不同意延期时须写明理由"),
    )

    @classmethod
    def available(cls, hazard, user):
        return _pending_extension(hazard) is not None

    def setup(self):
        self.pending = _pending_extension(self.hazard)
        if self.pending is not None:
            self.fields["deadline"].initial = self.pending.requested_deadline

    def perform(self, *, actor, version):
        data = self.cleaned_data
        approve = data["decision"] == Decision.APPROVED
        return services.decide_extension(
            self.hazard,
            actor=actor,
            version=version,
            approve=approve,
            note=data["note"],
            deadline=data["deadline"] if approve else None,
        )


# --- rectification and re-inspection ------------------------------------------------------------


class SubmitRectificationForm(ActionForm):
    name = "submit_rectification"
    transitions = ("submit_rectification",)
    capability = "hazards.submit_rectification"
    label = _("提交整改")
    success_message = _("整改情况已提交，等待复查")

    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}))
    cost = forms.DecimalField(
        label=_("整改费用（元）"), required=False, min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    responsible_person = forms.CharField(label=_("整改责任人"), max_length=64)
    completed_on = forms.DateField(label=_("完成日期"), widget=DateInput)
    evidence = MultipleFileField(
        label=_("整改佐证照片"), help_text=_("至少一张整改后的照片或文件（JPEG/PNG/PDF）")
    )

    def setup(self):
        self.fields["completed_on"].initial = timezone.localdate()

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.submit_rectification(
            self.hazard,
            actor=actor,
            version=version,
            measures=data["measures"],
            responsible_person=data["responsible_person"],
            completed_on=data["completed_on"],
            cost=data["cost"] or 0,
            evidence=data["evidence"],
        )


class VerdictForm(ActionForm):
    verdict = forms.ChoiceField(label=_("结论"), choices=Verdict.choices, widget=forms.RadioSelect)
    findings = forms.CharField(
        label=_("意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不合格时须写明问题"),
    )
    deadline = forms.DateField(
        label=_("新的整改期限"), required=False, widget=DateInput, help_text=_("不合格时可重新确定期限")
    )
    evidence = MultipleFileField(label=_("现场照片"), required=False)


class RecordRectificationForm(SubmitRectificationForm):
    """代录: the same form for a township or member-unit officer, plus who handed it in."""

    name = "record_rectification"
    capability = "hazards.record_rectification"
    label = _("代企业录入整改")
    success_message = _("已代企业录入整改情况，等待复查")

    received_from = forms.CharField(
        label=_("企业提交人"),
        max_length=64,
        help_text=_("向您提交整改情况和佐证材料的企业人员，记入处理记录。"),
    )

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.submit_rectification(
            self.hazard,
            actor=actor,
            version=version,
            measures=data["measures"],
            responsible_person=data["responsible_person"],
            completed_on=data["completed_on"],
            cost=data["cost"] or 0,
            evidence=data["evidence"],
            on_behalf=True,
            received_from=data["received_from"],
        )


class ReinspectForm(VerdictForm):
    name = "reinspect"
    transitions = ("pass_reinspection", "fail_reinspection")
    capability = "hazards.reinspect"
    label = _("录入复查结果")
    success_message = _("复查结果已录入")

    @classmethod
    def available(cls, hazard, user):
        return access.may(user, "hazards.may_reinspect", hazard)

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.record_reinspection(
            self.hazard,
            actor=actor,
            version=version,
            verdict=data["verdict"],
            findings=data["findings"],
            deadline=data["deadline"],
            evidence=data["evidence"],
        )


class CloseOnTheSpotForm(ActionForm):
    name = "close_on_the_spot"
    transitions = ("close_on_the_spot",)
    capability = "hazards.close_on_the_spot"
    label = _("立查立改销号")
    success_message = _("已立查立改销号")

    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible_person = forms.CharField(label=_("整改责任人"), max_length=64)
    evidence = MultipleFileField(label=_("整改后照片"))

    @classmethod
    def available(cls, hazard, user):
        return access.may(user, "hazards.may_close_on_the_spot", hazard)

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.close_on_the_spot(
            self.hazard,
            actor=actor,
            version=version,
            measures=data["measures"],
            responsible_person=data["responsible_person"],
            evidence=data["evidence"],
        )


class OverturnForm(ActionForm):
    name = "overturn"
    transitions = ("overturn",)
    capability = "hazards.overturn"
    label = _("误判撤销")
    submit_label = _("撤销")
    success_message = _("隐患已撤销")

    reason = forms.CharField(label=_("撤销理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def perform(self, *, actor, version):
        return services.overturn_hazard(
            self.hazard, actor=actor, version=version, reason=self.cleaned_data["reason"]
        )


# --- major hazards: government acts ----------------------------------------------------------


def _levels(legal_level: str | None = None):
    qs = HazardLevel.objects.filter(active=True).order_by("order", "id")
    return qs.filter(legal_level=legal_level) if legal_level else qs


class ConfirmMajorForm(ActionForm):
    name = "confirm_major"
    transitions = ("confirm_major",)
    capability = "hazards.grade"
    label = _("认定为重大隐患")
    submit_label = _("认定")
    success_message = _("已认定为重大隐患")

    note = forms.CharField(label=_("认定意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def perform(self, *, actor, version):
        return services.confirm_major(
            self.hazard, actor=actor, version=version, note=self.cleaned_data["note"]
        )


class GradeGeneralForm(ActionForm):
    name = "grade_general"
    transitions = ("grade_general",)
    capability = "hazards.grade"
    label = _("认定为一般隐患")
    submit_label = _("认定")
    success_message = _("已认定为一般隐患")

    level = forms.ModelChoiceField(queryset=HazardLevel.objects.none(), label=_("隐患等级"))
    reason = forms.CharField(label=_("认定理由"), widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self):
        self.fields["level"].queryset = _levels(LegalLevel.GENERAL)
        self.fields["level"].initial = self.fields["level"].queryset.first()

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.grade_general(
            self.hazard, actor=actor, version=version, level=data["level"], reason=data["reason"]
        )


class RegradeForm(ActionForm):
    name = "regrade"
    transitions = ("regrade",)
    capability = "hazards.grade"
    label = _("调整隐患等级")
    submit_label = _("调整")
    success_message = _("隐患等级已调整")

    level = forms.ModelChoiceField(queryset=HazardLevel.objects.none(), label=_("新等级"))
    reason = forms.CharField(label=_("调整理由"), widget=forms.Textarea(attrs={"rows": 2}))

    @classmethod
    def available(cls, hazard, user):
        # A suspected major is decided by 认定 first; the page offers those two acts instead.
        return not hazard.is_suspected_major

    def setup(self):
        self.fields["level"].queryset = _levels().exclude(pk=self.hazard.level_id)

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.regrade(
            self.hazard, actor=actor, version=version, level=data["level"], reason=data["reason"]
        )


class ListMajorForm(ActionForm):
    name = "list_major"
    transitions = ("list_major",)
    capability = "hazards.list_major"
    label = _("挂牌督办")
    submit_label = _("挂牌")
    success_message = _("已挂牌督办")

    level = forms.ChoiceField(
        label=_("督办级别"), choices=ListingLevel.choices, initial=ListingLevel.DISTRICT
    )
    supervising_unit = forms.ModelChoiceField(queryset=MemberUnit.objects.none(), label=_("督办单位"))
    deadline = forms.DateField(label=_("督办期限"), widget=DateInput)
    requirements = forms.CharField(label=_("督办要求"), widget=forms.Textarea(attrs={"rows": 2}))

    def setup(self):
        self.fields["supervising_unit"].queryset = _units_of(self.hazard)
        self.fields["supervising_unit"].initial = self.hazard.member_unit_id
        self.fields["deadline"].initial = self.hazard.deadline

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.list_major(
            self.hazard,
            actor=actor,
            version=version,
            level=data["level"],
            supervising_unit=data["supervising_unit"],
            deadline=data["deadline"],
            requirements=data["requirements"],
        )


class AcceptForm(ActionForm):
    name = "accept"
    transitions = ("accept_rectification", "refuse_acceptance")
    capability = "hazards.accept"
    label = _("验收销号")
    success_message = _("验收结论已录入")

    verdict = forms.ChoiceField(label=_("验收结论"), choices=Verdict.choices, widget=forms.RadioSelect)
    opinion = forms.CharField(label=_("复查意见"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(
        label=_("新的整改期限"), required=False, widget=DateInput, help_text=_("不通过时可重新确定期限")
    )
    evidence = MultipleFileField(label=_("现场照片"), required=False)

    @classmethod
    def available(cls, hazard, user):
        return access.may(user, "hazards.may_accept", hazard)

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.accept_rectification(
            self.hazard,
            actor=actor,
            version=version,
            verdict=data["verdict"],
            opinion=data["opinion"],
            deadline=data["deadline"],
            evidence=data["evidence"],
        )


# --- enforcement (the enforcement app records the action; these are the bare transitions) ------


class StartEnforcementForm(ActionForm):
    name = "start_enforcement"
    transitions = ("start_enforcement",)
    capability = "hazards.enforce"
    label = _("转入执法处理")
    success_message = _("已转入执法处理")

    reason = forms.ChoiceField(label=_("执法原因"), choices=EnforcementReason.choices)
    note = forms.CharField(label=_("执法处理情况"), widget=forms.Textarea(attrs={"rows": 2}))
    halt = forms.BooleanField(label=_("责令停产停业整改"), required=False)

    def setup(self):
        if not self.hazard.is_major:
            del self.fields["halt"]

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.start_enforcement(
            self.hazard,
            actor=actor,
            version=version,
            reason=data["reason"],
            note=data["note"],
            halt=data.get("halt", False),
        )


class ConcludeEnforcementForm(ActionForm):
    name = "conclude_enforcement"
    transitions = ("conclude_enforcement",)
    capability = "hazards.enforce"
    label = _("执法处理完毕")
    success_message = _("执法处理已结束，隐患回到整改")

    note = forms.CharField(label=_("执法处理结果"), widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(label=_("新的整改期限"), widget=DateInput)
    halt = forms.BooleanField(label=_("责令停产停业整改"), required=False)

    def setup(self):
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=15)
        if not self.hazard.is_major:
            del self.fields["halt"]

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.conclude_enforcement(
            self.hazard,
            actor=actor,
            version=version,
            note=data["note"],
            deadline=data["deadline"],
            halt=data.get("halt", False),
        )


# --- resumption ---------------------------------------------------------------------------------


class ApplyResumptionForm(ActionForm):
    name = "apply_resumption"
    transitions = ("apply_resumption",)
    capability = "hazards.apply_resumption"
    label = _("申请复产")
    success_message = _("复产申请已提交")

    assessed_by = forms.ChoiceField(label=_("评估方式"), choices=AssessedBy.choices)
    assessment_summary = forms.CharField(
        label=_("治理效果评估结论"), widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = MultipleFileField(label=_("评估报告或复产申请书"))

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.apply_resumption(
            self.hazard,
            actor=actor,
            version=version,
            assessed_by=data["assessed_by"],
            assessment_summary=data["assessment_summary"],
            evidence=data["evidence"],
        )


class ReviewResumptionForm(VerdictForm):
    name = "review_resumption"
    transitions = ("pass_resumption_review", "fail_resumption_review")
    capability = "hazards.review_resumption"
    label = _("复产审查")
    success_message = _("复产审查结果已录入")

    def perform(self, *, actor, version):
        data = self.cleaned_data
        return services.review_resumption(
            self.hazard,
            actor=actor,
            version=version,
            verdict=data["verdict"],
            findings=data["findings"],
            deadline=data["deadline"],
            evidence=data["evidence"],
        )


@dataclass(frozen=True)
class Action:
    name: str
    form: type[ActionForm]

    @property
    def label(self):
        return self.form.label

    @property
    def capability(self) -> str:
        return self.form.capability

    def offered(self, hazard: Hazard, user, open_transitions: set[str]) -> bool:
        return (
            any(t in open_transitions for t in self.form.transitions)
            and access.can(user, self.capability)
            and self.form.available(hazard, user)
        )


FORMS: tuple[type[ActionForm], ...] = (
    ConfirmMajorForm,
    GradeGeneralForm,
    RouteForm,
    IssueNoticeForm,
    SubmitPlanForm,
    ApprovePlanForm,
    RejectPlanForm,
    RequestExtensionForm,
    DecideExtensionForm,
    SubmitRectificationForm,
    RecordRectificationForm,
    ReinspectForm,
    AcceptForm,
    ListMajorForm,
    RegradeForm,
    CloseOnTheSpotForm,
    ApplyResumptionForm,
    ReviewResumptionForm,
    StartEnforcementForm,
    ConcludeEnforcementForm,
    ReassignForm,
    OverturnForm,
)

# Page and API action name → action, in the order the page lists them.
ACTIONS: dict[str, Action] = {form.name: Action(form.name, form) for form in FORMS}

# Recorded by the enforcement app's own page when it exists (the page links there instead).
ENFORCEMENT_ACTIONS = frozenset({"start_enforcement", "conclude_enforcement"})
