"""Pure rules of the joint meeting: which month a meeting reviews, its number, and the bounds
of the periods its pack counts. No ORM here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The day of the following month on which the meeting is normally held (the demo and the
# scheduling form's default).
USUAL_MEETING_DAY = 10


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month: the month a meeting reviews (报告月份)."""

    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValueError("month must be 1..12")
        if not 2000 <= self.year <= 2100:
            raise ValueError("year out of range")

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def next(self) -> Period:
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def previous(self) -> Period:
        return Period(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    @property
    def last_day(self) -> dt.date:
        return self.next.first_day - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def label(self) -> str:
        return f"{self.year}年{self.month}月"

    @classmethod
    def containing(cls, day: dt.date) -> Period:
        return cls(day.year, day.month)


def meeting_number(district_code: str, period: Period) -> str:
    """联席会议 number, also the reference written on each hazard fed back (fed_back_meeting)."""
    return f"LXHY-{district_code}-{period.year}{period.month:02d}"


def usual_meeting_day(period: Period) -> dt.date:
    """A meeting reviews a finished month, so it sits in the month after."""
    return period.next.first_day.replace(day=USUAL_MEETING_DAY)


def share(part: int, whole: int) -> float | None:
    """Percentage with one decimal, or None when there is nothing to divide by."""
    if not whole:
        return None
    return round(100.0 * part / whole, 1)
