from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from hazardloop.accounts.choices import Role
from hazardloop.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "weak", ["short1!A", "alllowercaseletters", "1234567890123", "password123", "Longan12345"]
)
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak, User(username="longan"))


def test_a_password_mixing_three_classes_is_accepted():
    validate_password("Anquan-2026-ok", User(username="clerk"))


def test_a_role_without_its_organisation_cannot_be_saved():
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="orphan", role=Role.TOWNSHIP)


def test_a_role_with_a_foreign_link_cannot_be_saved(district):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(
            username="mixed", role=Role.ENTERPRISE, enterprise=district.coal, region=district.longan
        )


def test_createsuperuser_makes_an_administrator():
    user = User.objects.create_superuser("root", "root@example.com", "Root-Passw0rd!")
    assert user.role == Role.ADMIN


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.8")


def test_login_succeeds_with_the_right_password(client, personas):
    response = _login(client, "bureau", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_account_is_locked_after_repeated_failures(client, personas, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "bureau", "wrong-password").status_code == 200  # the form again, with its error
    _login(client, "bureau", "wrong-password")
    locked = _login(client, "bureau", PASSWORD)
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_of_one_user_leaves_others_alone(client, personas, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "bureau", "wrong-password")
    assert _login(client, "leader", PASSWORD).status_code == 302


def test_idle_session_expires(client, personas):
    client.force_login(personas.bureau)
    assert client.get(reverse("home")).status_code == 200
    from django.contrib.sessions.models import Session

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_session_lifetime_follows_the_idle_setting(client, personas, settings):
    client.force_login(personas.bureau)
    client.get(reverse("home"))
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
    assert client.session.get_expire_at_browser_close()


def test_expired_password_must_be_changed_first(client, personas, settings):
    user = personas.township
    User.objects.filter(pk=user.pk).update(
        password_changed_at=timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS + 1)
    )
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200
    changed = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Fresh-Passw0rd#9", "new_password2": "Fresh-Passw0rd#9"},
    )
    assert changed.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_logout_ends_the_session(client, personas):
    client.force_login(personas.bureau)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_no_api_token_for_an_expired_password(client, personas, settings):
    User.objects.filter(pk=personas.bureau.pk).update(
        password_changed_at=timezone.now() - timedelta(days=settings.PASSWORD_MAX_AGE_DAYS + 1)
    )
    response = client.post("/api/token/", {"username": "bureau", "password": PASSWORD})
    assert response.status_code == 400
    assert "密码已过期" in response.content.decode()
    assert client.post("/api/token/", {"username": "leader", "password": PASSWORD}).status_code == 200


def test_pages_are_chinese_even_for_an_english_browser(client, personas):
    client.force_login(personas.bureau)
    page = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page


def test_english_when_the_user_chooses_it(client, personas):
    client.force_login(personas.bureau)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("home")).content.decode()


def test_an_expert_acts_for_their_firm(personas, district):
    assert personas.expert.organisation_name == district.provider.name
