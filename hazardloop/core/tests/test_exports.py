"""The shared streaming xlsx writer: cell values as a clerk expects them, safe text, file names."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from hazardloop.core import exports
from hazardloop.registry.models import Enterprise


def written(rows, columns, **kwargs):
    buffer = io.BytesIO()
    count = exports.write_xlsx(rows, columns, buffer, **kwargs)
    buffer.seek(0)
    return count, load_workbook(buffer).worksheets[0]


def test_values_are_written_as_a_clerk_reads_them():
    aware = dt.datetime(2026, 1, 2, 1, 30, tzinfo=dt.UTC)
    row = SimpleNamespace(
        flag=True,
        off=False,
        missing=None,
        when=aware,
        day=dt.date(2012, 3, 5),
        amount=Decimal("114.123456"),
        tags=["煤矿", "机械"],
        township=SimpleNamespace(name="龙泉镇"),
        get_size_display=lambda: "中型",
    )
    columns = [
        exports.Column("是", "flag"),
        exports.Column("否", "off"),
        exports.Column("空", "missing"),
        exports.Column("时间", "when"),
        exports.Column("日期", "day"),
        exports.Column("数", "amount"),
        exports.Column("列表", "tags"),
        exports.Column("乡镇", "township.name"),
        exports.Column("规模", "get_size_display"),
        exports.Column("算", lambda r: r.day.year),
    ]
    count, sheet = written([row], columns, sheet_title="测试")
    assert count == 1 and sheet.title == "测试"
    header, values = list(sheet.iter_rows(values_only=True))
    assert header == ("是", "否", "空", "时间", "日期", "数", "列表", "乡镇", "规模", "算")
    assert values[:3] == ("是", "否", None)
    assert values[3] == dt.datetime(2026, 1, 2, 9, 30)  # Asia/Shanghai, without a zone Excel cannot hold
    assert values[4].date() == dt.date(2012, 3, 5)
    assert values[5] == pytest.approx(114.123456)
    assert values[6:] == ("煤矿、机械", "龙泉镇", "中型", 2012)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:J2"


def test_text_that_looks_like_a_formula_stays_text_and_control_characters_are_dropped():
    rows = [SimpleNamespace(name='=HYPERLINK("http://x")'), SimpleNamespace(name="甲\x07乙")]
    _count, sheet = written(rows, [exports.Column("名称", "name")])
    formula_cell, bell_cell = sheet["A2"], sheet["A3"]
    assert formula_cell.data_type == "s" and formula_cell.value == '=HYPERLINK("http://x")'
    assert bell_cell.value == "甲乙"


def test_an_empty_export_still_has_its_header():
    count, sheet = written([], [exports.Column("名称", "name")])
    assert count == 0
    assert list(sheet.iter_rows(values_only=True)) == [("名称",)]


def test_content_disposition_carries_the_chinese_name_and_an_ascii_fallback():
    header = exports.content_disposition("企业名录_20261124.xlsx")
    assert header.startswith('attachment; filename="20261124.xlsx"; ')
    encoded = header.split("filename*=utf-8''", 1)[1]
    assert unquote(encoded) == "企业名录_20261124.xlsx"


def test_export_filename_carries_the_local_date():
    assert exports.export_filename("企业名录", today=dt.date(2026, 11, 24)) == "企业名录_20261124.xlsx"
    assert exports.export_filename("企业名录").endswith(f"_{timezone.localdate():%Y%m%d}.xlsx")


@pytest.mark.django_db
def test_a_queryset_export_reads_related_rows_in_one_query(district, django_assert_num_queries):
    queryset = Enterprise.objects.select_related("township", "industry")
    columns = [
        exports.Column("名称", "name"),
        exports.Column("乡镇", "township.name"),
        exports.Column("行业", "industry.code"),
    ]
    with django_assert_num_queries(1):
        response = exports.xlsx_response(queryset, columns, filename_stem="企业名录", chunk_size=2)
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    expected = [(e.name, e.township.name, e.industry.code) for e in queryset.order_by("name", "id", "pk")]
    assert rows == expected
