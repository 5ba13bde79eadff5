"""The analytics settings with their defaults and where each default comes from.

Each value can be overridden in settings.py (or the environment through it) under the same
name; the defaults are the figures of the Longan case study (/work/shared/seed,
《政府购买服务的实践与探索——以安全生产监管工作为例》) and of Order 16 Art. 14."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

CASE_STUDY_SOURCE = "《政府购买服务的实践与探索——以安全生产监管工作为例》（安阳市龙安区，2012年改革）"

DEFAULTS = {
    # Order 16 Art. 14 (domain.md §1.1): quarterly table by the 15th of the month after the
    # quarter, annual table by 31 January.
    "STATISTICS_QUARTERLY_DUE_DAY": 15,
    "STATISTICS_ANNUAL_DUE": (1, 31),
    # Reminders go out this many days before a due date.
    "STATISTICS_REMINDER_DAYS": 7,
    # The pre-reform comparison. The case study reports only the ratio: in 2012 the district
    # found and handled three times as many hazards as before the reform. The absolute count
    # of the pre-reform year is the district's to enter (0: not entered).
    "ANALYTICS_BASELINE": {
        "baseline_year": 2011,
        "reform_year": 2012,
        "reform_ratio": Decimal("3"),
        "baseline_hazards_handled": 0,
        "enterprises": 439,
        "staff": 30,
        "source": CASE_STUDY_SOURCE + "：“龙安区2012年查出并处理的安全生产隐患是改革前的三倍”",
    },
    # Cost-effectiveness: "至少需要增加30余名编制……按每人每年3万元计算……90余万元" for 439
    # enterprises, against ¥320,000 paid for the service in 2012.
    "ANALYTICS_STAFF_COST_PER_POST": Decimal("30000"),
    "ANALYTICS_POSTS_REPLACED": 30,
    "ANALYTICS_POSTS_FOR_ENTERPRISES": 439,
    "ANALYTICS_CASE_SERVICE_FEE": Decimal("320000"),
    "ANALYTICS_COST_SOURCE": CASE_STUDY_SOURCE
    + "：“2012年实际支付的服务费用为32万元……至少需要增加30余名编制……按每人每年3万元计算”",
    # How many industries the dashboard ranks.
    "ANALYTICS_TOP_INDUSTRIES": 10,
}


def get(name: str):
    value = getattr(settings, name, DEFAULTS[name])
    if isinstance(DEFAULTS[name], dict):
        return {**DEFAULTS[name], **value}
    return value


def posts_per_enterprise() -> Decimal:
    return Decimal(get("ANALYTICS_POSTS_REPLACED")) / Decimal(get("ANALYTICS_POSTS_FOR_ENTERPRISES"))
