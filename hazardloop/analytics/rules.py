"""Pure rules of the statistics: reporting periods and their due dates, rates, and the
cost-effectiveness arithmetic. No ORM here.

Due dates (domain.md §1.1, Order 16 Art. 14): the quarterly table is filed before the 15th of
the month after the quarter (the first month of the next quarter), the annual table before
31 January. "Before" is read as "by the end of that day"; both are settings, because the
replacement of Order 16 is unconfirmed (domain.md §1.2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

QUARTERS = (1, 2, 3, 4)


@dataclass(frozen=True)
class Period:
    """A reporting period: a quarter of a year, or the whole year (quarter None)."""

    year: int
    quarter: int | None = None

    def __post_init__(self):
        if self.quarter is not None and self.quarter not in QUARTERS:
            raise ValueError(f"quarter must be 1-4, not {self.quarter}")
        if not 1900 < self.year < 3000:
            raise ValueError(f"year out of range: {self.year}")

    @property
    def is_annual(self) -> bool:
        return self.quarter is None

    @property
    def start(self) -> dt.date:
        month = 1 if self.quarter is None else 3 * (self.quarter - 1) + 1
        return dt.date(self.year, month, 1)

    @property
    def end(self) -> dt.date:
        """The first day after the period (exclusive bound)."""
        if self.quarter is None or self.quarter == 4:
            return dt.date(self.year + 1, 1, 1)
        return dt.date(self.year, 3 * self.quarter + 1, 1)

    @property
    def key(self) -> str:
        return f"{self.year}" if self.quarter is None else f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        return f"{self.year}年度" if self.quarter is None else f"{self.year}年第{self.quarter}季度"

    def due(self, *, quarterly_day: int = 15, annual_month_day: tuple[int, int] = (1, 31)) -> dt.date:
        """The last day the table may be filed."""
        if self.quarter is None:
            month, day = annual_month_day
            return dt.date(self.year + 1, month, day)
        return self.end.replace(day=quarterly_day)

    def previous(self) -> Period:
        if self.quarter is None:
            return Period(self.year - 1)
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    @classmethod
    def parse(cls, key: str) -> Period:
        """'2026' or '2026Q3'; ValueError otherwise."""
        key = (key or "").strip().upper()
        if "Q" in key:
            year, quarter = key.split("Q", 1)
            return cls(int(year), int(quarter))
        return cls(int(key))


def closed_periods(today: dt.date) -> list[Period]:
    """The periods that have ended by `today` and whose table may still be due: the last
    quarter, and (in January) the last year."""
    current_quarter = (today.month - 1) // 3 + 1
    last_quarter = Period(today.year, current_quarter).previous()
    periods = [last_quarter]
    if last_quarter.quarter == 4:
        periods.append(Period(last_quarter.year))
    return periods


def periods_due_within(
    today: dt.date, days: int, *, quarterly_day: int = 15, annual_month_day: tuple[int, int] = (1, 31)
) -> list[tuple[Period, dt.date]]:
    """Ended periods whose due date falls in [today, today + days]."""
    last = today + dt.timedelta(days=days)
    found = []
    for period in closed_periods(today):
        due = period.due(quarterly_day=quarterly_day, annual_month_day=annual_month_day)
        if today <= due <= last:
            found.append((period, due))
    return found


def rate(part: int, whole: int) -> Decimal | None:
    """part/whole as a percentage with one decimal; None when there is nothing to divide."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def ratio(value: float | int, base: float | int) -> Decimal | None:
    """value/base with two decimals (3.00 means three times); None without a base."""
    if not base:
        return None
    return (Decimal(value) / Decimal(base)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def staff_cost_replaced(
    enterprises: int, *, posts_per_enterprise: Decimal, cost_per_post: Decimal
) -> Decimal:
    """The yearly staff cost the government would pay to inspect `enterprises` itself, at the
    case study's staffing ratio (30 posts for 439 enterprises, ¥30,000 a post a year)."""
    return (Decimal(enterprises) * posts_per_enterprise * cost_per_post).quantize(
        Decimal("1"), rounding=ROUND_HALF_UP
    )


def median(sorted_values: list[float]) -> float | None:
    if not sorted_values:
        return None
    n = len(sorted_values)
    mid = n // 2
    return float(sorted_values[mid]) if n % 2 else (sorted_values[mid - 1] + sorted_values[mid]) / 2
