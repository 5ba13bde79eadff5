"""Hazard pages: the board (隐患台账) and a hazard's file with its timeline. Reads only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hazardloop.accounts import scoping
from hazardloop.core.forms import style_widgets
from hazardloop.core.tables import PAGE_SIZES, paginate

from . import services
from .choices import STAGE_OF_STATE, Stage
from .filters import HazardFilter
from .models import Hazard


def _require(user, capability: str) -> None:
    if not scoping.can(user, capability):
        raise PermissionDenied


@login_required
def hazard_list(request):
    user = request.user
    _require(user, "hazards.view")
    visible = Hazard.objects.visible_to(user)
    filterset = HazardFilter(
        request.GET,
        queryset=visible.select_related("enterprise", "level", "member_unit").order_by("-found_at"),
        request=request,
    )
    style_widgets(filterset.form)
    for field in filterset.form.fields.values():
        if getattr(field, "empty_label", None) is not None:
            field.empty_label = _("全部")
            field.widget.choices = field.choices
    for name in ("overdue", "listed_supervision"):
        filterset.form.fields[name].widget = forms.Select(
            choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))], attrs={"class": "form-select"}
        )
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    result = paginate(request, queryset)
    by_status = dict(visible.order_by().values_list("status").annotate(n=Count("pk")))
    stage_counts = {}
    for state, n in by_status.items():
        stage_counts[STAGE_OF_STATE[state]] = stage_counts.get(STAGE_OF_STATE[state], 0) + n
    return render(
        request,
        "hazards/hazard_list.html",
        {
            "filter": filterset,
            "result": result,
            "page_sizes": PAGE_SIZES,
            "ordering": request.GET.get("ordering", ""),
            "stages": [(value, label, stage_counts.get(value, 0)) for value, label in Stage.choices],
            "total": sum(by_status.values()),
            "today": timezone.localdate(),
        },
    )


@login_required
def hazard_detail(request, pk: int):
    user = request.user
    _require(user, "hazards.view")
    hazard = scoping.get_visible_or_404(
        Hazard.objects.select_related("enterprise", "level", "member_unit"), user, pk=pk
    )
    context = {
        "hazard": hazard,
        "stage": Stage(STAGE_OF_STATE[hazard.status]).label,
        "events": hazard.events.select_related("actor").order_by("seq"),
        "today": timezone.localdate(),
        "actions": available_actions(hazard, user),
    }
    return render(request, "hazards/hazard_detail.html", context)


# --- actions ----------------------------------------------------------------------------------

# Page action → (model transition, capability, service, the text field it takes). Which actions
# are offered is asked of django-fsm and the registered role table; the services decide.
ACTIONS = {
    "approve_plan": (
        "approve_plan",
        "hazards.review_plan",
        services.approve_plan,
        "note",
        gettext_lazy("批准治理方案"),
    ),
    "reject_plan": (
        "reject_plan",
        "hazards.review_plan",
        services.reject_plan,
        "note",
        gettext_lazy("退回治理方案"),
    ),
    "overturn": (
        "overturn",
        "hazards.overturn",
        services.overturn_hazard,
        "reason",
        gettext_lazy("误判撤销"),
    ),
}


def available_actions(hazard: Hazard, user) -> list[dict]:
    open_transitions = {t.name for t in hazard.get_available_status_transitions()}
    return [
        {"name": name, "label": label, "field": field}
        for name, (transition, capability, _service, field, label) in ACTIONS.items()
        if transition in open_transitions and scoping.can(user, capability)
    ]


@login_required
@require_POST
def hazard_act(request, pk: int, action: str):
    user = request.user
    hazard = scoping.get_visible_or_404(Hazard.objects.all(), user, pk=pk)
    if action not in ACTIONS:
        raise Http404
    _transition, _capability, service, field, _label = ACTIONS[action]
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        service(hazard, actor=user, version=version, **{field: request.POST.get(field, "").strip()})
    except services.HazardConflict:
        messages.error(request, _("该隐患已被他人处理，请刷新后重试"))
    except services.HazardError as exc:
        detail = "；".join(m for msgs in exc.errors.values() for m in msgs)
        messages.error(request, f"{exc.message}{'：' + detail if detail else ''}")
    else:
        messages.success(request, _("操作成功"))
    return redirect("hazards:detail", pk=hazard.pk)
