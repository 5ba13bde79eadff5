"""The activation page (no login) and the officers' list of enterprises without an account."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hazardloop.accounts.models import User
from hazardloop.onboarding import rules, services


@pytest.fixture
def code(personas, district):
    return services.issue_activation_code(district.machine, actor=personas.township, send=False)


def test_the_qr_link_fills_in_credit_code_and_code(client, code, district):
    response = client.get(services.activation_url(code, absolute=False))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["credit_code"] == district.machine.credit_code
    assert form.initial["code"] == rules.display_code(code.code)


def test_activating_signs_the_new_user_in_and_lands_on_the_workbench(client, code, district):
    response = client.post(
        reverse("onboarding:activate"),
        {
            "credit_code": district.machine.credit_code,
            "code": code.code,
            "display_name": "赵安全",
            "phone": "13937201234",
            "username": "machine_safety",
            "password": "Anquan#2026ok",
            "password_again": "Anquan#2026ok",
        },
    )
    assert response.status_code == 302 and response.url == reverse("home")
    user = User.objects.get(username="machine_safety")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_refused_activation_shows_the_form_again_with_the_message(client, code, district):
    response = client.post(
        reverse("onboarding:activate"),
        {
            "credit_code": district.machine.credit_code,
            "code": "AAAA-AAAA",
            "display_name": "赵安全",
            "phone": "13937201234",
            "username": "machine_safety",
            "password": "Anquan#2026ok",
            "password_again": "Anquan#2026ok",
        },
    )
    assert response.status_code == 400
    assert "统一社会信用代码或激活码不正确。" in response.content.decode()
    assert not User.objects.filter(username="machine_safety").exists()


def test_the_pending_list_shows_the_townships_enterprises_without_an_account(client, personas, district):
    client.force_login(personas.township)
    response = client.get(reverse("onboarding:pending"))
    assert response.status_code == 200
    assert [e.name for e in response.context["result"].page] == [district.machine.name]


def test_enterprises_may_not_open_the_pending_list(client, personas):
    client.force_login(personas.enterprise)
    assert client.get(reverse("onboarding:pending")).status_code == 403


def test_issuing_from_the_list_for_an_enterprise_out_of_scope_is_404(client, personas, district):
    client.force_login(personas.township)
    assert client.post(reverse("onboarding:issue", args=[district.chem.pk])).status_code == 404
