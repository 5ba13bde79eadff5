"""Two-factor login (TOTP) for the roles in HAZARDLOOP_2FA_ROLES: pages, admin site and API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from conftest import PASSWORD
from hazardloop.accounts import two_factor
from hazardloop.accounts.testing import TEST_TOTP_KEY, login_verified
from hazardloop.audit.choices import EventType
from hazardloop.audit.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.two_factor]

ENTERPRISES = "/registry/enterprises/"


def _password_login(client, username):
    response = client.post(
        reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 302
    return response


def test_bureau_without_a_device_is_sent_to_enrolment_and_nowhere_else(client, personas):
    _password_login(client, "bureau")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    for path in (ENTERPRISES, reverse("password_change"), "/admin/"):
        assert client.get(path)["Location"].startswith(reverse("two_factor_setup")), path


def test_enrolment_page_shows_a_qr_code_and_the_secret(client, personas):
    _password_login(client, "bureau")
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=personas.bureau, confirmed=False)
    assert two_factor.base32_secret(device) in html
    # Reloading keeps the same secret, so the phone already scanned stays right.
    client.get(reverse("two_factor_setup"))
    assert TOTPDevice.objects.filter(user=personas.bureau).count() == 1


def test_enrolment_with_the_right_code_confirms_the_device_and_opens_the_system(client, personas):
    _password_login(client, "bureau")
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=personas.bureau)
    wrong = client.post(reverse("two_factor_setup"), {"code": "000000"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    device.throttling_failure_count = 0
    device.save()
    done = client.post(
        reverse("two_factor_setup"), {"code": two_factor.current_code(device), "next": ENTERPRISES}
    )
    assert done.status_code == 302 and done["Location"] == ENTERPRISES
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(ENTERPRISES).status_code == 200
    assert AuditEvent.objects.filter(
        event_type=EventType.LOGIN_SUCCEEDED, actor=personas.bureau, data__factor="totp"
    ).exists()


def test_enrolled_user_verifies_after_the_password(client, personas):
    device = two_factor.give_device(personas.bureau, key_hex=TEST_TOTP_KEY)
    _password_login(client, "bureau")
    redirect = client.get(ENTERPRISES)
    assert redirect["Location"].startswith(reverse("two_factor_verify"))
    # The enrolment page cannot be used to replace a confirmed device.
    assert client.get(reverse("two_factor_setup"))["Location"].startswith(reverse("two_factor_verify"))
    bad = client.post(reverse("two_factor_verify"), {"code": "12ab"})
    assert bad.status_code == 200 and "6位数字" in bad.content.decode()
    ok = client.post(redirect["Location"], {"code": two_factor.current_code(device)})
    assert ok.status_code == 302 and ok["Location"] == ENTERPRISES
    assert client.get(ENTERPRISES).status_code == 200


def test_a_code_cannot_be_replayed(client, personas):
    device = two_factor.give_device(personas.bureau, key_hex=TEST_TOTP_KEY)
    code = two_factor.current_code(device)
    assert two_factor.verify_code(personas.bureau, code) is not None
    assert two_factor.verify_code(personas.bureau, code) is None


def test_next_pointing_elsewhere_is_ignored(client, personas):
    device = two_factor.give_device(personas.bureau, key_hex=TEST_TOTP_KEY)
    _password_login(client, "bureau")
    response = client.post(
        reverse("two_factor_verify"),
        {"code": two_factor.current_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("home")


def test_roles_outside_the_setting_log_in_with_the_password_alone(client, personas):
    _password_login(client, "township")
    assert client.get(ENTERPRISES).status_code == 200


def test_the_setting_decides_which_roles_need_it(client, personas, settings):
    settings.HAZARDLOOP_2FA_ROLES = ["township"]
    _password_login(client, "township")
    assert client.get(ENTERPRISES).status_code == 302
    settings.HAZARDLOOP_2FA_ROLES = []
    assert client.get(ENTERPRISES).status_code == 200


def test_admin_site_needs_the_second_factor(client, personas):
    _password_login(client, "admin")
    assert client.get("/admin/")["Location"].startswith(reverse("two_factor_setup"))
    login_verified(client, personas.admin)
    assert client.get("/admin/").status_code == 200


def test_session_api_calls_of_an_unverified_session_are_refused(client, personas):
    _password_login(client, "bureau")
    response = client.get("/api/registry/enterprises/")
    assert response.status_code == 403
    assert "动态验证码" in response.json()["detail"]


def test_logout_is_reachable_before_the_second_factor(client, personas):
    _password_login(client, "bureau")
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(ENTERPRISES)["Location"].startswith(reverse("login"))


def _ask_token(**data):
    return APIClient().post("/api/token/", data, format="json", REMOTE_ADDR="10.0.0.6")


def test_token_view_refuses_bureau_without_a_code(personas):
    two_factor.give_device(personas.bureau, key_hex=TEST_TOTP_KEY)
    response = _ask_token(username="bureau", password=PASSWORD)
    assert response.status_code == 400
    assert response.json()["otp"] == ["该账号需要动态验证码。"]
    wrong = _ask_token(username="bureau", password=PASSWORD, otp="000000")
    assert wrong.status_code == 400 and "otp" in wrong.json()


def test_token_view_refuses_bureau_who_never_enrolled(personas):
    response = _ask_token(username="bureau", password=PASSWORD, otp="123456")
    assert response.status_code == 400
    assert "绑定认证器" in response.json()["non_field_errors"][0]


def test_token_view_issues_a_token_with_a_valid_code(personas):
    device = two_factor.give_device(personas.bureau, key_hex=TEST_TOTP_KEY)
    response = _ask_token(username="bureau", password=PASSWORD, otp=two_factor.current_code(device))
    assert response.status_code == 200 and response.json()["token"]


def test_token_view_needs_no_code_for_other_roles(personas):
    assert _ask_token(username="township", password=PASSWORD).status_code == 200


def test_reset_removes_the_device_and_is_audited(personas):
    two_factor.give_device(personas.bureau, key_hex=TEST_TOTP_KEY)
    assert two_factor.reset_devices(personas.bureau, actor=personas.admin) == 1
    assert two_factor.confirmed_device(personas.bureau) is None
    assert AuditEvent.objects.filter(event_type=EventType.RECORD_DELETED, actor=personas.admin).exists()


def test_demo_logins_prints_the_demo_secret_and_a_working_code(personas):
    from io import StringIO

    from django.core.management import call_command

    from hazardloop.accounts.demo import DEMO_EMAIL_DOMAIN, DEMO_TOTP_KEY

    personas.bureau.email = f"bureau@{DEMO_EMAIL_DOMAIN}"
    personas.bureau.save()
    two_factor.give_device(personas.bureau, key_hex=DEMO_TOTP_KEY)
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "双因素登录账号：bureau" in text
    code = text.split("当前动态验证码：")[1].split("（")[0]
    assert two_factor.verify_code(personas.bureau, code) is not None
    assert "随时再运行 hazardloop demo_logins" in text


def test_code_at_matches_the_rfc_6238_vectors():
    # RFC 6238 appendix B, SHA-1, key "12345678901234567890": 94287082 at T=59 and 07081804
    # at T=1111111109 (8 digits); an authenticator shows the last six.
    key = b"12345678901234567890".hex()
    assert two_factor.code_at(key, 59) == "287082"
    assert two_factor.code_at(key, 1111111109) == "081804"


@pytest.mark.parametrize(("clock", "shows_next"), [(1111111109, True), (1111111090, False)])
def test_demo_logins_adds_the_next_code_when_the_current_one_is_about_to_lapse(
    personas, monkeypatch, clock, shows_next
):
    from io import StringIO

    from django.core.management import call_command

    from hazardloop.accounts.demo import DEMO_EMAIL_DOMAIN, DEMO_TOTP_KEY

    personas.bureau.email = f"bureau@{DEMO_EMAIL_DOMAIN}"
    personas.bureau.save()
    # 1111111109 is 29 s into its 30 s step (1 s left); 1111111090 is 10 s in (20 s left).
    from types import SimpleNamespace

    from hazardloop.demo.management.commands import demo_logins

    monkeypatch.setattr(demo_logins, "time", SimpleNamespace(time=lambda: float(clock)))
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    left = 1 if shows_next else 20
    assert f"还剩 {left} 秒有效" in text
    assert ("下一个动态验证码：" in text) is shows_next
    if shows_next:
        assert text.split("下一个动态验证码：")[1].startswith(two_factor.code_at(DEMO_TOTP_KEY, clock + 30))


def test_reset_command_makes_the_user_enrol_again(client, personas):
    from io import StringIO

    from django.core.management import call_command

    two_factor.give_device(personas.bureau, key_hex=TEST_TOTP_KEY)
    out = StringIO()
    call_command("reset_two_factor", "bureau", stdout=out)
    assert "1 个认证器" in out.getvalue()
    _password_login(client, "bureau")
    assert client.get(ENTERPRISES)["Location"].startswith(reverse("two_factor_setup"))


def test_the_admin_site_does_not_show_totp_secrets(client, personas):
    from django.contrib import admin
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert not admin.site.is_registered(TOTPDevice)
    login_verified(client, personas.admin)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
