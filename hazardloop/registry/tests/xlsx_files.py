"""Excel files built in tests the way clerks build them: template headers, then rows."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from hazardloop.registry import imports, services

ENTERPRISE_HEADERS = [spec.label for spec in imports.ENTERPRISE_COLUMNS]
EXPERT_HEADERS = [spec.label for spec in imports.EXPERT_COLUMNS]


def enterprise_row(name, code, township="龙泉镇", industry="0610", **cells) -> list:
    """A row in template column order; `cells` by field key override the blanks."""
    values = {"name": name, "credit_code": code, "township": township, "industry": industry, **cells}
    return [values.get(spec.key) for spec in imports.ENTERPRISE_COLUMNS]


def expert_row(provider, name, **cells) -> list:
    values = {"provider": provider, "name": name, **cells}
    return [values.get(spec.key) for spec in imports.EXPERT_COLUMNS]


def xlsx(rows, headers, *, title="Sheet", write_only=False) -> bytes:
    workbook = Workbook(write_only=write_only)
    sheet = workbook.create_sheet(title) if write_only else workbook.active
    if not write_only:
        sheet.title = title
    if headers is not None:
        sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name="企业名录.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def run(kind, content: bytes, actor, name="名录.xlsx"):
    """Upload and run an import to its end, as the page does for a small file."""
    job = services.start_import(kind, upload(content, name), actor=actor)
    return services.run_import_job(job)


def read_back(content: bytes, sheet=None) -> list[list]:
    workbook = load_workbook(io.BytesIO(content))
    ws = workbook[sheet] if sheet else workbook.worksheets[0]
    return [list(row) for row in ws.iter_rows(values_only=True)]
