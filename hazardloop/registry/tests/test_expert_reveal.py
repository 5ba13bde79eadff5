"""The expert page shows phone and ID masked; roles allowed to read them whole get a
“显示完整号码” button whose static script reads the audited personal-data endpoint."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hazardloop.audit.choices import EventType
from hazardloop.audit.models import AuditEvent

PHONE = "13812345678"
ID_NUMBER = "410506198001011234"


@pytest.fixture
def expert(district):
    expert = district.expert
    expert.phone = PHONE
    expert.id_number = ID_NUMBER
    expert.save(update_fields=["phone", "id_number"])
    return expert


def _page(client, user, expert) -> str:
    client.force_login(user)
    response = client.get(reverse("registry:expert_detail", args=[expert.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", ["bureau", "provider"])
def test_the_reveal_button_reads_through_the_audited_endpoint(client, personas, expert, role):
    user = getattr(personas, role)
    html = _page(client, user, expert)
    assert PHONE not in html and ID_NUMBER not in html
    assert "138****5678" in html
    assert 'data-testid="reveal-personal-data"' in html
    url = reverse("api-personal-data", args=["registry.expert", expert.pk])
    assert f'data-reveal-url="{url}"' in html
    assert "registry/reveal_personal_data.js" in html
    assert "<script>" not in html  # strict CSP: the behaviour lives in the static file

    before = AuditEvent.objects.filter(event_type=EventType.PERSONAL_DATA_VIEWED).count()
    response = client.get(url, HTTP_ACCEPT="application/json")  # what the script fetches
    assert response.status_code == 200
    assert response.json() == {"id_number": ID_NUMBER, "phone": PHONE}
    events = AuditEvent.objects.filter(event_type=EventType.PERSONAL_DATA_VIEWED)
    assert events.count() == before + 1
    event = events.order_by("-seq").first()
    assert (event.actor, event.target_id) == (user, str(expert.pk))


@pytest.mark.parametrize("role", ["township", "leader"])
def test_roles_without_the_capability_get_no_button(client, personas, expert, role):
    html = _page(client, getattr(personas, role), expert)
    assert 'data-testid="reveal-personal-data"' not in html
    assert "reveal_personal_data.js" not in html
    assert PHONE not in html and ID_NUMBER not in html
