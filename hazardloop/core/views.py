from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hazardloop.accounts import scoping
from hazardloop.registry.models import Enterprise, Expert, Provider


@login_required
def home(request):
    """The workbench: what this user's scope holds, with the shortcuts their role uses."""
    user = request.user
    enterprises = Enterprise.objects.visible_to(user)
    context = {
        "enterprise_count": enterprises.count(),
        "high_risk_count": enterprises.filter(high_risk=True).count(),
        "provider_count": Provider.objects.visible_to(user).count()
        if scoping.can(user, "registry.view_providers")
        else None,
        "expert_count": Expert.objects.visible_to(user).filter(active=True).count()
        if scoping.can(user, "registry.view_experts")
        else None,
    }
    return render(request, "core/home.html", context)


@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 — any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok"})
