"""Excel import and export pages of the registry.

Exports take the list pages' GET parameters through the same FilterSets and `visible_to(user)`,
so a file holds exactly the list the user was looking at. Imports store the upload as a job:
a small file is run in the request, a large one is queued for the worker (`hazardloop
db_worker`), and the job page polls its progress."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hazardloop.accounts import scoping
from hazardloop.core import access, exports
from hazardloop.core.actions import add_service_errors
from hazardloop.core.errors import Refused

from . import imports, services, tasks
from .choices import ImportKind, RegionLevel
from .filters import EnterpriseFilter, ExpertFilter
from .models import Enterprise, Expert, ExpertConflict, ImportJob, Industry, Provider, Region

# Files up to this many rows are imported while the clerk waits; larger ones go to the queue.
INLINE_MAX_ROWS = 2000
# For .xls, whose rows cannot be counted without reading the file, decide by size instead.
INLINE_MAX_BYTES = 256 * 1024
PROGRESS_ID = "import-progress"  # the polling element on the job page, and the partial's root


# --- exports -----------------------------------------------------------------------------------


@login_required
def enterprise_export(request):
    """The enterprise list as .xlsx, filtered as the list page filters it."""
    user = request.user
    access.require(user, "registry.export")
    access.require(user, "registry.view_enterprises")
    visible = Enterprise.objects.visible_to(user)
    filterset = EnterpriseFilter(
        request.GET, queryset=visible.select_related("township", "industry"), request=request
    )
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    return exports.xlsx_response(
        queryset, imports.enterprise_export_columns(), filename_stem=_("企业名录"), sheet_title=_("企业名录")
    )


@login_required
def expert_export(request):
    """The expert list as .xlsx; conflicts only with enterprises the user may see."""
    user = request.user
    access.require(user, "registry.export")
    access.require(user, "registry.view_experts")
    visible = Expert.objects.visible_to(user)
    conflicts = ExpertConflict.objects.filter(
        enterprise__in=Enterprise.objects.visible_to(user)
    ).select_related("enterprise")
    filterset = ExpertFilter(
        request.GET,
        queryset=visible.select_related("provider").prefetch_related(
            "specialty_rows", Prefetch("conflict_rows", queryset=conflicts, to_attr="visible_conflicts")
        ),
        request=request,
    )
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    return exports.xlsx_response(
        queryset, imports.expert_export_columns(), filename_stem=_("专家名录"), sheet_title=_("专家名录")
    )


# --- templates ---------------------------------------------------------------------------------


def _xlsx_attachment(content: bytes, stem: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = exports.content_disposition(exports.export_filename(stem))
    return response


@login_required
def enterprise_template(request):
    """The enterprise import template, listing the townships this user may import into."""
    user = request.user
    access.require(user, "registry.import_enterprises")
    in_scope = services.import_township_scope(user)
    townships = [t for t in Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code") if in_scope(t)]
    content = imports.enterprise_template(townships, Industry.objects.order_by("code"))
    return _xlsx_attachment(content, _("企业名录导入模板"))


@login_required
def expert_template(request):
    user = request.user
    access.require(user, "registry.import_experts")
    content = imports.expert_template(Provider.objects.visible_to(user).order_by("name"))
    return _xlsx_attachment(content, _("专家名录导入模板"))


# --- imports -----------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel 文件"),
        help_text=gettext_lazy("请使用导入模板填写；支持 .xlsx 和 .xls。"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xlsm,.xls"}),
    )


PAGES = {
    ImportKind.ENTERPRISES: {
        "title": gettext_lazy("导入企业名录"),
        "list": "registry:enterprise_list",
        "list_title": gettext_lazy("企业档案"),
        "template": "registry:enterprise_template",
        "import": "registry:enterprise_import",
    },
    ImportKind.EXPERTS: {
        "title": gettext_lazy("导入专家名录"),
        "list": "registry:expert_list",
        "list_title": gettext_lazy("专家库"),
        "template": "registry:expert_template",
        "import": "registry:expert_import",
    },
}


@login_required
def enterprise_import(request):
    return _import_page(request, ImportKind.ENTERPRISES)


@login_required
def expert_import(request):
    return _import_page(request, ImportKind.EXPERTS)


def _import_page(request, kind: ImportKind):
    user = request.user
    access.require(user, services.IMPORT_CAPABILITIES[kind])
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_import(kind, form.cleaned_data["file"], actor=user)
        except Refused:
            raise
        except services.RegistryError as error:
            add_service_errors(form, error)
        else:
            _launch(job)
            return redirect("registry:import_job_detail", pk=job.pk)
    recent = ImportJob.objects.visible_to(user).filter(kind=kind)[:10]
    return render(
        request,
        "registry/import.html",
        {"form": form, "kind": kind, "page": PAGES[kind], "recent": recent},
    )


def _runs_inline(job: ImportJob) -> bool:
    with job.file.open("rb") as handle:
        rows = imports.count_rows(handle, stop_after=INLINE_MAX_ROWS + 1)
    if rows is None:
        return job.file.size <= INLINE_MAX_BYTES
    return rows - 1 <= INLINE_MAX_ROWS


def _launch(job: ImportJob) -> None:
    if _runs_inline(job):
        services.run_import_job(job)
    else:
        # After commit, so a worker never picks up a job whose row it cannot yet see.
        transaction.on_commit(partial(tasks.run_import.enqueue, job.pk))


@login_required
def import_job_detail(request, pk: int):
    """The job's progress while it runs (HTMX polls the #progress partial), then its result or
    every problem found. Only the uploader (and the administrator) may see it."""
    job = scoping.get_visible_or_404(ImportJob.objects.select_related("actor"), request.user, pk=pk)
    page = PAGES[ImportKind(job.kind)]
    context = {
        "job": job,
        "page": page,
        "list_url": reverse(page["list"]),
        "import_url": reverse(page["import"]),
    }
    template = "registry/import_job.html"
    if request.htmx and request.htmx.target == PROGRESS_ID:
        template += "#progress"
    response = render(request, template, context)
    # The same URL answers with a fragment or a page; caches must keep them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response
