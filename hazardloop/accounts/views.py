from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hazardloop.core import access
from hazardloop.core.actions import run_page_action

from . import ratelimit, tokens, two_factor
from .forms import (
    ApiTokenForm,
    LoginForm,
    OTPCodeForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)

TOO_MANY = _("来自您所在地址的登录尝试过多，请%(minutes)d分钟后再试。")


def _too_many(request, wait: int, template: str, context: dict):
    messages.error(request, TOO_MANY % {"minutes": max(1, (wait + 59) // 60)})
    return render(request, template, context, status=429)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        wait = ratelimit.retry_after(request)
        if wait is not None:
            return _too_many(
                request, wait, self.template_name, self.get_context_data(form=self.get_form_class()())
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        ratelimit.record_failure(self.request)
        return super().form_invalid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, _("密码已修改。"))
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    """忘记密码: the same answer whether or not the address belongs to an account (nothing to
    learn by probing), a mail only to active accounts with a usable password, and at most
    LOGIN_IP_MAX_ATTEMPTS requests per address and window (no mail flooding from here)."""

    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    form_class = PasswordResetForm

    def post(self, request, *args, **kwargs):
        wait = ratelimit.retry_after(request, "reset")
        if wait is not None:
            return _too_many(request, wait, self.template_name, self.get_context_data(form=self.form_class()))
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        ratelimit.record_failure(self.request, "reset")  # every request counts, found or not
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = SetPasswordForm


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _needs_second_factor(request):
    """None when the page applies; otherwise where to send the user instead."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    if not two_factor.required_for(request.user) or two_factor.session_verified(request):
        return redirect(_next_url(request))
    return None


@never_cache
def two_factor_setup(request):
    """绑定认证器: the QR code and the secret of a pending device, and the first code to confirm
    it. A user who already has a confirmed device verifies instead (a lost phone is reset by
    the administrator, not by whoever holds the password)."""
    elsewhere = _needs_second_factor(request)
    if elsewhere is not None:
        return elsewhere
    if two_factor.confirmed_device(request.user) is not None:
        return redirect(f"{reverse('two_factor_verify')}?{request.GET.urlencode()}")
    device = two_factor.pending_device(request.user)
    form = OTPCodeForm(request.POST or None)
    wait = ratelimit.retry_after(request, "otp") if request.method == "POST" else None
    if wait is not None:
        form = OTPCodeForm()
    elif request.method == "POST" and form.is_valid():
        if two_factor.confirm_device(device, form.cleaned_data["code"], request=request):
            messages.success(request, _g("认证器已绑定，以后登录时请输入其显示的动态验证码。"))
            return redirect(_next_url(request))
        ratelimit.record_failure(request, "otp")
        form.add_error("code", _g("验证码不正确或已过期，请重新输入。"))
    context = {
        "form": form,
        "qr_uri": two_factor.qr_data_uri(device),
        "secret": two_factor.base32_secret(device),
        "next": _next_url(request),
    }
    if wait is not None:
        return _too_many(request, wait, "accounts/two_factor_setup.html", context)
    return render(request, "accounts/two_factor_setup.html", context)


@never_cache
def two_factor_verify(request):
    """动态验证码: the second step of every login of a role that needs it."""
    elsewhere = _needs_second_factor(request)
    if elsewhere is not None:
        return elsewhere
    if two_factor.confirmed_device(request.user) is None:
        return redirect(f"{reverse('two_factor_setup')}?{request.GET.urlencode()}")
    form = OTPCodeForm(request.POST or None)
    wait = ratelimit.retry_after(request, "otp") if request.method == "POST" else None
    if wait is not None:
        context = {"form": OTPCodeForm(), "next": _next_url(request)}
        return _too_many(request, wait, "accounts/two_factor_verify.html", context)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify_code(request.user, form.cleaned_data["code"], request=request):
            return redirect(_next_url(request))
        ratelimit.record_failure(request, "otp")
        form.add_error("code", _g("验证码不正确或已过期，请重新输入。"))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


# --- API tokens: list, issue, revoke (the same services as /api/token/ and /api/tokens/) -------


@login_required
@never_cache
def api_tokens(request):
    """接口令牌: the user's own tokens (an administrator sees everybody's), a form to issue a new
    one (its key shown once, on this answer only) and a revoke button on each live one."""
    issued = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        issued = tokens.issue_token(request.user, name=form.cleaned_data["name"], request=request)
        form = ApiTokenForm()
    rows = list(tokens.visible_tokens(request.user).order_by("-created_at", "-pk")[:200])
    now = timezone.now()
    for token in rows:
        token.status_text = tokens.status_label(token, now)
        token.live = token.status_text == _g("有效")
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": rows,
            "see_all": access.can(request.user, "accounts.manage_all_tokens"),
        },
    )


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    return run_page_action(
        request,
        lambda: tokens.revoke_token(request.user, pk, request=request),
        success=_g("令牌已撤销。"),
        redirect_to=reverse("api_tokens"),
    )
