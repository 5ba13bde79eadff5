"""Token authentication for integrations, behind the same lockout as the login page."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from conftest import PASSWORD
from hazardloop.accounts.models import ApiToken
from hazardloop.accounts.tokens import digest

pytestmark = pytest.mark.django_db

TOKEN = "/api/token/"
ENTERPRISES = "/api/registry/enterprises/"


def ask_token(username: str, password: str):
    return APIClient().post(
        TOKEN, {"username": username, "password": password}, format="json", REMOTE_ADDR="10.0.0.9"
    )


def test_a_token_is_issued_for_good_credentials_and_opens_the_api(personas):
    response = ask_token("township", PASSWORD)
    assert response.status_code == 200
    key = response.json()["token"]
    assert ApiToken.objects.get(digest=digest(key)).user == personas.township

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = client.get(ENTERPRISES)
    assert listed.status_code == 200
    assert listed.json()["count"] == len(personas.expected["township"])


def test_bad_credentials_get_a_400_with_a_message(personas):
    response = ask_token("township", "not-the-password")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["用户名或密码错误。"]
    assert not ApiToken.objects.filter(user=personas.township).exists()


def test_a_missing_password_is_a_field_error(personas):
    response = APIClient().post(TOKEN, {"username": "township"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_an_unknown_token_is_refused(personas):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert client.get(ENTERPRISES).status_code in (401, 403)


def test_repeated_failures_lock_the_account_for_the_api_too(personas, settings):
    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        assert ask_token("township", "wrong-password").status_code == 400, attempt
    assert ask_token("township", "wrong-password").status_code == 429

    locked = ask_token("township", PASSWORD)
    assert locked.status_code == 429
    assert locked.json()["detail"].startswith("登录失败次数过多")
    assert not ApiToken.objects.filter(user=personas.township).exists()


def test_a_lockout_on_one_account_leaves_others_alone(personas, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        ask_token("township", "wrong-password")
    assert ask_token("bureau", PASSWORD).status_code == 200
