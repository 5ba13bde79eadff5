import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone

from hazardloop.audit import rules
from hazardloop.audit.choices import EventType
from hazardloop.audit.models import AuditAnchor, AuditChainHead, AuditEvent, AuditImmutableError
from hazardloop.audit.services import (
    AuditRetentionError,
    AuditUsageError,
    purge_events,
    record_event,
    verify_chain,
)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL=postgres://…)"
)

# Tests that need real commits flush the database afterwards; serialized_rollback puts the
# migrations' seed data back, which the transactional tests that run after them rely on.
committing = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_first_event_starts_from_the_genesis_and_the_next_links_to_it(district, append):
    first, second = append(2, actor=district.admin)
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == rules.GENESIS_HASH
    assert second.prev_hash == first.hash
    assert AuditChainHead.objects.get().seq == 2


def test_event_keeps_actor_target_data_and_address(district, rf):
    request = rf.get("/", REMOTE_ADDR="192.168.3.7")
    with transaction.atomic():
        event = record_event(
            EventType.RECORD_UPDATED,
            actor=district.admin,
            target=district.coal,
            data={"field": "employees", "old": 600, "new": 650, "fee": Decimal("1.50")},
            request=request,
        )
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.actor == district.admin
    assert stored.actor_display == "admin"
    assert (stored.target_type.model, stored.target_id) == ("enterprise", str(district.coal.pk))
    assert stored.target_repr == str(district.coal)
    assert stored.data == {"field": "employees", "old": 600, "new": 650, "fee": "1.50"}
    assert stored.ip_address == "192.168.3.7"
    # What comes back from the database hashes to what was stored.
    assert rules.event_hash(stored.chain_fields()) == stored.hash


def test_actor_display_survives_renaming_the_user(district, append):
    (event,) = append(actor=district.admin)
    district.admin.username = "renamed"
    district.admin.display_name = "新名字"
    district.admin.save()
    assert AuditEvent.objects.get(seq=event.seq).actor_display == "admin"
    assert verify_chain().ok


def test_event_rolls_back_with_the_callers_transaction(append):
    append(1)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        record_event(EventType.STATE_TRANSITION, actor=None)
        raise Boom
    assert AuditEvent.objects.count() == 1
    assert AuditChainHead.objects.get().seq == 1
    (after,) = append(1)
    assert after.seq == 2


@committing
def test_recording_outside_a_transaction_is_refused():
    with pytest.raises(AuditUsageError):
        record_event(EventType.EXPORT, actor=None)
    assert not AuditEvent.objects.exists()


def test_unknown_event_type_is_refused(db):
    with pytest.raises(ValueError), transaction.atomic():
        record_event(999, actor=None)


def test_saved_events_cannot_be_changed_or_deleted_through_the_orm(append):
    (event,) = append(1)
    event.data = {"i": 42}
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(seq=event.seq).update(data={})
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(seq=event.seq).data == {"i": 0}


def test_anchors_cannot_be_changed_or_deleted_through_the_orm(db):
    anchor = AuditAnchor(seq=5, hash="a" * 64, cutoff=timezone.now(), purged_count=5)
    anchor.save()
    anchor.purged_count = 1
    with pytest.raises(AuditImmutableError):
        anchor.save()
    with pytest.raises(AuditImmutableError):
        anchor.delete()


@on_postgresql
@pytest.mark.parametrize(
    "sql",
    ["UPDATE audit_auditevent SET data = '{}'::jsonb", "DELETE FROM audit_auditevent"],
)
def test_postgresql_trigger_refuses_raw_updates_and_deletes(append, sql):
    append(2)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEvent.objects.count() == 2


@on_postgresql
def test_postgresql_trigger_refuses_raw_changes_to_anchors(db):
    AuditAnchor(seq=5, hash="a" * 64, cutoff=timezone.now(), purged_count=5).save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditanchor")
    assert AuditAnchor.objects.count() == 1


def _close_connection_after(target):
    def run(*args):
        try:
            target(*args)
        finally:
            connection.close()

    return run


@on_postgresql
@committing
def test_two_threads_appending_at_once_leave_one_unbroken_chain():
    barrier = threading.Barrier(2)
    errors = []

    def writer(name):
        try:
            barrier.wait()
            for i in range(30):
                with transaction.atomic():
                    record_event(EventType.RECORD_UPDATED, actor=None, data={"writer": name, "i": i})
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)

    threads = [threading.Thread(target=_close_connection_after(writer), args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = verify_chain()
    assert report.ok, report.result.broken
    assert report.result.count == 60
    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 61))


def _wait_until_a_backend_waits_on_a_lock():
    """Poll from a separate connection (the caller's is inside its transaction). Bounded, and
    nothing is asserted about time: if the wait is never seen, the test merely proves less."""
    observer = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        for _ in range(200):
            with observer.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    return
            time.sleep(0.05)
    finally:
        observer.close()


@on_postgresql
@committing
def test_a_second_writer_waits_for_the_first_instead_of_taking_the_same_number():
    # The first writer keeps its append uncommitted until the second is seen blocked. Without
    # the chain-head lock the second would read the same head, take the same number and fail
    # on the primary key as soon as the first commits.
    first_appended, errors = threading.Event(), []

    def second():
        try:
            first_appended.wait()
            with transaction.atomic():
                record_event(EventType.RECORD_UPDATED, actor=None, data={"writer": "second"})
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)

    thread = threading.Thread(target=_close_connection_after(second))
    thread.start()
    with transaction.atomic():
        record_event(EventType.RECORD_UPDATED, actor=None, data={"writer": "first"})
        first_appended.set()
        _wait_until_a_backend_waits_on_a_lock()
    thread.join()
    assert errors == []
    assert list(AuditEvent.objects.values_list("seq", "data__writer")) == [(1, "first"), (2, "second")]
    assert verify_chain().ok


def _append_at(moment, n, **kwargs):
    from unittest import mock

    with mock.patch("hazardloop.audit.services.timezone.now", return_value=moment):
        for i in range(n):
            with transaction.atomic():
                record_event(EventType.RECORD_UPDATED, actor=None, data={"i": i}, **kwargs)


def test_purge_deletes_old_events_and_anchors_the_chain(db):
    now = timezone.now()
    _append_at(now - dt.timedelta(days=400), 3)
    _append_at(now - dt.timedelta(days=10), 2)
    result = purge_events(older_than_days=365, now=now)
    assert result.deleted == 3
    anchor = AuditAnchor.objects.get()
    assert anchor.seq == 3
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [4, 5, 6]
    purge_event = AuditEvent.objects.get(seq=6)
    assert purge_event.event_type == EventType.AUDIT_PURGED
    assert purge_event.data["through_seq"] == 3
    report = verify_chain()
    assert report.ok
    assert (report.anchor_seq, report.result.count) == (3, 3)


def test_purge_with_nothing_old_enough_writes_nothing(db):
    _append_at(timezone.now(), 2)
    result = purge_events(older_than_days=180)
    assert (result.deleted, result.anchor) == (0, None)
    assert AuditEvent.objects.count() == 2
    assert not AuditAnchor.objects.exists()


def test_a_second_purge_moves_the_anchor_on(db):
    now = timezone.now()
    _append_at(now - dt.timedelta(days=800), 2)
    _append_at(now - dt.timedelta(days=400), 2)
    purge_events(older_than_days=700, now=now)
    purge_events(older_than_days=365, now=now)
    # Each purge's own event (5, then 6) is recent, so it stays.
    assert list(AuditAnchor.objects.values_list("seq", flat=True)) == [2, 4]
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [5, 6]
    assert verify_chain().ok


def test_purge_refuses_less_than_six_months(db):
    _append_at(timezone.now() - dt.timedelta(days=400), 1)
    with pytest.raises(AuditRetentionError, match="180"):
        purge_events(older_than_days=179)
    assert AuditEvent.objects.count() == 1


def test_head_is_rebuilt_from_the_last_event_when_its_row_is_missing(append):
    append(3)
    AuditChainHead.objects.all().delete()
    (event,) = append(1)
    assert event.seq == 4
    assert verify_chain().ok


def test_an_unsaved_target_is_refused(db):
    from hazardloop.accounts.models import User

    with pytest.raises(ValueError), transaction.atomic():
        record_event(EventType.RECORD_CREATED, actor=None, target=User(username="draft"))
    assert not AuditEvent.objects.exists()
