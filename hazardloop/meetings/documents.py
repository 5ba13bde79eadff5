"""The pack as documents: PDF (core/pdf.py, WeasyPrint) and Excel (one sheet per section).
Both read the frozen JSON of a MeetingPack, so a printed pack never drifts from the page."""

from __future__ import annotations

import datetime as dt
import io

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hazardloop.core import exports
from hazardloop.core.pdf import render_pdf

from .models import Minutes
from .pack import SECTIONS


def _plain(value):
    """JSON gives dates back as strings; show them as dates, flags as 是/否, None as —."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        parsed = parse_date(value)
        if parsed:
            return parsed.isoformat()
    return value


def section_tables(data: dict) -> list[dict]:
    """Each section as {key, title, headers, rows: [{cells, id (the hazard's, where the section
    lists hazards)}]}."""
    tables = []
    for section in SECTIONS:
        rows = data.get(section.key, [])
        tables.append(
            {
                "key": section.key,
                "title": str(section.title),
                "headers": [str(header) for _field, header in section.columns],
                "rows": [
                    {
                        "cells": [_plain(row.get(field)) for field, _header in section.columns],
                        "id": row.get("id") if section.links_hazards else None,
                    }
                    for row in rows
                ],
                "links_hazards": section.links_hazards,
            }
        )
    return tables


def built_at(data: dict):
    value = data.get("meta", {}).get("built_at")
    return parse_datetime(value) if isinstance(value, str) else value


def pack_context(meeting, pack) -> dict:
    return {
        "meeting": meeting,
        "pack": pack,
        "meta": pack.data.get("meta", {}),
        "totals": pack.data.get("totals", {}),
        "tables": section_tables(pack.data),
        "attendances": meeting.attendances.select_related("member_unit").order_by("member_unit__name"),
        "decisions": meeting.decisions.order_by("seq"),
        "minutes": Minutes.objects.filter(meeting=meeting).first(),
    }


def pack_pdf(meeting, pack) -> bytes:
    return render_pdf("meetings/pdf/pack.html", pack_context(meeting, pack))


def pack_filename(meeting, ext: str) -> str:
    return f"{meeting.title}_会议材料.{ext}"


def pack_xlsx(meeting, pack) -> bytes:
    """One sheet per section, plus a summary sheet first."""
    workbook = Workbook()
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def sheet_with(title: str, headers: list[str], rows: list[list]):
        sheet = workbook.create_sheet(title=title[: exports.MAX_SHEET_TITLE])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font, cell.fill, cell.alignment = header_font, header_fill, centre
        for row in rows:
            sheet.append([exports.excel_value(_xl(value)) for value in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text typed by a user never runs as a formula
        for index, _header in enumerate(headers, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = 18
        sheet.freeze_panes = "A2"
        return sheet

    workbook.remove(workbook.active)
    meta, totals = pack.data.get("meta", {}), pack.data.get("totals", {})
    summary = [
        [_("会议"), str(meeting.title)],
        [_("会议编号"), meeting.number],
        [_("报告月份"), meta.get("period_label", "")],
        [_("生成时间"), built_at(pack.data)],
        [_("本月排查隐患"), totals.get("findings")],
        [_("其中重大隐患"), totals.get("major")],
        [_("逾期未整改隐患"), totals.get("overdue")],
        [_("挂牌督办重大隐患"), totals.get("listed")],
        [_("本月执法处理"), totals.get("enforcement")],
    ]
    sheet_with(_("概况"), [_("项目"), _("内容")], summary)
    for section in SECTIONS:
        rows = pack.data.get(section.key, [])
        title = str(section.title).split("、", 1)[-1]
        sheet_with(
            title.replace("（", "(").replace("）", ")"),
            [str(header) for _field, header in section.columns],
            [[row.get(field) for field, _header in section.columns] for row in rows],
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xl(value):
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
        parsed = parse_date(value)
        if parsed:
            return parsed
    if isinstance(value, str) and len(value) > 10 and value[4:5] == "-" and "T" in value:
        parsed = parse_datetime(value)
        if parsed:
            return parsed
    if isinstance(value, dt.datetime | dt.date):
        return value
    return value
