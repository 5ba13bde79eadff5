"""Inspection API: the list page's FilterSet and scope; every change calls the same services."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from hazardloop.accounts import scoping
from hazardloop.core.api.viewsets import ScopedReadOnlyViewSet
from hazardloop.core.pdf import pdf_response, render_pdf
from hazardloop.hazards.models import HazardLevel
from hazardloop.registry.models import Enterprise, Expert

from .. import services
from ..filters import InspectionFilter
from ..models import Finding, Inspection, TeamMember
from ..views import report_context
from . import serializers


def _invalid(serializer) -> Response:
    return Response(
        {"detail": _("提交的数据有误。"), **serializer.errors}, status=status.HTTP_400_BAD_REQUEST
    )


class InspectionViewSet(ScopedReadOnlyViewSet):
    """排查记录. Out of scope → 404; a role that may not act → 403; refused input → 400."""

    queryset = (
        Inspection.objects.select_related("enterprise__township", "provider", "contract", "checklist_version")
        .prefetch_related(
            Prefetch("members", queryset=TeamMember.objects.select_related("expert")),
            "results__item",
            Prefetch("findings", queryset=Finding.objects.select_related("level", "hazard")),
        )
        .order_by("-started_at", "-pk")
    )
    serializer_class = serializers.InspectionSerializer
    filterset_class = InspectionFilter
    read_capability = "inspections.view"
    write_capability = "inspections.record"

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.InspectionDetailSerializer
        return super().get_serializer_class()

    def _detail(self, inspection) -> Response:
        inspection = self.get_queryset().get(pk=inspection.pk)
        return Response(serializers.InspectionDetailSerializer(inspection).data)

    @extend_schema(
        request=serializers.InspectionCreateSerializer,
        responses={201: serializers.InspectionDetailSerializer},
        description="记录排查（草稿）。检查组须满足人数、专业和回避要求；检查表按企业行业自动选用。",
    )
    def create(self, request):
        user = request.user
        if not scoping.can(user, "inspections.record"):
            raise PermissionDenied(_("您没有权限执行此操作。"))
        data = serializers.InspectionCreateSerializer(data=request.data)
        if not data.is_valid():
            return _invalid(data)
        values = data.validated_data
        enterprise = Enterprise.objects.visible_to(user).filter(pk=values["enterprise"]).first()
        if enterprise is None:
            raise NotFound(_("企业不存在或不在您的管辖范围内。"))
        experts = {e.pk: e for e in Expert.objects.filter(pk__in=[*values["experts"], values["leader"]])}
        missing = [pk for pk in [*values["experts"], values["leader"]] if pk not in experts]
        if missing:
            return Response(
                {"detail": _("专家不存在：%(ids)s") % {"ids": "、".join(map(str, missing))}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        inspection = services.create_inspection(
            actor=user,
            enterprise=enterprise,
            experts=[experts[pk] for pk in values["experts"]],
            leader=experts[values["leader"]],
            started_at=values["started_at"],
            ended_at=values.get("ended_at"),
            officer_name=values["officer_name"],
            officer_unit=values["officer_unit"],
            deviation_reason=values["deviation_reason"],
        )
        response = self._detail(inspection)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        request=serializers.ResultInputSerializer(many=True),
        responses={200: serializers.InspectionDetailSerializer},
        description='填写检查结果：{"results": [{"item": 检查项ID, "outcome": "conforming|non_conforming|not_applicable", "note": ""}]}',
    )
    @action(detail=True, methods=["post"])
    def results(self, request, pk=None):
        inspection = self.get_object()
        if not isinstance(request.data, dict):  # a bare JSON list was a 500 (issue 13)
            raise ValidationError({"results": [_('请求体应为 JSON 对象：{"results": [...]}。')]})
        rows = serializers.ResultInputSerializer(data=request.data.get("results", []), many=True)
        if not rows.is_valid():
            return _invalid(rows)
        services.record_item_results(
            inspection,
            actor=request.user,
            results={r["item"]: (r["outcome"], r["note"]) for r in rows.validated_data},
        )
        return self._detail(inspection)

    @extend_schema(
        request=serializers.FindingInputSerializer,
        responses={201: serializers.FindingSerializer},
        description="添加发现的隐患（草稿中）；照片以 multipart 的 photos 字段上传。提交时登记为隐患。",
    )
    @action(detail=True, methods=["post"])
    def findings(self, request, pk=None):
        inspection = self.get_object()
        data = serializers.FindingInputSerializer(data=request.data)
        if not data.is_valid():
            return _invalid(data)
        values = dict(data.validated_data)
        level = HazardLevel.objects.filter(code=values.pop("level")).first()
        item_id = values.pop("item", None)
        item = inspection.checklist_version.items.filter(pk=item_id).first() if item_id else None
        if item_id and item is None:
            return Response(
                {"detail": _("检查项不属于本次检查所用的检查表。")}, status=status.HTTP_400_BAD_REQUEST
            )
        finding = services.add_finding(
            inspection,
            services.FindingData(level=level, item=item, deadline=values.pop("deadline", None), **values),
            actor=request.user,
            photos=request.FILES.getlist("photos"),
        )
        return Response(serializers.FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: serializers.InspectionDetailSerializer},
        description="提交：全部发现登记为隐患（任一条被拒则全部不提交）。",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        inspection = self.get_object()
        services.submit_inspection(inspection, actor=request.user)
        return self._detail(inspection)

    @extend_schema(
        request=serializers.AcknowledgeSerializer,
        responses={200: serializers.InspectionDetailSerializer},
        description="被检查企业确认收到检查报告。",
    )
    # The enterprise acknowledges, so this write is not `inspections.record`'s.
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def acknowledge(self, request, pk=None):
        inspection = self.get_object()
        # Who may acknowledge is the step's predicate, asked by the service (403 otherwise); its
        # refusals are answered by the project's handler (core.api.errors), as are all here.
        services.acknowledge_inspection(
            inspection, actor=request.user, note=str(request.data.get("note", ""))
        )
        return self._detail(inspection)

    @extend_schema(responses={(200, "application/pdf"): OpenApiResponse(description="检查报告 PDF")})
    @action(detail=True, methods=["get"])
    def report(self, request, pk=None):
        inspection = self.get_object()
        content = render_pdf("inspections/pdf/report.html", report_context(inspection))
        return pdf_response(content, f"{inspection.report_number or '检查报告草稿'}.pdf")
