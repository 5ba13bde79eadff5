"""Rate limits: sign-in attempts per address (beyond the per-user lockout) and API throttles."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    settings.LOGIN_IP_MAX_ATTEMPTS = 3
    settings.LOGIN_IP_WINDOW_SECONDS = 600
    # Keep axes' per-user lockout out of the way: this is about one address and many names.
    settings.AXES_FAILURE_LIMIT = 100
    return settings


def _login(client, username, password="wrong-Passw0rd!", addr="10.9.9.9"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=addr)


def test_successful_logins_from_one_address_are_not_limited(client, personas, tight):
    # An office behind one NAT address: many clerks sign in within minutes.
    for name in ("leader", "township", "provider", "expert", "police"):
        assert _login(client, name, PASSWORD).status_code == 302
        client.logout()


def test_one_address_trying_many_names_is_stopped(client, personas, tight):
    for name in ("bureau", "leader", "township"):
        assert _login(client, name).status_code == 200
    refused = _login(client, "provider", PASSWORD)
    assert refused.status_code == 429
    assert "登录尝试过多" in refused.content.decode()
    # Even the right password is not checked while the address is limited.
    assert "_auth_user_id" not in client.session


def test_other_addresses_are_not_affected(client, personas, tight):
    for name in ("bureau", "leader", "township", "police"):
        _login(client, name)
    assert _login(client, "provider", PASSWORD, addr="10.9.9.10").status_code == 302


def test_the_limit_can_be_switched_off(client, personas, tight):
    tight.LOGIN_IP_MAX_ATTEMPTS = 0
    for name in ("bureau", "leader", "township", "police", "fire"):
        assert _login(client, name).status_code == 200


def test_wrong_codes_count_too(client, personas, tight, settings):
    from hazardloop.accounts import two_factor
    from hazardloop.accounts.testing import TEST_TOTP_KEY

    settings.HAZARDLOOP_2FA_ROLES = ["bureau"]
    device = two_factor.give_device(personas.bureau, key_hex=TEST_TOTP_KEY)
    assert _login(client, "bureau", PASSWORD).status_code == 302
    for _ in range(3):
        client.post(reverse("two_factor_verify"), {"code": "000000"}, REMOTE_ADDR="10.9.9.9")
    device.throttling_failure_count = 0
    device.save()
    refused = client.post(
        reverse("two_factor_verify"), {"code": two_factor.current_code(device)}, REMOTE_ADDR="10.9.9.9"
    )
    assert refused.status_code == 429


def test_the_token_view_counts_against_the_same_limit(personas, tight):
    api = APIClient()
    for _ in range(3):
        api.post("/api/token/", {"username": "x", "password": "y"}, format="json", REMOTE_ADDR="10.9.9.8")
    response = api.post(
        "/api/token/", {"username": "township", "password": PASSWORD}, format="json", REMOTE_ADDR="10.9.9.8"
    )
    assert response.status_code == 429
    assert "登录尝试过多" in response.json()["detail"]


def test_api_throttles_a_signed_in_user_beyond_the_rate_in_chinese(personas, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "2/min", "anon": "2/min"},
    }
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    api_settings.reload()
    # The class attribute caches the rates at import; point it at the reloaded settings.
    old = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        api = APIClient()
        api.force_authenticate(personas.township)
        assert api.get("/api/registry/enterprises/").status_code == 200
        assert api.get("/api/registry/enterprises/").status_code == 200
        third = api.get("/api/registry/enterprises/")
        assert third.status_code == 429
        assert "请求过于频繁" in third.json()["detail"] and "秒后重试" in third.json()["detail"]
        assert int(third["Retry-After"]) > 0
        # Another user has a count of their own.
        other = APIClient()
        other.force_authenticate(personas.leader)
        assert other.get("/api/registry/enterprises/").status_code == 200
        # Anonymous callers are counted per address.
        anon = APIClient()
        for _ in range(2):
            anon.post("/api/token/", {}, format="json", REMOTE_ADDR="10.9.9.7")
        assert anon.post("/api/token/", {}, format="json", REMOTE_ADDR="10.9.9.7").status_code == 429
    finally:
        SimpleRateThrottle.THROTTLE_RATES = old
        api_settings.reload()
