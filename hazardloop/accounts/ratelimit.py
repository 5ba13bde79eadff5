"""Failed sign-in attempts per client address, beside django-axes.

Axes locks one user name from one address after a few failures; it does not stop one address
from trying many user names (password spraying), nor a flood of wrong verification codes.
This counts the failures (password form, API token, TOTP code) per address in a fixed window
in Django's cache, and once the limit is reached refuses every further attempt from that
address until the window ends, before any password is checked. Successful sign-ins are not
counted, so an office behind one NAT address can still log in forty clerks at 8:30.
The cache is per process unless REDIS_URL makes it shared: with several app servers, set it."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from hazardloop.core.http import client_ip


def _limits() -> tuple[int, int]:
    return (
        getattr(settings, "LOGIN_IP_MAX_ATTEMPTS", 30),
        getattr(settings, "LOGIN_IP_WINDOW_SECONDS", 600),
    )


def _key(request, bucket: str) -> tuple[str, int]:
    _limit, window = _limits()
    now = int(time.time())
    start = now - now % window
    address = client_ip(request) or "unknown"
    return f"hl:ratelimit:{bucket}:{address}:{start}", start + window - now


def retry_after(request, bucket: str = "login") -> int | None:
    """None while the address may still try; otherwise the seconds until the window ends.
    A limit of 0 switches the check off."""
    limit, _window = _limits()
    if not limit:
        return None
    key, remaining = _key(request, bucket)
    if (cache.get(key) or 0) >= limit:
        return max(1, remaining)
    return None


def record_failure(request, bucket: str = "login") -> None:
    limit, window = _limits()
    if not limit:
        return
    key, _remaining = _key(request, bucket)
    # add() is atomic in every backend: the first failure of a window creates the counter.
    if not cache.add(key, 1, timeout=window + 5):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 5)
