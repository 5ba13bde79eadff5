"""GET /api/tokens/ (one's own tokens; an administrator sees everybody's) and
POST /api/tokens/{id}/revoke/. Issuing is POST /api/token/ (core/api/auth.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import tokens
from .models import ApiToken


class ApiTokenSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    status = serializers.SerializerMethodField(label=_("状态"))
    live = serializers.SerializerMethodField(label=_("可用"))
    current = serializers.SerializerMethodField(label=_("本次请求所用"))

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "username",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "revoked_reason",
            "status",
            "live",
            "current",
        ]
        read_only_fields = fields

    def get_status(self, token) -> str:
        return str(tokens.status_label(token))

    def get_live(self, token) -> bool:
        return str(tokens.status_label(token)) == str(_("有效"))

    def get_current(self, token) -> bool:
        auth = getattr(self.context.get("request"), "auth", None)
        return isinstance(auth, ApiToken) and auth.pk == token.pk


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()

    def get_queryset(self):
        qs = tokens.visible_tokens(self.request.user)
        user = self.request.query_params.get("user")
        if user and user.isdigit():
            qs = qs.filter(user_id=int(user))
        return qs.order_by("-created_at", "-pk")

    @extend_schema(request=None, responses=ApiTokenSerializer, summary=_("撤销令牌"))
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        if not str(pk).isdigit():
            from hazardloop.core.errors import NotVisible

            raise NotVisible(_("令牌不存在。"))
        token = tokens.revoke_token(request.user, int(pk), request=request)
        return Response(self.get_serializer(token).data)
