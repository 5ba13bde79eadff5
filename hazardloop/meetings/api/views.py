"""Meeting API: the list page's FilterSet and scope; actions call the same services as the pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from hazardloop.core.api.viewsets import ScopedReadOnlyViewSet
from hazardloop.core.pdf import pdf_response
from hazardloop.hazards.models import Hazard
from hazardloop.registry.models import MemberUnit

from .. import documents, services
from ..filters import MeetingFilter
from ..models import Meeting
from . import serializers


class MeetingViewSet(ScopedReadOnlyViewSet):
    """联席会议. Out of scope → 404; a role without the capability → 403."""

    queryset = Meeting.objects.select_related("district").order_by("-year", "-month", "pk")
    serializer_class = serializers.MeetingSerializer
    filterset_class = MeetingFilter
    read_capability = "meetings.view"
    write_capability = "meetings.manage"

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("attendances__member_unit", "decisions__hazards")
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.MeetingDetailSerializer
        return super().get_serializer_class()

    def _pack(self, meeting):
        pack = meeting.current_pack
        if pack is None:
            raise NotFound(_("会议材料尚未生成。"))
        return pack

    @extend_schema(responses=serializers.PackSerializer)
    @action(detail=True, methods=["get"])
    def pack(self, request, pk=None):
        meeting = self.get_object()
        return Response(serializers.PackSerializer(self._pack(meeting)).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="PDF")})
    @action(detail=True, methods=["get"], url_path="pack/pdf")
    def pack_pdf(self, request, pk=None):
        meeting = self.get_object()
        pack = self._pack(meeting)
        return pdf_response(documents.pack_pdf(meeting, pack), documents.pack_filename(meeting, "pdf"))

    @extend_schema(request=None, responses={201: serializers.PackSerializer})
    @action(detail=True, methods=["post"], url_path="pack/build")
    def build(self, request, pk=None):
        meeting = self.get_object()
        pack = services.build_pack(meeting, actor=request.user)
        return Response(serializers.PackSerializer(pack).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.MinutesInputSerializer, responses=serializers.MinutesSerializer)
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk=None):
        meeting = self.get_object()
        minutes = services.record_minutes(meeting, actor=request.user, text=str(request.data.get("text", "")))
        return Response(serializers.MinutesSerializer(minutes).data)

    @extend_schema(
        request=serializers.AttendanceInputSerializer, responses=serializers.MeetingDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        meeting = self.get_object()
        body = serializers.AttendanceInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.record_attendance(
            meeting, actor=request.user, attended=body.validated_data["attended"]
        )
        return Response(serializers.MeetingDetailSerializer(result).data)

    @extend_schema(request=serializers.ReportInputSerializer, responses=serializers.AttendanceSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        meeting = self.get_object()
        row = services.submit_unit_report(
            meeting, actor=request.user, report=str(request.data.get("report", ""))
        )
        return Response(serializers.AttendanceSerializer(row).data)

    @extend_schema(
        request=serializers.DecisionInputSerializer, responses={201: serializers.DecisionSerializer}
    )
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        meeting = self.get_object()
        body = serializers.DecisionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        hazards = list(Hazard.objects.visible_to(request.user).filter(pk__in=data["hazards"]))
        if len(hazards) != len(set(data["hazards"])):
            return Response(
                {"hazards": [_("所选隐患不存在或不在您的管辖范围内。")]}, status=status.HTTP_400_BAD_REQUEST
            )
        unit = None
        if data["member_unit"] is not None:
            unit = MemberUnit.objects.filter(pk=data["member_unit"], district_id=meeting.district_id).first()
            if unit is None:
                return Response(
                    {"member_unit": [_("只能交办给本区的成员单位。")]}, status=status.HTTP_400_BAD_REQUEST
                )
        decision = services.record_decision(
            meeting,
            actor=request.user,
            kind=data["kind"],
            text=data["text"],
            hazards=hazards,
            member_unit=unit,
            deadline=data["deadline"],
        )
        return Response(serializers.DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=serializers.MinutesSerializer)
    @action(detail=True, methods=["post"], url_path="minutes/approve")
    def approve(self, request, pk=None):
        meeting = self.get_object()
        minutes = services.approve_minutes(meeting, actor=request.user)
        return Response(serializers.MinutesSerializer(minutes).data)

    def check_object_permissions(self, request, obj):
        # The meeting was found in the caller's scope (else 404). Which role may do what to it is
        # the services' decision (the meeting's declared steps and access predicates → 403), as on
        # the pages.
        return None
