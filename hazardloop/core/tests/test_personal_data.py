"""Personal data: encrypted at rest, masked by default, unmasked only for roles that need it and
always with an audit row."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from hazardloop.audit.choices import EventType
from hazardloop.audit.models import AuditEvent
from hazardloop.core import fields
from hazardloop.registry.models import Enterprise, Expert, Provider

pytestmark = pytest.mark.django_db

ID_NUMBER = "410506198807150036"
PHONE = "13912345678"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


@pytest.fixture
def expert(district):
    e = district.expert
    e.id_number, e.phone = ID_NUMBER, PHONE
    e.save()
    return e


def test_stored_values_are_ciphertext_and_read_back_clear(expert, district):
    stored_id = raw("registry_expert", "id_number", expert.pk)
    stored_phone = raw("registry_expert", "phone", expert.pk)
    assert ID_NUMBER not in stored_id and PHONE not in stored_phone
    assert fields.is_encrypted(stored_id) and fields.is_encrypted(stored_phone)
    fresh = Expert.objects.get(pk=expert.pk)
    assert (fresh.id_number, fresh.phone) == (ID_NUMBER, PHONE)

    district.coal.safety_contact_phone = PHONE
    district.coal.save()
    assert PHONE not in raw("registry_enterprise", "safety_contact_phone", district.coal.pk)
    assert Enterprise.objects.get(pk=district.coal.pk).safety_contact_phone == PHONE
    Provider.objects.filter(pk=district.provider.pk).update(contact_phone=PHONE)
    assert PHONE not in raw("registry_provider", "contact_phone", district.provider.pk)
    assert Provider.objects.get(pk=district.provider.pk).contact_phone == PHONE


def test_phones_encrypt_differently_each_time_but_id_numbers_can_be_looked_up(expert):
    first = raw("registry_expert", "phone", expert.pk)
    expert.save()
    assert raw("registry_expert", "phone", expert.pk) != first
    assert Expert.objects.filter(id_number=ID_NUMBER).get() == expert
    assert list(Expert.objects.filter(id_number__in=[ID_NUMBER, "x"])) == [expert]
    assert Expert.objects.filter(id_number="").exclude(pk=expert.pk).count() >= 1


def test_id_numbers_stay_unique(expert, district):
    other = district.other_expert
    other.id_number = ID_NUMBER
    with pytest.raises(IntegrityError), transaction.atomic():
        other.save()


def test_substring_lookups_are_refused_not_silently_empty(expert):
    with pytest.raises(FieldError):
        list(Expert.objects.filter(phone__icontains="1391"))


def test_a_value_moved_to_another_column_does_not_decrypt(expert):
    stored = raw("registry_expert", "phone", expert.pk)
    with pytest.raises(fields.DecryptionError):
        fields.decrypt(stored, context="registry.provider.contact_phone")


def test_an_old_key_still_decrypts_after_rotation(expert, settings):
    old = list(settings.FIELD_ENCRYPTION_KEY)
    new = fields.generate_key()
    settings.FIELD_ENCRYPTION_KEY = [new, *old]
    assert Expert.objects.get(pk=expert.pk).phone == PHONE
    assert fields.needs_reencryption(raw("registry_expert", "phone", expert.pk))
    expert.save()
    assert not fields.needs_reencryption(raw("registry_expert", "phone", expert.pk))
    settings.FIELD_ENCRYPTION_KEY = [new]
    assert Expert.objects.get(pk=expert.pk).phone == PHONE


def test_legacy_plaintext_rows_are_read_and_the_migration_encrypts_them(expert):
    from importlib import import_module

    from django.apps import apps

    with connection.cursor() as cursor:
        cursor.execute("UPDATE registry_expert SET phone = %s WHERE id = %s", [PHONE, expert.pk])
    assert Expert.objects.get(pk=expert.pk).phone == PHONE
    migration = import_module("hazardloop.registry.migrations.0004_encrypt_personal_data")
    migration.encrypt_existing(apps, None)
    assert fields.is_encrypted(raw("registry_expert", "phone", expert.pk))
    assert Expert.objects.get(pk=expert.pk).phone == PHONE


def _reveal(user, label, pk):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(f"/api/personal-data/{label}/{pk}/")


def test_api_lists_show_the_phone_masked(personas, expert):
    client = APIClient()
    client.force_authenticate(personas.bureau)
    body = client.get(f"/api/registry/experts/{expert.pk}/").json()
    assert body["phone"] == "139****5678"
    assert ID_NUMBER not in str(body) and PHONE not in str(body)


@pytest.mark.parametrize("role", ["admin", "bureau", "provider"])
def test_roles_that_need_it_read_unmasked_and_each_reading_is_audited(personas, expert, role):
    before = AuditEvent.objects.filter(event_type=EventType.PERSONAL_DATA_VIEWED).count()
    response = _reveal(getattr(personas, role), "registry.expert", expert.pk)
    assert response.status_code == 200
    assert response.json() == {"id_number": ID_NUMBER, "phone": PHONE}
    events = AuditEvent.objects.filter(event_type=EventType.PERSONAL_DATA_VIEWED)
    assert events.count() == before + 1
    event = events.order_by("-seq").first()
    assert event.actor == getattr(personas, role)
    assert event.target_id == str(expert.pk)
    assert event.data == {"fields": ["id_number", "phone"]}
    assert PHONE not in str(event.data)


@pytest.mark.parametrize("role", ["leader", "township", "expert"])
def test_roles_that_see_the_expert_but_not_the_numbers_get_403(personas, expert, role):
    response = _reveal(getattr(personas, role), "registry.expert", expert.pk)
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(event_type=EventType.PERSONAL_DATA_VIEWED).exists()


def test_out_of_scope_records_are_404_whatever_the_role(personas, district, expert):
    # A firm reads its own experts only; the other firm's expert does not exist for it.
    assert _reveal(personas.provider, "registry.expert", district.other_expert.pk).status_code == 404
    assert _reveal(personas.enterprise, "registry.expert", expert.pk).status_code == 404
    assert _reveal(personas.bureau, "registry.enterprise", district.outsider.pk).status_code == 404
    assert _reveal(personas.bureau, "accounts.user", personas.bureau.pk).status_code == 404
    assert APIClient().get(f"/api/personal-data/registry.expert/{expert.pk}/").status_code in (401, 403)


def test_reencrypt_command_moves_rows_to_the_new_key(expert, settings):
    from io import StringIO

    from django.core.management import call_command

    new = fields.generate_key()
    settings.FIELD_ENCRYPTION_KEY = [new, *settings.FIELD_ENCRYPTION_KEY]
    out = StringIO()
    call_command("reencrypt_personal_data", stdout=out)
    assert "registry_expert" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEY = [new]
    fresh = Expert.objects.get(pk=expert.pk)
    assert (fresh.id_number, fresh.phone) == (ID_NUMBER, PHONE)
