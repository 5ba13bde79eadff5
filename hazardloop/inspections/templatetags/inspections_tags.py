"""Template tags other apps' pages use to show inspections (the enterprise file, 一企一档)."""

from django import template

from hazardloop.accounts import scoping

from ..models import Inspection

register = template.Library()

ENTERPRISE_FILE_LIMIT = 20


@register.inclusion_tag("inspections/_enterprise_inspections.html", takes_context=True)
def enterprise_inspections(context, enterprise):
    """The enterprise's inspections the viewer may see, newest first (the latest 20)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not scoping.can(user, "inspections.view"):
        return {"inspections": None}
    visible = (
        Inspection.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("provider")
        .order_by("-started_at", "-pk")
    )
    return {
        "inspections": list(visible[:ENTERPRISE_FILE_LIMIT]),
        "total": visible.count(),
        "enterprise": enterprise,
    }
