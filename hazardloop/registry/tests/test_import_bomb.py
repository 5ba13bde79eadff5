"""Every import goes through the zip guard (core/xlsx_guard.py) before a cell is read: a 1 MB
file whose shared strings inflate to 1 GB is refused at once with the clerk's message."""

from __future__ import annotations

import io
import time

import pytest

from hazardloop.core.tests.test_xlsx_guard import bomb
from hazardloop.registry.imports.problems import FileProblem
from hazardloop.registry.imports.reader import open_upload


@pytest.mark.slow
def test_the_reader_refuses_a_shared_strings_bomb_before_parsing():
    data = bomb("xl/sharedStrings.xml", inflated_mb=1024).getvalue()
    started = time.perf_counter()
    with pytest.raises(FileProblem) as refused:
        open_upload(io.BytesIO(data), "企业名录")
    assert time.perf_counter() - started < 1.0
    assert "解压后的数据量超出上限" in str(refused.value)
