"""The enterprise file's enforcement card: the records the user may see and the Art. 113 counter."""

from django import template

from hazardloop.accounts import scoping

register = template.Library()

CARD_LIMIT = 20


@register.inclusion_tag("enforcement/_enterprise_card.html", takes_context=True)
def enforcement_card(context, enterprise):
    from hazardloop.enforcement import services
    from hazardloop.enforcement.models import EnforcementAction

    user = context["request"].user
    if not scoping.can(user, "enforcement.view"):
        return {"show": False}
    actions = (
        EnforcementAction.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("member_unit")
        .order_by("-decided_on", "-id")[:CARD_LIMIT]
    )
    return {
        "show": True,
        "enterprise": enterprise,
        "actions": list(actions),
        "art113": services.art113_status(enterprise.pk),
        "can_record": scoping.can(user, "enforcement.record"),
    }
