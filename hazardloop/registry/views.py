"""Registry pages: enterprise files (一企一档), providers, experts and member units.

Every list starts from `Model.objects.visible_to(user)` and narrows it with the FilterSet the API
and the exports share; every detail goes through `scoping.get_visible_or_404`. Writes go through
registry.services only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from hazardloop.accounts import scoping
from hazardloop.core import access
from hazardloop.core.errors import Refused
from hazardloop.core.forms import style_widgets
from hazardloop.core.tables import PAGE_SIZES, apply_ordering, paginate, paginate_large
from hazardloop.core.templatetags.ui import expiry_state
from hazardloop.hazards.models import Hazard, RectificationNotice
from hazardloop.procurement.models import ServiceContract

from . import rules, services
from .choices import HazardCategory, RegionLevel
from .filters import EnterpriseFilter, ExpertFilter, ProviderFilter
from .forms import EnterpriseForm
from .models import (
    Enterprise,
    Expert,
    ExpertCertificate,
    ExpertConflict,
    Industry,
    MemberUnit,
    Provider,
    Region,
)

ENTERPRISE_RESULTS_ID = "enterprise-results"


def _prepare_filter_form(filterset, *, placeholder) -> None:
    form = filterset.form
    style_widgets(form)
    if "q" in form.fields:
        form.fields["q"].widget.attrs.update({"placeholder": placeholder, "type": "search"})
    for field in form.fields.values():
        if isinstance(field.widget, forms.Select):
            field.widget.attrs["data-autosubmit"] = ""
            # A select that filters reads better with "全部" than with django-filter's "---------".
            if getattr(field, "empty_label", None) is not None:
                field.empty_label = _("全部")
                # The widget copied its choice iterator from the class-level field; rebind it.
                field.widget.choices = field.choices


def _boolean_choices(field) -> None:
    field.widget = forms.Select(
        choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))],
        attrs={"class": "form-select", "data-autosubmit": ""},
    )


# --- enterprises --------------------------------------------------------------------------


@login_required
def enterprise_list(request):
    """企业档案: search, filters, sortable columns, page sizes; HTMX swaps only the results."""
    user = request.user
    access.require(user, "registry.view_enterprises")
    visible = Enterprise.objects.visible_to(user)
    filterset = EnterpriseFilter(
        request.GET, queryset=visible.select_related("township", "industry"), request=request
    )
    # Offer only townships that hold something this user can see; a clerk in 龙泉镇 gains
    # nothing from a list of every township in the province.
    filterset.form.fields["township"].queryset = (
        Region.objects.filter(level=RegionLevel.TOWNSHIP, pk__in=visible.values("township_id"))
        .order_by("code")
        .only("pk", "name", "code")
    )
    _prepare_filter_form(filterset, placeholder=_("企业名称、信用代码或地址"))
    industry_field = filterset.form.fields["industry"]
    industry_field.widget = forms.Select(
        choices=[("", _("全部"))] + [(i.code, f"{i.code} {i.name}") for i in _industry_divisions()],
        attrs={"class": "form-select", "data-autosubmit": ""},
    )
    _boolean_choices(filterset.form.fields["high_risk"])
    for field in filterset.form.fields.values():
        # The form's hx-trigger listens to selects with this class; the search box has its own
        # trigger, so leaving it (a "change" on blur) does not fire a second, racing request.
        if isinstance(field.widget, forms.Select):
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} app-filter-select".strip()
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    # A province holds 100k firms: capped count and keyset windows above the threshold.
    result = paginate_large(request, queryset)
    context = {
        "filter": filterset,
        "result": result,
        "page_sizes": PAGE_SIZES,
        "ordering": request.GET.get("ordering", ""),
        "results_id": ENTERPRISE_RESULTS_ID,
        "is_filtered": any(request.GET.get(k) for k in filterset.form.fields if k != "ordering"),
        "can_edit": scoping.can(user, "registry.edit_enterprise"),
        "can_import": scoping.can(user, "registry.import_enterprises"),
        "can_export": scoping.can(user, "registry.export"),
    }
    template = "registry/enterprise_list.html"
    if request.htmx and request.htmx.target == ENTERPRISE_RESULTS_ID:
        template += "#results"
    response = render(request, template, context)
    # The same URL answers with a fragment or a page; caches must keep them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _industry_divisions():
    return Industry.objects.filter(code__regex=r"^[0-9]{2}$").order_by("code")


@login_required
def enterprise_create(request):
    access.require(request.user, "registry.edit_enterprise")
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.register_enterprise(form.to_data(), actor=request.user)
        except Refused:
            raise
        except services.RegistryError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("企业“%(name)s”已登记。") % {"name": saved.name})
            return redirect("registry:enterprise_detail", pk=saved.pk)
    return render(request, "registry/enterprise_form.html", {"form": form, "enterprise": None})


@login_required
def enterprise_edit(request, pk: int):
    # Scope first: an id outside the user's reach is a 404 whatever their role may do.
    enterprise = scoping.get_visible_or_404(
        Enterprise.objects.select_related("township"), request.user, pk=pk
    )
    access.require(request.user, "registry.edit_enterprise")
    form = EnterpriseForm(request.POST or None, user=request.user, instance=enterprise)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.update_enterprise(
                enterprise, form.to_data(), actor=request.user, version=form.cleaned_data["version"]
            )
        except services.RegistryConflict:
            # Someone saved first: show the form again with their changes taken in where this
            # clerk left the field alone, and say which fields they changed.
            current = Enterprise.objects.select_related("township", "industry").get(pk=pk)
            data, taken, both = form.merge_conflict(current)
            form = EnterpriseForm(data, user=request.user, instance=current)
            form.is_valid()
            form.add_error(None, _("保存前，他人已修改了这份档案，您的修改尚未保存。"))
            if taken:
                form.add_error(None, _("已填入他人的修改：%(fields)s。") % {"fields": "、".join(taken)})
            if both:
                form.add_error(
                    None,
                    _("您与他人都修改了：%(fields)s，当前保留您的填写，请核对。")
                    % {"fields": "、".join(both)},
                )
            form.add_error(None, _("确认无误后请再次保存。"))
            enterprise, status = current, 409
        except Refused:
            raise
        except services.RegistryError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("企业档案已更新。"))
            return redirect("registry:enterprise_detail", pk=saved.pk)
    return render(
        request, "registry/enterprise_form.html", {"form": form, "enterprise": enterprise}, status=status
    )


def high_risk_reasons(enterprise: Enterprise) -> list[str]:
    """Why the computed rule calls this enterprise high-risk (the override is shown apart)."""
    reasons = []
    if rules.is_high_risk_industry(enterprise.industry.code):
        reasons.append(_("行业属高危行业（%(industry)s）") % {"industry": enterprise.industry})
    if enterprise.hazchem_licence:
        reasons.append(_("持有危险化学品许可"))
    # Confined-space work is shown on the file but does not make an enterprise high-risk.
    for field in ("dust_explosion", "ammonia_refrigeration", "molten_metal"):
        if getattr(enterprise, field):
            reasons.append(str(Enterprise._meta.get_field(field).verbose_name))
    return reasons


SPECIAL_ITEM_FIELDS = (
    "hazchem_licence",
    "dust_explosion",
    "ammonia_refrigeration",
    "confined_space",
    "molten_metal",
)


@login_required
def enterprise_detail(request, pk: int):
    """一企一档: the enterprise's file. Later stages (inspections, hazards, notices, enforcement)
    add their cards here."""
    user = request.user
    enterprise = scoping.get_visible_or_404(
        Enterprise.objects.select_related("township__parent", "industry__parent"), user, pk=pk
    )
    can_view_contracts = scoping.can(user, "procurement.view_contracts")
    contracts = (
        ServiceContract.objects.visible_to(user)
        .filter(enterprises=enterprise)
        .select_related("provider", "township")
        .order_by("-start_date")
        if can_view_contracts
        else []
    )
    can_view_experts = scoping.can(user, "registry.view_experts")
    conflicts = (
        ExpertConflict.objects.filter(enterprise=enterprise, expert__in=Expert.objects.visible_to(user))
        .select_related("expert__provider")
        .order_by("expert__name")
        if can_view_experts
        else []
    )
    computed = enterprise.computed_high_risk()
    context = {
        "enterprise": enterprise,
        "contracts": contracts,
        "can_view_contracts": can_view_contracts,
        "conflicts": conflicts,
        "can_view_experts": can_view_experts,
        "can_view_providers": scoping.can(user, "registry.view_providers"),
        "can_edit": scoping.can(user, "registry.edit_enterprise"),
        "can_reveal": scoping.can(user, "personal_data.view_unmasked"),
        "high_risk_reasons": high_risk_reasons(enterprise),
        "computed_high_risk": computed,
        "special_items": [
            (Enterprise._meta.get_field(name).verbose_name, getattr(enterprise, name))
            for name in SPECIAL_ITEM_FIELDS
        ],
        "team_size": enterprise.team_size,
        "notices": (
            scoping.scope(RectificationNotice.objects.filter(enterprise=enterprise), user)
            .select_related("member_unit")
            .order_by("-issued_at")[:50]
            if scoping.can(user, "hazards.view")
            else None
        ),
        "hazards": (
            Hazard.objects.visible_to(user).filter(enterprise=enterprise).order_by("-found_at")[:50]
            if scoping.can(user, "hazards.view")
            else None
        ),
    }
    return render(request, "registry/enterprise_detail.html", context)


# --- providers ----------------------------------------------------------------------------


@login_required
def provider_list(request):
    user = request.user
    access.require(user, "registry.view_providers")
    visible = Provider.objects.visible_to(user)
    filterset = ProviderFilter(
        request.GET,
        queryset=visible.annotate(
            expert_total=Count("experts", distinct=True),
            expert_active=Count("experts", filter=Q(experts__active=True), distinct=True),
        ),
        request=request,
    )
    _prepare_filter_form(filterset, placeholder=_("机构名称或信用代码"))
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    queryset = apply_ordering(
        request,
        queryset,
        {"name": "name", "status": "status", "experts": "expert_active", "staff": "staff_count"},
    )
    result = paginate(request, queryset)
    return render(
        request,
        "registry/provider_list.html",
        {"filter": filterset, "result": result, "page_sizes": PAGE_SIZES},
    )


@login_required
def provider_detail(request, pk: int):
    user = request.user
    access.require(user, "registry.view_providers")
    provider = scoping.get_visible_or_404(Provider.objects.all(), user, pk=pk)
    can_view_experts = scoping.can(user, "registry.view_experts")
    experts = (
        Expert.objects.visible_to(user)
        .filter(provider=provider)
        .prefetch_related("specialty_rows", "certificates")
        .order_by("-active", "name")
        if can_view_experts
        else []
    )
    can_view_contracts = scoping.can(user, "procurement.view_contracts")
    contracts = (
        ServiceContract.objects.visible_to(user)
        .filter(provider=provider)
        .select_related("township")
        .annotate(enterprise_count=Count("enterprises"))
        .order_by("-start_date")
        if can_view_contracts
        else []
    )
    context = {
        "provider": provider,
        "experts": experts,
        "can_view_experts": can_view_experts,
        "contracts": contracts,
        "can_view_contracts": can_view_contracts,
        "summary": _provider_summary(provider, experts if can_view_experts else None),
        "can_reveal": scoping.can(user, "personal_data.view_unmasked"),
    }
    return render(request, "registry/provider_detail.html", context)


def _provider_summary(provider: Provider, experts) -> dict:
    """The entry conditions a township checks before contracting (资质概况)."""
    today = timezone.localdate()
    summary = {
        "office_area_m2": provider.office_area_m2,
        "staff_count": provider.staff_count,
        "major_violation_date": provider.major_violation_date,
        "qualifications": [line.strip() for line in provider.qualifications.splitlines() if line.strip()],
        "equipment": [line.strip() for line in provider.equipment.splitlines() if line.strip()],
    }
    if experts is not None:
        experts = list(experts)
        active = [e for e in experts if e.active]
        summary["expert_total"] = len(experts)
        summary["expert_active"] = len(active)
        summary["expert_full_time"] = sum(1 for e in active if e.full_time)
        summary["valid_certificates"] = sum(
            1 for e in active for c in e.certificates.all() if c.expires is None or c.expires >= today
        )
    return summary


# --- experts ------------------------------------------------------------------------------


@login_required
def expert_list(request):
    user = request.user
    access.require(user, "registry.view_experts")
    visible = Expert.objects.visible_to(user)
    filterset = ExpertFilter(
        request.GET,
        queryset=visible.select_related("provider").prefetch_related(
            "specialty_rows", Prefetch("certificates", queryset=ExpertCertificate.objects.order_by("expires"))
        ),
        request=request,
    )
    filterset.form.fields["provider"].queryset = Provider.objects.visible_to(user).only("pk", "name")
    _prepare_filter_form(filterset, placeholder=_("专家姓名"))
    _boolean_choices(filterset.form.fields["active"])
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    queryset = apply_ordering(
        request,
        queryset,
        {"name": "name", "provider": "provider__name", "title": "title", "active": "active"},
    )
    result = paginate(request, queryset)
    for expert in result.page.object_list:
        states = {expiry_state(c.expires) for c in expert.certificates.all()}
        expert.certificate_alert = "expired" if "expired" in states else ("soon" if "soon" in states else "")
    return render(
        request,
        "registry/expert_list.html",
        {"filter": filterset, "result": result, "page_sizes": PAGE_SIZES},
    )


@login_required
def expert_detail(request, pk: int):
    user = request.user
    access.require(user, "registry.view_experts")
    expert = scoping.get_visible_or_404(Expert.objects.select_related("provider"), user, pk=pk)
    visible_enterprises = Enterprise.objects.visible_to(user)
    conflicts = list(
        expert.conflict_rows.filter(enterprise__in=visible_enterprises)
        .select_related("enterprise__township")
        .order_by("enterprise__name")
    )
    # Conflicts with enterprises outside the viewer's scope are counted, not named.
    hidden_conflicts = expert.conflict_rows.exclude(enterprise__in=visible_enterprises).count()
    context = {
        "expert": expert,
        "certificates": expert.certificates.order_by("expires", "kind"),
        "conflicts": conflicts,
        "hidden_conflicts": hidden_conflicts,
        "can_view_provider": scoping.can(user, "registry.view_providers"),
        "can_reveal": scoping.can(user, "personal_data.view_unmasked"),  # core.personal_data.VIEW_UNMASKED
        "today": timezone.localdate(),
    }
    return render(request, "registry/expert_detail.html", context)


# --- member units -------------------------------------------------------------------------


@login_required
def member_unit_list(request):
    user = request.user
    access.require(user, "registry.view_member_units")
    units = list(
        MemberUnit.objects.visible_to(user)
        .select_related("district")
        .prefetch_related("duties")
        .annotate(user_count=Count("users"))
        .order_by("district__code", "name")
    )
    prefixes = {duty.industry_prefix for unit in units for duty in unit.duties.all() if duty.industry_prefix}
    industry_names = dict(Industry.objects.filter(code__in=prefixes).values_list("code", "name"))
    categories = dict(HazardCategory.choices)
    rows = []
    for unit in units:
        # Grouped by hazard category, with the industries under each, which reads far shorter than
        # one line per (industry, category) pair when a unit answers for thirty industries.
        groups: dict[str, list[dict]] = {}
        for duty in sorted(unit.duties.all(), key=lambda d: (d.hazard_category, d.industry_prefix)):
            groups.setdefault(duty.hazard_category, []).append(
                {"prefix": duty.industry_prefix, "name": industry_names.get(duty.industry_prefix, "")}
            )
        rows.append(
            {
                "unit": unit,
                "duty_count": sum(len(v) for v in groups.values()),
                "groups": [
                    {"category": categories.get(key, ""), "industries": industries}
                    for key, industries in groups.items()
                ],
            }
        )
    return render(request, "registry/member_unit_list.html", {"rows": rows})
