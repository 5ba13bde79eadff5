"""Bounds on an .xlsx before any spreadsheet library parses it (issue 13: a 1 MB file whose
shared strings or worksheet inflate to 1 GB held a request for 27 s and 2.6 GB).

An .xlsx is a zip of XML parts. Spreadsheet readers inflate whatever the parts hold, so the
bounds are checked here first, across every part of the archive (worksheets, shared strings,
styles, drawings, anything), from the cheapest check to the dearest:

1. the zip directory: the number of parts, the declared inflated size of all of them together,
   and each part's compression ratio. An honest bomb is refused here, reading nothing.
2. a streamed inflation of every part, counting the bytes actually produced (a directory that
   lies about sizes is caught: Python's zipfile stops at the declared size and the CRC then
   fails) and the cells (`<c …>` tags) of the worksheets, stopping at the first bound passed.
   Memory stays at one chunk; time is bounded by the inflated-size limit.

Bounds come from settings (IMPORT_MAX_INFLATED_MB, IMPORT_MAX_CELLS, IMPORT_MAX_COMPRESSION_RATIO);
the messages are the clerk's, in Chinese, and say what to do.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import ServiceError

CHUNK = 1 << 20
MAX_PARTS = 10_000
# Parts smaller than this may compress as well as they like (an empty sheet, a style part).
RATIO_EXEMPT_BYTES = 1 << 20
CELL_TAG = re.compile(rb"<((?:\w+:)?)c[\s>/]")


class XlsxRefused(ServiceError):
    """The file is refused before parsing; `.message` says why, for the clerk."""


@dataclass(frozen=True)
class XlsxBounds:
    max_inflated_bytes: int
    max_cells: int
    max_ratio: int

    @classmethod
    def from_settings(cls) -> XlsxBounds:
        return cls(
            max_inflated_bytes=int(getattr(settings, "IMPORT_MAX_INFLATED_MB", 512)) * 1024 * 1024,
            max_cells=int(getattr(settings, "IMPORT_MAX_CELLS", 6_000_000)),
            max_ratio=int(getattr(settings, "IMPORT_MAX_COMPRESSION_RATIO", 200)),
        )


@dataclass(frozen=True)
class XlsxMeasure:
    parts: int
    inflated_bytes: int
    cells: int


def _too_large() -> XlsxRefused:
    return XlsxRefused(
        _(
            "文件解压后的数据量超出上限（可能是异常或被篡改的文件），已拒绝导入。请另存为普通 .xlsx 文件或拆分后分批导入。"
        )
    )


def _is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def check_xlsx(fileobj, bounds: XlsxBounds | None = None) -> XlsxMeasure | None:
    """Raise XlsxRefused if the .xlsx in `fileobj` passes any bound; otherwise return what it
    measured. A file that is not a zip at all returns None: the reader says what it is. The
    file position is restored either way."""
    bounds = bounds or XlsxBounds.from_settings()
    position = fileobj.tell()
    try:
        try:
            archive = zipfile.ZipFile(fileobj)
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        with archive:
            infos = archive.infolist()
            if len(infos) > MAX_PARTS:
                raise _too_large()
            declared = 0
            for info in infos:
                declared += info.file_size
                if info.file_size > RATIO_EXEMPT_BYTES and info.file_size > bounds.max_ratio * max(
                    info.compress_size, 1
                ):
                    raise _too_large()
            if declared > bounds.max_inflated_bytes:
                raise _too_large()
            return _inflate_and_count(archive, infos, bounds)
    finally:
        fileobj.seek(position)


def _inflate_and_count(archive, infos, bounds: XlsxBounds) -> XlsxMeasure:
    inflated = cells = 0
    for info in infos:
        if info.is_dir():
            continue
        counting = _is_worksheet(info.filename)
        tags: tuple[bytes, ...] | None = None
        tail = b""
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    inflated += len(chunk)
                    if inflated > bounds.max_inflated_bytes:
                        raise _too_large()
                    if not counting:
                        continue
                    data = tail + chunk
                    if tags is None:
                        match = CELL_TAG.search(data)
                        if match is None:
                            tail = data[-16:]
                            continue
                        prefix = match.group(1)
                        tags = (b"<" + prefix + b"c ", b"<" + prefix + b"c>", b"<" + prefix + b"c/")
                        data = data[match.start() :]
                    cells += sum(data.count(tag) for tag in tags)
                    # A tag split across two chunks is counted once: the tail is shorter than it.
                    tail = data[-(len(tags[0]) - 1) :]
                    if cells > bounds.max_cells:
                        raise XlsxRefused(
                            _("文件的单元格数量超过单次导入上限（{limit} 个），请拆分后分批导入。").format(
                                limit=bounds.max_cells
                            )
                        )
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, OSError) as exc:
            raise XlsxRefused(_("文件已损坏或不是有效的 .xlsx 文件，请用表格软件重新保存后再上传。")) from exc
    return XlsxMeasure(parts=len(infos), inflated_bytes=inflated, cells=cells)
