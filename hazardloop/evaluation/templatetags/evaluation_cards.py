"""Cards other apps' pages include: the ratings of an inspection (with the form for whoever may
still rate it) and a contract's scorecards with its payment rule and adjustments."""

from django import template

from hazardloop.accounts import scoping

from .. import services
from ..forms import RatingForm
from ..models import PaymentAdjustment, Rating, Scorecard

register = template.Library()


@register.inclusion_tag("evaluation/_rating_card.html", takes_context=True)
def rating_card(context, inspection):
    user = context["request"].user
    ratings = list(Rating.objects.visible_to(user).filter(inspection_id=inspection.pk).order_by("kind"))
    may_rate = services.may_rate(inspection, user)  # the access predicate, state and data
    return {
        "inspection": inspection,
        "ratings": ratings,
        "form": RatingForm() if may_rate else None,
        "kind": services.rating_kind_for(user),
        "show": bool(ratings) or may_rate,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("evaluation/_contract_card.html", takes_context=True)
def contract_evaluation_card(context, contract):
    user = context["request"].user
    show = scoping.can(user, "evaluation.view")
    cards = []
    adjustments = []
    if show:
        cards = list(
            Scorecard.objects.visible_to(user).filter(contract_id=contract.pk).order_by("-period_start", "pk")
        )
        adjustments = list(
            PaymentAdjustment.objects.visible_to(user)
            .filter(milestone__contract_id=contract.pk)
            .select_related("milestone", "scorecard")
            .order_by("milestone__due_date")
        )
    return {
        "contract": contract,
        "show": show,
        "cards": cards,
        "adjustments": adjustments,
        "rule": services.payment_rule_for(contract) if show else None,
        "own_rule": show and hasattr(contract, "payment_rule"),
    }
