"""Dashboard and statutory statistics pages. Read-only: every figure comes from queries.py,
which starts from the user's scope; a missing capability answers 403."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from hazardloop.accounts import scoping
from hazardloop.core.tables import PAGE_SIZES, PageResult, page_size_from

from . import exports, queries
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
