"""Enforcement pages: the list (search, filters, Excel export, pagination), a record's page, and
the forms that record, fulfil, conclude and revoke. Writes go through services only."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.accounts import scoping
from hazardloop.accounts.choices import Role
from hazardloop.core import exports
from hazardloop.core.access import require
from hazardloop.core.actions import run_page_action
from hazardloop.core.forms import style_widgets
from hazardloop.core.tables import PAGE_SIZES, paginate
from hazardloop.core.workflows import offered
from hazardloop.hazards.models import Hazard
from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import Enterprise, MemberUnit, Region

from . import services
from .filters import EnforcementActionFilter
from .forms import ConcludeForm, EnforcementActionForm, FulfilmentForm, RevokeForm
from .models import EnforcementAction


def _filterset(request, visible):
    filterset = EnforcementActionFilter(
        request.GET,
        queryset=visible.select_related("enterprise__township", "member_unit"),
        request=request,
    )
    form = filterset.form
    form.fields["member_unit"].queryset = MemberUnit.objects.filter(
        Q(pk__in=MemberUnit.objects.visible_to(request.user).values("pk"))
        | Q(pk__in=visible.values("member_unit_id"))
    ).order_by("name")
    form.fields["township"].queryset = Region.objects.filter(
        level=RegionLevel.TOWNSHIP, pk__in=visible.values("enterprise__township_id")
    ).order_by("code")
    style_widgets(form)
    for field in form.fields.values():
        if getattr(field, "empty_label", None) is not None:
            field.empty_label = _("全部")
            field.widget.choices = field.choices
    form.fields["art113"].widget = forms.Select(
        choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))], attrs={"class": "form-select"}
    )
    for name in ("decided_from", "decided_to"):
        form.fields[name].widget = forms.DateInput(attrs={"type": "date", "class": "form-control"})
    return filterset


@login_required
def action_list(request):
    user = request.user
    require(user, "enforcement.view")
    visible = EnforcementAction.objects.visible_to(user)
    filterset = _filterset(request, visible)
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    result = paginate(request, queryset)
    statuses = services.art113_statuses({a.enterprise_id for a in result.page.object_list})
    for action in result.page.object_list:
        action.art113 = statuses.get(action.enterprise_id)
    return render(
        request,
        "enforcement/action_list.html",
        {
            "filter": filterset,
            "result": result,
            "page_sizes": PAGE_SIZES,
            "ordering": request.GET.get("ordering", ""),
            "can_record": scoping.can(user, "enforcement.record"),
        },
    )


def export_columns() -> list[exports.Column]:
    C = exports.Column
    return [
        C(_("文书编号"), "document_number", 24),
        C(_("决定日期"), "decided_on", 12, "yyyy-mm-dd"),
        C(_("执法单位"), "member_unit.name", 18),
        C(_("企业"), "enterprise.name", 28),
        C(_("统一社会信用代码"), "enterprise.credit_code", 22),
        C(_("乡镇街道"), "enterprise.township.name", 12),
        C(_("处理类型"), "get_kind_display", 18),
        C(_("行政处罚"), "is_penalty", 8),
        C(_("依据"), "legal_basis_display", 30),
        C(_("违法事实及处理内容"), "facts", 40),
        C(_("履行期限"), "deadline", 12, "yyyy-mm-dd"),
        C(_("单位罚款（元）"), "unit_fine_amount", 14, "#,##0.00"),
        C(_("个人罚款（元）"), "individual_fine_amount", 14, "#,##0.00"),
        C(_("被处罚人"), "individual_name", 10),
        C(_("按日处罚每日金额（元）"), "daily_amount", 14, "#,##0.00"),
        C(_("关联隐患"), lambda a: [h.number for h in a.hazards.all()], 30),
        C(_("状态"), "get_status_display", 10),
        C(_("履行日期"), "fulfilled_on", 12, "yyyy-mm-dd"),
    ]


@login_required
def action_export(request):
    user = request.user
    require(user, "enforcement.view")
    visible = EnforcementAction.objects.visible_to(user)
    filterset = EnforcementActionFilter(
        request.GET,
        queryset=visible.select_related("enterprise__township", "member_unit").prefetch_related(
            Prefetch("hazards", queryset=Hazard.objects.only("pk", "number"))
        ),
        request=request,
    )
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    return exports.xlsx_response(
        queryset, export_columns(), filename_stem=_("执法处理记录"), sheet_title=_("执法处理记录")
    )


@login_required
def action_detail(request, pk: int):
    user = request.user
    require(user, "enforcement.view")
    action = scoping.get_visible_or_404(
        EnforcementAction.objects.select_related("enterprise__township", "member_unit", "created_by"),
        user,
        pk=pk,
    )
    visible_hazards = set(
        Hazard.objects.visible_to(user).filter(enforcement_actions=action).values_list("pk", flat=True)
    )
    # The record's steps open in its state that the user may take (declared on the model), and
    # per hazard whether the hazard's own workflow lets its enforcement end now.
    steps = offered(action, user)
    hazards = [
        (
            h,
            h.pk in visible_hazards,
            "conclude_hazard" in steps
            and h.pk in visible_hazards
            and "conclude_enforcement" in {t.name for t in h.get_available_status_transitions()},
        )
        for h in action.hazards.order_by("number")
    ]
    return render(
        request,
        "enforcement/action_detail.html",
        {
            "action": action,
            "hazards": hazards,
            "art113": services.art113_status(action.enterprise_id),
            "steps": steps,
            "fulfil_form": FulfilmentForm(initial={"fulfilled_on": timezone.localdate()})
            if "fulfil" in steps
            else None,
            "revoke_form": RevokeForm() if "revoke" in steps else None,
        },
    )


@login_required
def action_create(request):
    user = request.user
    require(user, "enforcement.record")
    initial: dict = {"decided_on": timezone.localdate()}
    enterprise = None
    hazard_pk = request.GET.get("hazard")
    if hazard_pk:
        try:
            hazard = scoping.get_visible_or_404(
                Hazard.objects.select_related("enterprise"), user, pk=int(hazard_pk)
            )
        except ValueError as exc:
            raise Http404 from exc
        enterprise = hazard.enterprise
        initial.update(enterprise=enterprise, hazards=[hazard])
        if hazard.member_unit_id:
            initial["member_unit"] = hazard.member_unit_id
    elif request.GET.get("enterprise"):
        try:
            enterprise = scoping.get_visible_or_404(
                Enterprise.objects.all(), user, pk=int(request.GET["enterprise"])
            )
        except ValueError as exc:
            raise Http404 from exc
        initial["enterprise"] = enterprise
    if user.role == Role.MEMBER_UNIT:
        initial["member_unit"] = user.member_unit_id
    form = EnforcementActionForm(request.POST or None, user=user, enterprise=enterprise, initial=initial)

    def page(form):
        return render(request, "enforcement/action_form.html", {"form": form, "enterprise": enterprise})

    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        return run_page_action(
            request,
            lambda: services.record_enforcement_action(
                actor=user,
                member_unit=d["member_unit"],
                enterprise=d["enterprise"],
                kind=d["kind"],
                hazards=list(d["hazards"]),
                reason=d["reason"],
                data=form.action_data(),
            ),
            success=_("执法处理记录已登记。"),
            redirect_to=lambda action: ("enforcement:detail", action.pk) if action else "enforcement:list",
            form=form,
            rerender=page,
        )
    return page(form)


def _act(request, pk: int, form_class, call, template_title: str):
    user = request.user
    require(user, "enforcement.view")
    action = scoping.get_visible_or_404(EnforcementAction.objects.select_related("enterprise"), user, pk=pk)
    require(user, "enforcement.record")
    form = form_class(request.POST or None)

    def page(form):
        return render(
            request, "enforcement/action_step.html", {"action": action, "form": form, "title": template_title}
        )

    if request.method == "POST" and form.is_valid():
        return run_page_action(
            request,
            lambda: call(action, form.cleaned_data),
            success=_("操作成功"),
            redirect_to=("enforcement:detail", action.pk),
            form=form,
            rerender=page,
        )
    return page(form)


@login_required
def action_fulfil(request, pk: int):
    return _act(
        request,
        pk,
        FulfilmentForm,
        lambda action, d: services.record_fulfilment(
            action,
            actor=request.user,
            fulfilled_on=d["fulfilled_on"],
            note=d["note"],
            new_deadline=d["new_deadline"],
        ),
        _("登记履行情况"),
    )


@login_required
def action_revoke(request, pk: int):
    return _act(
        request,
        pk,
        RevokeForm,
        lambda action, d: services.revoke_action(action, actor=request.user, reason=d["reason"]),
        _("撤销执法处理"),
    )


@login_required
def action_conclude(request, pk: int, hazard_pk: int):
    return _act(
        request,
        pk,
        ConcludeForm,
        lambda action, d: services.conclude_hazard_enforcement(
            action, hazard_pk, actor=request.user, deadline=d["new_deadline"], note=d["note"]
        ),
        _("结束隐患执法处理"),
    )
