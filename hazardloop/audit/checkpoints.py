"""Signed checkpoints of the audit chain head, kept outside the database.

Whoever can write the database (the table owner, a superuser, a stolen backup restored with
edits) can delete the newest events and move the chain-head row back with them; the chain then
verifies. A checkpoint is a line `{"seq", "hash", "at", "sig"}` appended to a file
(AUDIT_CHECKPOINT_FILE) by `verify_audit --checkpoint`, run from cron as a system user that the
database cannot reach: the line says "event N existed with hash H". `verify_audit` reads every
line back: a checkpointed event that is missing, or whose hash differs, is a cut or rewritten
tail, reported as a break at that number. The HMAC (AUDIT_CHECKPOINT_KEY) makes a forged or
edited line show as such, so writing the file alone is not enough to move the anchor either.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    line_no: int


class CheckpointFileError(ValueError):
    """A line of the checkpoint file is not one this system signed (edited or forged)."""

    def __init__(self, line_no: int, reason: str):
        super().__init__(f"{line_no}: {reason}")
        self.line_no = line_no
        self.reason = reason


def path() -> Path | None:
    value = getattr(settings, "AUDIT_CHECKPOINT_FILE", "")
    return Path(value) if value else None


def _key() -> bytes:
    return str(settings.AUDIT_CHECKPOINT_KEY).encode()


def _signature(seq: int, hash_: str, at: str) -> str:
    message = f"{seq}:{hash_}:{at}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def write(seq: int, hash_: str) -> Checkpoint:
    """Append one signed line; the file is opened for appending only and flushed to disk."""
    target = path()
    if target is None:
        raise CheckpointFileError(0, "AUDIT_CHECKPOINT_FILE is not set")
    target.parent.mkdir(parents=True, exist_ok=True)
    at = timezone.now().isoformat()
    line = json.dumps({"seq": seq, "hash": hash_, "at": at, "sig": _signature(seq, hash_, at)})
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return Checkpoint(seq=seq, hash=hash_, at=at, line_no=0)


def read() -> list[Checkpoint]:
    """Every checkpoint in the file, in file order. Raises CheckpointFileError at the first line
    that does not parse or whose signature does not match."""
    target = path()
    if target is None or not target.exists():
        return []
    found = []
    with open(target, encoding="utf-8") as handle:
        for line_no, raw in enumerate(handle, start=1):
            raw = raw.strip()
            if not raw:
                continue
            try:
                item = json.loads(raw)
                seq, hash_, at, sig = int(item["seq"]), str(item["hash"]), str(item["at"]), str(item["sig"])
            except (ValueError, KeyError, TypeError) as exc:
                raise CheckpointFileError(line_no, "unreadable") from exc
            if not hmac.compare_digest(sig, _signature(seq, hash_, at)):
                raise CheckpointFileError(line_no, "signature")
            found.append(Checkpoint(seq=seq, hash=hash_, at=at, line_no=line_no))
    return found
