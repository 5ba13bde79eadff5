"""Login attempts per client address, beside django-axes.

Axes locks one user name from one address after a few failures; it does not stop one address
from trying many user names (password spraying), nor a flood of verification codes. This
counts every sign-in attempt (password form, API token, TOTP code) per address in a fixed
window in Django's cache, and refuses the rest of the window once the limit is reached.
The cache is per process unless REDIS_URL makes it shared: with several app servers, set it."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from hazardloop.audit.services import client_ip


def _limits() -> tuple[int, int]:
    return (
        getattr(settings, "LOGIN_IP_MAX_ATTEMPTS", 30),
        getattr(settings, "LOGIN_IP_WINDOW_SECONDS", 600),
    )


def hit(request, bucket: str = "login") -> int | None:
    """Count one attempt from the request's address. None when allowed; otherwise the number
    of seconds until the window ends. A limit of 0 switches the check off."""
    limit, window = _limits()
    if not limit:
        return None
    address = client_ip(request) or "unknown"
    now = int(time.time())
    start = now - now % window
    key = f"hl:ratelimit:{bucket}:{address}:{start}"
    # add() is atomic in every backend: the first attempt of a window creates the counter.
    if cache.add(key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 5)
            count = 1
    if count > limit:
        return max(1, start + window - now)
    return None
