"""A scorecard as documents: PDF (core/pdf.py, WeasyPrint) and Excel. Both read the frozen KPI
rows, so a printed scorecard says exactly what the page says."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hazardloop.core import exports
from hazardloop.core.pdf import render_pdf

from . import display


def context(scorecard) -> dict:
    return {
        "card": scorecard,
        "rows": display.kpi_rows(scorecard),
        "adjustments": list(scorecard.adjustments.select_related("milestone", "applied_by")),
    }


def filename(scorecard, ext: str) -> str:
    return f"{scorecard.provider.name}_{scorecard.subject}_{scorecard.period.label}_服务质量考核表.{ext}"


def scorecard_pdf(scorecard) -> bytes:
    return render_pdf("evaluation/pdf/scorecard.html", context(scorecard))


def scorecard_xlsx(scorecard):
    """One sheet: a row per KPI and the total, with the counts behind each value."""
    rows = display.kpi_rows(scorecard)
    total = {
        "name": _("综合得分"),
        "weight": "100",
        "value": "",
        "numerator": "",
        "denominator": "",
        "score": "—" if scorecard.total is None else str(scorecard.total),
        "weighted": "",
        "anchors": "",
    }
    columns = [
        exports.Column(_("考核指标"), "name", width=16),
        exports.Column(_("权重"), "weight", width=8),
        exports.Column(
            _("分子"), lambda r: f"{r.get('numerator_label', '')} {r['numerator']}".strip(), width=20
        ),
        exports.Column(
            _("分母"), lambda r: f"{r.get('denominator_label', '')} {r['denominator']}".strip(), width=20
        ),
        exports.Column(_("指标值"), "value", width=14),
        exports.Column(_("评分标准"), "anchors", width=30),
        exports.Column(_("得分"), "score", width=10),
        exports.Column(_("加权得分"), "weighted", width=10),
    ]
    stem = filename(scorecard, "xlsx").removesuffix(".xlsx")
    return exports.xlsx_response([*rows, total], columns, filename_stem=stem, sheet_title=_("服务质量考核表"))
