"""GET /api/personal-data/<label>/<pk>/: the unmasked ID and phone numbers of one expert,
enterprise contact or firm contact; each call is written to the audit chain."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from hazardloop.core import personal_data


class PersonalDataView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary=_("查看未脱敏个人信息（记入审计日志）"),
        parameters=[
            OpenApiParameter("label", str, OpenApiParameter.PATH, enum=sorted(personal_data.REVEALABLE)),
            OpenApiParameter("pk", int, OpenApiParameter.PATH),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, label: str, pk: int):
        try:
            values = personal_data.reveal(label, pk, actor=request.user, request=request)
        except LookupError as exc:
            raise exceptions.NotFound() from exc
        except personal_data.PersonalDataRefused as exc:
            raise exceptions.PermissionDenied(str(exc)) from exc
        return Response(values)
