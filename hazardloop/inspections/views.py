"""Inspection pages: the list (排查记录), a visit's file, the record-a-visit flow (draft → results
and findings → submit), the enterprise's acknowledgement, the PDF report, and the checklists.
Reads start from the scoping module; every change goes through `services`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hazardloop.accounts import scoping
from hazardloop.core import exports
from hazardloop.core.access import require
from hazardloop.core.actions import add_service_errors, run_page_action
from hazardloop.core.exports import Column
from hazardloop.core.forms import style_widgets
from hazardloop.core.pdf import pdf_response, render_pdf
from hazardloop.core.tables import PAGE_SIZES, paginate
from hazardloop.core.workflows import offered
from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import Enterprise, Expert, Provider, Region

from . import access, rules, services
from .choices import ItemOutcome
from .filters import InspectionFilter
from .forms import ChecklistItemForm, FindingForm, InspectionForm
from .models import ChecklistItem, ChecklistTemplate, ChecklistVersion, Finding, Inspection, TeamMember


def _all_option(filterset) -> None:
    style_widgets(filterset.form)
    for field in filterset.form.fields.values():
        if getattr(field, "empty_label", None) is not None:
            field.empty_label = _("全部")
            field.widget.choices = field.choices
    filterset.form.fields["team_deviation"].widget = forms.Select(
        choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))], attrs={"class": "form-select"}
    )
    for name in ("date_from", "date_to"):
        filterset.form.fields[name].widget = forms.DateInput(attrs={"type": "date", "class": "form-control"})


def _filtered(request):
    user = request.user
    visible = Inspection.objects.visible_to(user)
    filterset = InspectionFilter(
        request.GET,
        queryset=visible.select_related("enterprise__township", "provider", "contract").annotate(
            finding_count=Count("findings")
        ),
        request=request,
    )
    filterset.form.fields["township"].queryset = Region.objects.filter(
        level=RegionLevel.TOWNSHIP, pk__in=visible.values("enterprise__township_id")
    ).order_by("code")
    filterset.form.fields["provider"].queryset = Provider.objects.filter(
        pk__in=visible.values("provider_id")
    ).order_by("name")
    return visible, filterset


EXPORT_COLUMNS = [
    Column(_("报告编号"), "report_number", 22),
    Column(_("企业"), "enterprise.name", 30),
    Column(_("乡镇街道"), "enterprise.township.name", 14),
    Column(_("服务机构"), "provider.name", 28),
    Column(_("服务合同"), "contract.number", 18),
    Column(_("检查开始"), "started_at", 18, "yyyy-mm-dd hh:mm"),
    Column(_("检查结束"), "ended_at", 18, "yyyy-mm-dd hh:mm"),
    Column(_("状态"), "get_status_display", 12),
    Column(_("发现隐患数"), "finding_count", 10),
    Column(_("人数不足"), "team_deviation", 10),
    Column(_("偏离原因"), "deviation_reason", 24),
    Column(_("陪同人员"), "officer_name", 12),
    Column(_("企业确认时间"), "acknowledged_at", 18, "yyyy-mm-dd hh:mm"),
]


@login_required
def inspection_list(request):
    user = request.user
    require(user, "inspections.view")
    visible, filterset = _filtered(request)
    _all_option(filterset)
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    if request.GET.get("export") == "xlsx":
        require(user, "inspections.export")
        return exports.xlsx_response(
            queryset, EXPORT_COLUMNS, filename_stem=_("排查记录"), sheet_title=_("排查记录")
        )
    context = {
        "filter": filterset,
        "result": paginate(request, queryset),
        "page_sizes": PAGE_SIZES,
        "ordering": request.GET.get("ordering", ""),
        "can_record": scoping.can(user, "inspections.record"),
        "can_export": scoping.can(user, "inspections.export"),
        "export_query": _export_query(request),
    }
    return render(request, "inspections/inspection_list.html", context)


def _export_query(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params["export"] = "xlsx"
    return params.urlencode()


def _get_inspection(user, pk: int) -> Inspection:
    return scoping.get_visible_or_404(
        Inspection.objects.select_related(
            "enterprise__township",
            "enterprise__industry",
            "provider",
            "contract",
            "checklist_version__template",
        ).prefetch_related(
            Prefetch("members", queryset=TeamMember.objects.select_related("expert")),
            Prefetch(
                "findings",
                queryset=Finding.objects.select_related("level", "hazard", "item").prefetch_related("photos"),
            ),
        ),
        user,
        pk=pk,
    )


def _rows(inspection: Inspection):
    results = {r.item_id: r for r in inspection.results.all()}
    return [(item, results.get(item.pk)) for item in inspection.checklist_version.items.all()]


@login_required
def inspection_detail(request, pk: int):
    user = request.user
    require(user, "inspections.view")
    inspection = _get_inspection(user, pk)
    # The visit's steps open in its state that this user may take (declared on Inspection).
    steps = offered(inspection, user)
    can_edit = "record" in steps
    context = {
        "inspection": inspection,
        "rows": _rows(inspection),
        "outcomes": ItemOutcome.choices,
        "can_edit": can_edit,
        "finding_form": FindingForm(version=inspection.checklist_version) if can_edit else None,
        "can_submit": "submit" in steps,
        "can_acknowledge": "acknowledge" in steps,
        "requirement": services.required_team(inspection.enterprise, inspection.contract),
    }
    return render(request, "inspections/inspection_detail.html", context)


@login_required
def inspection_new(request):
    """Record a visit: the draft first (enterprise, team, time, officer); results and findings
    are then added on the visit's page, and the visit submitted from there."""
    user = request.user
    require(user, "inspections.record")
    provider_id = access.provider_of(user)
    enterprises = Enterprise.objects.visible_to(user).active().select_related("township").order_by("name")
    # An expert chooses colleagues of the same firm; the registry's expert scope shows an expert
    # only themselves, so the team is read by provider here.
    experts = Expert.objects.filter(provider_id=provider_id, active=True).prefetch_related("specialty_rows")
    form = InspectionForm(request.POST or None, enterprises=enterprises, experts=experts)
    form.fields["experts"].label_from_instance = lambda e: f"{e.name}（{'、'.join(e.specialty_labels())}）"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.create_inspection(
                actor=user,
                enterprise=data["enterprise"],
                experts=list(data["experts"]),
                leader=data["leader"],
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                officer_name=data["officer_name"],
                officer_unit=data["officer_unit"],
                deviation_reason=data["deviation_reason"],
            )
        except (services.InspectionNotFound, services.InspectionPermissionDenied):
            raise
        except services.InspectionError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("检查记录草稿已保存，请填写检查结果和发现的隐患后提交。"))
            return redirect("inspections:detail", pk=inspection.pk)
    return render(
        request,
        "inspections/inspection_form.html",
        {"form": form, "allow_deviation": services.allow_team_deviation()},
    )


@login_required
@require_POST
def inspection_results(request, pk: int):
    user = request.user
    require(user, "inspections.record")
    inspection = _get_inspection(user, pk)
    results = {}
    for item in inspection.checklist_version.items.all():
        key = f"outcome_{item.pk}"
        if key in request.POST:
            results[item.pk] = (request.POST.get(key, ""), request.POST.get(f"note_{item.pk}", ""))
    return run_page_action(
        request,
        lambda: services.record_item_results(inspection, actor=user, results=results),
        success=_("检查结果已保存。"),
        redirect_to=("inspections:detail", pk),
    )


@login_required
@require_POST
def finding_add(request, pk: int):
    user = request.user
    require(user, "inspections.record")
    inspection = _get_inspection(user, pk)
    form = FindingForm(request.POST, version=inspection.checklist_version)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for message in errors:
                messages.error(request, f"{label}：{message}" if label else message)
        return redirect("inspections:detail", pk=pk)
    data = form.cleaned_data
    return run_page_action(
        request,
        lambda: services.add_finding(
            inspection,
            services.FindingData(
                level=data["level"],
                category=data["category"],
                form=data["form"],
                title=data["title"],
                description=data["description"],
                location=data["location"],
                legal_basis_law=data["legal_basis_law"],
                legal_basis_article=data["legal_basis_article"],
                suggested_measure=data["suggested_measure"],
                deadline=data["deadline"],
                item=data["item"],
            ),
            actor=user,
            photos=request.FILES.getlist("photos"),
        ),
        success=_("已添加发现的隐患。"),
        redirect_to=("inspections:detail", pk),
    )


@login_required
@require_POST
def finding_remove(request, pk: int, finding_pk: int):
    user = request.user
    require(user, "inspections.record")
    inspection = _get_inspection(user, pk)
    finding = inspection.findings.filter(pk=finding_pk).first()
    if finding is None:
        raise services.InspectionNotFound(_("检查发现不存在。"))
    return run_page_action(
        request,
        lambda: services.remove_finding(finding, actor=user),
        success=_("已删除该发现。"),
        redirect_to=("inspections:detail", pk),
    )


@login_required
@require_POST
def inspection_submit(request, pk: int):
    user = request.user
    require(user, "inspections.record")
    inspection = _get_inspection(user, pk)
    return run_page_action(
        request,
        lambda: services.submit_inspection(inspection, actor=user),
        success=_("检查记录已提交，发现的隐患已登记。"),
        redirect_to=("inspections:detail", pk),
    )


@login_required
@require_POST
def inspection_acknowledge(request, pk: int):
    user = request.user
    require(user, "inspections.acknowledge")
    inspection = _get_inspection(user, pk)
    return run_page_action(
        request,
        lambda: services.acknowledge_inspection(inspection, actor=user, note=request.POST.get("note", "")),
        success=_("已确认收到检查报告。"),
        redirect_to=("inspections:detail", pk),
    )


def report_context(inspection: Inspection) -> dict:
    rows = _rows(inspection)
    return {
        "inspection": inspection,
        "members": list(inspection.members.all()),
        "non_conforming": [(item, r) for item, r in rows if r and r.outcome == ItemOutcome.NON_CONFORMING],
        "counts": {
            label: sum(1 for _i, r in rows if r and r.outcome == value)
            for value, label in ItemOutcome.choices
        },
        "unchecked": sum(1 for _i, r in rows if r is None),
        "findings": list(inspection.findings.all()),
    }


@login_required
def inspection_report(request, pk: int):
    """The inspection report as PDF (a draft prints as a preview, marked so)."""
    user = request.user
    require(user, "inspections.view")
    inspection = _get_inspection(user, pk)
    content = render_pdf("inspections/pdf/report.html", report_context(inspection))
    return pdf_response(content, f"{inspection.report_number or '检查报告草稿'}.pdf")


# --- checklists -----------------------------------------------------------------------------


@login_required
def checklist_list(request):
    user = request.user
    require(user, "inspections.view_checklists")
    templates = scoping.scope(ChecklistTemplate.objects.all(), user).prefetch_related(
        Prefetch(
            "versions",
            queryset=ChecklistVersion.objects.annotate(
                item_count=Count("items"), major_count=Count("items", filter=Q(items__major_criterion=True))
            ).order_by("-number"),
        )
    )
    q = request.GET.get("q", "").strip()
    if q:
        templates = templates.filter(Q(name__icontains=q) | Q(description__icontains=q))
    industry = request.GET.get("industry", "").strip()
    if industry:
        # The checklist an enterprise of this industry would be inspected with.
        best = rules.best_template([t for t in templates if t.match_length(industry) >= 0], industry)
        templates = [best] if best else []
    return render(
        request,
        "inspections/checklist_list.html",
        {
            "templates": templates,
            "q": q,
            "industry": industry,
            "can_edit": scoping.can(user, "inspections.edit_checklists"),
        },
    )


CHECKLIST_COLUMNS = [
    Column(_("序号"), "order", 8),
    Column(_("检查类别"), "section", 18),
    Column(_("检查内容"), "text", 60),
    Column(_("依据法规标准"), "source", 40),
    Column(_("条款"), "article", 14),
    Column(_("重大隐患判定项"), "major_criterion", 12),
    Column(_("隐患类别"), "get_hazard_category_display", 12),
    Column(_("隐患形态"), "get_hazard_form_display", 14),
]


@login_required
def checklist_detail(request, pk: int):
    user = request.user
    require(user, "inspections.view_checklists")
    version = scoping.get_visible_or_404(
        ChecklistVersion.objects.select_related("template", "published_by"), user, pk=pk
    )
    if request.GET.get("export") == "xlsx":
        return exports.xlsx_response(
            version.items.all(),
            CHECKLIST_COLUMNS,
            filename_stem=f"{version.template.name}_v{version.number}",
            sheet_title=version.template.name,
        )
    steps = offered(version, user)
    can_edit = "edit" in steps
    edit_item = None
    if can_edit and request.GET.get("edit"):
        edit_item = version.items.filter(pk=request.GET.get("edit")).first()
    initial = (
        {
            "section": edit_item.section,
            "order": edit_item.order,
            "text": edit_item.text,
            "source": edit_item.source,
            "article": edit_item.article,
            "major_criterion": edit_item.major_criterion,
            "hazard_category": edit_item.hazard_category,
            "hazard_form": edit_item.hazard_form,
        }
        if edit_item
        else None
    )
    return render(
        request,
        "inspections/checklist_detail.html",
        {
            "version": version,
            "items": version.items.all(),
            "can_edit": can_edit,
            "can_publish": "publish" in steps,
            "can_revise": scoping.can(user, "inspections.edit_checklists") and not version.is_draft,
            "item_form": ChecklistItemForm(initial=initial) if can_edit else None,
            "edit_item": edit_item,
            "other_versions": version.template.versions.exclude(pk=version.pk).order_by("-number"),
            "in_use": version.inspections.count(),
        },
    )


@login_required
@require_POST
def checklist_revise(request, template_pk: int):
    user = request.user
    require(user, "inspections.edit_checklists")
    template = scoping.get_visible_or_404(ChecklistTemplate.objects.all(), user, pk=template_pk)
    return run_page_action(
        request,
        lambda: services.create_checklist_draft(template, actor=user, note=request.POST.get("note", "")),
        success=None,
        redirect_to=lambda draft: (
            ("inspections:checklist_detail", draft.pk) if draft else "inspections:checklist_list"
        ),
    )


@login_required
@require_POST
def checklist_item_save(request, pk: int):
    user = request.user
    require(user, "inspections.edit_checklists")
    version = scoping.get_visible_or_404(ChecklistVersion.objects.all(), user, pk=pk)
    item = None
    if request.POST.get("item"):
        item = scoping.get_visible_or_404(
            ChecklistItem.objects.filter(version=version), user, pk=request.POST["item"]
        )
    form = ChecklistItemForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for message in errors:
                messages.error(
                    request, f"{form.fields[field].label}：{message}" if field in form.fields else message
                )
        return redirect("inspections:checklist_detail", pk=pk)
    data = form.cleaned_data
    return run_page_action(
        request,
        lambda: services.save_checklist_item(version, services.ItemData(**data), actor=user, item=item),
        success=_("检查项已保存。"),
        redirect_to=("inspections:checklist_detail", pk),
    )


@login_required
@require_POST
def checklist_item_delete(request, pk: int, item_pk: int):
    user = request.user
    require(user, "inspections.edit_checklists")
    version = scoping.get_visible_or_404(ChecklistVersion.objects.all(), user, pk=pk)
    item = scoping.get_visible_or_404(ChecklistItem.objects.filter(version=version), user, pk=item_pk)
    return run_page_action(
        request,
        lambda: services.delete_checklist_item(item, actor=user),
        success=_("检查项已删除。"),
        redirect_to=("inspections:checklist_detail", pk),
    )


@login_required
@require_POST
def checklist_publish(request, pk: int):
    user = request.user
    require(user, "inspections.edit_checklists")
    version = scoping.get_visible_or_404(ChecklistVersion.objects.all(), user, pk=pk)
    return run_page_action(
        request,
        lambda: services.publish_checklist_version(version, actor=user),
        success=_("新版本已发布；此前的检查记录仍保留其所用版本。"),
        redirect_to=("inspections:checklist_detail", pk),
    )
