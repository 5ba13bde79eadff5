"""Excel import of enterprises and experts: the template, reading, per-cell normalisation and
validation. Nothing here writes: `services.import_enterprises` / `services.import_experts` take
what `read_enterprises` / `read_experts` return and write it in one transaction.

Every problem is collected, never only the first, so a clerk can fix the whole file in one pass.
A problem names the row as Excel numbers it, the column letter and header, and says in Chinese
what is wrong and how to put it right.

Files are read with python-calamine (a Rust reader) rather than openpyxl: on 100,000 rows it is
about twenty times faster, and it also reads the old .xls format clerks still receive."""

from __future__ import annotations

import datetime as dt
import gc
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from hazardloop.core.api.masking import MASK, mask_id_number, mask_phone

from . import rules
from .choices import EnterpriseStatus, Specialty

MAX_PROBLEMS_KEPT = 5000  # every problem is counted; the first this many are listed in full
PROGRESS_EVERY = 1000  # rows between two progress reports
HEADER_SEARCH_ROWS = 5  # a title line or two above the header is tolerated
MAX_POSITIVE_INT = 2_147_483_647  # PositiveIntegerField on PostgreSQL
TEXT_FORMAT = "@"

Progress = Callable[[int, int], None]


class CellError(ValueError):
    """A cell that cannot be read as its column needs; the message is Chinese, for the clerk."""


class FileProblem(Exception):
    """The file as a whole cannot be imported (not Excel, empty, too many rows, wrong header)."""


@dataclass(frozen=True)
class Problem:
    row: int | None  # as Excel numbers it; None when the problem is the file's
    column: str  # letter, "" when the problem is the row's or the file's
    header: str
    message: str
    value: str = ""

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "message": self.message,
            "value": self.value,
        }

    @property
    def sort_key(self) -> tuple:
        return (self.row or 0, len(self.column), self.column)


class Problems:
    """Every problem is counted; the first `limit` are kept to show, so a file that is wrong in
    every cell of 100,000 rows does not fill the database with its error list."""

    def __init__(self, limit: int = MAX_PROBLEMS_KEPT):
        self.limit = limit
        self.items: list[Problem] = []
        self.count = 0

    def add(self, problem: Problem) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(problem)

    def __bool__(self) -> bool:
        return self.count > 0

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: p.sort_key)


# --- cell normalisers (pure) -----------------------------------------------------------------


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and (not value or value.isspace()))


def _shown(value: Any) -> str:
    """The cell as the clerk sees it, for quoting in a message."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text if len(text) <= 40 else text[:39] + "…"


def text(value: Any) -> str:
    """Full-width to half-width, runs of spaces collapsed, ends trimmed; numbers Excel stored
    for a text column come back without a trailing .0."""
    if type(value) is str:
        # Most cells are already in normal form; checking is several times cheaper than folding.
        if value.isascii() or unicodedata.is_normalized("NFKC", value):
            return " ".join(value.split())
        return rules.normalise_text(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return rules.normalise_text(value)


def integer(value: Any, *, units: tuple[str, ...] = (), maximum: int = MAX_POSITIVE_INT) -> int | None:
    """A non-negative whole number, from a number cell or text such as "1,200" or "１２００人"."""
    if value.__class__ is float and value.is_integer() and 0 <= value <= maximum:
        return int(value)  # the usual number cell, without the Decimal round trip
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("应填写数字，不能填写是/否。"))
    if isinstance(value, int | float):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        raw = rules.normalise_text(value).replace(",", "").replace(" ", "")
        for unit in units:
            if raw.endswith(unit):
                raw = raw[: -len(unit)]
                break
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise CellError(_("「{value}」不是数字。").format(value=_shown(value))) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise CellError(_("应填写整数，「{value}」不是整数。").format(value=_shown(value)))
    if number < 0:
        raise CellError(_("不能为负数。"))
    if number > maximum:
        raise CellError(_("数值过大（不能超过{maximum}）。").format(maximum=maximum))
    return int(number)


TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "对"})
FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "✗", "✘", "x", "无", "不是", "没有"})


def yes_no(value: Any) -> bool | None:
    """是/否, Y/N, √/×, 有/无, 1/0 and Excel's TRUE/FALSE cells; blank is None."""
    if isinstance(value, bool):
        return value
    if is_blank(value):
        return None
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
    else:
        word = rules.normalise_text(value).lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    raise CellError(_("应填写“是”或“否”，「{value}」无法识别。").format(value=_shown(value)))


# Excel's day numbers for 1900-01-01 .. 2099-12-31; an 8-digit 20120305 is read as yyyymmdd.
EXCEL_SERIAL_RANGE = (1, 73050)
EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_PATTERNS = (
    re.compile(
        r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
    ),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
YEAR_MONTH = re.compile(r"^\d{4}\s*[-/.年]\s*\d{1,2}\s*月?$")


def date(value: Any) -> dt.date | None:
    """Excel date cells, Excel day numbers, and text like 2012/3/5, 2012-03-05, 2012.3.5,
    2012年3月5日 or 20120305 (full-width digits too)."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(_("应填写日期。"))
    if isinstance(value, int | float):
        number = float(value)
        if number.is_integer() and 19000101 <= number <= 20991231:
            return date(str(int(number)))
        if EXCEL_SERIAL_RANGE[0] <= number <= EXCEL_SERIAL_RANGE[1]:
            return EXCEL_EPOCH + dt.timedelta(days=int(number))
        raise CellError(_("「{value}」不是有效日期。").format(value=_shown(value)))
    raw = rules.normalise_text(value)
    for pattern in DATE_PATTERNS:
        match = pattern.match(raw)
        if match:
            year, month, day = (int(part) for part in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError:
                break
    if YEAR_MONTH.match(raw):
        raise CellError(_("「{value}」缺少日，请填写完整日期，如 2012/3/5。").format(value=_shown(value)))
    raise CellError(_("「{value}」不是有效日期，请按 2012/3/5 的格式填写。").format(value=_shown(value)))


SIX_PLACES = Decimal("0.000001")
LONGITUDE, LATITUDE = gettext_noop("经度"), gettext_noop("纬度")


def coordinate(value: Any, *, low: int, high: int, label: str) -> Decimal | None:
    """A decimal degree within [low, high], kept to six places as the model stores it."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("应填写数字。"))
    raw = repr(value) if isinstance(value, float) else rules.normalise_text(value).replace(" ", "")
    raw = raw.rstrip("°")
    try:
        number = Decimal(raw)
    except InvalidOperation:
        raise CellError(
            _("「{value}」不是数字，请以小数度填写，如 114.3521。").format(value=_shown(value))
        ) from None
    if not number.is_finite() or not low <= number <= high:
        raise CellError(
            _("{label}应在 {low} 到 {high} 之间，「{value}」超出范围。").format(
                label=_(label), low=low, high=high, value=_shown(value)
            )
        )
    return number.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


PHONE_PATTERN = re.compile(r"^[0-9+()\-#转 ]{3,32}$")


def phone(value: Any) -> str:
    raw = text(value)
    if raw and not PHONE_PATTERN.match(raw):
        raise CellError(_("「{value}」不是有效的电话号码。").format(value=_shown(value)))
    return raw


def credit_code(value: Any) -> str:
    """A normalised 统一社会信用代码 with its check digit verified. A number cell gets its own
    advice: Excel keeps only 15 significant digits, so an 18-digit code typed into a number cell
    has already lost its tail."""
    from .services import credit_code_error

    if isinstance(value, int | float) and not isinstance(value, bool):
        code = str(int(value))
        message = credit_code_error(code)
        if message:
            raise CellError(
                _(
                    "{message}该单元格是数字格式，Excel 只保留15位有效数字，请将此列设为“文本”后重新填写。"
                ).format(message=message)
            )
        return code
    code = rules.normalise_uscc(value)
    if not code or rules.uscc_problem(code) is None:
        return code
    raise CellError(credit_code_error(code))


ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
ID_CHECK = "10X98765432"


def id_number_problem(number: str) -> str | None:
    """GB 11643 居民身份证号码: 17 digits, a valid birth date at 7-14, then a check character
    (weights 2^(17-i) mod 11; sum mod 11 indexes 1 0 X 9 8 7 6 5 4 3 2)."""
    if len(number) != 18:
        return _("身份证号应为18位，实际为{n}位。").format(n=len(number))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return _("身份证号只能由数字组成，最后一位可以是X。")
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("身份证号中的出生日期（第7-14位）无效。")
    expected = ID_CHECK[sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True)) % 11]
    if number[17] != expected:
        return _("身份证号校验位错误（第18位应为{expected}）。").format(expected=expected)
    return None


def id_number(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raw = str(int(value))
        if id_number_problem(raw):
            raise CellError(
                _("身份证号被存成了数字，Excel 只保留15位有效数字，请将此列设为“文本”后重新填写。")
            )
        return raw
    raw = rules.normalise_uscc(value)
    problem = id_number_problem(raw) if raw else None
    if problem:
        raise CellError(problem)
    return raw


LIST_SEPARATORS = re.compile(r"[,，、;；/\s]+")


def split_list(value: Any) -> list[str]:
    """ "煤矿、机械", "煤矿,机械" or one per line, as clerks write lists in one cell."""
    raw = text(value) if not isinstance(value, str) else rules.normalise_text(value.replace("\n", " "))
    return [part for part in LIST_SEPARATORS.split(raw) if part]


def choice_parser(choices, *, default: str | None, what: str) -> Callable[[Any], str | None]:
    """A parser taking a choice by its Chinese label or its stored value."""
    lookup = {}
    for stored, label in choices:
        lookup[stored] = stored
        lookup[str(label)] = stored
    allowed = "、".join(str(label) for _stored, label in choices)

    def parse(value: Any) -> str | None:
        raw = text(value)
        if not raw:
            return default
        stored = lookup.get(raw) or lookup.get(raw.lower())
        if stored is None:
            raise CellError(
                _("{what}「{value}」无法识别，可填写：{allowed}。").format(
                    what=what, value=raw, allowed=allowed
                )
            )
        return stored

    return parse


# --- reference lookups -----------------------------------------------------------------------


@dataclass
class TownshipIndex:
    """Townships by 9-digit code (or the 12-digit form) and by name, with the importer's scope."""

    townships: list[Any]  # Region instances at township level
    in_scope: Callable[[Any], bool]
    by_code: dict[str, Any] = field(init=False)
    by_name: dict[str, list[Any]] = field(init=False)

    def __post_init__(self):
        self.by_code = {t.code: t for t in self.townships}
        self.by_name = {}
        for township in self.townships:
            self.by_name.setdefault(rules.normalise_text(township.name).replace(" ", ""), []).append(township)
        self._cache: dict[Any, Any] = {}

    def resolve(self, value: Any):
        # A district has a dozen townships and a file repeats them on every row.
        township = self._cache.get(value)
        if township is None:
            township = self._cache[value] = self._resolve(value)
        return township

    def _resolve(self, value: Any):
        raw = text(value)
        if not raw:
            return None  # a cell of spaces: the required check reports it
        first = raw.split(" ")[0]
        if first.isdigit():
            code = first[:9] if len(first) == 12 and first.endswith("000") else first
            township = self.by_code.get(code)
            if township is None:
                raise CellError(_("区划代码「{value}」不是已登记的乡镇街道。").format(value=first))
            candidates = [township]
        else:
            candidates = self.by_name.get(raw.replace(" ", ""), [])
            if not candidates:
                raise CellError(
                    _("「{value}」不是已登记的乡镇街道，请填写“可选值”表中的名称或9位区划代码。").format(
                        value=raw
                    )
                )
        allowed = [t for t in candidates if self.in_scope(t)]
        if not allowed:
            raise CellError(_("「{value}」不在您的辖区内，不能导入该乡镇街道的企业。").format(value=raw))
        if len(allowed) > 1:
            raise CellError(_("名称「{value}」对应多个乡镇街道，请改填9位区划代码。").format(value=raw))
        return allowed[0]


@dataclass
class IndustryIndex:
    """GB/T 4754 categories by code. A number cell has lost its leading zero (0610 → 610), so a
    code one digit short is tried with the zero put back when that is the only reading."""

    industries: dict[str, Any]
    _cache: dict[Any, Any] = field(default_factory=dict)

    def resolve(self, value: Any):
        industry = self._cache.get(value)
        if industry is None:
            industry = self._cache[value] = self._resolve(value)
        return industry

    def _resolve(self, value: Any):
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        raw = text(value)
        first = raw.split(" ")[0].upper() if raw else ""
        if not first:
            return None
        exact = self.industries.get(first)
        padded = self.industries.get("0" + first) if first.isdigit() and len(first) < 4 else None
        if exact is not None and padded is not None and numeric:
            raise CellError(
                _("行业代码「{value}」可能丢失了开头的0，请将此列设为“文本”后按4位代码填写。").format(
                    value=first
                )
            )
        industry = exact or padded
        if industry is None:
            raise CellError(
                _(
                    "行业代码「{value}」不在国民经济行业分类（GB/T 4754-2017）的已登记代码中，见“可选值”表。"
                ).format(value=first)
            )
        return industry


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    header: str  # the Chinese header (marked for translation, shown through gettext)
    required: bool = False
    help: str = ""
    width: int = 14
    as_text: bool = False  # the template formats the column as text (codes, phone numbers)
    may_be_absent: bool = False  # a file without this column is read as if it were blank
    repeats: bool = False  # few distinct values (是/否, states, dates): parse each text once per file

    @property
    def label(self) -> str:
        return _(self.header)


def header_key(value: Any) -> str:
    """Headers match however they were typed: full/half width, spaces, a trailing * or (必填)."""
    raw = rules.normalise_text(value).replace(" ", "")
    for suffix in ("*", "(必填)", "必填"):
        if raw.endswith(suffix):
            raw = raw[: -len(suffix)]
    return raw.lstrip("*")


@dataclass
class Sheet:
    name: str
    rows: Iterator[list]  # absolute rows from Excel row 1
    first_column: int  # 0-based offset of the first column the reader returns
    last_row: int  # Excel number of the last row with content


ROW_TAG = re.compile(rb"<((?:\w+:)?)row[\s>]")
# Uncompressed worksheet XML per row beyond which a file cannot be within the row limit: even a
# row of 21 long Chinese cells with styles takes well under this.
MAX_XML_BYTES_PER_ROW = 8192


def _largest_sheet(archive: zipfile.ZipFile) -> zipfile.ZipInfo | None:
    parts = [i for i in archive.infolist() if i.filename.startswith("xl/worksheets/sheet")]
    return max(parts, key=lambda info: info.file_size) if parts else None


def count_rows(fileobj, *, stop_after: int | None = None) -> int | None:
    """Rows in the largest worksheet of an .xlsx, counted on the decompressed XML without
    building cells, stopping once past `stop_after`: cheap enough to decide, before reading,
    whether a file is run at once or queued. None if the file is not an .xlsx."""
    position = fileobj.tell()
    try:
        with zipfile.ZipFile(fileobj) as archive:
            largest = _largest_sheet(archive)
            if largest is None:
                return None
            count, tail, tags = 0, b"", None
            with archive.open(largest) as stream:
                while chunk := stream.read(1 << 20):
                    data = tail + chunk
                    if tags is None:
                        match = ROW_TAG.search(data)
                        if match is None:
                            tail = data[-16:]
                            continue
                        # Some writers prefix every tag (<x:row>); learn it once, then count
                        # with bytes.count, which is C-speed. "<rowBreaks" is not a row.
                        prefix = match.group(1)
                        tags = (b"<" + prefix + b"row ", b"<" + prefix + b"row>")
                        data = data[match.start() :]
                    count += sum(data.count(tag) for tag in tags)
                    # A tag split across chunks is counted once: the tail is shorter than a tag.
                    tail = data[-(len(tags[0]) - 1) :]
                    if stop_after is not None and count > stop_after:
                        break
            return count
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    finally:
        fileobj.seek(position)


def _check_size(fileobj) -> None:
    """Refuse, before it is read into memory, a file that cannot be within the row limit. The
    exact count is checked while reading; this only needs the zip directory."""
    limit = settings.IMPORT_MAX_ROWS
    position = fileobj.tell()
    try:
        with zipfile.ZipFile(fileobj) as archive:
            largest = _largest_sheet(archive)
            size = largest.file_size if largest else 0
    except (zipfile.BadZipFile, OSError):
        return  # not an .xlsx: the reader says what it is
    finally:
        fileobj.seek(position)
    if size > (limit + 1) * MAX_XML_BYTES_PER_ROW:
        raise FileProblem(_("文件数据超过单次导入上限 {limit} 行，请拆分后分批导入。").format(limit=limit))


def open_sheet(fileobj, preferred: str) -> Sheet:
    """The sheet named `preferred` if the workbook has one, else its first worksheet."""
    try:
        workbook = CalamineWorkbook.from_filelike(fileobj)
        names = workbook.sheet_names
        if not names:
            raise FileProblem(_("文件中没有工作表。"))
        name = preferred if preferred in names else names[0]
        sheet = workbook.get_sheet_by_name(name)
        rows = sheet.iter_rows()
    except FileProblem:
        raise
    except Exception as exc:
        raise FileProblem(_("文件无法读取，请确认是 Excel 文件（.xlsx 或 .xls）且未加密。")) from exc
    _start_row, start_column = sheet.start or (0, 0)
    end_row = (sheet.end or (0, 0))[0]
    return Sheet(name=name, rows=rows, first_column=start_column, last_row=end_row + 1)


@dataclass
class Layout:
    """Where each expected column is in the file, and which row holds the header."""

    header_row: int  # Excel row number
    positions: list[tuple[int, ColumnSpec, str]]  # (index in the row, spec, column letter)

    def plan(self, parsers: dict[str, Callable]) -> list[tuple]:
        """Per column, everything the row loop needs, looked up once per file rather than per
        cell: (index, key, parser, required, letter, header, memo or None)."""
        return [
            (
                index,
                spec.key,
                parsers[spec.key],
                spec.required,
                letter,
                spec.label,
                {} if spec.repeats else None,
            )
            for index, spec, letter in self.positions
        ]


def find_layout(
    sheet: Sheet, specs: list[ColumnSpec], ignored: Iterable[str], problems: Problems
) -> Layout | None:
    """Find the header among the first non-blank rows (a title line above it is tolerated) and
    map it to `specs`; None when the header is wrong, with problems saying why. The sheet's row
    iterator is left just after the header."""
    wanted = {}
    for spec in specs:
        wanted[header_key(spec.header)] = spec
        wanted[header_key(_(spec.header))] = spec
    ignored_keys = {header_key(h) for h in ignored} | {header_key(_(h)) for h in ignored}
    first_seen: tuple[int, list] | None = None
    seen = 0
    for index, row in enumerate(sheet.rows):
        if all(is_blank(v) for v in row):
            continue
        seen += 1
        keys = [header_key(v) if not is_blank(v) else "" for v in row]
        if first_seen is None:
            first_seen = (index, row)
        matched = sum(1 for key in keys if key in wanted)
        required = [s for s in specs if s.required]
        if all(any(wanted.get(k) is s for k in keys) for s in required) or matched >= len(specs) // 2:
            return _layout(index + 1, keys, row, sheet, specs, wanted, ignored_keys, problems)
        if seen >= HEADER_SEARCH_ROWS:
            break
    if first_seen is None:
        raise FileProblem(_("文件是空的：第一个工作表“{name}”中没有任何内容。").format(name=sheet.name))
    index, row = first_seen
    keys = [header_key(v) if not is_blank(v) else "" for v in row]
    _layout(index + 1, keys, row, sheet, specs, wanted, ignored_keys, problems)
    return None


def _layout(excel_row, keys, row, sheet, specs, wanted, ignored_keys, problems) -> Layout | None:
    positions: list[tuple[int, ColumnSpec, str]] = []
    found: dict[str, int] = {}
    for index, key in enumerate(keys):
        if not key:
            continue
        letter = get_column_letter(sheet.first_column + index + 1)
        spec = wanted.get(key)
        if spec is None:
            if key not in ignored_keys:
                problems.add(
                    Problem(
                        excel_row,
                        letter,
                        _shown(row[index]),
                        _("无法识别的列标题「{value}」，请使用导入模板的列标题。").format(
                            value=_shown(row[index])
                        ),
                    )
                )
            continue
        if spec.key in found:
            problems.add(
                Problem(
                    excel_row,
                    letter,
                    spec.label,
                    _("列标题「{header}」重复出现（另见{other}列）。").format(
                        header=spec.label, other=get_column_letter(sheet.first_column + found[spec.key] + 1)
                    ),
                )
            )
            continue
        found[spec.key] = index
        positions.append((index, spec, letter))
    # Every template column must be there: the file is the truth for each column, so a missing
    # one would silently blank that field on every matched record.
    for spec in specs:
        if spec.key not in found and not spec.may_be_absent:
            problems.add(
                Problem(
                    excel_row,
                    "",
                    spec.label,
                    _("缺少列「{header}」，请使用导入模板的列标题。").format(header=spec.label),
                )
            )
    if problems:
        return None
    return Layout(header_row=excel_row, positions=positions)


@dataclass
class ParsedFile:
    """What the reader made of a file: normalised rows ready for the service, and problems."""

    rows: list  # per kind: tuples for enterprises, ExpertRow for experts
    problems: Problems
    total_rows: int  # non-blank data rows
    layout: Layout | None = None
    row_numbers: list[int] = field(default_factory=list)  # Excel row of each entry in `rows`

    def locate(self, key: str) -> tuple[str, str]:
        """Column letter and header of the column `key` in this file."""
        return _letter(self.layout, key)


def _iterate_data(sheet: Sheet, layout: Layout, problems: Problems, total: int, progress: Progress | None):
    """Data rows after the header, blank rows skipped: (Excel row number, cells)."""
    limit = settings.IMPORT_MAX_ROWS
    data_rows = 0
    for offset, row in enumerate(sheet.rows):
        excel_row = layout.header_row + 1 + offset
        if progress is not None and offset % PROGRESS_EVERY == 0 and offset:
            progress(offset, total)
        # Empty cells come back as "": counting them is C-speed; only a row that is nearly empty
        # is looked at cell by cell (a cell holding only spaces is blank too).
        filled = len(row) - row.count("")
        if filled == 0 or (filled <= 3 and all(is_blank(v) for v in row)):
            continue
        data_rows += 1
        if data_rows > limit:
            raise FileProblem(
                _("文件数据超过单次导入上限 {limit} 行，请拆分后分批导入。").format(limit=limit)
            )
        yield excel_row, row


MEMO_LIMIT = 10_000
BLOCK_ROWS = 2000
BAD = object()  # stands for a cell that had a problem


def _blocks(rows: Iterator[tuple[int, list]], size: int = BLOCK_ROWS) -> Iterator[list[tuple[int, list]]]:
    block = []
    for item in rows:
        block.append(item)
        if len(block) == size:
            yield block
            block = []
    if block:
        yield block


def _parse_block(block: list[tuple[int, list]], plan: list[tuple], problems: Problems):
    """Parse a block of rows a column at a time: one comprehension per column runs at a few
    times the speed of a Python loop over every cell, and only a column with a problem is gone
    through cell by cell to say where. Returns {key: values} (BAD where a cell had a problem)
    and, per row, whether all its cells were good."""
    good = [True] * len(block)
    columns: dict[str, list] = {}
    for index, key, parse, required, letter, label, memo in plan:
        try:
            raw = [row[index] for _excel_row, row in block]
        except IndexError:
            raw = [row[index] if index < len(row) else None for _excel_row, row in block]
        try:
            values = _parse_column(raw, parse, memo)
        except CellError:
            values = []
            for (excel_row, _row), value, j in zip(block, raw, range(len(raw)), strict=True):
                if value is None or value == "":
                    values.append(None)
                    continue
                try:
                    values.append(parse(value))
                except CellError as exc:
                    problems.add(Problem(excel_row, letter, label, str(exc), _shown(value)))
                    good[j] = False
                    values.append(BAD)
        if required:
            for j, value in enumerate(values):
                if value is None or value == "":
                    problems.add(Problem(block[j][0], letter, label, _("必填项不能为空。")))
                    good[j] = False
                    values[j] = BAD
        columns[key] = values
    return columns, good


def _parse_column(raw: list, parse: Callable, memo: dict | None) -> list:
    if memo is None:
        return [None if value is None or value == "" else parse(value) for value in raw]
    # Only text is memoised: True, 1 and 1.0 are equal keys but not the same cell.
    for value in set(raw):
        if value.__class__ is str and value and value not in memo and len(memo) < MEMO_LIMIT:
            memo[value] = parse(value)
    get = memo.get
    # Memo keys are all text, so a number or date cell never finds one and is parsed.
    return [
        None
        if value is None or value == ""
        else (hit if (hit := get(value, BAD)) is not BAD else parse(value))
        for value in raw
    ]


@contextmanager
def collector_paused():
    """Reading makes millions of short-lived objects and keeps a few hundred thousand row tuples
    of plain values, which can hold no reference cycle; the cyclic collector would walk them
    again and again (a third of the reading time at 100,000 rows). Reference counting still
    frees everything. The pause is process-wide: imports run in the task worker, or inline
    only for small files."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _row_values(rows: Iterator[tuple[int, list]], plan: list[tuple], problems: Problems):
    """Row by row: (Excel row, {key: value} without the cells that had a problem, all good?)."""
    for block in _blocks(rows):
        columns, good = _parse_block(block, plan, problems)
        for j, (excel_row, _cells) in enumerate(block):
            values = {key: column[j] for key, column in columns.items() if column[j] is not BAD}
            yield excel_row, values, good[j]


def _letter(layout: Layout | None, key: str) -> tuple[str, str]:
    for _index, spec, letter in layout.positions if layout else ():
        if spec.key == key:
            return letter, spec.label
    return "", ""


# --- enterprises -----------------------------------------------------------------------------

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


def _max_lengths(model, keys) -> dict[str, int]:
    return {key: model._meta.get_field(key).max_length for key in keys}


def enterprise_parsers(townships: TownshipIndex, industries: IndustryIndex) -> dict[str, Callable]:
    from .models import Enterprise

    lengths = _max_lengths(
        Enterprise,
        ["name", "address", "legal_representative", "principal", "safety_contact", "safety_contact_phone"],
    )

    def bounded(key):
        limit = lengths[key]

        def parse(value):
            result = text(value)
            if len(result) > limit:
                raise CellError(
                    _("内容过长：最多{limit}个字，实际{n}个字。").format(limit=limit, n=len(result))
                )
            return result

        return parse

    def bounded_phone(value):
        result = phone(value)
        if len(result) > lengths["safety_contact_phone"]:
            raise CellError(_("电话号码过长。"))
        return result

    return {
        "name": bounded("name"),
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
        "address": bounded("address"),
        "longitude": lambda v: coordinate(v, low=-180, high=180, label=LONGITUDE),
        "latitude": lambda v: coordinate(v, low=-90, high=90, label=LATITUDE),
        "legal_representative": bounded("legal_representative"),
        "principal": bounded("principal"),
        "safety_contact": bounded("safety_contact"),
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
    from .services import EnterpriseData

    problems = Problems()
    _check_size(fileobj)
    sheet = open_sheet(fileobj, _(ENTERPRISE_SHEET))
    layout = find_layout(sheet, ENTERPRISE_COLUMNS, ENTERPRISE_EXPORT_ONLY, problems)
    if layout is None:
        return ParsedFile([], problems, 0)
    total = max(0, sheet.last_row - layout.header_row)
    plan = layout.plan(enterprise_parsers(townships, industries))
    today = today or timezone.localdate()
    code_letter, code_header = _letter(layout, "credit_code")
    date_letter, date_header = _letter(layout, "established")
    lat_letter, lat_header = _letter(layout, "latitude")
    first_row_of: dict[str, int] = {}
    rows: list[tuple] = []
    row_numbers: list[int] = []
    data_rows = 0
    active = EnterpriseStatus.ACTIVE.value
    for block in _blocks(_iterate_data(sheet, layout, problems, total, progress)):
        data_rows += len(block)
        columns, good = _parse_block(block, plan, problems)
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


# --- experts ---------------------------------------------------------------------------------

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


@dataclass
class ProviderIndex:
    """Providers the importer may import experts for, by name or credit code. `own` is the
    provider of a provider user: a blank cell means it, and no other provider is allowed."""

    providers: list[Any]  # visible providers
    own: Any | None = None

    def __post_init__(self):
        self.by_key = {}
        for provider in self.providers:
            self.by_key[rules.normalise_text(provider.name).replace(" ", "")] = provider
            self.by_key[provider.credit_code] = provider

    def resolve(self, value: Any):
        raw = text(value).replace(" ", "")
        if not raw:
            return None
        provider = self.by_key.get(raw) or self.by_key.get(rules.normalise_uscc(raw))
        if provider is None:
            if self.own is not None:
                raise CellError(_("只能导入本机构（{own}）的专家。").format(own=self.own.name))
            raise CellError(
                _("「{value}」不是已登记的服务机构，请填写机构全称或统一社会信用代码。").format(value=raw)
            )
        return provider


def expert_parsers(providers: ProviderIndex, enterprises: dict[str, int]) -> dict[str, Callable]:
    from .models import Expert, ExpertConflict

    lengths = _max_lengths(Expert, ["name", "phone", "title", "base_address"])
    reason_length = ExpertConflict._meta.get_field("reason").max_length
    specialty_by_word = {}
    for stored, label in Specialty.choices:
        specialty_by_word[stored] = stored
        specialty_by_word[str(label)] = stored
        specialty_by_word[rules.normalise_text(str(label))] = stored

    def bounded(limit):
        def parse(value):
            result = text(value)
            if len(result) > limit:
                raise CellError(
                    _("内容过长：最多{limit}个字，实际{n}个字。").format(limit=limit, n=len(result))
                )
            return result

        return parse

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
            from .services import credit_code_error

            message = credit_code_error(code)
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
    _check_size(fileobj)
    sheet = open_sheet(fileobj, _(EXPERT_SHEET))
    layout = find_layout(sheet, EXPERT_COLUMNS, EXPERT_EXPORT_ONLY, problems)
    if layout is None:
        return ParsedFile([], problems, 0)
    total = max(0, sheet.last_row - layout.header_row)
    plan = layout.plan(expert_parsers(providers, enterprises))
    provider_letter, provider_header = _letter(layout, "provider")
    id_letter, id_header = _letter(layout, "id_number")
    name_letter, name_header = _letter(layout, "name")
    lat_letter, lat_header = _letter(layout, "base_latitude")
    present = {spec.key for _index, spec, _letter_ in layout.positions}
    has_base = bool(present & set(BASE_KEYS))
    by_id: dict[str, int] = {}
    by_name: dict[tuple[int, str], list[tuple[int, str]]] = {}
    rows: list[ExpertRow] = []
    data_rows = 0
    for excel_row, values, good in _row_values(
        _iterate_data(sheet, layout, problems, total, progress), plan, problems
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
