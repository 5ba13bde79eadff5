"""The blank Excel templates clerks fill in: headers with notes, drop-downs and text formats."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from ..choices import EnterpriseStatus, Specialty
from .enterprises import ENTERPRISE_COLUMNS, ENTERPRISE_SHEET
from .experts import EXPERT_COLUMNS, EXPERT_SHEET
from .reader import ColumnSpec

TEXT_FORMAT = "@"
# --- templates -------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FONT = Font(bold=True)
TEMPLATE_ROWS = 2000  # rows that get drop-downs and text format in the template


def _template(
    sheet_title: str,
    specs: list[ColumnSpec],
    choices: dict[str, tuple[str, list[tuple[str, str]]]],
    lists: dict[str, str],
    notes: list[str],
) -> bytes:
    """A workbook: the data sheet (header only, with notes, drop-downs and text columns), a
    “填写说明” sheet describing each column, and a “可选值” sheet of allowed values.

    `choices` maps a title to (heading pair, [(value, meaning)]) listed on the values sheet;
    `lists` maps a column key to the `choices` title whose first column feeds its drop-down."""
    workbook = Workbook()
    data = workbook.active
    data.title = sheet_title
    data.freeze_panes = "A2"
    values_sheet_title = _("可选值")
    guide = workbook.create_sheet(_("填写说明"))
    values = workbook.create_sheet(values_sheet_title)

    list_ranges: dict[str, str] = {}
    column = 1
    for title, (headings, entries) in choices.items():
        values.cell(row=1, column=column, value=title).font = HEADER_FONT
        values.cell(row=2, column=column, value=headings[0]).fill = HEADER_FILL
        values.cell(row=2, column=column + 1, value=headings[1]).fill = HEADER_FILL
        for offset, (value, meaning) in enumerate(entries, start=3):
            values.cell(row=offset, column=column, value=value).number_format = TEXT_FORMAT
            values.cell(row=offset, column=column + 1, value=meaning)
        letter = get_column_letter(column)
        values.column_dimensions[letter].width = 18
        values.column_dimensions[get_column_letter(column + 1)].width = 28
        if entries:
            list_ranges[title] = (
                f"{quote_sheetname(values_sheet_title)}!${letter}$3:${letter}${len(entries) + 2}"
            )
        column += 3

    for index, spec in enumerate(specs, start=1):
        letter = get_column_letter(index)
        label = spec.label + ("*" if spec.required else "")
        cell = data.cell(row=1, column=index, value=label)
        cell.font = REQUIRED_FONT if spec.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if spec.help:
            cell.comment = Comment(_(spec.help), "HazardLoop", width=260, height=90)
        data.column_dimensions[letter].width = spec.width
        if spec.as_text:
            # Text format keeps leading zeros and all 18 digits of a code typed into the column.
            data.column_dimensions[letter].number_format = TEXT_FORMAT
            for row in range(2, TEMPLATE_ROWS + 2):
                data.cell(row=row, column=index).number_format = TEXT_FORMAT
        source = lists.get(spec.key)
        if source and source in list_ranges:
            validation = DataValidation(
                type="list",
                formula1=list_ranges[source],
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="warning",
                errorTitle=_("请核对"),
                error=_("该值不在可选值中，导入时将被检查。"),
            )
            data.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")

    guide.column_dimensions["A"].width = 6
    guide.column_dimensions["B"].width = 22
    guide.column_dimensions["C"].width = 10
    guide.column_dimensions["D"].width = 80
    row = 1
    for line in notes:
        guide.cell(row=row, column=1, value=line)
        row += 1
    row += 1
    for col, heading in enumerate((_("列"), _("列标题"), _("是否必填"), _("填写要求")), start=1):
        cell = guide.cell(row=row, column=col, value=heading)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for index, spec in enumerate(specs, start=1):
        row += 1
        guide.cell(row=row, column=1, value=get_column_letter(index))
        guide.cell(row=row, column=2, value=spec.label)
        guide.cell(row=row, column=3, value=_("必填") if spec.required else _("选填"))
        guide.cell(row=row, column=4, value=_(spec.help) if spec.help else "").alignment = Alignment(
            wrap_text=True
        )

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _common_notes(max_rows: int) -> list[str]:
    return [
        _("填写说明"),
        _("1. 请在第一个工作表中从第2行起逐行填写，不要修改第1行列标题；带 * 的列必填。"),
        _("2. 导入时先检查整个文件，任何一行有问题都不会写入，并按行号和列列出全部问题。"),
        _("3. 全角字符、多余空格会自动处理；日期可填 2012/3/5、2012-03-05 或 2012年3月5日。"),
        _("4. 同一文件可重复导入：已登记的记录按识别规则更新，内容未变的记录不会改动。"),
        _("5. 单次最多导入 {limit} 行。").format(limit=max_rows),
    ]


def yes_no_entries() -> list[tuple[str, str]]:
    return [(_("是"), _("也可填 Y、√、有、1")), (_("否"), _("也可填 N、×、无、0，或留空"))]


def enterprise_template(townships: Iterable[Any], industries: Iterable[Any]) -> bytes:
    """The enterprise import template; `townships` are those the downloading user may import."""
    choices = {
        _("乡镇街道"): ((_("名称"), _("区划代码")), [(t.name, t.code) for t in townships]),
        _("行业代码"): ((_("代码"), _("行业名称")), [(i.code, i.name) for i in industries]),
        _("是/否"): ((_("填写"), _("说明")), yes_no_entries()),
        _("经营状态"): ((_("填写"), _("说明")), [(str(label), "") for _v, label in EnterpriseStatus.choices]),
    }
    lists = {
        "township": _("乡镇街道"),
        "industry": _("行业代码"),
        "status": _("经营状态"),
        **{key: _("是/否") for key in ("hazchem_licence", "dust_explosion", "ammonia_refrigeration")},
        **{key: _("是/否") for key in ("confined_space", "molten_metal", "high_risk_override")},
    }
    notes = _common_notes(settings.IMPORT_MAX_ROWS) + [
        _(
            "6. 以统一社会信用代码识别企业；企业规模和高危企业由系统按从业人员、营业收入、行业和特殊作业自动计算。"
        ),
    ]
    return _template(_(ENTERPRISE_SHEET), ENTERPRISE_COLUMNS, choices, lists, notes)


def expert_template(providers: Iterable[Any]) -> bytes:
    choices = {
        _("服务机构"): ((_("名称"), _("统一社会信用代码")), [(p.name, p.credit_code) for p in providers]),
        _("专业"): ((_("填写"), _("代码")), [(str(label), value) for value, label in Specialty.choices]),
        _("是/否"): ((_("填写"), _("说明")), yes_no_entries()),
    }
    lists = {"provider": _("服务机构"), "full_time": _("是/否"), "active": _("是/否")}
    notes = _common_notes(settings.IMPORT_MAX_ROWS) + [
        _("6. 填写身份证号的按身份证号识别专家，否则按“所属机构+姓名”识别；专业和回避企业以文件为准。"),
    ]
    return _template(_(EXPERT_SHEET), EXPERT_COLUMNS, choices, lists, notes)
