"""Hazard pages: the board (隐患台账) and a hazard's file with its timeline. Reads only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from hazardloop.accounts import scoping
from hazardloop.core.forms import style_widgets
from hazardloop.core.tables import PAGE_SIZES, paginate

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
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    result = paginate(request, queryset)
    return render(
        request,
        "hazards/hazard_list.html",
        {
            "filter": filterset,
            "result": result,
            "page_sizes": PAGE_SIZES,
            "ordering": request.GET.get("ordering", ""),
            "stages": Stage.choices,
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
    }
    return render(request, "hazards/hazard_detail.html", context)
