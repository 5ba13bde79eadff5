"""Two-factor login (TOTP, RFC 6238) for the roles named in HAZARDLOOP_2FA_ROLES.

A user of such a role signs in with the password first; the session is then "verified" only
after a six-digit code from an authenticator app was checked against the user's confirmed
TOTP device (django-otp keeps the device's id in the session). Until then TwoFactorMiddleware
lets the user reach only the enrolment and verification pages and logout. The API token view
asks for the same code (`otp`) before it issues a token to such a user.

The device writes here are the only ones in the system; they live with the accounts app
because a device is part of the account, not of any domain record.
"""

from __future__ import annotations

from base64 import b32encode
from binascii import unhexlify

import segno
from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event

DEVICE_NAME = "authenticator"


def required_roles() -> set[str]:
    return set(getattr(settings, "HAZARDLOOP_2FA_ROLES", []) or [])


def required_for(user) -> bool:
    """True when `user` must pass the second factor before using the system."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in required_roles()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def session_verified(request) -> bool:
    """The OTPMiddleware sets `is_verified` on the user from the session's device id."""
    user = request.user
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def pending_device(user) -> TOTPDevice:
    """The unconfirmed device an enrolling user is shown; made once, kept until confirmed, so
    reloading the enrolment page does not change the secret under the user's phone."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def base32_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it when typed by hand (groups of four)."""
    raw = b32encode(unhexlify(device.key)).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (the CSP allows data: images), made
    on the server so the page needs no script."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)


def _normalise(code: str) -> str:
    return "".join(ch for ch in str(code or "") if not ch.isspace())


def confirm_device(device: TOTPDevice, code: str, *, request) -> bool:
    """Finish enrolment.

    Precondition: `device` is the requesting user's unconfirmed device. Effects: when `code`
    is valid for it, the device is confirmed, any other device of the user is removed (one
    authenticator per account), the session is marked verified, and a login event with the
    factor is written. Returns False and changes nothing else when the code is wrong (the
    device's failure counter grows: django-otp throttles guessing)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if device.confirmed or not device.verify_token(_normalise(code)):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
        record_event(
            EventType.LOGIN_SUCCEEDED,
            actor=device.user,
            data={"factor": "totp", "step": "enrolled"},
            request=request,
        )
    otp_login(request, device)
    return True


def verify_code(user, code: str, *, request=None) -> TOTPDevice | None:
    """Check a code against the user's confirmed device; the device on success, else None.

    With a request the session is marked verified and a login event is written."""
    device = confirmed_device(user)
    if device is None:
        return None
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        if not locked.verify_token(_normalise(code)):
            return None
        if request is not None:
            record_event(EventType.LOGIN_SUCCEEDED, actor=user, data={"factor": "totp"}, request=request)
    if request is not None:
        otp_login(request, locked)
    return locked


def reset_devices(user, *, actor, request=None) -> int:
    """An administrator's reset for a lost phone: the user enrols again at the next login."""
    with transaction.atomic():
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        record_event(
            EventType.RECORD_DELETED,
            actor=actor,
            target=user,
            data={"two_factor_devices": count},
            request=request,
        )
    return count


def give_device(user, *, key_hex: str) -> TOTPDevice:
    """A confirmed device with a given secret (hex): the demo logins and the tests use it."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, key=key_hex, confirmed=True)


def current_code(device_or_key) -> str:
    """The code an authenticator shows now (demo_logins and tests)."""
    from django_otp.oath import totp

    key = device_or_key.key if isinstance(device_or_key, TOTPDevice) else device_or_key
    return f"{totp(unhexlify(key)):06d}"


def code_at(device_or_key, when: float) -> str:
    """The code an authenticator shows at the Unix time `when` (demo_logins' next code)."""
    from django_otp.oath import TOTP

    key = device_or_key.key if isinstance(device_or_key, TOTPDevice) else device_or_key
    clock = TOTP(unhexlify(key))
    clock.time = int(when)
    return f"{clock.token():06d}"
