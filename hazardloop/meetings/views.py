"""Joint-meeting pages: the list (search, filters, Excel, pagination), a meeting with its pack,
and the forms that call the services. Reads go through the scoping module (out of scope: 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hazardloop.accounts import scoping
from hazardloop.core import exports
from hazardloop.core.access import require
from hazardloop.core.actions import run_page_action
from hazardloop.core.forms import style_widgets
from hazardloop.core.pdf import pdf_response
from hazardloop.core.tables import PAGE_SIZES, paginate
from hazardloop.core.workflows import offered
from hazardloop.hazards.models import Hazard

from . import documents, rules, services
from .choices import DecisionKind
from .filters import MeetingFilter
from .forms import AttendanceForm, DecisionForm, MinutesForm, ReportForm, ScheduleForm
from .models import Meeting, Minutes


def _visible(user):
    return Meeting.objects.visible_to(user).select_related("district", "convener")


def _filtered(request):
    visible = _visible(request.user)
    filterset = MeetingFilter(request.GET, queryset=visible.order_by("-year", "-month"), request=request)
    return filterset, (filterset.qs if filterset.is_valid() else visible.none())


@login_required
def meeting_list(request):
    user = request.user
    require(user, "meetings.view")
    filterset, queryset = _filtered(request)
    style_widgets(filterset.form)
    filterset.form.fields["status"].empty_label = _("全部")
    filterset.form.fields["status"].widget.choices = filterset.form.fields["status"].choices
    result = paginate(request, queryset)
    years = _visible(user).order_by("-year").values_list("year", flat=True).distinct()
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "filter": filterset,
            "result": result,
            "page_sizes": PAGE_SIZES,
            "years": years,
            "ordering": request.GET.get("ordering", ""),
            "can_manage": scoping.can(user, "meetings.manage"),
        },
    )


@login_required
def meeting_export(request):
    user = request.user
    require(user, "meetings.view")
    _filterset, queryset = _filtered(request)
    columns = [
        exports.Column(_("会议编号"), "number", width=24),
        exports.Column(_("会议"), "title", width=36),
        exports.Column(_("区县"), "district.name"),
        exports.Column(_("会议时间"), "scheduled_at", width=20),
        exports.Column(_("地点"), "place", width=24),
        exports.Column(_("召集人"), "convener_display"),
        exports.Column(_("状态"), "get_status_display"),
    ]
    return exports.xlsx_response(queryset, columns, filename_stem=_("联席会议"), sheet_title=_("联席会议"))


@login_required
def meeting_create(request):
    user = request.user
    require(user, "meetings.manage")
    last_month = rules.Period.containing(timezone.localdate()).previous
    initial = {"year": last_month.year, "month": last_month.month}
    form = ScheduleForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        return run_page_action(
            request,
            lambda: services.schedule_meeting(actor=user, **form.cleaned_data),
            success=_("联席会议已安排。"),
            redirect_to=lambda meeting: ("meetings:detail", meeting.pk) if meeting else "meetings:create",
            form=form,
            rerender=lambda form: render(request, "meetings/meeting_form.html", {"form": form}),
        )
    return render(request, "meetings/meeting_form.html", {"form": form})


@login_required
def meeting_detail(request, pk: int):
    user = request.user
    require(user, "meetings.view")
    meeting = scoping.get_visible_or_404(_visible(user), user, pk=pk)
    pack = meeting.current_pack
    # The steps the meeting's state opens and the user may take (declared on Meeting); every
    # form below is offered only for its step, so nothing is offered the service would refuse.
    steps = offered(meeting, user)
    context = {
        "meeting": meeting,
        "steps": steps,
        "pack": pack,
        "tables": documents.section_tables(pack.data) if pack else [],
        "totals": pack.data.get("totals", {}) if pack else {},
        "meta": pack.data.get("meta", {}) if pack else {},
        "built_at": documents.built_at(pack.data) if pack else None,
        "attendances": meeting.attendances.select_related("member_unit", "reported_by").order_by(
            "member_unit__name"
        ),
        "decisions": meeting.decisions.prefetch_related("hazards")
        .select_related("member_unit")
        .order_by("seq"),
        "minutes": Minutes.objects.filter(meeting=meeting).select_related("approved_by").first(),
        "visible_hazard_ids": set(
            Hazard.objects.visible_to(user).filter(pk__in=_linked_ids(pack)).values_list("pk", flat=True)
        )
        if pack
        else set(),
    }
    if "report" in steps:
        own = meeting.attendances.filter(member_unit_id=user.member_unit_id).first()
        context["report_form"] = ReportForm(initial={"report": own.report if own else ""})
    if "hold" in steps:
        context["attendance_form"] = AttendanceForm(
            meeting=meeting,
            initial={"attended": [a.member_unit_id for a in context["attendances"] if a.attended]},
        )
    if "record_minutes" in steps:
        context["minutes_form"] = MinutesForm(
            initial={"text": context["minutes"].text if context["minutes"] else ""}
        )
    if "record_decision" in steps:
        context["decision_form"] = DecisionForm(meeting=meeting)
    return render(request, "meetings/meeting_detail.html", context)


def _linked_ids(pack) -> list[int]:
    ids = []
    for key in ("overdue_hazards", "listed_hazards"):
        ids.extend(row["id"] for row in pack.data.get(key, []))
    return ids


def _meeting_for_action(request, pk: int) -> Meeting:
    return scoping.get_visible_or_404(Meeting.objects.all(), request.user, pk=pk)


def _run(request, meeting: Meeting, call, success: str):
    return run_page_action(request, call, success=success, redirect_to=("meetings:detail", meeting.pk))


@login_required
@require_POST
def build_pack(request, pk: int):
    meeting = _meeting_for_action(request, pk)
    return _run(
        request,
        meeting,
        lambda: services.build_pack(meeting, actor=request.user),
        _("会议材料已生成，相关隐患已标记为已反馈。"),
    )


@login_required
@require_POST
def record_attendance(request, pk: int):
    meeting = _meeting_for_action(request, pk)
    form = AttendanceForm(request.POST, meeting=meeting)
    attended = [u.pk for u in form.cleaned_data["attended"]] if form.is_valid() else []
    return _run(
        request,
        meeting,
        lambda: services.record_attendance(meeting, actor=request.user, attended=attended),
        _("出席情况已登记。"),
    )


@login_required
@require_POST
def submit_report(request, pk: int):
    meeting = _meeting_for_action(request, pk)
    return _run(
        request,
        meeting,
        lambda: services.submit_unit_report(
            meeting, actor=request.user, report=request.POST.get("report", "")
        ),
        _("汇报材料已提交。"),
    )


@login_required
@require_POST
def record_minutes(request, pk: int):
    meeting = _meeting_for_action(request, pk)
    return _run(
        request,
        meeting,
        lambda: services.record_minutes(meeting, actor=request.user, text=request.POST.get("text", "")),
        _("会议纪要已保存。"),
    )


@login_required
@require_POST
def approve_minutes(request, pk: int):
    meeting = _meeting_for_action(request, pk)
    return _run(
        request,
        meeting,
        lambda: services.approve_minutes(meeting, actor=request.user),
        _("会议纪要已审定发布。"),
    )


@login_required
@require_POST
def record_decision(request, pk: int):
    meeting = _meeting_for_action(request, pk)
    form = DecisionForm(request.POST, meeting=meeting)
    if not form.is_valid():
        messages.error(request, "；".join(m for msgs in form.errors.values() for m in msgs))
        return redirect("meetings:detail", pk=meeting.pk)
    numbers = form.numbers()
    hazards = list(Hazard.objects.visible_to(request.user).filter(number__in=numbers))
    missing = sorted(set(numbers) - {h.number for h in hazards})
    if missing:
        messages.error(request, _("找不到隐患：%(numbers)s") % {"numbers": "、".join(missing)})
        return redirect("meetings:detail", pk=meeting.pk)
    data = form.cleaned_data
    return _run(
        request,
        meeting,
        lambda: services.record_decision(
            meeting,
            actor=request.user,
            kind=data["kind"],
            text=data["text"],
            hazards=hazards,
            member_unit=data.get("member_unit"),
            deadline=data.get("deadline"),
        ),
        _("议定事项已记录。") if data["kind"] == DecisionKind.OTHER else _("议定事项已记录并执行。"),
    )


def _pack_or_404(meeting: Meeting):
    pack = meeting.current_pack
    if pack is None:
        raise Http404(_("会议材料尚未生成。"))
    return pack


@login_required
def pack_pdf(request, pk: int):
    user = request.user
    require(user, "meetings.view")
    meeting = scoping.get_visible_or_404(_visible(user), user, pk=pk)
    pack = _pack_or_404(meeting)
    return pdf_response(documents.pack_pdf(meeting, pack), documents.pack_filename(meeting, "pdf"))


@login_required
def pack_xlsx(request, pk: int):
    user = request.user
    require(user, "meetings.view")
    meeting = scoping.get_visible_or_404(_visible(user), user, pk=pk)
    pack = _pack_or_404(meeting)
    response = HttpResponse(documents.pack_xlsx(meeting, pack), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = exports.content_disposition(documents.pack_filename(meeting, "xlsx"))
    return response
