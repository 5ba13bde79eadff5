"""API tokens end: by lifetime, on password change or expiry, on deactivation, and when their
user or an administrator revokes them. Each case is driven through the HTTP API, as an
integration would meet it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from conftest import PASSWORD
from hazardloop.audit.choices import EventType
from hazardloop.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ENTERPRISES = "/api/registry/enterprises/"


def get_token(username="township", password=PASSWORD, **extra) -> str:
    answer = APIClient().post(
        "/api/token/", {"username": username, "password": password, **extra}, format="json"
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["token"]


def api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_fresh_token_works_and_says_when_it_ends(personas, settings):
    settings.API_TOKEN_LIFETIME_DAYS = 7
    answer = APIClient().post("/api/token/", {"username": "township", "password": PASSWORD}, format="json")
    body = answer.json()
    assert api(body["token"]).get(ENTERPRISES).status_code == 200
    ends = timezone.datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=6, hours=23) < ends - timezone.now() <= timedelta(days=7)


def test_a_token_dies_when_the_password_changes(personas):
    key = get_token()
    user = personas.township
    user.set_password("N3w-Passw0rd!x")
    user.save()
    answer = api(key).get(ENTERPRISES)
    assert answer.status_code == 401
    assert "令牌" in answer.json()["detail"]


def test_a_token_dies_when_the_password_changes_on_the_page(client, personas):
    key = get_token()
    client.force_login(personas.township)
    changed = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "N3w-Passw0rd!x", "new_password2": "N3w-Passw0rd!x"},
    )
    assert changed.status_code == 302
    assert api(key).get(ENTERPRISES).status_code == 401


def test_a_token_dies_when_the_password_expires(personas, settings):
    key = get_token()
    user = personas.township
    user.password_changed_at = timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS + 1)
    user.save(update_fields=["password_changed_at"])
    answer = api(key).get(ENTERPRISES)
    assert answer.status_code == 401
    assert "密码已过期" in answer.json()["detail"]


def test_a_token_dies_with_its_lifetime(personas, time_machine):
    key = get_token()
    time_machine.move_to(timezone.now() + timedelta(days=31))
    answer = api(key).get(ENTERPRISES)
    assert answer.status_code == 401
    assert "到期" in answer.json()["detail"]


def test_a_token_dies_when_the_account_is_deactivated(personas):
    key = get_token()
    personas.township.is_active = False
    personas.township.save()
    assert api(key).get(ENTERPRISES).status_code == 401
    # Active again: the token stays dead (it was revoked, not just refused).
    personas.township.is_active = True
    personas.township.save()
    assert api(key).get(ENTERPRISES).status_code == 401


def test_the_user_lists_and_revokes_their_own_tokens(personas):
    first, second = get_token(name="脚本一"), get_token(name="脚本二")
    listed = api(first).get("/api/tokens/").json()["results"]
    assert [row["name"] for row in listed] == ["脚本二", "脚本一"]
    assert [row["current"] for row in listed] == [False, True]
    assert all(len(row["prefix"]) == 8 and "digest" not in row for row in listed)

    revoked = api(first).post(f"/api/tokens/{listed[0]['id']}/revoke/")
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "本人撤销"
    answer = api(second).get(ENTERPRISES)
    assert answer.status_code == 401
    assert answer.json()["detail"] == "令牌已撤销（本人撤销），请重新获取。"
    assert api(first).get(ENTERPRISES).status_code == 200
    assert AuditEvent.objects.filter(event_type=EventType.TOKEN_REVOKED).count() == 1


def test_another_users_token_is_not_visible(personas):
    mine = get_token("township")
    theirs = get_token("provider")
    their_id = api(theirs).get("/api/tokens/").json()["results"][0]["id"]
    assert api(mine).get(f"/api/tokens/{their_id}/").status_code == 404
    assert api(mine).post(f"/api/tokens/{their_id}/revoke/").status_code == 404
    assert api(theirs).get(ENTERPRISES).status_code == 200


def test_an_administrator_revokes_anybodys_token(personas):
    theirs = get_token("provider")
    admin = APIClient()
    admin.force_authenticate(personas.admin)
    rows = admin.get("/api/tokens/", {"user": personas.provider.pk}).json()["results"]
    assert len(rows) == 1
    assert admin.post(f"/api/tokens/{rows[0]['id']}/revoke/").json()["status"] == "管理员撤销"
    assert api(theirs).get(ENTERPRISES).status_code == 401


def test_only_a_digest_is_stored(personas):
    from hazardloop.accounts.models import ApiToken

    key = get_token()
    stored = ApiToken.objects.get()
    assert key not in (stored.digest, stored.prefix) and stored.prefix == key[:8]


def test_live_tokens_per_user_are_capped(personas, settings):
    settings.API_TOKEN_MAX_PER_USER = 2
    oldest = get_token()
    get_token()
    newest = get_token()
    assert api(oldest).get(ENTERPRISES).status_code == 401
    assert api(newest).get(ENTERPRISES).status_code == 200


def test_the_page_issues_lists_and_revokes(client, personas):
    client.force_login(personas.township)
    page = client.post(reverse("api_tokens"), {"name": "对接"})
    assert page.status_code == 200
    key = page.context["issued"].key
    assert key in page.content.decode()
    token = page.context["tokens"][0]
    assert api(key).get(ENTERPRISES).status_code == 200
    done = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert done.status_code == 302
    assert api(key).get(ENTERPRISES).status_code == 401
    listing = client.get(reverse("api_tokens")).content.decode()
    assert "本人撤销" in listing and key not in listing
