"""Login, failed login and logout written to the audit log.

These are the one place the log is fed from signals: authentication happens inside Django's
views and the test client, where no service of ours runs. Each event gets its own transaction,
because a login request is not otherwise wrapped in one."""

from django.contrib.auth import get_user_model
from django.db import transaction

from .choices import EventType
from .services import record_event


def on_logged_in(sender, request, user, **kwargs):
    with transaction.atomic():
        record_event(EventType.LOGIN_SUCCEEDED, actor=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Only the name that was tried is kept. Django has already masked the password in
    # `credentials`, but picking the one key means no other secret can slip through either.
    field = get_user_model().USERNAME_FIELD
    tried = str(credentials.get(field) or credentials.get("username") or "")[:150]
    with transaction.atomic():
        record_event(EventType.LOGIN_FAILED, actor=None, data={"username": tried}, request=request)


def on_logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    with transaction.atomic():
        record_event(EventType.LOGOUT, actor=user, request=request)
