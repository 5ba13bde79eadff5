"""Password expiry: a user whose password is older than PASSWORD_MAX_AGE_DAYS is sent to change it
before anything else (等保 2.0 asks for periodic change; 0 switches the rule off)."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .passwords import password_expired


class PasswordExpiryMiddleware:
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
            "/" + settings.STATIC_URL.lstrip("/"),
            "/api/",
            "/i18n/",
        )
        return path.startswith(exempt)
