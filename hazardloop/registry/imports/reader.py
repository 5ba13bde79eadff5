"""Reading an uploaded workbook: size checks, the sheet, the header row and its column layout,
and the rows in blocks parsed column by column.

`open_upload` is the one entry point every file kind goes through before a cell is read."""

from __future__ import annotations

import gc
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from hazardloop.core.xlsx_guard import XlsxRefused, check_xlsx

from .. import rules
from .cells import is_blank, shown
from .problems import CellError, FileProblem, Problem, Problems, Progress

HEADER_SEARCH_ROWS = 5  # a title line or two above the header is tolerated
PROGRESS_EVERY = 1000  # rows between two progress reports
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


def guard_xlsx(fileobj) -> None:
    try:
        check_xlsx(fileobj)
    except XlsxRefused as exc:
        raise FileProblem(exc.message) from exc


def open_upload(fileobj, preferred: str) -> Sheet:
    """The one door into an uploaded workbook, for every file kind: first the checks that need
    only the zip directory (so a file that cannot fit is refused before it is inflated), then
    the sheet named `preferred`. A guard added here covers every import."""
    guard_xlsx(fileobj)  # every part's inflated size, ratio and cells (core/xlsx_guard.py)
    _check_size(fileobj)
    return open_sheet(fileobj, preferred)


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
                        shown(row[index]),
                        _("无法识别的列标题「{value}」，请使用导入模板的列标题。").format(
                            value=shown(row[index])
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
        return column_of(self.layout, key)


def iterate_data(sheet: Sheet, layout: Layout, problems: Problems, total: int, progress: Progress | None):
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


def blocks(rows: Iterator[tuple[int, list]], size: int = BLOCK_ROWS) -> Iterator[list[tuple[int, list]]]:
    block = []
    for item in rows:
        block.append(item)
        if len(block) == size:
            yield block
            block = []
    if block:
        yield block


def parse_block(block: list[tuple[int, list]], plan: list[tuple], problems: Problems):
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
                    problems.add(Problem(excel_row, letter, label, str(exc), shown(value)))
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


def row_values(rows: Iterator[tuple[int, list]], plan: list[tuple], problems: Problems):
    """Row by row: (Excel row, {key: value} without the cells that had a problem, all good?)."""
    for block in blocks(rows):
        columns, good = parse_block(block, plan, problems)
        for j, (excel_row, _cells) in enumerate(block):
            values = {key: column[j] for key, column in columns.items() if column[j] is not BAD}
            yield excel_row, values, good[j]


def column_of(layout: Layout | None, key: str) -> tuple[str, str]:
    for _index, spec, letter in layout.positions if layout else ():
        if spec.key == key:
            return letter, spec.label
    return "", ""
