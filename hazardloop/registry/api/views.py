"""Registry API. Every queryset starts from the caller's scope (ScopedViewSetMixin), lists use the
FilterSets the pages and exports use, and writes go through registry.services."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from hazardloop.core.api.pagination import KeysetPagination
from hazardloop.core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin

from .. import services
from ..filters import EnterpriseFilter, ExpertFilter, ProviderFilter
from ..models import (
    Enterprise,
    Expert,
    ExpertCertificate,
    Industry,
    MemberUnit,
    MemberUnitDuty,
    Provider,
    Region,
)
from . import serializers
from .filters import IndustryFilter, RegionFilter


class PreconditionFailed(services.RegistryConflict):
    """An `If-Match` that no longer matches: the record changed since the client read it.
    HTTP says 412 for a failed precondition header (RFC 9110 §13.1.1); a stale `version` in the
    body is a 409 like every other conflict."""

    status_code = 412


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_version(request) -> int | None:
    """The version an `If-Match: "7"` (or `W/"7"`) names; None without the header or with `*`.
    A value that is not one of our tags can never match, so it becomes version 0."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    tag = header.split(",")[0].strip().removeprefix("W/").strip('"')
    return int(tag) if tag.isdigit() else 0


class VersionedUpdateMixin(mixins.UpdateModelMixin):
    """Optimistic concurrency on one record (ADR 0035): the detail read carries an `ETag` with the
    record's version, an update checks `If-Match` or the body's `version` under the service's
    lock, and PATCH sends the service only the fields it names."""

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag(response.data["version"])
        return response

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response["ETag"] = etag(response.data["version"])
        return response

    def perform_update(self, serializer):
        version = if_match_version(self.request)
        try:
            serializer.save(if_match=version) if version is not None else serializer.save()
        except services.RegistryConflict as conflict:
            if version is None:
                raise
            raise PreconditionFailed(conflict.message) from conflict


@extend_schema_view(
    list=extend_schema(summary=_("企业列表")),
    retrieve=extend_schema(summary=_("企业档案")),
    create=extend_schema(summary=_("登记企业")),
    update=extend_schema(summary=_("修改企业档案")),
    partial_update=extend_schema(summary=_("修改企业档案（部分字段）")),
)
class EnterpriseViewSet(
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    VersionedUpdateMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """企业档案. Create and update through registry.services; out of scope → 404."""

    queryset = Enterprise.objects.select_related("township", "industry")
    serializer_class = serializers.EnterpriseSerializer
    filterset_class = EnterpriseFilter
    # A province holds 100k firms: a capped count and keyset windows (`cursor`).
    pagination_class = KeysetPagination
    read_capability = "registry.view_enterprises"
    write_capability = "registry.edit_enterprise"


@extend_schema_view(
    list=extend_schema(summary=_("服务机构列表")),
    retrieve=extend_schema(summary=_("服务机构详情")),
    update=extend_schema(summary=_("修改服务机构")),
    partial_update=extend_schema(summary=_("修改服务机构（部分字段）")),
)
class ProviderViewSet(VersionedUpdateMixin, ScopedReadOnlyViewSet):
    """服务机构. Updates through registry.services.update_provider."""

    queryset = Provider.objects.all()
    serializer_class = serializers.ProviderSerializer
    filterset_class = ProviderFilter
    read_capability = "registry.view_providers"
    write_capability = "registry.edit_provider"


@extend_schema_view(
    list=extend_schema(summary=_("专家列表")),
    retrieve=extend_schema(summary=_("专家详情")),
    update=extend_schema(summary=_("修改专家信息")),
    partial_update=extend_schema(summary=_("修改专家信息（部分字段）")),
)
class ExpertViewSet(VersionedUpdateMixin, ScopedReadOnlyViewSet):
    """专家: specialties and certificates; personal identifiers only masked. Updates through
    registry.services.update_expert (a provider user: its own firm's experts only)."""

    queryset = Expert.objects.select_related("provider").prefetch_related(
        "specialty_rows",
        Prefetch("certificates", queryset=ExpertCertificate.objects.order_by("expires", "kind", "pk")),
    )
    serializer_class = serializers.ExpertSerializer
    filterset_class = ExpertFilter
    read_capability = "registry.view_experts"
    write_capability = "registry.edit_expert"

    def get_serializer_class(self):
        if self.action in {"retrieve", "update", "partial_update"}:
            return serializers.ExpertDetailSerializer
        return super().get_serializer_class()


@extend_schema_view(
    list=extend_schema(summary=_("成员单位列表")),
    retrieve=extend_schema(summary=_("成员单位详情")),
)
class MemberUnitViewSet(ScopedReadOnlyViewSet):
    """联席会议成员单位 and what each answers for."""

    queryset = MemberUnit.objects.select_related("district").prefetch_related(
        Prefetch("duties", queryset=MemberUnitDuty.objects.order_by("industry_prefix", "hazard_category"))
    )
    serializer_class = serializers.MemberUnitSerializer
    read_capability = "registry.view_member_units"


@extend_schema_view(
    list=extend_schema(summary=_("行政区划列表")),
    retrieve=extend_schema(summary=_("行政区划")),
)
class RegionViewSet(ScopedReadOnlyViewSet):
    """行政区划 (GB/T 2260), looked up by code."""

    queryset = Region.objects.select_related("parent")
    serializer_class = serializers.RegionSerializer
    filterset_class = RegionFilter
    lookup_field = "code"


@extend_schema_view(
    list=extend_schema(summary=_("行业分类列表")),
    retrieve=extend_schema(summary=_("行业分类")),
)
class IndustryViewSet(ScopedReadOnlyViewSet):
    """国民经济行业分类 (GB/T 4754-2017), looked up by code."""

    queryset = Industry.objects.select_related("parent")
    serializer_class = serializers.IndustrySerializer
    filterset_class = IndustryFilter
    lookup_field = "code"
