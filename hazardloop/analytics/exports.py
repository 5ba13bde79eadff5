"""The statutory table as an Excel workbook and a PDF, laid out as the filed form: title,
filing unit, period and due date, the figures with a totals row, and the principal's signature
line (Order 16 Art. 14: the table is signed by the principal person)."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from hazardloop.core.exports import XLSX_CONTENT_TYPE, content_disposition
from hazardloop.core.pdf import pdf_response, render_pdf

from .choices import StatisticsLevel
from .queries import StatisticsTable

TITLE = "隐患排查治理情况统计表"

# (measure, header, number format)
COLUMNS = [
    ("found_general", "排查一般隐患（项）", "0"),
    ("found_major", "排查重大隐患（项）", "0"),
    ("found", "隐患合计（项）", "0"),
    ("rectified_general", "已整改一般隐患（项）", "0"),
    ("rectified_major", "已整改重大隐患（项）", "0"),
    ("rectified", "已整改合计（项）", "0"),
    ("unrectified", "未整改（项）", "0"),
    ("rate", "整改率（%）", "0.0"),
    ("major_planned", "重大隐患治理方案已批准（项）", "0"),
    ("major_listed", "重大隐患挂牌督办（项）", "0"),
    ("major_delisted", "重大隐患销号摘牌（项）", "0"),
    ("rectification_funds", "整改资金（元）", "#,##0.00"),
    ("plan_funds", "治理方案经费（元）", "#,##0.00"),
    ("funds", "投入资金合计（元）", "#,##0.00"),
]

UNIT_HEADER = {
    StatisticsLevel.ENTERPRISE: ("企业名称", "统一社会信用代码", "乡镇街道"),
    StatisticsLevel.TOWNSHIP: ("乡镇街道", "区划代码"),
    StatisticsLevel.DISTRICT: ("区县", "区划代码"),
}


def unit_values(row: dict, level: str) -> list:
    if level == StatisticsLevel.ENTERPRISE:
        return [row["name"], row["credit_code"], row["township"]]
    return [row["name"], row["credit_code"]]


def filename(table: StatisticsTable, ext: str) -> str:
    level = StatisticsLevel(table.level).label
    return f"{TITLE}_{table.period.label}_{level}.{ext}"


def workbook_bytes(table: StatisticsTable, *, filer: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = table.period.label
    units = list(UNIT_HEADER[StatisticsLevel(table.level)])
    width = len(units) + 1 + len(COLUMNS)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    ws.append([f"{TITLE}（{table.period.label}）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(
        [
            f"填报单位：{filer}",
            None,
            None,
            f"统计期：{table.period.start:%Y-%m-%d} 至 {table.period.end - dt.timedelta(days=1):%Y-%m-%d}",
            None,
            None,
            f"报送期限：{table.due:%Y年%m月%d日}前",
        ]
    )
    header = ["序号", *units, *[h for _m, h, _f in COLUMNS]]
    ws.append(header)
    header_row = ws.max_row
    for col in range(1, width + 1):
        cell = ws.cell(row=header_row, column=col)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
    for index, row in enumerate(table.rows, start=1):
        ws.append([index, *unit_values(row, table.level), *[_plain(row[m]) for m, _h, _f in COLUMNS]])
        _format_row(ws, ws.max_row, len(units) + 2, border)
    ws.append(["合计", *[None] * len(units), *[_plain(table.totals[m]) for m, _h, _f in COLUMNS]])
    _format_row(ws, ws.max_row, len(units) + 2, border)
    for col in range(1, width + 1):
        ws.cell(row=ws.max_row, column=col).font = Font(bold=True)
    ws.append([])
    ws.append(["主要负责人（签字）：", None, None, None, "填表人：", None, None, "填报日期："])
    ws.append(["依据：《安全生产事故隐患排查治理暂行规定》（国家安全监管总局令第16号）第十四条"])
    ws.column_dimensions["A"].width = 8
    for col in range(2, width + 1):
        ws.column_dimensions[get_column_letter(col)].width = 24 if col <= len(units) + 1 else 14
    ws.freeze_panes = ws.cell(row=header_row + 1, column=len(units) + 2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _plain(value):
    return float(value) if value is not None and not isinstance(value, int) else value


def _format_row(ws, row: int, first_number_col: int, border) -> None:
    for col in range(1, ws.max_column + 1):
        ws.cell(row=row, column=col).border = border
    for offset, (_m, _h, fmt) in enumerate(COLUMNS):
        ws.cell(row=row, column=first_number_col + offset).number_format = fmt


def xlsx_response(table: StatisticsTable, *, filer: str):
    from django.http import HttpResponse

    response = HttpResponse(workbook_bytes(table, filer=filer), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename(table, "xlsx"))
    return response


def pdf_bytes(table: StatisticsTable, *, filer: str) -> bytes:
    return render_pdf(
        "analytics/pdf/statistics.html",
        {
            "title": TITLE,
            "table": table,
            "filer": filer,
            "columns": COLUMNS,
            "unit_header": UNIT_HEADER[StatisticsLevel(table.level)],
            "is_enterprise_level": table.level == StatisticsLevel.ENTERPRISE,
            "last_day": table.period.end - dt.timedelta(days=1),
            "generated": timezone.localtime(),
        },
    )


def pdf_download(table: StatisticsTable, *, filer: str):
    return pdf_response(pdf_bytes(table, filer=filer), filename(table, "pdf"), inline=False)
