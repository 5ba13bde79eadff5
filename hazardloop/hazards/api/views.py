"""Hazard API: the board's FilterSet and scope; transitions call the same services as the pages."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from hazardloop.accounts import scoping
from hazardloop.core.api.viewsets import ScopedReadOnlyViewSet

from .. import services
from ..filters import HazardFilter
from ..models import Hazard
from ..views import ACTIONS
from . import serializers


class HazardViewSet(ScopedReadOnlyViewSet):
    """隐患台账. Out of scope → 404."""

    queryset = Hazard.objects.select_related("enterprise", "member_unit").order_by("-found_at", "pk")
    serializer_class = serializers.HazardSerializer
    filterset_class = HazardFilter
    read_capability = "hazards.view"

    @action(detail=True, methods=["get"])
    def timeline(self, request, pk=None):
        hazard = self.get_object()
        events = hazard.events.select_related("actor").order_by("seq")
        return Response(serializers.HazardEventSerializer(events, many=True).data)

    @action(detail=True, methods=["post"], url_path=r"transitions/(?P<name>[a-z_]+)")
    def transition(self, request, pk=None, name=None):
        hazard = get_object_or_404(self.get_queryset(), pk=pk)
        if name not in ACTIONS:
            raise NotFound(_("没有这个操作。"))
        _transition, capability, service, field, _label = ACTIONS[name]
        if not scoping.can(request.user, capability):
            raise PermissionDenied(_("您无权执行此操作。"))
        try:
            version = int(request.data.get("version"))
        except (TypeError, ValueError):
            return Response({"version": [_("请提供版本号。")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            service(
                hazard,
                actor=request.user,
                version=version,
                **{field: str(request.data.get(field, "")).strip()},
            )
        except services.HazardConflict as exc:
            return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
        except services.HazardNotFound as exc:
            raise NotFound(exc.message) from exc
        except services.HazardPermissionDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except services.HazardError as exc:
            return Response({"detail": exc.message, **exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        hazard.refresh_from_db()
        return Response(self.get_serializer(hazard).data)
