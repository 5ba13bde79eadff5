"""The hash chain as pure functions: canonical form, hashing and verification. No ORM here, so
the rules can be tested on plain values and reused by anything that can produce the fields."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.utils.functional import Promise

from hazardloop.core.http import ip_text  # noqa: F401  (moved to core; audit callers keep this name)

from .choices import BreakKind

# The prev_hash of the very first event: nothing came before it.
GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """One spelling per value: sorted keys, no whitespace, UTF-8 kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def plain_data(value: Any) -> Any:
    """`value` reduced to what survives a JSON column unchanged on SQLite and PostgreSQL alike.

    Floats become their repr string because jsonb re-spells some of them (1e20 comes back as an
    integer), which would change the hash of an untouched row. Dates, decimals and UUIDs become
    strings; sets become sorted lists so their order cannot vary between runs.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): plain_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_data(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((plain_data(v) for v in value), key=canonical_json)
    if isinstance(value, dt.datetime):
        return timestamp_text(value) if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"audit data cannot hold {type(value).__name__}: {value!r}")


def timestamp_text(value: dt.datetime) -> str:
    """UTC with microseconds: both databases give back exactly this for a stored timestamp."""
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def chain_fields(
    *,
    seq: int,
    timestamp: dt.datetime,
    actor_id: int | None,
    actor_display: str,
    event_type: int,
    target_type: str | None,
    target_id: str,
    target_repr: str,
    data: Any,
    ip_address: str | None,
    prev_hash: str,
) -> dict:
    """Every stored column of an event except its own hash, in the form that is hashed. Nothing
    stored is left out: a column outside the hash could be altered without trace."""
    return {
        "seq": int(seq),
        "timestamp": timestamp_text(timestamp),
        "actor": actor_id,
        "actor_display": actor_display,
        "type": int(event_type),
        # All three parts, always: a repr or id stored without a type must still be covered.
        "target": {"type": target_type, "id": str(target_id), "repr": target_repr},
        "data": data,
        "ip": ip_text(ip_address),
        "prev_hash": prev_hash,
    }


def event_hash(fields: Mapping) -> str:
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainRecord:
    """One stored event as verification sees it."""

    seq: int
    prev_hash: str
    hash: str
    fields: Mapping


@dataclass(frozen=True)
class ChainBreak:
    """The first broken link: at which sequence number, what kind, and the two values."""

    seq: int
    kind: BreakKind
    expected: str
    found: str


@dataclass(frozen=True)
class VerifyResult:
    count: int
    first_seq: int | None
    last_seq: int | None
    last_hash: str
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify(
    records: Iterable[ChainRecord],
    *,
    start_seq: int = 0,
    start_hash: str = GENESIS_HASH,
    head: tuple[int, str] | None = None,
) -> VerifyResult:
    """Walk `records` in sequence order and stop at the first broken link.

    `start_seq`/`start_hash` are the anchor left by a purge (or the genesis). `head` is the
    (seq, hash) the chain head table says was appended last; without that check, deleting the
    newest rows would leave a chain that still verifies.

    Checks per record, in this order, so that each kind of damage is named where it happened:
    the sequence number follows on (a deleted row is a gap), prev_hash equals the previous
    row's stored hash (a row rewritten with a recomputed hash shows at its successor), and the
    row's own hash matches its content (an edited row shows at itself). Only the previous hash
    is held, so memory stays constant however long the chain is.
    """
    expected_seq, previous_hash = start_seq + 1, start_hash
    count, first_seq = 0, None

    def stop(broken: ChainBreak | None) -> VerifyResult:
        return VerifyResult(count, first_seq, expected_seq - 1, previous_hash, broken)

    for record in records:
        if record.seq != expected_seq:
            return stop(ChainBreak(expected_seq, BreakKind.GAP, str(expected_seq), str(record.seq)))
        if record.prev_hash != previous_hash:
            return stop(ChainBreak(record.seq, BreakKind.PREV_HASH, previous_hash, record.prev_hash))
        computed = event_hash(record.fields)
        if computed != record.hash:
            return stop(ChainBreak(record.seq, BreakKind.HASH, computed, record.hash))
        count += 1
        first_seq = record.seq if first_seq is None else first_seq
        expected_seq, previous_hash = record.seq + 1, record.hash
    last_seq = expected_seq - 1
    if head is not None and (head[0], head[1]) != (last_seq, previous_hash):
        # Past the end: rows the head says exist are missing. Otherwise the head and the last
        # row disagree, and the row is the one to distrust: the head is written with it.
        if head[0] > last_seq:
            at = last_seq + 1
        elif head[0] < last_seq:
            at = head[0] + 1
        else:
            at = last_seq
        return stop(ChainBreak(at, BreakKind.TAIL, f"{head[0]}:{head[1]}", f"{last_seq}:{previous_hash}"))
    return stop(None)
