"""Who acts for a party on a hazard, and the inbox with its e-mails."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.accounts.choices import Role

from ..choices import (
    Party,
)
from ..models import (
    Hazard,
    Notification,
)
from .errors import HazardNotFound

logger = logging.getLogger(__name__)


def _district_code(hazard: Hazard) -> str:
    return hazard.enterprise.township.code[:6]


def party_users(hazard: Hazard, party: str):
    """The active users who act for `party` on this hazard."""
    from hazardloop.accounts.models import User

    users = User.objects.filter(is_active=True)
    if party == Party.ENTERPRISE:
        return users.filter(role=Role.ENTERPRISE, enterprise_id=hazard.enterprise_id)
    if party == Party.MEMBER_UNIT and hazard.member_unit_id:
        return users.filter(role=Role.MEMBER_UNIT, member_unit_id=hazard.member_unit_id)
    if party == Party.PROVIDER and hazard.provider_id:
        return users.filter(role=Role.PROVIDER, provider_id=hazard.provider_id) | users.filter(
            pk=hazard.reporter_id, role=Role.EXPERT
        )
    if party == Party.PROVIDER:
        # Nobody bought the re-inspection of this hazard: its member unit verifies it.
        return party_users(hazard, Party.MEMBER_UNIT)
    return users.filter(role=Role.BUREAU, region__code=_district_code(hazard))


def _send_mail(recipients: list[tuple[str, str, str]]) -> None:
    for address, subject, body in recipients:
        try:
            send_mail(subject, body, None, [address])
        except Exception:  # a mail outage must not undo or hide a committed change
            logger.exception("hazard notification mail to %s failed", address)


def notify(
    users: Iterable,
    *,
    hazard: Hazard | None,
    kind: str,
    title: str,
    body: str = "",
    exclude=None,
    dedupe_key: str = "",
) -> list[Notification]:
    """Put a message in each user's inbox (skipping `exclude`, and anyone who already has
    `dedupe_key`), and e-mail those with an address once the transaction commits."""
    recipients = {u.pk: u for u in users if exclude is None or u.pk != exclude.pk}
    if dedupe_key:
        already = set(
            Notification.objects.filter(recipient_id__in=recipients, dedupe_key=dedupe_key).values_list(
                "recipient_id", flat=True
            )
        )
        recipients = {pk: u for pk, u in recipients.items() if pk not in already}
    created = [
        Notification.objects.create(
            recipient=user, hazard=hazard, kind=kind, title=title[:200], body=body, dedupe_key=dedupe_key
        )
        for user in recipients.values()
    ]
    mails = [(u.email, title, body or title) for u in recipients.values() if u.email]
    if mails:
        transaction.on_commit(lambda: _send_mail(mails))
    return created


def _notify_party(hazard: Hazard, party: str, kind: str, title: str, *, actor=None, body="", dedupe_key=""):
    return notify(
        party_users(hazard, party),
        hazard=hazard,
        kind=kind,
        title=title,
        body=body,
        exclude=actor,
        dedupe_key=dedupe_key,
    )


def _label(hazard: Hazard) -> str:
    return f"{hazard.number} {hazard.title}"


@transaction.atomic
def mark_notification_read(notification: Notification, *, actor) -> Notification:
    """Mark one of the actor's own messages read; someone else's is not found."""
    row = Notification.objects.select_for_update().filter(pk=notification.pk, recipient_id=actor.pk).first()
    if row is None:
        raise HazardNotFound(_("消息不存在。"))
    if row.read_at is None:
        row.read_at = timezone.now()
        row.save(update_fields=["read_at"])
    return row
