"""The enterprise file (企业名录): its columns, parsers, reader and export columns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..choices import EnterpriseStatus
from ..types import EnterpriseData
from .cells import (
    LATITUDE,
    LONGITUDE,
    bounded,
    choice_parser,
    coordinate,
    credit_code,
    date,
    integer,
    max_lengths,
    phone,
    yes_no,
)
from .lookups import IndustryIndex, TownshipIndex
from .problems import CellError, Problem, Problems, Progress
from .reader import (
    BAD,
    ColumnSpec,
    ParsedFile,
    blocks,
    collector_paused,
    column_of,
    find_layout,
    iterate_data,
    open_upload,
    parse_block,
)

ENTERPRISE_SHEET = gettext_noop("企业名录")
YES_NO_HELP = gettext_noop("填写“是”或“否”（也可填 Y/N、√/×），留空为“否”。")

ENTERPRISE_COLUMNS = [
    ColumnSpec("name", gettext_noop("企业名称"), True, gettext_noop("营业执照上的全称。"), 30),
    ColumnSpec(
        "credit_code",
        gettext_noop("统一社会信用代码"),
        True,
        gettext_noop("18位，系统校验第18位校验码；同一代码再次导入时更新原企业。"),
        22,
        True,
    ),
    ColumnSpec(
        "township",
        gettext_noop("所属乡镇街道"),
        True,
        gettext_noop("填写“可选值”表中的名称或9位区划代码；只能填写本辖区的乡镇街道。"),
        16,
        True,
        repeats=True,
    ),
    ColumnSpec(
        "industry",
        gettext_noop("行业代码"),
        True,
        gettext_noop("GB/T 4754-2017 代码（如 0610），见“可选值”表；请保留开头的0。"),
        12,
        True,
        repeats=True,
    ),
    ColumnSpec("employees", gettext_noop("从业人员"), False, gettext_noop("人数，整数，留空为0。"), 10),
    ColumnSpec(
        "revenue_10k", gettext_noop("营业收入（万元）"), False, gettext_noop("整数，单位万元，留空为0。"), 14
    ),
    ColumnSpec("hazchem_licence", gettext_noop("持有危化品许可"), False, YES_NO_HELP, 12, repeats=True),
    ColumnSpec("dust_explosion", gettext_noop("涉爆粉尘"), False, YES_NO_HELP, 10, repeats=True),
    ColumnSpec("ammonia_refrigeration", gettext_noop("涉氨制冷"), False, YES_NO_HELP, 10, repeats=True),
    ColumnSpec("confined_space", gettext_noop("有限空间作业"), False, YES_NO_HELP, 12, repeats=True),
    ColumnSpec("molten_metal", gettext_noop("涉高温熔融金属"), False, YES_NO_HELP, 12, repeats=True),
    ColumnSpec(
        "high_risk_override",
        gettext_noop("高危认定（人工）"),
        False,
        gettext_noop("留空则按行业和特殊作业自动认定；填“是”或“否”则以此为准。"),
        14,
        repeats=True,
    ),
    ColumnSpec(
        "status",
        gettext_noop("经营状态"),
        False,
        gettext_noop("在营、停产或关闭，留空为在营。"),
        10,
        repeats=True,
    ),
    ColumnSpec("address", gettext_noop("地址"), False, "", 30),
    ColumnSpec("longitude", gettext_noop("经度"), False, gettext_noop("小数度，如 114.3521。"), 12),
    ColumnSpec("latitude", gettext_noop("纬度"), False, gettext_noop("小数度，如 36.1123。"), 12),
    ColumnSpec("legal_representative", gettext_noop("法定代表人"), False, "", 12),
    ColumnSpec("principal", gettext_noop("主要负责人"), False, "", 12),
    ColumnSpec("safety_contact", gettext_noop("安全管理联系人"), False, "", 14),
    ColumnSpec("safety_contact_phone", gettext_noop("联系电话"), False, "", 16, True),
    ColumnSpec(
        "established",
        gettext_noop("成立日期"),
        False,
        gettext_noop("日期，如 2012/3/5 或 2012年3月5日。"),
        12,
        repeats=True,
    ),
]
# Columns an export adds after the import columns; a re-imported export ignores them.
ENTERPRISE_EXPORT_ONLY = [
    gettext_noop("行业名称"),
    gettext_noop("企业规模"),
    gettext_noop("高危企业"),
    gettext_noop("更新时间"),
]

# Database fields in the order `read_enterprises` lays out each row's tuple, and the order the
# service reads existing rows in, so that "unchanged" is a plain tuple comparison.
ENTERPRISE_FIELDS = (
    "name",
    "credit_code",
    "township_id",
    "industry_id",
    "employees",
    "revenue_10k",
    "size",
    "hazchem_licence",
    "dust_explosion",
    "ammonia_refrigeration",
    "confined_space",
    "molten_metal",
    "high_risk_override",
    "high_risk",
    "status",
    "address",
    "longitude",
    "latitude",
    "legal_representative",
    "principal",
    "safety_contact",
    "safety_contact_phone",
    "established",
)
CODE_INDEX = ENTERPRISE_FIELDS.index("credit_code")
TOWNSHIP_INDEX = ENTERPRISE_FIELDS.index("township_id")


def enterprise_parsers(townships: TownshipIndex, industries: IndustryIndex) -> dict[str, Callable]:
    from ..models import Enterprise

    lengths = max_lengths(
        Enterprise,
        ["name", "address", "legal_representative", "principal", "safety_contact", "safety_contact_phone"],
    )

    def bounded_phone(value):
        result = phone(value)
        if len(result) > lengths["safety_contact_phone"]:
            raise CellError(_("电话号码过长。"))
        return result

    return {
        "name": bounded(lengths["name"]),
        "credit_code": credit_code,
        "township": townships.resolve,
        "industry": industries.resolve,
        "employees": lambda v: integer(v, units=("人",)),
        "revenue_10k": lambda v: integer(v, units=("万元", "万")),
        "hazchem_licence": yes_no,
        "dust_explosion": yes_no,
        "ammonia_refrigeration": yes_no,
        "confined_space": yes_no,
        "molten_metal": yes_no,
        "high_risk_override": yes_no,
        "status": choice_parser(EnterpriseStatus.choices, default=None, what=_("经营状态")),
        "address": bounded(lengths["address"]),
        "longitude": lambda v: coordinate(v, low=-180, high=180, label=LONGITUDE),
        "latitude": lambda v: coordinate(v, low=-90, high=90, label=LATITUDE),
        "legal_representative": bounded(lengths["legal_representative"]),
        "principal": bounded(lengths["principal"]),
        "safety_contact": bounded(lengths["safety_contact"]),
        "safety_contact_phone": bounded_phone,
        "established": date,
    }


def read_enterprises(fileobj, **kwargs) -> ParsedFile:
    """Read and check every row. Rows come back as tuples in ENTERPRISE_FIELDS order, with size
    and the effective high-risk flag derived the way the services derive them."""
    with collector_paused():
        return _read_enterprises(fileobj, **kwargs)


def _read_enterprises(
    fileobj,
    *,
    townships: TownshipIndex,
    industries: IndustryIndex,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> ParsedFile:
    problems = Problems()
    sheet = open_upload(fileobj, _(ENTERPRISE_SHEET))
    layout = find_layout(sheet, ENTERPRISE_COLUMNS, ENTERPRISE_EXPORT_ONLY, problems)
    if layout is None:
        return ParsedFile([], problems, 0)
    total = max(0, sheet.last_row - layout.header_row)
    plan = layout.plan(enterprise_parsers(townships, industries))
    today = today or timezone.localdate()
    code_letter, code_header = column_of(layout, "credit_code")
    date_letter, date_header = column_of(layout, "established")
    lat_letter, lat_header = column_of(layout, "latitude")
    first_row_of: dict[str, int] = {}
    rows: list[tuple] = []
    row_numbers: list[int] = []
    data_rows = 0
    active = EnterpriseStatus.ACTIVE.value
    for block in blocks(iterate_data(sheet, layout, problems, total, progress)):
        data_rows += len(block)
        columns, good = parse_block(block, plan, problems)
        column = columns.get
        for j, (excel_row, _cells) in enumerate(block):
            ok = good[j]
            code = columns["credit_code"][j]
            if code is not BAD:
                first = first_row_of.setdefault(code, excel_row)
                if first != excel_row:
                    problems.add(
                        Problem(
                            excel_row,
                            code_letter,
                            code_header,
                            _("统一社会信用代码与第{row}行重复。").format(row=first),
                            code,
                        )
                    )
                    ok = False
            established = columns["established"][j]
            if established is not None and established is not BAD and established > today:
                problems.add(
                    Problem(
                        excel_row,
                        date_letter,
                        date_header,
                        _("成立日期不能晚于今天。"),
                        established.isoformat(),
                    )
                )
                ok = False
            longitude, latitude = columns["longitude"][j], columns["latitude"][j]
            # Only when both cells were readable: a bad longitude is its own problem already.
            if longitude is not BAD and latitude is not BAD and (longitude is None) != (latitude is None):
                problems.add(
                    Problem(excel_row, lat_letter, lat_header, _("经度和纬度应同时填写或同时留空。"))
                )
                ok = False
            if not ok:
                continue
            township, industry = columns["township"][j], columns["industry"][j]
            flags = [
                column(key)[j] is True
                for key in (
                    "hazchem_licence",
                    "dust_explosion",
                    "ammonia_refrigeration",
                    "confined_space",
                    "molten_metal",
                )
            ]
            data = EnterpriseData(
                name=columns["name"][j],
                credit_code=code,
                township=township,
                industry=industry,
                employees=columns["employees"][j] or 0,
                revenue_10k=columns["revenue_10k"][j] or 0,
                hazchem_licence=flags[0],
                dust_explosion=flags[1],
                ammonia_refrigeration=flags[2],
                confined_space=flags[3],
                molten_metal=flags[4],
                high_risk_override=columns["high_risk_override"][j],
            )
            derived = data.derived()
            rows.append(
                (
                    data.name,
                    code,
                    township.id,
                    industry.id,
                    data.employees,
                    data.revenue_10k,
                    derived["size"],
                    *flags,
                    data.high_risk_override,
                    derived["high_risk"],
                    columns["status"][j] or active,
                    columns["address"][j] or "",
                    longitude,
                    latitude,
                    columns["legal_representative"][j] or "",
                    columns["principal"][j] or "",
                    columns["safety_contact"][j] or "",
                    columns["safety_contact_phone"][j] or "",
                    established,
                )
            )
            row_numbers.append(excel_row)
    if progress is not None:
        progress(total, total)
    if not data_rows:
        problems.add(Problem(None, "", "", _("文件中除标题行外没有数据行。")))
    return ParsedFile(rows, problems, data_rows, layout, row_numbers)


# --- export columns --------------------------------------------------------------------------
# An export starts with the import columns, under the same headers and in the same formats, so
# a clerk can export, correct and re-import; the columns after them are read-only and ignored
# on import.


def enterprise_export_columns() -> list:
    from hazardloop.core.exports import Column

    accessors = {
        "township": "township.name",
        "industry": "industry.code",
        "status": "get_status_display",
    }
    columns = [
        Column(spec.label, accessors.get(spec.key, spec.key), width=spec.width) for spec in ENTERPRISE_COLUMNS
    ]
    industry_name, size, high_risk, updated = (_(h) for h in ENTERPRISE_EXPORT_ONLY)
    return columns + [
        Column(industry_name, "industry.name", width=24),
        Column(size, "get_size_display", width=10),
        Column(high_risk, "high_risk", width=10),
        Column(updated, "updated_at", width=20, number_format="yyyy-mm-dd hh:mm"),
    ]
