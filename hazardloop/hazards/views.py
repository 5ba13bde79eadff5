"""Hazard pages: the board (隐患台账), a hazard's file with its records, timeline and the forms of
the actions open to the user, attachments and the notice PDF. Actions call the services."""

from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hazardloop.accounts import scoping
from hazardloop.core import access
from hazardloop.core.actions import run_page_action
from hazardloop.core.forms import style_widgets
from hazardloop.core.pagination import ListCount, list_count
from hazardloop.core.pdf import pdf_response, render_pdf
from hazardloop.core.tables import PAGE_SIZES, paginate_large

from .choices import OWNER_OF_STATE, STAGE_OF_STATE, GradeBasis, Party, Stage
from .filters import PARTY_OF_ROLE, HazardFilter, awaiting_move_of
from .forms import ACTIONS, ENFORCEMENT_ACTIONS, ActionForm
from .models import Acceptance, Hazard, HazardAttachment, MajorHazardListing, RectificationNotice


@login_required
def hazard_list(request):
    user = request.user
    access.require(user, "hazards.view")
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
    for name in ("overdue", "listed_supervision", "mine"):
        filterset.form.fields[name].widget = forms.Select(
            choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))], attrs={"class": "form-select"}
        )
    queryset = filterset.qs if filterset.is_valid() else visible.none()
    result = paginate_large(request, queryset, large=lambda rows: rows.seekable())
    total, stage_counts = _stage_counts(visible)
    return render(
        request,
        "hazards/hazard_list.html",
        {
            "filter": filterset,
            "result": result,
            "page_sizes": PAGE_SIZES,
            "ordering": request.GET.get("ordering", ""),
            "stages": [(value, label, stage_counts[value]) for value, label in Stage.choices],
            "total": total,
            "mine_count": list_count(visible.filter(awaiting_move_of(user)))
            if user.role in PARTY_OF_ROLE
            else None,
            "mine": request.GET.get("mine") == "true",
            "today": timezone.localdate(),
        },
    )


def _stage_counts(visible) -> tuple[ListCount, dict[str, ListCount]]:
    """The tab counts: one GROUP BY while the scope is small enough to count exactly; above
    that each stage is counted like the list (exact to the threshold, then estimated or capped),
    since grouping a million rows costs seconds on every visit to the board."""
    total = list_count(visible)
    if total.exact:
        by_status = dict(visible.order_by().values_list("status").annotate(n=Count("pk")))
        counts = dict.fromkeys(Stage.values, 0)
        for state, n in by_status.items():
            counts[STAGE_OF_STATE[state]] += n
        return total, {stage: ListCount(n) for stage, n in counts.items()}
    return total, {stage: list_count(visible.in_stage(stage)) for stage in Stage.values}


@login_required
def hazard_detail(request, pk: int):
    user = request.user
    access.require(user, "hazards.view")
    hazard = scoping.get_visible_or_404(
        Hazard.objects.select_related("enterprise", "enterprise__township", "level", "member_unit"),
        user,
        pk=pk,
    )
    return _render_detail(request, hazard)


def _render_detail(request, hazard: Hazard, *, bound: ActionForm | None = None, status: int = 200):
    user = request.user
    attachments = list(hazard.attachments.select_related("uploaded_by").order_by("uploaded_at", "id"))
    by_event: dict[int, list[HazardAttachment]] = {}
    for attachment in attachments:
        if attachment.event_id:
            by_event.setdefault(attachment.event_id, []).append(attachment)
    events = list(hazard.events.select_related("actor").order_by("at", "seq"))
    # Which events a record's files hang on: the event's data names the record it made.
    events_of: dict[tuple[str, int], list[int]] = {}
    for event in events:
        for key in ("rectification", "reinspection", "plan", "review"):
            if key in (event.data or {}):
                events_of.setdefault((key, event.data[key]), []).append(event.pk)

    def files(key: str, pk: int) -> list[HazardAttachment]:
        return [a for event_pk in events_of.get((key, pk), []) for a in by_event.get(event_pk, [])]

    rectifications = [
        (r, files("rectification", r.pk)) for r in hazard.rectifications.select_related("submitted_by")
    ]
    reinspections = [
        (r, files("reinspection", r.pk)) for r in hazard.reinspections.select_related("inspector", "provider")
    ]
    plans = [(p, files("plan", p.pk)) for p in hazard.plans.select_related("submitted_by", "decided_by")]
    reviews = [
        (r, files("review", r.pk))
        for r in hazard.resumption_reviews.select_related("applied_by", "reviewed_by")
    ]
    context = {
        "hazard": hazard,
        "stage": Stage(STAGE_OF_STATE[hazard.status]).label,
        "owner": Party(OWNER_OF_STATE[hazard.status]).label if hazard.status in OWNER_OF_STATE else "",
        "events": events,
        "today": timezone.localdate(),
        "actions": available_actions(hazard, user, bound=bound),
        "enforcement_url": _enforcement_url(hazard, user),
        "inspection": _visible_inspection(hazard, user),
        "notices": hazard.notices.select_related("member_unit", "issued_by").order_by("issued_at", "id"),
        "plans": plans,
        "extensions": hazard.extension_requests.select_related("requested_by", "decided_by"),
        "rectifications": rectifications,
        "reinspections": reinspections,
        "reviews": reviews,
        "listings": hazard.listings.select_related("supervising_unit", "listed_by", "delisted_by"),
        "acceptances": hazard.acceptances.select_related("member_unit", "decided_by"),
        "attachments": attachments,
    }
    return render(request, "hazards/hazard_detail.html", context, status=status)


def _visible_inspection(hazard: Hazard, user):
    """The visit this hazard was found on, if the user may open it (the link would 404
    otherwise: an enterprise sees its hazards and its own visits, a member unit no visits)."""
    if hazard.inspection_id is None or not scoping.can(user, "inspections.view"):
        return None
    from hazardloop.inspections.models import Inspection

    return (
        scoping.scope(Inspection.objects.filter(pk=hazard.inspection_id), user)
        .only("pk", "report_number")
        .first()
    )


def _enforcement_url(hazard: Hazard, user) -> str:
    """The enforcement app's page for recording an action on this hazard, once it exists."""
    if not hazard.is_open or not scoping.can(user, "hazards.enforce"):
        return ""
    open_transitions = {t.name for t in hazard.get_available_status_transitions()}
    if not open_transitions & {"start_enforcement", "conclude_enforcement"}:
        return ""
    try:
        return f"{reverse('enforcement:create')}?hazard={hazard.pk}"
    except NoReverseMatch:
        return ""


# --- actions ----------------------------------------------------------------------------------


def available_actions(hazard: Hazard, user, *, bound: ActionForm | None = None) -> list[dict]:
    """The actions offered on the page: the model's transition is open for this user (django-fsm,
    with the transition's own role guard), the role has the capability, and the form's row-level
    predicate holds. The services decide, through the same predicates."""
    open_transitions = {t.name for t in hazard.get_available_user_status_transitions(user)}
    enforcement_page = bool(_enforcement_url(hazard, user))
    offered = []
    for name, action in ACTIONS.items():
        if name in ENFORCEMENT_ACTIONS and enforcement_page:
            continue
        if not action.offered(hazard, user, open_transitions):
            continue
        form = bound if bound is not None and bound.name == name else action.form(hazard=hazard, user=user)
        offered.append({"name": name, "label": action.label, "form": form, "open": form is bound})
    return offered


@login_required
@require_POST
def hazard_act(request, pk: int, action: str):
    user = request.user
    hazard = scoping.get_visible_or_404(
        Hazard.objects.select_related("enterprise", "enterprise__township", "level", "member_unit"),
        user,
        pk=pk,
    )
    if action not in ACTIONS:
        raise Http404
    spec = ACTIONS[action]
    access.require(user, spec.capability)
    form = spec.form(request.POST, request.FILES, hazard=hazard, user=user)
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, _("该隐患已被他人处理，请刷新后重试"))
            return redirect("hazards:detail", pk=hazard.pk)
        messages.error(request, _("请检查填写的内容。"))
        return _render_detail(request, hazard, bound=form, status=400)

    def rerender(bound):
        hazard.refresh_from_db()
        return _render_detail(request, hazard, bound=bound)

    return run_page_action(
        request,
        lambda: form.perform(actor=user, version=form.cleaned_data["version"]),
        success=form.success_message,
        redirect_to=("hazards:detail", hazard.pk),
        form=form,
        rerender=rerender,
    )


# --- documents ----------------------------------------------------------------------------------

INLINE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


@login_required
def attachment_download(request, pk: int):
    """A hazard's attachment, streamed to those who may see the hazard (never via MEDIA_URL).
    Photos (re-encoded on upload) are shown inline; anything else is a download."""
    access.require(request.user, "hazards.view")
    attachment = scoping.get_visible_or_404(HazardAttachment.objects.all(), request.user, pk=pk)
    suffix = PurePath(attachment.file.name).suffix.lower()
    if suffix == ".pdf":
        content_type, inline = "application/pdf", False
    elif suffix in INLINE_TYPES:
        content_type, inline = INLINE_TYPES[suffix], True
    else:
        content_type, inline = "application/octet-stream", False
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = attachment.original_name or PurePath(attachment.file.name).name
    if PurePath(name).suffix.lower() != suffix:
        name = f"{PurePath(name).stem}{suffix}"
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def notice_pdf(request, pk: int):
    """整改通知书 as a PDF, for those who see one of its hazards."""
    access.require(request.user, "hazards.view")
    notice = scoping.get_visible_or_404(
        RectificationNotice.objects.select_related("member_unit", "enterprise", "issued_by"),
        request.user,
        pk=pk,
    )
    return pdf_response(render_notice_pdf(notice), f"{notice.number}.pdf")


def render_notice_pdf(notice: RectificationNotice) -> bytes:
    hazards = notice.hazards.select_related("level").order_by("number")
    return render_pdf(
        "hazards/pdf/notice.html",
        {
            "notice": notice,
            "hazards": hazards,
            "major": any(h.is_major for h in hazards),
        },
    )


# --- major hazards: the listed ledger and the government's documents ---------------------------


@login_required
def listed_hazards(request):
    """挂牌督办 ledger: the listings the user may see, open ones first (a page for logged-in users;
    the public list is a later step)."""
    access.require(request.user, "hazards.view")
    rows = access.scope(
        MajorHazardListing.objects.select_related(
            "hazard", "hazard__enterprise", "supervising_unit", "listed_by"
        ),
        request.user,
    )
    state = request.GET.get("state", "open")
    if state == "open":
        rows = rows.filter(delisted_at__isnull=True)
    elif state == "delisted":
        rows = rows.filter(delisted_at__isnull=False)
    rows = rows.order_by("delisted_at", "-listed_at", "-id")
    suspected = (
        access.scope(Hazard.objects.open().filter(grade_basis=GradeBasis.SUSPECTED), request.user)
        .select_related("enterprise")
        .order_by("confirmation_due")
    )
    return render(
        request,
        "hazards/listed_list.html",
        {
            "listings": rows[:500],
            "state": state,
            "suspected": suspected[:200],
            "now": timezone.now(),
            "today": timezone.localdate(),
        },
    )


@login_required
def listing_pdf(request, pk: int):
    """督办通知书 as a PDF, for those who see its hazard."""
    access.require(request.user, "hazards.view")
    listing = access.get_visible_or_404(
        MajorHazardListing.objects.select_related(
            "hazard", "hazard__enterprise", "supervising_unit", "listed_by"
        ),
        request.user,
        pk=pk,
    )
    return pdf_response(
        render_pdf("hazards/pdf/listing.html", {"listing": listing, "hazard": listing.hazard}),
        f"{listing.number}.pdf",
    )


@login_required
def acceptance_pdf(request, pk: int):
    """整改复查意见书 of an acceptance (验收), for those who see its hazard."""
    access.require(request.user, "hazards.view")
    record = access.get_visible_or_404(
        Acceptance.objects.select_related("hazard", "hazard__enterprise", "member_unit", "decided_by"),
        request.user,
        pk=pk,
    )
    return pdf_response(
        render_pdf("hazards/pdf/acceptance.html", {"record": record, "hazard": record.hazard}),
        f"{record.number}.pdf",
    )
