"""`{% notice_activation notice %}`: the activation block a rectification notice prints for an
enterprise without an account. Read only: the code was issued with the notice."""

from __future__ import annotations

import segno
from django import template
from django.utils import timezone

from hazardloop.onboarding import rules, services

register = template.Library()


@register.inclusion_tag("onboarding/_notice_activation.html")
def notice_activation(notice):
    enterprise = notice.enterprise
    code = services.live_code_for(enterprise)
    if code is None or services.has_account(enterprise):
        return {"activation": None}
    link = services.activation_url(code)
    return {
        "activation": {
            "code": rules.display_code(code.code),
            "url": services.activation_url(),
            "qr": segno.make(link, error="m").svg_data_uri(scale=3, border=1),
            "expires": timezone.localtime(code.expires_at),
        }
    }
