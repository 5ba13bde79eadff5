"""Deadlines over the 2026 holidays, counted by hand on the official schedule.

Source: 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕, published November 2025):
  元旦   1月1日（周四）至3日放假，1月4日（周日）上班;
  春节   2月15日（周日）至23日（周一）放假共9天，2月14日（周六）、2月28日（周六）上班;
  清明节 4月4日至6日; 劳动节 5月1日至5日，5月9日（周六）上班; 端午节 6月19日至21日;
  中秋节 9月25日（周五）至27日放假;
  国庆节 10月1日（周四）至7日放假共7天，9月20日（周日）、10月10日（周六）上班.
Every expected date below was counted on a paper calendar of 2026 (1 January is a Thursday);
the count is written out beside each case. Nothing here asks the code (or chinesecalendar) which
days are working days.
"""

from __future__ import annotations

import datetime as dt

import pytest

from .. import rules

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 1, 1), False),  # 元旦
        (D(2026, 1, 4), True),  # Sunday made a working day
        (D(2026, 2, 14), True),  # Saturday made a working day before 春节
        (D(2026, 2, 15), False),  # 春节 begins (Sunday)
        (D(2026, 2, 18), False),  # Wednesday inside 春节
        (D(2026, 2, 23), False),  # Monday, last day of 春节
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday made a working day after 春节
        (D(2026, 3, 1), False),  # an ordinary Sunday
        (D(2026, 5, 9), True),  # Saturday made a working day after 劳动节
        (D(2026, 9, 20), True),  # Sunday made a working day before 国庆
        (D(2026, 9, 25), False),  # 中秋 (Friday)
        (D(2026, 10, 1), False),  # 国庆 (Thursday)
        (D(2026, 10, 7), False),  # Wednesday, last day of 国庆
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday made a working day after 国庆
        (D(2026, 10, 11), False),  # an ordinary Sunday
    ],
)
def test_2026_schedule(day, working):
    assert rules.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected", "count"),
    [
        # 9-30 Wed; 10-1…10-7 off; 10-8 Thu is the 1st working day.
        (D(2026, 9, 30), 1, D(2026, 10, 8), "10-8"),
        # 9-18 Fri: 9-19 Sat off, 9-20 Sun worked (1), 9-21 (2), 9-22 (3), 9-23 (4), 9-24 (5).
        (D(2026, 9, 18), 5, D(2026, 9, 24), "9-20,21,22,23,24"),
        # 9-21 Mon: 22 (1), 23 (2), 24 (3), 25-27 中秋 and weekend off, 28 (4), 29 (5).
        (D(2026, 9, 21), 5, D(2026, 9, 29), "9-22,23,24,28,29"),
        # 9-28 Mon: 29 (1), 30 (2), 10-1…7 off, 10-8 (3), 10-9 (4), 10-10 Sat worked (5).
        (D(2026, 9, 28), 5, D(2026, 10, 10), "9-29,30,10-8,9,10"),
        # 2-12 Thu: 2-13 Fri (1), 2-14 Sat worked (2), 2-15…23 off, 2-24 Tue (3).
        (D(2026, 2, 12), 3, D(2026, 2, 24), "2-13,14,24"),
        # 2-13 Fri, ten working days: 2-14 (1), 24 (2), 25 (3), 26 (4), 27 (5), 28 Sat (6),
        # 3-2 (7), 3-3 (8), 3-4 (9), 3-5 (10).
        (D(2026, 2, 13), 10, D(2026, 3, 5), "2-14,24,25,26,27,28,3-2,3,4,5"),
        # 2025-12-31 Wed: 1-1…1-3 off, 1-4 Sun worked (1).
        (D(2025, 12, 31), 1, D(2026, 1, 4), "1-4"),
        # Backwards from 10-12 Mon: 10-11 Sun off, 10-10 Sat worked (1), 10-9 (2), 10-8 (3).
        (D(2026, 10, 12), -3, D(2026, 10, 8), "10-10,9,8"),
        # Backwards 20 from 10-30 Fri: 29 28 27 26 | 23 22 21 20 19 | 16 15 14 13 12 | 10 9 8 |
        # (10-1…7 off) 9-30 29 28 → the 20th is 9-28.
        (D(2026, 10, 30), -20, D(2026, 9, 28), "20 back"),
    ],
)
def test_working_days_across_the_2026_holidays(start, n, expected, count):
    assert rules.add_working_days(start, n) == expected, count


def test_working_days_between_across_the_spring_festival():
    # After 2-13 up to and including 3-2: 2-14 (1), 2-24…27 (2-5), 2-28 Sat (6), 3-2 (7).
    assert rules.working_days_between(D(2026, 2, 13), D(2026, 3, 2)) == 7
    # After 9-30 up to and including 10-11: 10-8, 10-9, 10-10 → 3.
    assert rules.working_days_between(D(2026, 9, 30), D(2026, 10, 11)) == 3


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # 9-21 + 10 calendar days = 10-1, a holiday: the period ends on 10-8, the first day after.
        (D(2026, 9, 21), 10, D(2026, 10, 8)),
        # 2-5 + 10 = 2-15 (春节): ends on 2-24.
        (D(2026, 2, 5), 10, D(2026, 2, 24)),
        # 9-10 + 10 = 9-20, a Sunday that is worked: the period ends that very day.
        (D(2026, 9, 10), 10, D(2026, 9, 20)),
        # 10-1 + 15 = 10-16, a Friday: unchanged.
        (D(2026, 10, 1), 15, D(2026, 10, 16)),
    ],
)
def test_calendar_day_periods_ending_on_a_holiday_move_to_the_next_working_day(start, days, expected):
    assert rules.deadline_from(start, days, "calendar") == expected


def test_latest_extension_request_for_a_major_hazard_due_after_national_day():
    # A major hazard due 10-30 must ask for more time 20 working days before: 9-28 (counted above).
    assert rules.latest_extension_request_day(D(2026, 10, 30), 20) == D(2026, 9, 28)
    assert rules.extension_in_time(D(2026, 9, 28), D(2026, 10, 30), 20)
    assert not rules.extension_in_time(D(2026, 9, 29), D(2026, 10, 30), 20)
