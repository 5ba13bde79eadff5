"""The only writers of the audit log, and the chain verification that belongs with them.

Every other app calls `record_event` inside its own transaction, right beside the state change
it records, so the audit row commits or rolls back with it (CONVENTIONS.md rule 6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hazardloop.core.http import client_ip

from . import checkpoints, rules
from .choices import BreakKind, EventType
from .models import AuditAnchor, AuditChainHead, AuditEvent

# 网络安全法 第二十一条: network logs are kept for no less than six months.
MIN_RETENTION_DAYS = 180

# The PostgreSQL trigger (migration 0002) lets a DELETE through only while this is 'on'.
PURGE_SETTING = "hazardloop.audit_purge"


class AuditUsageError(RuntimeError):
    """record_event was called where its row could not share the caller's transaction."""


class AuditRetentionError(ValueError):
    """A purge would cut into the minimum retention period; the message is for the operator."""


def _actor_display(actor) -> str:
    if actor is None:
        return ""
    shown = str(actor)
    username = actor.get_username()
    return shown if shown == username else f"{shown}（{username}）"


def _head_seed() -> dict:
    """Where the chain stands when the head row is missing (a fresh or flushed database)."""
    last = AuditEvent.objects.order_by("-seq").values("seq", "hash").first()
    if last is None:
        last = AuditAnchor.objects.order_by("-seq").values("seq", "hash").first()
    return last or {"seq": 0, "hash": rules.GENESIS_HASH}


def _lock_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # Two first writers race to create the row; the loser's insert waits on the primary key
        # and then finds the winner's row, and both then queue on the lock below.
        AuditChainHead.objects.get_or_create(pk=1, defaults=_head_seed())
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def record_event(event_type, *, actor, target=None, data=None, request=None) -> AuditEvent:
    """Append one event to the chain and return it.

    Precondition: called inside the caller's `transaction.atomic()` block, so that the event
    and the change it describes commit or roll back together. `actor` is the user who acted,
    or None for the system (anonymous users count as None). `target` is any saved model
    instance; `data` is a JSON-able mapping (see `rules.plain_data` for what it becomes) —
    never put passwords or secrets in it. `request` supplies the client address.

    Effects: locks the chain head (on SQLite the IMMEDIATE transaction already holds the
    database's write lock), takes the next sequence number, hashes the row together with the
    previous row's hash, inserts it and moves the head.

    Raises AuditUsageError outside a transaction, ValueError for an unknown event type and
    TypeError for data that has no stable JSON form.
    """
    return record_events(event_type, actor=actor, items=[(target, data)], request=request)[0]


def record_events(event_type, *, actor, items, request=None) -> list[AuditEvent]:
    """Append one event per (target, data) pair in `items`, in order, with one lock of the chain
    head and one insert, for a service that changes many rows at once (a meeting marking its
    hazards fed back); `record_event` is the one-item case. Same precondition, effects and
    errors as `record_event`; a target may be None (an event about no record)."""
    if not transaction.get_connection().in_atomic_block:
        raise AuditUsageError("record_event must run inside the caller's transaction.atomic() block")
    event_type = EventType(event_type)
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    items = list(items)
    if not items:
        return []
    display = _actor_display(actor)[:200]
    ip = client_ip(request)
    head = _lock_head()
    seq, prev_hash = head.seq, head.hash
    events = []
    for target, data in items:
        payload = rules.plain_data(dict(data or {}))
        target_type, target_id, target_repr = None, "", ""
        if target is not None:
            if target.pk is None:
                raise ValueError("audit target must be saved first: its id is part of the record")
            target_type = ContentType.objects.get_for_model(target, for_concrete_model=False)
            target_id, target_repr = str(target.pk), str(target)[:200]
        seq += 1
        event = AuditEvent(
            seq=seq,
            timestamp=timezone.now(),
            actor=actor,
            actor_display=display,
            event_type=event_type,
            target_type=target_type,
            target_id=target_id,
            target_repr=target_repr,
            data=payload,
            ip_address=ip,
            prev_hash=prev_hash,
        )
        event.hash = prev_hash = rules.event_hash(event.chain_fields())
        events.append(event)
    # The manager refuses bulk_create so that nothing outside this module inserts rows without
    # their hash; here each row has just been hashed and chained, so the plain insert is used.
    models.QuerySet.bulk_create(AuditEvent.objects.all(), events)
    head.seq, head.hash = seq, prev_hash
    head.save(update_fields=["seq", "hash"])
    return events


@dataclass(frozen=True)
class PurgeResult:
    deleted: int
    anchor: AuditAnchor | None


def _delete_through(seq: int) -> int:
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'on', true)", [PURGE_SETTING])
        cursor.execute(f"DELETE FROM {table} WHERE seq <= %s", [seq])
        deleted = cursor.rowcount
        if connection.vendor == "postgresql":
            # Closed again at once, so nothing else in this transaction can delete audit rows.
            cursor.execute("SELECT set_config(%s, 'off', true)", [PURGE_SETTING])
    return deleted


def retention_error(days: int) -> str | None:
    if days < MIN_RETENTION_DAYS:
        return _("审计日志至少保留%(min)d天（六个月），不能只保留%(days)d天。") % {
            "min": MIN_RETENTION_DAYS,
            "days": days,
        }
    return None


@transaction.atomic
def purge_events(*, older_than_days: int, actor=None, now: dt.datetime | None = None) -> PurgeResult:
    """Delete the events older than `older_than_days` and anchor the chain where they end.

    Precondition: `older_than_days` ≥ MIN_RETENTION_DAYS (raises AuditRetentionError otherwise).
    Effects: with the chain head locked, finds the newest event older than the cutoff and
    deletes every event up to its sequence number (a prefix by sequence, so a clock that once
    stepped back cannot leave holes), records an AuditAnchor with that row's number and hash,
    and appends an AUDIT_PURGED event. Nothing older than the cutoff → nothing is written.
    """
    problem = retention_error(older_than_days)
    if problem:
        raise AuditRetentionError(problem)
    _lock_head()
    cutoff = (now or timezone.now()) - dt.timedelta(days=older_than_days)
    last = AuditEvent.objects.filter(timestamp__lt=cutoff).order_by("-seq").values("seq", "hash").first()
    if last is None:
        return PurgeResult(deleted=0, anchor=None)
    deleted = _delete_through(last["seq"])
    anchor = AuditAnchor(seq=last["seq"], hash=last["hash"], cutoff=cutoff, purged_count=deleted)
    anchor.save()
    record_event(
        EventType.AUDIT_PURGED,
        actor=actor,
        data={
            "through_seq": last["seq"],
            "deleted": deleted,
            "older_than_days": older_than_days,
            "cutoff": cutoff,
        },
    )
    return PurgeResult(deleted=deleted, anchor=anchor)


@dataclass(frozen=True)
class ChainReport:
    result: rules.VerifyResult
    anchor_seq: int
    head_seq: int | None
    checkpoints: int = 0
    # A line of the checkpoint file that is not ours (edited, forged): (line number, reason).
    checkpoint_file_error: checkpoints.CheckpointFileError | None = None

    @property
    def ok(self) -> bool:
        return self.result.ok and self.checkpoint_file_error is None


def _check_checkpoints(result, found, *, anchor_seq, anchor_hash) -> rules.VerifyResult:
    """Every checkpoint past the anchor names an event that must still be there with that hash;
    a checkpoint at the anchor itself must carry the anchor's hash. The first disagreement (in
    sequence order) is the break."""
    from dataclasses import replace

    if not result.ok:
        return result
    wanted = sorted({(cp.seq, cp.hash) for cp in found if cp.seq >= anchor_seq and cp.seq > 0})
    stored: dict[int, str] = {}
    seqs = [seq for seq, _hash in wanted if seq > anchor_seq]
    for start in range(0, len(seqs), 1000):
        chunk = seqs[start : start + 1000]
        stored.update(AuditEvent.objects.filter(seq__in=chunk).values_list("seq", "hash"))
    for seq, hash_ in wanted:
        have = anchor_hash if seq == anchor_seq else stored.get(seq)
        if have != hash_:
            found_text = (
                have
                if have is not None
                else _("（该序号的记录已不存在，链上最后为 %(last)s）") % {"last": result.last_seq}
            )
            broken = rules.ChainBreak(seq, BreakKind.CHECKPOINT, hash_, found_text)
            return replace(result, broken=broken)
    return result


def verify_chain(*, chunk_size: int = 2000) -> ChainReport:
    """Read-only: check the whole stored chain from the newest anchor (or the genesis) to the head.

    The head is read before the rows, and only rows up to it are walked: rows appended while
    the walk runs belong to a later check, and every row up to the head committed with it.
    Rows are streamed with an iterator, so memory does not grow with the log.

    Then the signed checkpoints kept outside the database (audit/checkpoints.py) are compared
    with the chain: they are read before the head, so each of them was written for a head no
    newer than the one read here.
    """
    try:
        found, file_error = checkpoints.read(), None
    except checkpoints.CheckpointFileError as exc:
        found, file_error = [], exc
    head = AuditChainHead.objects.filter(pk=1).values("seq", "hash").first()
    anchor = AuditAnchor.objects.order_by("-seq").values("seq", "hash").first()
    start_seq, start_hash = (anchor["seq"], anchor["hash"]) if anchor else (0, rules.GENESIS_HASH)
    rows = AuditEvent.objects.filter(seq__gt=start_seq)
    if head is not None:
        rows = rows.filter(seq__lte=head["seq"])
        expected_head = (head["seq"], head["hash"])
    else:
        # No head row: there must be no events either (a fresh database).
        expected_head = (start_seq, start_hash)
    records = (event.chain_record() for event in rows.order_by("seq").iterator(chunk_size=chunk_size))
    result = rules.verify(records, start_seq=start_seq, start_hash=start_hash, head=expected_head)
    result = _check_checkpoints(result, found, anchor_seq=start_seq, anchor_hash=start_hash)
    return ChainReport(
        result=result,
        anchor_seq=start_seq,
        head_seq=head["seq"] if head else None,
        checkpoints=len(found),
        checkpoint_file_error=file_error,
    )


def retention_days_setting() -> int:
    return int(getattr(settings, "AUDIT_RETENTION_DAYS", 365))
