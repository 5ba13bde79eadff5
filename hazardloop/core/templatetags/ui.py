"""Template helpers for list pages: sortable headers that keep the filters, and small badges."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from hazardloop.core.api import masking

register = template.Library()

# Certificates expiring within this many days are flagged, long enough to renew in time.
EXPIRY_WARNING_DAYS = 90


@register.inclusion_tag("partials/sort_header.html", takes_context=True)
def sort_header(context, field: str, label, css: str = ""):
    """A column header that sorts by `field`: first click ascending, next descending. The
    link keeps every filter and the page size but drops the page number (and a keyset cursor),
    because page 7 of a new order means nothing."""
    request = context["request"]
    current = request.GET.get("ordering", "")
    if current == field:
        state, target = "asc", f"-{field}"
    elif current == f"-{field}":
        state, target = "desc", field
    else:
        state, target = "", field
    params = request.GET.copy()
    params["ordering"] = target
    params.pop("page", None)
    params.pop("cursor", None)
    return {"url": f"?{params.urlencode()}", "label": label, "state": state, "css": css}


@register.filter
def expiry_state(value: dt.date | None, today: dt.date | None = None) -> str:
    """'expired', 'soon' (within EXPIRY_WARNING_DAYS) or 'ok'; no date never expires."""
    if value is None:
        return "ok"
    today = today or timezone.localdate()
    if value < today:
        return "expired"
    if (value - today).days <= EXPIRY_WARNING_DAYS:
        return "soon"
    return "ok"


@register.filter
def masked_phone(value: str) -> str:
    """A person's own number, masked as the API masks it (138****5678); reading it in clear is
    a separate, logged capability."""
    return masking.mask_phone(value or "")
