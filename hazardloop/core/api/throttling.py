"""API rate limits: per user for signed-in callers, per address for anonymous ones (the token
view above all). Rates come from settings (API_RATE, API_ANON_RATE); the counters live in the
default cache, which must be shared (REDIS_URL) when several app servers run."""

from __future__ import annotations

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class UserThrottle(UserRateThrottle):
    scope = "user"


class AnonThrottle(AnonRateThrottle):
    scope = "anon"
