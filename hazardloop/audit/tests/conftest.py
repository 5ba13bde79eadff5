import pytest
from django.db import connection, transaction

from hazardloop.audit.choices import EventType
from hazardloop.audit.services import record_event


@pytest.fixture
def tamper(db):
    """Run raw SQL on the audit tables past every guard, as an attacker with database access would.
    On PostgreSQL the append-only triggers are silenced for this statement only, by acting as
    a replication client would (superuser only, which the test role is)."""

    def run(sql, params=()):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(sql, params)
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")

    return run


@pytest.fixture
def append(db):
    """Append `n` events, each in its own transaction as a service would."""

    def run(n=1, *, actor=None, event_type=EventType.RECORD_UPDATED, **kwargs):
        events = []
        for i in range(n):
            with transaction.atomic():
                events.append(record_event(event_type, actor=actor, data={"i": i}, **kwargs))
        return events

    return run
