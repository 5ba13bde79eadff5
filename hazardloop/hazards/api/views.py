"""Hazard API: the board's FilterSet and scope; a hazard's records; transitions through the same
forms and services as the page (400 with per-field Chinese messages, 403, 404, 409)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from hazardloop.core import access
from hazardloop.core.api.pagination import KeysetPagination
from hazardloop.core.api.viewsets import ScopedReadOnlyViewSet
from hazardloop.core.pdf import pdf_response

from ..filters import HazardFilter
from ..forms import ACTIONS
from ..models import Hazard, RectificationNotice
from ..views import render_notice_pdf
from . import serializers


class HazardViewSet(ScopedReadOnlyViewSet):
    """隐患台账. Out of scope → 404."""

    queryset = Hazard.objects.select_related("enterprise", "member_unit").order_by("-found_at", "-pk")
    serializer_class = serializers.HazardSerializer
    # A district holds a million hazards: a capped count and keyset windows (`cursor`).
    pagination_class = KeysetPagination

    def large_rows(self, queryset):
        """How KeysetPagination lists a scope above the exact-count threshold (see
        HazardQuerySet.seekable)."""
        return queryset.seekable()

    filterset_class = HazardFilter
    read_capability = "hazards.view"

    def _records(self, related: str, serializer, *select):
        hazard = self.get_object()
        rows = getattr(hazard, related).select_related(*select)
        return Response(serializer(rows, many=True, context=self.get_serializer_context()).data)

    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        hazard = self.get_object()
        events = hazard.events.select_related("actor").order_by("at", "seq")
        return Response(serializers.HazardEventSerializer(events, many=True).data)

    @action(detail=True, methods=["get"])
    def notices(self, request, pk=None):
        return self._records("notices", serializers.NoticeSerializer, "member_unit")

    @action(detail=True, methods=["get"])
    def plans(self, request, pk=None):
        return self._records("plans", serializers.PlanSerializer)

    @action(detail=True, methods=["get"])
    def extensions(self, request, pk=None):
        return self._records("extension_requests", serializers.ExtensionSerializer)

    @action(detail=True, methods=["get"])
    def rectifications(self, request, pk=None):
        return self._records("rectifications", serializers.RectificationSerializer)

    @action(detail=True, methods=["get"])
    def reinspections(self, request, pk=None):
        return self._records("reinspections", serializers.ReInspectionSerializer)

    @action(detail=True, methods=["get"], url_path="resumption-reviews")
    def resumption_reviews(self, request, pk=None):
        return self._records("resumption_reviews", serializers.ResumptionReviewSerializer)

    @action(detail=True, methods=["get"])
    def attachments(self, request, pk=None):
        return self._records("attachments", serializers.AttachmentSerializer, "event")

    @action(
        detail=True,
        methods=["post"],
        url_path=r"transitions/(?P<name>[a-z_]+)",
        parser_classes=[JSONParser, MultiPartParser, FormParser],
    )
    def transition(self, request, pk=None, name=None):
        """Run one action with the fields of its page form (JSON, or multipart with files)."""
        hazard = get_object_or_404(self.get_queryset().select_related("level", "enterprise__township"), pk=pk)
        if name not in ACTIONS:
            raise NotFound(_("没有这个操作。"))
        spec = ACTIONS[name]
        access.require(request.user, spec.capability)
        try:
            version = int(request.data.get("version"))
        except (TypeError, ValueError):
            return Response({"version": [_("请提供版本号。")]}, status=status.HTTP_400_BAD_REQUEST)
        form = spec.form(request.data, request.FILES, hazard=hazard, user=request.user)
        if not form.is_valid():
            return Response(
                {"detail": _("请检查填写的内容。"), **_messages(form)},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # A refusal is answered by the project's DRF handler (400/403/404/409 with the message).
        form.perform(actor=request.user, version=version)
        hazard.refresh_from_db()
        return Response(self.get_serializer(hazard).data)


def _messages(form) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
        for field, messages in form.errors.items()
    }


class PDFRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; the view returns the bytes itself."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class NoticeViewSet(ScopedReadOnlyViewSet):
    """整改通知书 visible through one of their hazards; `pdf` renders the printable notice."""

    queryset = RectificationNotice.objects.select_related("member_unit").prefetch_related("hazards")
    serializer_class = serializers.NoticeSerializer
    read_capability = "hazards.view"

    @action(detail=True, methods=["get"], renderer_classes=[PDFRenderer, JSONRenderer])
    def pdf(self, request, pk=None):
        notice = self.get_object()
        return pdf_response(render_notice_pdf(notice), f"{notice.number}.pdf")
