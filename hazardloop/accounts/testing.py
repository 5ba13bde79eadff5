"""Test helpers for the second factor: a known device and a session that has passed it."""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY

from . import two_factor

# 20 bytes, hex: the demo and the tests share nothing else with real secrets.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def login_verified(client, user):
    """force_login plus a session verified by a confirmed device, as after the OTP step."""
    client.force_login(user)
    if two_factor.required_for(user):
        device = two_factor.confirmed_device(user) or two_factor.give_device(user, key_hex=TEST_TOTP_KEY)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return user


def log_in_browser(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the login form in a Playwright page, passing the second factor with a
    test device when the user's role needs it; returns on the page the login led to."""
    from .models import User

    user = User.objects.get(username=username)
    device = None
    if two_factor.required_for(user):
        device = two_factor.confirmed_device(user) or two_factor.give_device(user, key_hex=TEST_TOTP_KEY)
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-form] button[type=submit]")
    if device is not None:
        page.wait_for_url(f"{base_url}/accounts/two-factor/verify/**")
        page.fill("#id_code", two_factor.current_code(device))
        page.click("[data-testid=otp-form] button[type=submit]")


_TOKEN_KEYS: dict[int, str] = {}


def api_token_key(user) -> str:
    """A live API token's key for `user` (what POST /api/token/ would hand out). Tests that build
    many clients for one user share one token, so the per-user cap never revokes an earlier one."""
    from .models import ApiToken
    from .tokens import digest, issue_token

    key = _TOKEN_KEYS.get(user.pk)
    if key is not None:
        token = ApiToken.objects.filter(digest=digest(key), user=user).first()
        if token is not None and token.is_live() and token.created_at >= token.user.password_changed_at:
            return key
    key = _TOKEN_KEYS[user.pk] = issue_token(user, name="test").key
    return key
