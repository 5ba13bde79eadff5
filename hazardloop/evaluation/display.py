"""How scorecard figures read on pages, PDF and Excel, and which records each figure drills
down to. No domain rules: the figures come from services.measure, frozen on the scorecard."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .choices import KpiCode


@dataclass(frozen=True)
class KpiShape:
    unit: str  # percent: a share shown ×100 %; per: a rate per inspection; points: a 1–5 mean
    numerator: str  # what the numerator counts
    denominator: str
    numerator_records: str | None  # the record list behind the numerator (inputs["records"] key)
    denominator_records: str | None


SHAPES = {
    KpiCode.COVERAGE: KpiShape("percent", _("完成计划检查"), _("计划检查"), "visit_done", "visit"),
    KpiCode.COMPLIANCE: KpiShape("per", _("履约偏差"), _("检查次数"), "breach", "inspection"),
    KpiCode.FINDINGS: KpiShape("percent", _("发现隐患"), _("预期隐患"), "hazard", "inspection"),
    KpiCode.REINSPECTION: KpiShape(
        "percent", _("按时复查（轮）"), _("到期复查（轮）"), "hazard_on_time", "hazard"
    ),
    KpiCode.OVERTURNED: KpiShape("percent", _("误判撤销"), _("发现隐患"), "hazard", "found_hazard"),
    KpiCode.SATISFACTION: KpiShape("points", _("评分合计"), _("评价份数"), "rating", "rating"),
    KpiCode.OFFICER: KpiShape("points", _("评分合计"), _("评价份数"), "rating", "rating"),
}

# Record lists a drill-down can show: inputs key → (record type, heading).
RECORD_LISTS = {
    "visit": ("visit", _("本期计划检查")),
    "visit_done": ("visit", _("计为完成的计划检查")),
    "inspection": ("inspection", _("本期检查记录")),
    "breach": ("breach", _("计入的履约偏差")),
    "hazard": ("hazard", _("隐患")),
    "hazard_on_time": ("hazard", _("按时复查的隐患")),
    "late_hazard": ("hazard", _("复查逾期的隐患")),
    "found_hazard": ("hazard", _("本期检查发现的隐患")),
    "rating": ("rating", _("评价")),
}


def fmt_value(code: str, value: Decimal | None) -> str:
    if value is None:
        return "—"
    unit = SHAPES[code].unit
    if unit == "percent":
        return f"{(value * 100).quantize(Decimal('0.1'))}%"
    if unit == "per":
        return f"{value.quantize(Decimal('0.01'))} 项/次"
    return f"{value.quantize(Decimal('0.01'))} 分"


def fmt_anchor(code: str, value: Decimal) -> str:
    return fmt_value(code, value)


def fmt_number(value: Decimal) -> str:
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value.quantize(Decimal('0.01'))}"


def kpi_rows(scorecard) -> list[dict]:
    """The scorecard's KPI rows with their display strings and drill-down keys."""
    out = []
    for row in scorecard.kpis.all():
        shape = SHAPES[row.code]
        weighted = None
        if row.score is not None and scorecard.total is not None:
            weighted = row.weight * row.score / 100
        out.append(
            {
                "row": row,
                "code": row.code,
                "name": row.get_code_display(),
                "weight": fmt_number(row.weight),
                "value": fmt_value(row.code, row.value),
                "score": "—" if row.score is None else f"{row.score}",
                "weighted": "—" if weighted is None else f"{weighted.quantize(Decimal('0.01'))}",
                "numerator": fmt_number(row.numerator),
                "denominator": fmt_number(row.denominator),
                "numerator_label": shape.numerator,
                "denominator_label": shape.denominator,
                "numerator_records": shape.numerator_records,
                "denominator_records": shape.denominator_records,
                "anchors": f"{fmt_anchor(row.code, row.target)} → 100，{fmt_anchor(row.code, row.zero_at)} → 0",
                "details": row.inputs.get("details", {}),
                "extra": [
                    (key, RECORD_LISTS[key][1], len(ids))
                    for key, ids in row.inputs.get("records", {}).items()
                    if key in RECORD_LISTS and key not in (shape.numerator_records, shape.denominator_records)
                ],
            }
        )
    return out
