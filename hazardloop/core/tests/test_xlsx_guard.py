"""Zip bombs and oversized workbooks are refused before any reader parses them, across every
part of the archive, quickly and in little memory."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest

from hazardloop.core.xlsx_guard import XlsxBounds, XlsxRefused, check_xlsx

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)
WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>'
    '<sheet name="企业名录" sheetId="1"/></sheets></workbook>'
)


def sheet_xml(rows: int, cols: int) -> bytes:
    body = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{chr(65 + c)}{r}" t="n"><v>{r * c}</v></c>' for c in range(cols))
        + "</row>"
        for r in range(1, rows + 1)
    )
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f"{body}</sheetData></worksheet>"
    ).encode()


def workbook(parts: dict[str, bytes]) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        for name, data in parts.items():
            archive.writestr(name, data)
    buffer.seek(0)
    return buffer


def bomb(part: str, inflated_mb: int) -> io.BytesIO:
    """A workbook whose `part` inflates to `inflated_mb` MB of one repeated string."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml(2, 2))
        # One repeated byte: deflate's best case (about 1030:1), so 1 GB fits in about 1 MB.
        chunk = b"A" * (1024 * 1024)
        with archive.open(part, "w", force_zip64=True) as stream:
            for _ in range(inflated_mb):
                stream.write(chunk)
    buffer.seek(0)
    return buffer


def test_an_ordinary_workbook_passes_and_is_measured():
    measure = check_xlsx(workbook({"xl/worksheets/sheet1.xml": sheet_xml(100, 21)}))
    assert measure.cells == 2100  # 100 rows × 21 columns, counted by hand from the builder
    assert measure.parts == 3


def test_not_a_zip_is_left_to_the_reader():
    assert check_xlsx(io.BytesIO(b"name,credit code\n")) is None


@pytest.fixture(scope="module", params=["xl/sharedStrings.xml", "xl/worksheets/sheet2.xml"])
def one_gigabyte_bomb(request):
    # The two parts of issue 13: the old check looked at worksheets only.
    return request.param, bomb(request.param, inflated_mb=1024).getvalue()


@pytest.mark.slow
def test_a_one_megabyte_bomb_is_refused_in_under_a_second(one_gigabyte_bomb):
    part, data = one_gigabyte_bomb
    file = io.BytesIO(data)
    size_mb = len(file.getvalue()) / 1e6
    assert size_mb < 1.1  # the file a clerk's mail would carry
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(XlsxRefused) as refused:
        check_xlsx(file)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "解压后的数据量超出上限" in refused.value.message
    assert elapsed < 1.0
    assert peak < 8 * 1024 * 1024
    print(
        f"\n{part}: {size_mb:.2f} MB file, 1 GB inflated: refused in {elapsed * 1000:.1f} ms, peak {peak / 1024:.0f} KiB"
    )


def test_a_bomb_under_the_ratio_is_stopped_by_the_total(settings):
    # Many parts just below the ratio check's threshold add up past the total.
    bounds = XlsxBounds(max_inflated_bytes=4 * 1024 * 1024, max_cells=10**6, max_ratio=200)
    parts = {f"xl/media/part{i}.xml": b"B" * (1024 * 1024) for i in range(6)}
    with pytest.raises(XlsxRefused):
        check_xlsx(workbook(parts), bounds)


def test_too_many_cells_are_refused_with_the_limit_named():
    bounds = XlsxBounds(max_inflated_bytes=512 * 1024 * 1024, max_cells=1000, max_ratio=200)
    with pytest.raises(XlsxRefused) as refused:
        check_xlsx(workbook({"xl/worksheets/sheet1.xml": sheet_xml(100, 11)}), bounds)
    assert "1000" in refused.value.message and "单元格" in refused.value.message


def test_cells_are_counted_across_chunks_and_with_prefixed_tags():
    rows = 5000  # ~700 kB of XML: several 1 MB chunks after the prefix, tags split between them
    xml = sheet_xml(rows, 4).replace(b"<c ", b"<x:c ").replace(b"</c>", b"</x:c>")
    xml = xml.replace(b"<row", b"<x:row").replace(b"</row>", b"</x:row>") * 2
    measure = check_xlsx(workbook({"xl/worksheets/sheet1.xml": xml}))
    assert measure.cells == rows * 4 * 2
