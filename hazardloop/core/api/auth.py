"""POST /api/token/: a token for a user name and password, behind the same lockout as the login
page. django-axes is the first authentication backend; it counts failures and refuses a locked
account only when `authenticate()` is given the request, so the serializer always passes it."""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from hazardloop.accounts import ratelimit, tokens, two_factor
from hazardloop.accounts.passwords import password_expired

from .errors import LoginRateLimited
from .throttling import AnonThrottle


class LockedOut(exceptions.Throttled):
    default_detail = _("登录失败次数过多，账号已暂时锁定，请稍后再试。")


class AuthTokenSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("用户名"), write_only=True)
    password = serializers.CharField(
        label=_("密码"), style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )
    otp = serializers.CharField(
        label=_("动态验证码"),
        required=False,
        allow_blank=True,
        write_only=True,
        max_length=12,
        help_text=_("区安监局和系统管理员账号必填：认证器应用显示的6位数字。"),
    )
    name = serializers.CharField(
        label=_("用途"), required=False, allow_blank=True, max_length=64, write_only=True
    )

    def validate(self, attrs):
        request = self.context["request"]
        wait = ratelimit.retry_after(request)
        if wait is not None:
            raise LoginRateLimited(wait=wait)
        try:
            return self._check(request, attrs)
        except (serializers.ValidationError, LockedOut):
            ratelimit.record_failure(request)
            raise

    def _check(self, request, attrs):
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            # axes marks the request it refused (or the failure that reached the limit); the
            # marker stays on DRF's request wrapper, so the answer here is JSON, not the HTML
            # lockout page its middleware would substitute.
            if getattr(request, "axes_locked_out", False):
                cool_off = get_cool_off(request)
                raise LockedOut(wait=int(cool_off.total_seconds()) if cool_off else None)
            raise serializers.ValidationError(_("用户名或密码错误。"), code="authorization")
        if password_expired(user):
            # A token would outlive the page-side rule that forces the change first.
            raise serializers.ValidationError(
                _("密码已过期，请先登录系统修改密码。"), code="password_expired"
            )
        if two_factor.required_for(user):
            # The same second factor as the login page: a token outlives any session, so it is
            # never handed out on the password alone to a role that needs two factors.
            if two_factor.confirmed_device(user) is None:
                raise serializers.ValidationError(
                    _("该账号需要双因素登录，请先在网页登录并绑定认证器。"), code="otp_not_enrolled"
                )
            if not attrs.get("otp"):
                raise serializers.ValidationError({"otp": [_("该账号需要动态验证码。")]}, code="otp_required")
            if two_factor.verify_code(user, attrs["otp"]) is None:
                raise serializers.ValidationError(
                    {"otp": [_("动态验证码不正确或已过期。")]}, code="otp_invalid"
                )
        attrs["user"] = user
        return attrs


class ObtainTokenView(APIView):
    """Each call issues a new token with an end (API_TOKEN_LIFETIME_DAYS); the key is shown once
    here and stored only as a digest. List and revoke them at /api/tokens/."""

    authentication_classes = []
    permission_classes = []
    serializer_class = AuthTokenSerializer
    # Counts callers per address.
    throttle_classes = [AnonThrottle]

    @extend_schema(
        summary=_("获取访问令牌"),
        request=AuthTokenSerializer,
        responses={
            200: inline_serializer(
                "TokenResponse",
                {
                    "token": serializers.CharField(),
                    "id": serializers.IntegerField(),
                    "expires_at": serializers.DateTimeField(),
                },
            )
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        issued = tokens.issue_token(
            serializer.validated_data["user"], name=serializer.validated_data.get("name", ""), request=request
        )
        return Response({"token": issued.key, "id": issued.token.pk, "expires_at": issued.token.expires_at})
