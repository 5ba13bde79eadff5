"""Failed sign-in attempts per client address, beside django-axes.

Axes locks one user name from one address after a few failures; it does not stop one address
from trying many user names (password spraying), nor a flood of wrong verification codes.
This counts the failures (password form, API token, TOTP code) per address in a fixed window
and once the limit is reached refuses every further attempt from that address until the window
ends, before any password is checked. Successful sign-ins are not counted, so an office behind
one NAT address can still log in forty clerks at 8:30.

The count must be one for every process of every server, or each gunicorn worker grants the
attacker its own allowance: it lives in the default cache, which settings.py makes Redis
(REDIS_URL) or, without it, the database cache table — never per-process memory.

Each failure takes a numbered slot (`cache.add`, an atomic insert-if-absent in Redis, the
database cache and local memory alike): failures arriving at once from several processes take
different slots, where a read-increment-write would count two of them as one. The address is
refused once the slot numbered the limit is taken."""

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
    if cache.get(f"{key}:{limit}") is not None:
        return max(1, remaining)
    return None


def record_failure(request, bucket: str = "login") -> None:
    limit, window = _limits()
    if not limit:
        return
    key, _remaining = _key(request, bucket)
    slots = [f"{key}:{n}" for n in range(1, limit + 1)]
    taken = cache.get_many(slots)
    for slot in slots:
        # A slot another process took since the read above makes add() fail: try the next.
        if slot not in taken and cache.add(slot, 1, timeout=window + 5):
            return
    # Every slot taken: the address is already refused.
