"""Pure rules of the closed loop: working days, deadlines, time limits and routing. No ORM here.

Working days follow the State Council's holiday schedule as packaged by `chinesecalendar`
(public holidays off, make-up weekend days on). The package covers only the years it was
released with; for later years the caller passes `overrides` (the admin-edited WorkdayOverride
table: date → is a working day), and any day neither source knows is a working day from Monday
to Friday. Overrides win over the package, so a late-published change can be entered by hand.

Time-limit defaults (domain.md §1): extension asked 20 working days before the deadline for a
major hazard and decided within 10 (Qingdao "3+X"); the site review of a resumption application
within 10 days (Order 16 Art. 23).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import chinese_calendar

Overrides = Mapping[dt.date, bool]

# Far enough for any legal time limit (a year), near enough that a bad input cannot spin.
_MAX_SCAN_DAYS = 3660


@lru_cache(maxsize=64)
def calendar_covers(year: int) -> bool:
    """Whether the packaged holiday schedule knows `year`."""
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=8192)
def _default_working_day(day: dt.date) -> bool:
    # Deadline arithmetic asks about the same few hundred days over and over.
    if calendar_covers(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def is_working_day(day: dt.date, overrides: Overrides | None = None) -> bool:
    if overrides and day in overrides:
        return bool(overrides[day])
    return _default_working_day(day)


def next_working_day(day: dt.date, overrides: Overrides | None = None) -> dt.date:
    """`day` itself if it is a working day, else the first working day after it."""
    for _ in range(_MAX_SCAN_DAYS):
        if is_working_day(day, overrides):
            return day
        day += dt.timedelta(days=1)
    raise ValueError("no working day within ten years")


def add_working_days(start: dt.date, n: int, overrides: Overrides | None = None) -> dt.date:
    """The n-th working day after `start` (before it when n < 0); `start` itself when n == 0.
    `start` need not be a working day and never counts."""
    if n == 0:
        return start
    step = dt.timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    day = start
    for _ in range(_MAX_SCAN_DAYS + 2 * remaining):
        day += step
        if is_working_day(day, overrides):
            remaining -= 1
            if remaining == 0:
                return day
    raise ValueError("working-day arithmetic ran past ten years")


def working_days_between(start: dt.date, end: dt.date, overrides: Overrides | None = None) -> int:
    """How many working days fall after `start` up to and including `end` (0 if end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, overrides):
            count += 1
    return count


def add_calendar_days(start: dt.date, n: int, overrides: Overrides | None = None) -> dt.date:
    """`start` + n days; a period that would end on a rest day ends on the next working day
    instead, as Chinese procedural law counts periods (行政处罚法、民事诉讼法: 期间届满的最后一日
    是法定节假日的，以节假日后的第一日为期间届满的日期)."""
    return next_working_day(start + dt.timedelta(days=n), overrides)


def deadline_from(start: dt.date, amount: int, basis: str, overrides: Overrides | None = None) -> dt.date:
    """A deadline `amount` calendar or working days (`basis`: "calendar" | "working") after start."""
    if amount < 0:
        raise ValueError("a time limit cannot be negative")
    if basis == "working":
        return add_working_days(start, amount, overrides)
    if basis == "calendar":
        return add_calendar_days(start, amount, overrides)
    raise ValueError(f"unknown deadline basis {basis!r}")


@dataclass(frozen=True)
class TimeLimits:
    """The district's configurable time limits (settings HAZARD_*)."""

    # Working days before the deadline by which an extension must be asked, per legal level.
    extension_notice_working_days: Mapping[str, int] = field(
        default_factory=lambda: {"general": 3, "major": 20}
    )
    extension_decision_working_days: int = 10
    resumption_review_days: int = 10
    reinspection_working_days: int = 5
    reminder_days: int = 3
    # Hours within which a department confirms or regrades a suspected major hazard (local
    # practice; Yuhang answers in 2 hours, this district in a working day).
    major_confirmation_hours: int = 24
    # Days within which the listing authority accepts a major hazard's re-inspected rectification
    # (验收); the same ten days as the resumption review of Order 16 Art. 23.
    acceptance_days: int = 10

    def extension_notice(self, legal_level: str) -> int:
        return int(self.extension_notice_working_days.get(legal_level, 0))


def latest_extension_request_day(
    deadline: dt.date, notice_working_days: int, overrides: Overrides | None = None
) -> dt.date:
    """The last day on which an extension of `deadline` may still be asked."""
    return add_working_days(deadline, -notice_working_days, overrides)


def extension_in_time(
    today: dt.date, deadline: dt.date, notice_working_days: int, overrides: Overrides | None = None
) -> bool:
    return today <= latest_extension_request_day(deadline, notice_working_days, overrides)


# --- routing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RouteCandidate:
    """A routing rule or a member-unit duty, reduced to what matching needs. Blank/None = any."""

    target: int
    priority: int = 0
    industry_prefix: str = ""
    category: str = ""
    township_id: int | None = None
    order: int = 0  # tie-breaker: lower first (the row id)

    def matches(self, industry_code: str, category: str, township_id: int | None) -> bool:
        return (
            (not self.industry_prefix or industry_code.startswith(self.industry_prefix))
            and (not self.category or self.category == category)
            and (self.township_id is None or self.township_id == township_id)
        )

    @property
    def specificity(self) -> tuple[int, int, int]:
        # A named category says more than an industry (a fire hazard at a coal mine goes to the
        # fire brigade), and a longer industry prefix more than a shorter one.
        return (1 if self.category else 0, len(self.industry_prefix), 1 if self.township_id else 0)


def best_route(
    candidates: Iterable[RouteCandidate], industry_code: str, category: str, township_id: int | None
) -> RouteCandidate | None:
    """The matching candidate of highest priority, then most specific, then first defined."""
    matching = [c for c in candidates if c.matches(industry_code, category, township_id)]
    if not matching:
        return None
    return min(
        matching,
        key=lambda c: (-c.priority, tuple(-x for x in c.specificity), c.order),
    )


def hazard_number(district_code: str, year: int, serial: int) -> str:
    """YH-410506-2026-000123: district, year of discovery, serial within both."""
    return f"YH-{district_code}-{year:04d}-{serial:06d}"


def notice_number(unit_name: str, year: int, serial: int) -> str:
    return f"{unit_name}整改〔{year:04d}〕{serial}号"


def listing_number(district_code: str, year: int, serial: int) -> str:
    """GP-410506-2026-001: a 督办通知书 of the district's listed major hazards (挂牌督办)."""
    return f"GP-{district_code}-{year:04d}-{serial:03d}"


def acceptance_number(unit_name: str, year: int, serial: int) -> str:
    """The 整改复查意见书 of a unit's acceptance of a major hazard's rectification."""
    return f"{unit_name}复查〔{year:04d}〕{serial}号"
