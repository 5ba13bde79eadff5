"""Streaming Excel export for any list: a queryset (or any iterable) and a column spec in, an .xlsx
out. Every list page's export goes through here so that headers, value formats and file names
agree everywhere.

openpyxl's write-only mode spills rows to a temporary file as they come, and the queryset is read
with `.iterator(chunk_size)`, so memory stays flat however many rows are exported."""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DEFAULT_CHUNK_SIZE = 2000
MAX_SHEET_TITLE = 31  # Excel refuses longer sheet names

Accessor = str | Callable[[Any], Any]


@dataclass(frozen=True)
class Column:
    """One exported column: a Chinese header and how to get the value from a row.

    `accessor` is either a callable taking the row, or a dotted path ("township.name"); a
    callable met on the path (get_size_display) is called."""

    header: str | Promise
    accessor: Accessor
    width: int = 16
    number_format: str | None = None


def resolve(obj: Any, accessor: Accessor) -> Any:
    if callable(accessor):
        return accessor(obj)
    value = obj
    for part in accessor.split("."):
        if value is None:
            return None
        value = value[part] if isinstance(value, dict) else getattr(value, part)
        if callable(value) and not isinstance(value, type):
            value = value()
    return value


def excel_value(value: Any) -> Any:
    """What a clerk expects to read in the cell: 是/否 for flags, local times without zone,
    lists joined with 、, and no control characters (Excel refuses the file otherwise)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return "、".join(str(excel_value(v)) for v in value if v is not None)
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def write_xlsx(
    rows: Iterable[Any], columns: Sequence[Column], fileobj, *, sheet_title: str | Promise = "Sheet1"
) -> int:
    """Write `rows` under a bold header row to `fileobj`; returns how many data rows were written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(sheet_title)[:MAX_SHEET_TITLE])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width

    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font, cell.fill, cell.alignment = header_font, header_fill, header_alignment
        header.append(cell)
    sheet.append(header)

    formats = [column.number_format for column in columns]
    needs_cells = any(formats)
    count = 0
    for row in rows:
        values = [excel_value(resolve(row, column.accessor)) for column in columns]
        if needs_cells or any(isinstance(v, str) and v.startswith("=") for v in values):
            values = [_cell(sheet, v, fmt) for v, fmt in zip(values, formats, strict=True)]
        sheet.append(values)
        count += 1
    if count:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    workbook.save(fileobj)
    return count


def _cell(sheet, value: Any, number_format: str | None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith("="):
        # Text such as "=SUM(...)" typed into a name stays text: exported data must never run.
        cell.data_type = "s"
    if number_format and value is not None:
        cell.number_format = number_format
    return cell


def stable_order(queryset: QuerySet) -> QuerySet:
    """The queryset's ordering plus the primary key, so ties always come out the same way."""
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    if not any(str(field).lstrip("-") in {"pk", "id"} for field in ordering):
        ordering.append("pk")
    return queryset.order_by(*ordering)


def iterate(queryset: QuerySet, chunk_size: int = DEFAULT_CHUNK_SIZE):
    """Rows of `queryset` a chunk at a time (prefetches are honoured per chunk)."""
    return stable_order(queryset).iterator(chunk_size=chunk_size)


def export_filename(stem: str | Promise, *, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    return f"{stem}_{today:%Y%m%d}.xlsx"


def xlsx_response(
    rows: QuerySet | Iterable[Any],
    columns: Sequence[Column],
    *,
    filename_stem: str | Promise,
    sheet_title: str | Promise | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> FileResponse:
    """An attachment response with the export, named like 企业名录_20261124.xlsx."""
    if isinstance(rows, QuerySet):
        rows = iterate(rows, chunk_size)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after streaming
    write_xlsx(rows, columns, spool, sheet_title=sheet_title or filename_stem)
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(export_filename(filename_stem))
    return response


def content_disposition(filename: str) -> str:
    """RFC 6266 attachment header: the Chinese name RFC 5987-encoded, after an ASCII fallback
    for clients that do not read filename* (they get the date and extension at least)."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "" for ch in filename)
    fallback = fallback.lstrip("_") or "export.xlsx"
    return f"attachment; filename=\"{fallback}\"; filename*=utf-8''{quote(filename)}"
