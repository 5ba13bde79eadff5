import json

import pytest
from django.urls import reverse

from conftest import PASSWORD
from hazardloop.audit.choices import EventType
from hazardloop.audit.models import AuditEvent
from hazardloop.audit.services import verify_chain

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.8")


def test_successful_login_is_recorded_with_user_and_address(client, personas):
    _login(client, "bureau", PASSWORD)
    event = AuditEvent.objects.get(event_type=EventType.LOGIN_SUCCEEDED)
    assert event.actor == personas.bureau
    assert event.ip_address == "10.0.0.8"
    assert verify_chain().ok


def test_failed_login_records_the_name_tried_but_never_the_password(client, personas):
    _login(client, "bureau", "Wrong-Secret-123")
    event = AuditEvent.objects.get(event_type=EventType.LOGIN_FAILED)
    assert event.actor is None
    assert event.data == {"username": "bureau"}
    assert event.ip_address == "10.0.0.8"
    stored = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert "Wrong-Secret-123" not in stored
    assert not AuditEvent.objects.filter(event_type=EventType.LOGIN_SUCCEEDED).exists()


def test_failed_login_for_an_unknown_name_is_recorded_too(client, db):
    _login(client, "nobody", "whatever-1A")
    assert AuditEvent.objects.get(event_type=EventType.LOGIN_FAILED).data == {"username": "nobody"}


def test_logout_is_recorded(client, personas):
    _login(client, "enterprise", PASSWORD)
    client.post(reverse("logout"), REMOTE_ADDR="10.0.0.9")
    event = AuditEvent.objects.get(event_type=EventType.LOGOUT)
    assert event.actor == personas.enterprise
    assert event.ip_address == "10.0.0.9"
    assert list(AuditEvent.objects.values_list("event_type", flat=True)) == [
        EventType.LOGIN_SUCCEEDED,
        EventType.LOGOUT,
    ]


def test_logout_without_a_session_records_nothing(client, db):
    client.post(reverse("logout"))
    assert not AuditEvent.objects.exists()
