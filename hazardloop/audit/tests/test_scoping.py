import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from hazardloop.audit.choices import EventType
from hazardloop.audit.models import AuditEvent
from hazardloop.audit.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(personas):
    with transaction.atomic():
        by_actor = {
            name: record_event(EventType.RECORD_UPDATED, actor=getattr(personas, name))
            for name in ("admin", "bureau", "leader", "township", "provider", "enterprise", "outsider")
        }
        by_actor["system"] = record_event(EventType.AUDIT_PURGED, actor=None)
    return by_actor


@pytest.mark.parametrize("name", ["admin", "bureau"])
def test_admin_and_bureau_see_every_event(personas, events, name):
    visible = set(AuditEvent.objects.visible_to(getattr(personas, name)))
    assert visible == set(events.values())


@pytest.mark.parametrize("name", ["leader", "township", "provider", "enterprise", "outsider"])
def test_everyone_else_sees_only_their_own_events(personas, events, name):
    assert list(AuditEvent.objects.visible_to(getattr(personas, name))) == [events[name]]


def test_a_user_without_events_sees_none(personas, events):
    assert not AuditEvent.objects.visible_to(personas.expert).exists()


def test_anonymous_sees_nothing(events):
    assert not AuditEvent.objects.visible_to(AnonymousUser()).exists()
