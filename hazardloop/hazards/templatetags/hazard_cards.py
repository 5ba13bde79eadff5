"""Cards other apps' pages include: the hazards an inspection found, as they stand now."""

from django import template

from hazardloop.accounts import scoping

from ..models import Hazard

register = template.Library()


@register.inclusion_tag("hazards/_inspection_hazards.html", takes_context=True)
def inspection_hazards(context, inspection):
    """The visit's hazards the user may see, with their state and clock today (the findings
    table shows what was recorded on the day; this shows where the loop has got to)."""
    user = context["request"].user
    hazards = []
    if scoping.can(user, "hazards.view"):
        hazards = list(
            Hazard.objects.visible_to(user)
            .filter(inspection=inspection)
            .select_related("member_unit")
            .order_by("number")
        )
    return {"hazards": hazards}
