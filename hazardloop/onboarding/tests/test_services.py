"""Activation codes and the accounts they open: the service is the only writer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone

from hazardloop.accounts.choices import Role
from hazardloop.accounts.models import User
from hazardloop.core.errors import Conflict, NotVisible, Refused, ServiceError
from hazardloop.onboarding import rules, services
from hazardloop.onboarding.backends import ConsoleBackend
from hazardloop.onboarding.models import ActivationCode
from hazardloop.registry.models import Enterprise

NEW_PASSWORD = "Anquan#2026ok"


def _form(enterprise, code, **overrides):
    data = {
        "credit_code": enterprise.credit_code,
        "code": code,
        "phone": "139 3720 1234",
        "username": "longquan_machine",
        "display_name": "赵安全",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


@pytest.fixture
def issued(personas, district, django_capture_on_commit_callbacks):
    ConsoleBackend.sent = []
    Enterprise.objects.filter(pk=district.machine.pk).update(safety_contact_phone="13937201234")
    district.machine.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        code = services.issue_activation_code(district.machine, actor=personas.township)
    return code


def _request(ip="203.0.113.7"):
    return RequestFactory().post("/onboarding/activate/", REMOTE_ADDR=ip)


def test_issuing_makes_a_thirty_day_code_and_sends_it_to_the_contact_phone(issued, district):
    assert issued.enterprise == district.machine
    assert issued.expires_at - issued.issued_at == dt.timedelta(days=30)
    assert len(issued.code) == 8 and set(issued.code) <= set(rules.ALPHABET)
    [message] = ConsoleBackend.sent
    assert message.phone == "13937201234"
    assert rules.display_code(issued.code) in message.text


def test_issuing_again_within_the_reuse_window_prints_the_same_code(issued, personas, district):
    again = services.issue_activation_code(district.machine, actor=personas.township)
    assert again.pk == issued.pk


def test_a_code_near_its_end_is_replaced_and_the_old_one_withdrawn(issued, personas, district):
    ActivationCode.objects.filter(pk=issued.pk).update(expires_at=timezone.now() + dt.timedelta(days=2))
    fresh = services.issue_activation_code(district.machine, actor=personas.township)
    assert fresh.pk != issued.pk
    issued.refresh_from_db()
    assert issued.revoked_at is not None


def test_activation_opens_an_account_scoped_to_that_enterprise_and_uses_the_code(issued, district):
    user = services.activate_enterprise(**_form(district.machine, rules.display_code(issued.code)))
    assert user.role == Role.ENTERPRISE and user.enterprise == district.machine
    assert user.phone == "13937201234"
    assert user.check_password(NEW_PASSWORD)
    assert set(Enterprise.objects.visible_to(user)) == {district.machine}
    issued.refresh_from_db()
    assert issued.used_by == user and issued.used_at is not None


def test_lower_case_and_spaces_in_the_typed_code_are_accepted(issued, district):
    typed = " ".join(issued.code.lower())
    assert services.activate_enterprise(**_form(district.machine, typed)).enterprise == district.machine


def _nothing_written(issued, users_before):
    issued.refresh_from_db()
    assert issued.used_at is None and issued.used_by is None and issued.revoked_at is None
    assert User.objects.count() == users_before


def test_a_wrong_code_is_refused_and_nothing_is_written(issued, district):
    before = User.objects.count()
    wrong = rules.ALPHABET[:8]
    assert wrong != issued.code
    with pytest.raises(ServiceError) as caught:
        services.activate_enterprise(**_form(district.machine, wrong))
    assert caught.value.errors == {"code": ["统一社会信用代码或激活码不正确。"]}
    _nothing_written(issued, before)


def test_an_unknown_credit_code_reads_like_a_wrong_code(issued, district):
    with pytest.raises(ServiceError) as caught:
        services.activate_enterprise(**_form(district.machine, issued.code, credit_code="91410506MA00000000"))
    assert caught.value.errors == {"code": ["统一社会信用代码或激活码不正确。"]}


def test_the_code_of_another_enterprise_does_not_open_this_one(issued, personas, district):
    before = User.objects.count()
    with pytest.raises(ServiceError):
        services.activate_enterprise(**_form(district.coal, issued.code))
    _nothing_written(issued, before)


def test_an_expired_code_is_refused_and_nothing_is_written(issued, district):
    ActivationCode.objects.filter(pk=issued.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    before = User.objects.count()
    with pytest.raises(ServiceError) as caught:
        services.activate_enterprise(**_form(district.machine, issued.code))
    assert "已过期" in caught.value.errors["code"][0]
    _nothing_written(issued, before)


def test_a_used_code_is_refused_the_second_time(issued, district):
    services.activate_enterprise(**_form(district.machine, issued.code))
    before = User.objects.count()
    with pytest.raises(ServiceError) as caught:
        services.activate_enterprise(**_form(district.machine, issued.code, username="second_try"))
    assert "已使用" in caught.value.errors["code"][0]
    assert User.objects.count() == before


def test_five_wrong_tries_lock_the_enterprise_even_for_the_right_code(issued, district):
    before = User.objects.count()
    for n in range(5):
        with pytest.raises(ServiceError):
            services.activate_enterprise(
                **_form(district.machine, "AAAAAAA" + rules.ALPHABET[n]), request=_request(f"198.51.100.{n}")
            )
    with pytest.raises(ServiceError) as caught:
        services.activate_enterprise(**_form(district.machine, issued.code), request=_request("192.0.2.1"))
    assert "输错次数过多" in caught.value.message
    _nothing_written(issued, before)


def test_one_address_is_stopped_after_the_login_limit(issued, district, settings):
    settings.LOGIN_IP_MAX_ATTEMPTS = 3
    for _ in range(3):
        with pytest.raises(ServiceError):
            services.activate_enterprise(
                **_form(district.machine, "AAAAAAAA", credit_code="X"), request=_request()
            )
    with pytest.raises(ServiceError) as caught:
        services.activate_enterprise(**_form(district.machine, issued.code), request=_request())
    assert "尝试次数过多" in caught.value.message


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "0372-5551234", "请填写 11 位手机号码。"),
        ("username", "township", "该用户名已被使用，请换一个。"),
        ("password_again", "Other#2026ok", "两次输入的密码不一致。"),
        ("display_name", " ", "请填写您的姓名。"),
    ],
)
def test_bad_input_is_refused_by_field_and_the_code_stays_live(issued, district, field, value, message):
    before = User.objects.count()
    with pytest.raises(ServiceError) as caught:
        services.activate_enterprise(**_form(district.machine, issued.code, **{field: value}))
    assert caught.value.errors[field] == [message]
    _nothing_written(issued, before)


def test_a_weak_password_is_refused(issued, district):
    with pytest.raises(ServiceError) as caught:
        services.activate_enterprise(
            **_form(district.machine, issued.code, password="short", password_again="short")
        )
    assert "password" in caught.value.errors


def test_enterprises_and_providers_cannot_issue_codes(personas, district):
    for user in (personas.enterprise, personas.provider, personas.expert, personas.leader):
        with pytest.raises(Refused):
            services.issue_activation_code(district.machine, actor=user)


def test_a_township_cannot_issue_for_another_townships_enterprise(personas, district):
    with pytest.raises(NotVisible):
        services.issue_activation_code(district.chem, actor=personas.township)
    assert not ActivationCode.objects.exists()


def test_an_enterprise_with_an_account_needs_no_code(personas, district):
    with pytest.raises(Conflict):
        services.issue_activation_code(district.coal, actor=personas.bureau)
    assert services.code_for_notice(district.coal, actor=personas.safety_unit, notice_number="X") is None
    assert not ActivationCode.objects.exists()


def test_officers_see_only_the_codes_of_their_scope(issued, personas, district):
    services.issue_activation_code(district.chem, actor=personas.bureau)
    assert ActivationCode.objects.visible_to(personas.township).count() == 1
    assert ActivationCode.objects.visible_to(personas.bureau).count() == 2
    assert ActivationCode.objects.visible_to(personas.enterprise).count() == 0
