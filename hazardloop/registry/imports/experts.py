"""The expert file (专家名录): its columns, parsers, reader and export columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hazardloop.core.api.masking import MASK, mask_id_number, mask_phone

from .. import rules
from ..choices import Specialty
from .cells import (
    LATITUDE,
    LONGITUDE,
    bounded,
    coordinate,
    id_number,
    max_lengths,
    phone,
    split_list,
    text,
    yes_no,
)
from .lookups import ProviderIndex
from .problems import CellError, Problem, Problems, Progress
from .reader import (
    ColumnSpec,
    ParsedFile,
    collector_paused,
    column_of,
    find_layout,
    iterate_data,
    open_upload,
    row_values,
)

EXPERT_SHEET = gettext_noop("专家名录")
EXPERT_COLUMNS = [
    ColumnSpec(
        "provider",
        gettext_noop("所属机构"),
        False,
        gettext_noop("服务机构全称或其统一社会信用代码；服务机构用户可留空，即本机构。"),
        30,
        repeats=True,
    ),
    ColumnSpec("name", gettext_noop("姓名"), True, "", 10),
    ColumnSpec(
        "id_number",
        gettext_noop("身份证号"),
        False,
        gettext_noop(
            "18位；填写后按身份证号识别同一专家，未填写则按“机构+姓名”识别，已登记的身份证号保持不变。"
        ),
        22,
        True,
        may_be_absent=True,
    ),
    ColumnSpec(
        "phone",
        gettext_noop("手机号"),
        False,
        gettext_noop("导出文件中部分隐藏的号码（含 *）导入时保持已登记的号码不变。"),
        14,
        True,
    ),
    ColumnSpec("title", gettext_noop("职称"), False, gettext_noop("如 高级工程师。"), 14, repeats=True),
    ColumnSpec(
        "full_time", gettext_noop("专职"), False, gettext_noop("“是”或“否”，留空为“是”。"), 8, repeats=True
    ),
    ColumnSpec(
        "active", gettext_noop("在岗"), False, gettext_noop("“是”或“否”，留空为“是”。"), 8, repeats=True
    ),
    ColumnSpec(
        "specialties",
        gettext_noop("专业"),
        False,
        gettext_noop("可填多个，用顿号或逗号分隔，见“可选值”表；导入后以此为准。"),
        24,
        repeats=True,
    ),
    ColumnSpec(
        "conflicts",
        gettext_noop("回避企业信用代码"),
        False,
        gettext_noop("该专家不得检查的企业的统一社会信用代码，可填多个，用逗号分隔；导入后以此为准。"),
        40,
        True,
    ),
    ColumnSpec("conflict_reason", gettext_noop("回避原因"), False, gettext_noop("如 曾任该厂安全科长。"), 20),
    # The base is where the planner counts travel from. A file without these columns (one made
    # before they existed) leaves the stored base alone; blank cells clear it.
    ColumnSpec(
        "base_address",
        gettext_noop("常驻地点"),
        False,
        gettext_noop("专家出发去检查的地点，如住址片区或机构驻点。"),
        30,
        may_be_absent=True,
    ),
    ColumnSpec(
        "base_longitude",
        gettext_noop("常驻地经度"),
        False,
        gettext_noop("小数度，如 114.3521；排查计划按常驻地计算路程。"),
        12,
        may_be_absent=True,
    ),
    ColumnSpec(
        "base_latitude",
        gettext_noop("常驻地纬度"),
        False,
        gettext_noop("小数度，如 36.1123。"),
        12,
        may_be_absent=True,
    ),
]
BASE_KEYS = ("base_address", "base_longitude", "base_latitude")
EXPERT_EXPORT_ONLY = [gettext_noop("身份证号（部分隐藏）"), gettext_noop("更新时间")]
# The masked number stands where the import expects 身份证号, which an export therefore lacks.
DEFAULT_CONFLICT_REASON = gettext_noop("导入登记")
# What the phone parser returns for a masked cell such as 138****5678.
KEEP_PHONE = object()


@dataclass(frozen=True)
class ExpertRow:
    row: int
    provider_id: int
    name: str
    id_number: str
    phone: str | None  # None: the cell was masked (an exported file), keep the stored number
    title: str
    full_time: bool
    active: bool
    specialties: frozenset[str]
    conflicts: frozenset[int]  # enterprise ids
    conflict_reason: str
    # (address, longitude, latitude); None: the file has no base columns, keep the stored base
    base: tuple[str, Decimal | None, Decimal | None] | None = None


def expert_parsers(providers: ProviderIndex, enterprises: dict[str, int]) -> dict[str, Callable]:
    from ..models import Expert, ExpertConflict

    lengths = max_lengths(Expert, ["name", "phone", "title", "base_address"])
    reason_length = ExpertConflict._meta.get_field("reason").max_length
    specialty_by_word = {}
    for stored, label in Specialty.choices:
        specialty_by_word[stored] = stored
        specialty_by_word[str(label)] = stored
        specialty_by_word[rules.normalise_text(str(label))] = stored

    def specialties(value):
        found, unknown = set(), []
        for word in split_list(value):
            stored = specialty_by_word.get(word) or specialty_by_word.get(word.lower())
            if stored is None:
                unknown.append(word)
            else:
                found.add(stored)
        if unknown:
            allowed = "、".join(str(label) for _s, label in Specialty.choices)
            raise CellError(
                _("专业「{value}」无法识别，可填写：{allowed}。").format(
                    value="、".join(unknown), allowed=allowed
                )
            )
        return frozenset(found)

    def conflicts(value):
        ids, problems = set(), []
        for word in split_list(value):
            code = rules.normalise_uscc(word)
            message = rules.credit_code_error(code)
            if message:
                problems.append(f"{code}：{message}")
            elif code not in enterprises:
                problems.append(_("未找到统一社会信用代码为 {code} 的企业。").format(code=code))
            else:
                ids.add(enterprises[code])
        if problems:
            raise CellError(" ".join(problems))
        return frozenset(ids)

    def bounded_phone(value):
        if MASK in text(value):
            # An exported file shows phones masked: such a cell leaves the stored number alone.
            return KEEP_PHONE
        result = phone(value)
        if len(result) > lengths["phone"]:
            raise CellError(_("电话号码过长。"))
        return result

    def yes_no_default_true(value):
        result = yes_no(value)
        return True if result is None else result

    return {
        "provider": providers.resolve,
        "name": bounded(lengths["name"]),
        "id_number": id_number,
        "phone": bounded_phone,
        "title": bounded(lengths["title"]),
        "full_time": yes_no_default_true,
        "active": yes_no_default_true,
        "specialties": specialties,
        "conflicts": conflicts,
        "conflict_reason": bounded(reason_length),
        "base_address": bounded(lengths["base_address"]),
        "base_longitude": lambda v: coordinate(v, low=-180, high=180, label=LONGITUDE),
        "base_latitude": lambda v: coordinate(v, low=-90, high=90, label=LATITUDE),
    }


def read_experts(fileobj, **kwargs) -> ParsedFile:
    """Read and check every expert row; duplicates within the file are problems."""
    with collector_paused():
        return _read_experts(fileobj, **kwargs)


def _read_experts(
    fileobj,
    *,
    providers: ProviderIndex,
    enterprises: dict[str, int],
    progress: Progress | None = None,
) -> ParsedFile:
    problems = Problems()
    sheet = open_upload(fileobj, _(EXPERT_SHEET))
    layout = find_layout(sheet, EXPERT_COLUMNS, EXPERT_EXPORT_ONLY, problems)
    if layout is None:
        return ParsedFile([], problems, 0)
    total = max(0, sheet.last_row - layout.header_row)
    plan = layout.plan(expert_parsers(providers, enterprises))
    provider_letter, provider_header = column_of(layout, "provider")
    id_letter, id_header = column_of(layout, "id_number")
    name_letter, name_header = column_of(layout, "name")
    lat_letter, lat_header = column_of(layout, "base_latitude")
    present = {spec.key for _index, spec, _letter_ in layout.positions}
    has_base = bool(present & set(BASE_KEYS))
    by_id: dict[str, int] = {}
    by_name: dict[tuple[int, str], list[tuple[int, str]]] = {}
    rows: list[ExpertRow] = []
    data_rows = 0
    for excel_row, values, good in row_values(
        iterate_data(sheet, layout, problems, total, progress), plan, problems
    ):
        data_rows += 1
        provider = values.get("provider")
        if provider is None and good:
            if providers.own is not None:
                provider = providers.own
            else:
                problems.add(Problem(excel_row, provider_letter, provider_header, _("必填项不能为空。")))
                good = False
        elif provider is not None and providers.own is not None and provider.pk != providers.own.pk:
            problems.add(
                Problem(
                    excel_row,
                    provider_letter,
                    provider_header,
                    _("只能导入本机构（{own}）的专家。").format(own=providers.own.name),
                    provider.name,
                )
            )
            good = False
        number = values.get("id_number") or ""
        if number:
            first = by_id.setdefault(number, excel_row)
            if first != excel_row:
                problems.add(
                    Problem(
                        excel_row,
                        id_letter,
                        id_header,
                        _("身份证号与第{row}行重复。").format(row=first),
                        number,
                    )
                )
                good = False
        if provider is not None and values.get("name"):
            key = (provider.pk, values["name"])
            same = by_name.setdefault(key, [])
            clash = next((row for row, other in same if not number or not other), None)
            if clash is not None:
                problems.add(
                    Problem(
                        excel_row,
                        name_letter,
                        name_header,
                        _("与第{row}行是同一机构的同名专家，请填写身份证号以区分。").format(row=clash),
                        values["name"],
                    )
                )
                good = False
            same.append((excel_row, number))
        longitude, latitude = values.get("base_longitude"), values.get("base_latitude")
        # Only when both cells were readable: a bad one is its own problem already.
        if good and (longitude is None) != (latitude is None):
            problems.add(
                Problem(excel_row, lat_letter, lat_header, _("常驻地经度和纬度应同时填写或同时留空。"))
            )
            good = False
        if not good:
            continue
        rows.append(
            ExpertRow(
                row=excel_row,
                provider_id=provider.pk,
                name=values["name"],
                id_number=number,
                phone=None if values.get("phone") is KEEP_PHONE else (values.get("phone") or ""),
                title=values.get("title") or "",
                full_time=values.get("full_time") is not False,
                active=values.get("active") is not False,
                specialties=values.get("specialties") or frozenset(),
                conflicts=values.get("conflicts") or frozenset(),
                conflict_reason=values.get("conflict_reason") or "",
                base=(values.get("base_address") or "", longitude, latitude) if has_base else None,
            )
        )
    if progress is not None:
        progress(total, total)
    if not data_rows:
        problems.add(Problem(None, "", "", _("文件中除标题行外没有数据行。")))
    return ParsedFile(rows, problems, data_rows, layout, [r.row for r in rows])


def expert_export_columns() -> list:
    """Conflicts are read from `visible_conflicts`, which the caller prefetches restricted to the
    enterprises the exporting user may see."""
    from hazardloop.core.exports import Column

    labels = {spec.key: spec.label for spec in EXPERT_COLUMNS}
    masked_id, updated = (_(h) for h in EXPERT_EXPORT_ONLY)

    def reasons(expert):
        return "；".join(dict.fromkeys(row.reason for row in expert.visible_conflicts))

    return [
        Column(labels["provider"], "provider.name", width=30),
        Column(labels["name"], "name", width=10),
        # Personal data leaves masked, as pages and API show it; the full numbers are read one
        # expert at a time through the audited personal-data endpoint. The import takes a masked
        # phone for "unchanged"; the masked ID column is export-only.
        Column(masked_id, lambda e: mask_id_number(e.id_number or ""), width=22),
        Column(labels["phone"], lambda e: mask_phone(e.phone or ""), width=14),
        Column(labels["title"], "title", width=14),
        Column(labels["full_time"], "full_time", width=8),
        Column(labels["active"], "active", width=8),
        Column(labels["specialties"], lambda e: "、".join(e.specialty_labels()), width=24),
        Column(
            labels["conflicts"],
            lambda e: "、".join(r.enterprise.credit_code for r in e.visible_conflicts),
            width=40,
        ),
        Column(labels["conflict_reason"], reasons, width=20),
        Column(labels["base_address"], "base_address", width=30),
        Column(labels["base_longitude"], "base_longitude", width=12),
        Column(labels["base_latitude"], "base_latitude", width=12),
        Column(updated, "updated_at", width=20, number_format="yyyy-mm-dd hh:mm"),
    ]
