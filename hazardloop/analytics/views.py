"""Dashboard and statutory statistics pages. Read-only: every figure comes from queries.py,
which starts from the user's scope; a missing capability answers 403."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hazardloop.accounts import scoping
from hazardloop.accounts.choices import Role
from hazardloop.core.tables import PAGE_SIZES, PageResult, page_size_from
from hazardloop.procurement.models import ServiceContract
from hazardloop.registry.choices import EnterpriseStatus, SizeClass
from hazardloop.registry.models import Enterprise, Expert, Provider

from . import exports, queries
from . import workbench as tasks
from .choices import StatisticsLevel
from .forms import DashboardForm, StatisticsForm


def _require(user, capability: str) -> None:
    if not scoping.can(user, capability):
        raise PermissionDenied


def filer_name(user) -> str:
    """The filing unit printed on the table: the user's organisation."""
    return getattr(user, "organisation_name", "") or str(user)


@login_required
def dashboard(request):
    user = request.user
    _require(user, "analytics.view_dashboard")
    form = DashboardForm(request.GET or None, user=user)
    f = form.to_filter()
    if not request.GET:
        form.initial = {"year": f.year}
    data = queries.dashboard(user, f)
    return render(
        request,
        "analytics/dashboard.html",
        {"form": form, "filter": f, "data": data, "chart_data": chart_payload(data)},
    )


def chart_payload(data: dict) -> dict:
    """What the page's script draws (numbers as numbers; JSON has no Decimal)."""
    return {
        "funnel": data["funnel"]["stages"],
        "trend": data["trend"],
        "townships": [
            {k: r[k] for k in ("name", "found", "major", "closed", "overdue")} for r in data["townships"]
        ],
        "industries": [{k: r[k] for k in ("name", "found", "major", "closed")} for r in data["industries"]],
        "providers": [{k: r[k] for k in ("name", "found", "major", "closed")} for r in data["providers"]],
        "closure": data["closure"],
        "cost": [
            {"name": r["name"], "spend": float(r["spend"]), "staff_cost": float(r["staff_cost"])}
            for r in data["cost"]["rows"]
        ],
    }


def _statistics(request):
    """The form, its values and the table. Missing filters take the defaults (the last ended
    quarter, the widest level) explicitly, so the form, the page links and the exports all
    name the period shown."""
    user = request.user
    _require(user, "analytics.view_statistics")
    data = request.GET.copy()
    if not data.get("year"):
        probe = StatisticsForm(None, user=user)
        for key, value in probe.initial_for(probe.values()).items():
            data.setdefault(key, value)
    form = StatisticsForm(data, user=user)
    values = form.values()
    table = queries.statistics(
        user, values["period"], values["level"], township=values["township"], q=values["q"]
    )
    return form, data, table


@login_required
def statistics(request):
    form, data, table = _statistics(request)
    size = page_size_from(request)
    page = Paginator(table.rows, size).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "analytics/statistics.html",
        {
            "form": form,
            "table": table,
            "result": PageResult(
                page=page,
                page_size=size,
                page_range=list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
            ),
            "page_sizes": PAGE_SIZES,
            "query": query.urlencode(),
            "columns": exports.COLUMNS,
            "unit_header": exports.UNIT_HEADER[StatisticsLevel(table.level)],
            "is_enterprise_level": table.level == StatisticsLevel.ENTERPRISE,
            "level_label": StatisticsLevel(table.level).label,
        },
    )


@login_required
def statistics_xlsx(request):
    _form, _data, table = _statistics(request)
    return exports.xlsx_response(table, filer=filer_name(request.user))


@login_required
def statistics_pdf(request):
    _form, _data, table = _statistics(request)
    return exports.pdf_download(table, filer=filer_name(request.user))


# --- the workbench (the landing page) ---------------------------------------------------------


@dataclass(frozen=True)
class Shortcut:
    url_name: str
    label: Promise
    icon: str
    capability: str | None


# What each role reaches for first; filtered by capability, so a role sees only what it may do.
SHORTCUTS = [
    Shortcut("registry:enterprise_create", _("新增企业"), "plus-square", "registry.edit_enterprise"),
    Shortcut("registry:enterprise_import", _("批量导入"), "upload", "registry.import_enterprises"),
    Shortcut("registry:enterprise_list", _("企业档案"), "buildings", "registry.view_enterprises"),
    Shortcut("registry:provider_list", _("服务机构"), "briefcase", "registry.view_providers"),
    Shortcut("registry:expert_list", _("专家库"), "person-badge", "registry.view_experts"),
    Shortcut("registry:member_unit_list", _("成员单位"), "diagram-3", "registry.view_member_units"),
    Shortcut("password_change", _("修改密码"), "key", None),
]


def _shortcuts(user) -> list[dict]:
    items = []
    for shortcut in SHORTCUTS:
        if shortcut.capability and not scoping.can(user, shortcut.capability):
            continue
        try:
            url = reverse(shortcut.url_name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": shortcut.label, "icon": shortcut.icon})
    return items


def _percent_class(part: int, whole: int) -> str:
    # Widths come from CSS classes in 5 % steps because the CSP forbids style attributes.
    if not whole:
        return "w-pct-0"
    return f"w-pct-{min(100, round(part * 20 / whole) * 5)}"


@login_required
def workbench(request):
    """The landing page: the role's to-do lists first, ordered by deadline, each item one
    click from its action (analytics/workbench.py); below them what the user's scope holds."""
    user = request.user
    today = timezone.localdate()
    enterprises = Enterprise.objects.visible_to(user)
    totals = enterprises.aggregate(
        total=Count("pk"),
        high_risk=Count("pk", filter=Q(high_risk=True)),
        large_medium=Count("pk", filter=Q(size__in=[SizeClass.LARGE, SizeClass.MEDIUM])),
        active=Count("pk", filter=Q(status=EnterpriseStatus.ACTIVE)),
    )
    by_township = []
    if user.role != Role.ENTERPRISE:
        rows = (
            enterprises.values("township_id", "township__name")
            .annotate(n=Count("pk"), risky=Count("pk", filter=Q(high_risk=True)))
            .order_by("-n", "township__name")[:8]
        )
        top = max((row["n"] for row in rows), default=0)
        by_township = [{**row, "bar": _percent_class(row["n"], top)} for row in rows]
    context = {
        "enterprise_count": totals["total"],
        "high_risk_count": totals["high_risk"],
        "large_medium_count": totals["large_medium"],
        "active_count": totals["active"],
        "provider_count": Provider.objects.visible_to(user).count()
        if scoping.can(user, "registry.view_providers")
        else None,
        "expert_count": Expert.objects.visible_to(user).filter(active=True).count()
        if scoping.can(user, "registry.view_experts")
        else None,
        "contract_count": ServiceContract.objects.visible_to(user).in_force().count()
        if scoping.can(user, "procurement.view_contracts")
        else None,
        "by_township": by_township,
        "recent": enterprises.select_related("township").order_by("-updated_at", "-pk")[:6],
        "own_enterprise": enterprises.select_related("township").first()
        if user.role == Role.ENTERPRISE
        else None,
        "shortcuts": _shortcuts(user),
        "loop": _loop_summary(user),
        "today": today,
        "task_lists": tasks.task_lists(user, today),
        "figures": tasks.leader_figures(user, today) if user.role == Role.LEADER else None,
    }
    return render(request, "analytics/workbench.html", context)


def _loop_summary(user) -> dict | None:
    """The six stages with this user's hazards in each, what waits for the user, what is
    overdue, and this month's inspections: a fixed handful of aggregate queries."""
    if not scoping.can(user, "hazards.view"):
        return None
    from hazardloop.hazards.choices import STAGE_OF_STATE, Stage
    from hazardloop.hazards.filters import awaiting_move_of
    from hazardloop.hazards.models import Hazard

    today = timezone.localdate()
    visible = Hazard.objects.visible_to(user)
    by_stage: dict[str, int] = {}
    for status, n in visible.order_by().values_list("status").annotate(n=Count("pk")):
        by_stage[STAGE_OF_STATE[status]] = by_stage.get(STAGE_OF_STATE[status], 0) + n
    six = [s for s in Stage if s not in (Stage.CLOSED, Stage.OVERTURNED)]
    summary = {
        "stages": [
            (n, stage.value, stage.label, by_stage.get(stage.value, 0)) for n, stage in enumerate(six, 1)
        ],
        "closed": by_stage.get(Stage.CLOSED.value, 0),
        "mine": visible.filter(awaiting_move_of(user)).count(),
        "overdue": visible.overdue(today).count(),
        "inspections_this_month": None,
    }
    if scoping.can(user, "inspections.view"):
        from hazardloop.inspections.models import Inspection

        month_start = today.replace(day=1)
        summary["inspections_this_month"] = scoping.scope(
            Inspection.objects.filter(started_at__date__gte=month_start), user
        ).count()
    return summary
