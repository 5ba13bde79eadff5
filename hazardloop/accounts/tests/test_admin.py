"""User administration: the role/organisation pairing is explained on the form, not left to the
database constraint."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hazardloop.accounts.models import User

pytestmark = pytest.mark.django_db


def _add(client, **fields):
    data = {
        "username": "new_clerk",
        "display_name": "新办事员",
        "password1": "Anquan-2026-ok",
        "password2": "Anquan-2026-ok",
    }
    data.update(fields)
    return client.post(reverse("admin:accounts_user_add"), data)


def test_user_list_shows_role_and_organisation(client, personas):
    client.force_login(personas.admin)
    html = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "龙泉煤业有限公司" in html  # the enterprise user's organisation
    assert "区安监局" in html


def test_a_role_without_its_organisation_is_refused_on_the_form(client, personas):
    client.force_login(personas.admin)
    response = _add(client, role="township")
    assert response.status_code == 200
    assert "必须填写" in response.content.decode()
    assert not User.objects.filter(username="new_clerk").exists()


def test_a_role_with_a_foreign_link_is_refused_on_the_form(client, personas, district):
    client.force_login(personas.admin)
    response = _add(client, role="enterprise", enterprise=district.coal.pk, region=district.town_a.pk)
    assert response.status_code == 200
    assert "不应填写" in response.content.decode()


def test_a_correct_pairing_creates_the_user(client, personas, district):
    client.force_login(personas.admin)
    response = _add(client, role="township", region=district.town_b.pk)
    assert response.status_code == 302
    user = User.objects.get(username="new_clerk")
    assert user.region == district.town_b and user.role == "township"


def test_user_change_page_opens(client, personas):
    client.force_login(personas.admin)
    response = client.get(reverse("admin:accounts_user_change", args=[personas.provider.pk]))
    assert response.status_code == 200
