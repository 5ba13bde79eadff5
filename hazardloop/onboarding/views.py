"""Activation (no login: the code is the credential) and the officers' list of enterprises
that have no account yet, with a button to hand one a code."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hazardloop.accounts.models import User
from hazardloop.accounts.scoping import get_visible_or_404, require
from hazardloop.core.actions import run_page_action
from hazardloop.core.errors import ServiceError
from hazardloop.core.tables import paginate
from hazardloop.registry.models import Enterprise

from . import rules, services
from .forms import ActivationForm
from .models import ActivationCode


@never_cache
def activate(request):
    """The page the notice's QR code opens: credit code and code filled in from the link."""
    if request.method == "POST":
        form = ActivationForm(request.POST)
        if form.is_valid():
            try:
                user = services.activate_enterprise(**form.cleaned_data, request=request)
            except ServiceError as exc:
                form.add_service_errors(exc)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(
                    request,
                    _("企业账号已开通。以后请用用户名 %(u)s 和您设置的密码登录。") % {"u": user.username},
                )
                return redirect("home")
        return render(request, "onboarding/activate.html", {"form": form}, status=400)
    initial = {
        "credit_code": request.GET.get("c", "")[:24],
        "code": rules.display_code(rules.normalise_code(request.GET.get("k", "")[:16])),
    }
    return render(request, "onboarding/activate.html", {"form": ActivationForm(initial=initial)})


@login_required
def pending(request):
    """Enterprises of the officer's scope without an account, with their live code if any."""
    require(request.user, "onboarding.issue_code")
    accounts = User.objects.filter(services.account_filter(), enterprise=OuterRef("pk"))
    live = ActivationCode.objects.filter(enterprise=OuterRef("pk")).live()
    enterprises = (
        Enterprise.objects.visible_to(request.user)
        .annotate(has_account=Exists(accounts), has_code=Exists(live))
        .filter(has_account=False)
        .select_related("township")
        .order_by("has_code", "township__name", "name")
    )
    query = request.GET.get("q", "").strip()
    if query:
        enterprises = enterprises.filter(Q(name__icontains=query) | Q(credit_code=query.upper()))
    result = paginate(request, enterprises)
    return render(request, "onboarding/pending.html", {"result": result, "query": query})


@login_required
@require_POST
def issue(request, pk: int):
    enterprise = get_visible_or_404(Enterprise.objects.all(), request.user, pk=pk)
    return run_page_action(
        request,
        lambda: services.issue_activation_code(enterprise, actor=request.user),
        success=lambda code: (
            _("已向%(name)s发放激活码 %(code)s（已按联系电话发送）。")
            % {"name": enterprise.name, "code": rules.display_code(code.code)}
        ),
        redirect_to=request.POST.get("next") or "onboarding:pending",
    )
