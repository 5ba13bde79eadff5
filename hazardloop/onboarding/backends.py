"""How an activation code reaches the enterprise: pluggable, chosen by ONBOARDING_SENDER.

A backend is a class with `send(message) -> bool`; it gets the phone and e-mail on file and the
text, and says whether it handed the message on. The demo and development use the console
(the message is logged, nothing leaves the machine); production names its SMS gateway's
adapter here, or the e-mail backend, which uses Django's configured mail."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("hazardloop.onboarding")


@dataclass(frozen=True)
class Message:
    phone: str
    email: str
    subject: str
    text: str


class ConsoleBackend:
    """Writes the message to the log (and so to the `make run` console)."""

    sent: list[Message] = []  # the last messages, for tests and the demo

    def send(self, message: Message) -> bool:
        ConsoleBackend.sent = [*ConsoleBackend.sent[-49:], message]
        logger.info("激活码短信 → %s：%s", message.phone or message.email or "（无联系方式）", message.text)
        return bool(message.phone or message.email)


class EmailBackend:
    """Sends by e-mail through Django's mail settings; an enterprise without an address is skipped."""

    def send(self, message: Message) -> bool:
        if not message.email:
            return False
        return bool(send_mail(message.subject, message.text, None, [message.email]))


def get_backend():
    path = getattr(settings, "ONBOARDING_SENDER", "hazardloop.onboarding.backends.ConsoleBackend")
    return import_string(path)()
