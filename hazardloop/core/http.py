"""Small request helpers shared by apps that must not depend on each other (sign-in rate limits
in accounts, the audit log's address column)."""

from __future__ import annotations

import ipaddress


def ip_text(value: str | None) -> str | None:
    """The compressed spelling of an address, which is what PostgreSQL's inet hands back; None
    for an empty or malformed value."""
    if value in (None, ""):
        return None
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address the lockout (django-axes) also uses, so the two never disagree."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return ip_text(get_client_ip_address(request) or request.META.get("REMOTE_ADDR"))
