"""The reference-data admin: every registry model opens, enterprises stay read-only there, and a
provider's credit code is held to the same check digit as the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hazardloop.registry.models import Provider
from hazardloop.registry.testing import next_credit_code

pytestmark = pytest.mark.django_db

MODELS = ["region", "industry", "memberunit", "provider", "expert", "enterprise"]


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_change_page_open(client, personas, district, model):
    client.force_login(personas.admin)
    assert client.get(reverse(f"admin:registry_{model}_changelist")).status_code == 200
    obj = {
        "region": district.town_a,
        "industry": district.coal.industry,
        "memberunit": district.police,
        "provider": district.provider,
        "expert": district.expert,
        "enterprise": district.coal,
    }[model]
    assert client.get(reverse(f"admin:registry_{model}_change", args=[obj.pk])).status_code == 200


def test_enterprises_cannot_be_added_or_deleted_in_the_admin(client, personas, district):
    client.force_login(personas.admin)
    assert client.get(reverse("admin:registry_enterprise_add")).status_code == 403
    assert client.get(reverse("admin:registry_enterprise_delete", args=[district.coal.pk])).status_code == 403
    page = client.get(reverse("admin:registry_enterprise_change", args=[district.coal.pk]))
    # Every field is read-only: the form has no input named after a model field.
    assert 'name="credit_code"' not in page.content.decode()
    assert reverse("registry:enterprise_detail", args=[district.coal.pk]) in page.content.decode()


def test_member_unit_page_edits_duties_inline(client, personas, district):
    client.force_login(personas.admin)
    html = client.get(reverse("admin:registry_memberunit_change", args=[district.safety.pk])).content.decode()
    assert 'name="duties-TOTAL_FORMS"' in html


def test_expert_page_has_specialty_certificate_and_conflict_inlines(client, personas, district):
    client.force_login(personas.admin)
    html = client.get(reverse("admin:registry_expert_change", args=[district.expert.pk])).content.decode()
    for prefix in ("specialty_rows", "certificates", "conflict_rows"):
        assert f'name="{prefix}-TOTAL_FORMS"' in html


def _provider_post(code):
    return {
        "name": "新机构安全服务有限公司",
        "credit_code": code,
        "status": "active",
        "office_area_m2": "100",
        "staff_count": "5",
        "experts-TOTAL_FORMS": "0",
        "experts-INITIAL_FORMS": "0",
        "experts-MIN_NUM_FORMS": "0",
        "experts-MAX_NUM_FORMS": "1000",
    }


def test_provider_admin_checks_the_credit_code(client, personas):
    client.force_login(personas.admin)
    code = next_credit_code()
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    response = client.post(reverse("admin:registry_provider_add"), _provider_post(bad))
    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert not Provider.objects.filter(name="新机构安全服务有限公司").exists()
    response = client.post(reverse("admin:registry_provider_add"), _provider_post(code.lower()))
    assert response.status_code == 302
    assert Provider.objects.get(name="新机构安全服务有限公司").credit_code == code


def test_non_staff_users_cannot_open_the_admin(client, personas):
    client.force_login(personas.bureau)
    response = client.get(reverse("admin:registry_enterprise_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
