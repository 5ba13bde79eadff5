"""Enforcement API: the list page's FilterSet and scope; writes call the same services."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from hazardloop.core.api.viewsets import ScopedViewSetMixin
from hazardloop.registry.models import Enterprise, MemberUnit

from .. import services
from ..filters import EnforcementActionFilter
from ..models import EnforcementAction
from . import serializers


class EnforcementActionViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """执法处理记录. Out of scope → 404; a role that may not record → 403."""

    queryset = (
        EnforcementAction.objects.select_related("enterprise", "member_unit")
        .prefetch_related("hazards")
        .order_by("-decided_on", "-id")
    )
    serializer_class = serializers.EnforcementActionSerializer
    filterset_class = EnforcementActionFilter
    read_capability = "enforcement.view"
    write_capability = "enforcement.record"

    def create(self, request):
        incoming = serializers.CreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = dict(incoming.validated_data)
        member_unit = MemberUnit.objects.filter(pk=data.pop("member_unit")).first()
        enterprise = Enterprise.objects.filter(pk=data.pop("enterprise")).first()
        if member_unit is None:
            raise NotFound(_("执法单位不存在或不在您的管辖范围内。"))
        if enterprise is None:
            raise NotFound(_("企业不存在或不在您的管辖范围内。"))
        kind = data.pop("kind")
        hazards = data.pop("hazards")
        reason = data.pop("reason")
        # A refusal is answered by the project's handler (core.api.errors): 404, 403 or 400.
        created = services.record_enforcement_action(
            actor=request.user,
            member_unit=member_unit,
            enterprise=enterprise,
            kind=kind,
            hazards=hazards,
            reason=reason,
            data=services.ActionData(**data),
        )
        created = self.get_queryset().get(pk=created.pk)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def fulfil(self, request, pk=None):
        target = self.get_object()
        incoming = serializers.FulfilSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        d = incoming.validated_data
        services.record_fulfilment(
            target,
            actor=request.user,
            fulfilled_on=d["fulfilled_on"],
            note=d["note"],
            new_deadline=d["new_deadline"] or None,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=target.pk)).data)

    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        target = self.get_object()
        incoming = serializers.RevokeSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        services.revoke_action(target, actor=request.user, reason=incoming.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=target.pk)).data)
