"""Account policies applied to every request: the second factor first, then password expiry."""

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import two_factor
from .passwords import password_expired


def _static_prefix() -> str:
    return "/" + settings.STATIC_URL.lstrip("/")


class TwoFactorMiddleware:
    """A signed-in user whose role needs two-factor login (HAZARDLOOP_2FA_ROLES) and whose
    session has not passed it reaches only enrolment, verification, logout and static files.
    Pages redirect there (keeping where the user was going); the API answers 403 in JSON.
    Token-authenticated API calls never reach this check as users: DRF authenticates them in
    the view, and the token view itself demands the code. The admin site is behind it too.

    Must come after django_otp's OTPMiddleware, which sets `user.is_verified`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and two_factor.required_for(user)
            and not two_factor.session_verified(request)
            and not self._exempt(request.path)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("需要先完成动态验证码（双因素）验证。")}, status=403)
            target = "two_factor_verify" if two_factor.confirmed_device(user) else "two_factor_setup"
            query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
            return redirect(reverse(target) + (f"?{query}" if query else ""))
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = (
            reverse("two_factor_setup"),
            reverse("two_factor_verify"),
            reverse("logout"),
            _static_prefix(),
            "/i18n/",
        )
        return path.startswith(exempt)


class PasswordExpiryMiddleware:
    """Password expiry: a user whose password is older than PASSWORD_MAX_AGE_DAYS is sent to
    change it before anything else (等保 2.0 asks for periodic change; 0 switches the rule off)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        max_age = getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0)
        if (
            max_age
            and user is not None
            and user.is_authenticated
            and password_expired(user)
            and not self._exempt(request.path)
        ):
            messages.warning(request, _("您的密码已超过%(days)d天未修改，请先修改密码。") % {"days": max_age})
            return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        exempt = (
            reverse("password_change"),
            reverse("logout"),
            # The second factor comes first: its pages must not bounce to the password form.
            reverse("two_factor_setup"),
            reverse("two_factor_verify"),
            _static_prefix(),
            "/api/",
            "/i18n/",
        )
        return path.startswith(exempt)
