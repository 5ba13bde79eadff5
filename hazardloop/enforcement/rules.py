"""Pure rules of enforcement records: which kinds are administrative penalties, what each kind
needs, and the Work Safety Law Art. 113 repeat counter. No ORM here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .choices import ActionKind

K = ActionKind

# Administrative Penalty Law 2021 Art. 9: warning; fine and confiscation; licence suspension or
# revocation; ordering a halt or closure. A daily penalty (Work Safety Law Art. 112) is a fine.
# Orders to correct (责令改正, Art. 28 of the same law), the temporary measures of Work Safety
# Law Arts. 65 and 70 (withdrawal, sealing, cutting supply: 行政强制措施), referrals, listing,
# interviews and the credit database are not penalties and do not count towards Art. 113.
PENALTY_KINDS: frozenset[str] = frozenset(
    {K.WARNING, K.FINE, K.CONFISCATION, K.HALT_FOR_RECTIFICATION, K.LICENCE, K.DAILY_PENALTY}
)

# Kinds that carry money: at least one of the unit and individual amounts.
FINE_KINDS: frozenset[str] = frozenset({K.FINE, K.DAILY_PENALTY})

# Orders with a time limit the party must meet.
DEADLINE_KINDS: frozenset[str] = frozenset({K.ORDER_RECTIFY_BY_DEADLINE, K.HALT_FOR_RECTIFICATION})

# Orders that halt production: a linked major hazard goes under enforcement halted (Art. 65).
HALT_KINDS: frozenset[str] = frozenset({K.ORDER_WITHDRAW_HALT, K.HALT_FOR_RECTIFICATION})


def is_penalty(kind: str) -> bool:
    return kind in PENALTY_KINDS


def needs_deadline(kind: str) -> bool:
    return kind in DEADLINE_KINDS


def needs_amount(kind: str) -> bool:
    return kind in FINE_KINDS


def needs_legal_basis(kind: str) -> bool:
    # A penalty without its legal basis is void (Administrative Penalty Law Art. 38).
    return kind in PENALTY_KINDS


def halts(kind: str) -> bool:
    return kind in HALT_KINDS


# --- Work Safety Law Art. 113 ----------------------------------------------------------------

SHORT_WINDOW_DAYS = 180
LONG_WINDOW_DAYS = 365
SHORT_THRESHOLD = 3
LONG_THRESHOLD = 4


@dataclass(frozen=True)
class RepeatCount:
    """Administrative penalties for major hazards in the two rolling windows ending on `on`."""

    on: dt.date
    short: int
    long: int
    short_threshold: int = SHORT_THRESHOLD
    long_threshold: int = LONG_THRESHOLD

    @property
    def flagged(self) -> bool:
        return self.short >= self.short_threshold or self.long >= self.long_threshold


def window_start(on: dt.date, days: int) -> dt.date:
    """First day of the `days`-day window ending on (and including) `on`."""
    return on - dt.timedelta(days=days - 1)


def repeat_count(
    penalty_dates: Iterable[dt.date],
    on: dt.date,
    *,
    short_threshold: int = SHORT_THRESHOLD,
    long_threshold: int = LONG_THRESHOLD,
    short_days: int = SHORT_WINDOW_DAYS,
    long_days: int = LONG_WINDOW_DAYS,
) -> RepeatCount:
    """Count penalty decisions dated within each window [on − days + 1, on]; decisions after
    `on` are not yet known on that day and are left out. Each decision counts once."""
    short_from = window_start(on, short_days)
    long_from = window_start(on, long_days)
    short = long = 0
    for day in penalty_dates:
        if day > on:
            continue
        if day >= long_from:
            long += 1
        if day >= short_from:
            short += 1
    return RepeatCount(
        on=on, short=short, long=long, short_threshold=short_threshold, long_threshold=long_threshold
    )


def crosses(before: RepeatCount, after: RepeatCount) -> bool:
    """True when a new decision turns an unflagged enterprise into a flagged one."""
    return after.flagged and not before.flagged
