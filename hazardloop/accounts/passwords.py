"""Password age: one rule read by the page middleware and the API token endpoint alike."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone


def password_expired(user, *, now=None) -> bool:
    """True when PASSWORD_MAX_AGE_DAYS is set and the user's password is older than that."""
    max_age = getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0)
    if not max_age:
        return False
    return user.password_changed_at < (now or timezone.now()) - timedelta(days=max_age)
