"""Enterprise and expert exports hold exactly the filtered, visible list; templates download;
an export can be edited and imported back."""

from __future__ import annotations

import io
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from hazardloop.registry import imports, services
from hazardloop.registry.choices import ImportKind, ImportStatus
from hazardloop.registry.models import Enterprise, Expert

from .xlsx_files import ENTERPRISE_HEADERS, EXPERT_HEADERS, run

EXPORTING_ROLES = ["admin", "bureau", "leader", "safety_unit", "police", "fire", "township", "provider"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def download(client, user, url_name, query=None):
    client.force_login(user)
    response = client.get(reverse(url_name), query or {})
    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content


def sheet_rows(content: bytes, sheet=0) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content))
    ws = workbook.worksheets[sheet] if isinstance(sheet, int) else workbook[sheet]
    return list(ws.iter_rows(values_only=True))


@pytest.mark.parametrize("role", EXPORTING_ROLES)
def test_enterprise_export_holds_exactly_what_the_role_may_see(client, personas, role):
    _response, content = download(client, getattr(personas, role), "registry:enterprise_export")
    header, *rows = sheet_rows(content)
    codes = header.index("统一社会信用代码")
    assert sorted(row[codes] for row in rows) == sorted(e.credit_code for e in personas.expected[role])


@pytest.mark.parametrize("role", ["expert", "enterprise", "outsider"])
def test_roles_without_the_export_capability_are_refused(client, personas, role):
    client.force_login(getattr(personas, role))
    assert client.get(reverse("registry:enterprise_export")).status_code == 403
    assert client.get(reverse("registry:expert_export")).status_code == 403


def test_enterprise_export_applies_the_list_filters(client, personas, district):
    _response, content = download(
        client, personas.bureau, "registry:enterprise_export", {"township": district.town_b.pk}
    )
    names = [row[0] for row in sheet_rows(content)[1:]]
    assert sorted(names) == sorted([district.chem.name, district.textile.name])

    _response, content = download(
        client, personas.bureau, "registry:enterprise_export", {"q": "煤业", "high_risk": "true"}
    )
    assert [row[0] for row in sheet_rows(content)[1:]] == [district.coal.name]


def test_enterprise_export_is_named_by_date_and_laid_out_like_the_template(client, personas, district):
    response, content = download(client, personas.bureau, "registry:enterprise_export")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert (
        unquote(disposition.split("filename*=utf-8''")[1]) == f"企业名录_{timezone.localdate():%Y%m%d}.xlsx"
    )
    header, *rows = sheet_rows(content)
    assert list(header[: len(ENTERPRISE_HEADERS)]) == ENTERPRISE_HEADERS
    assert list(header[len(ENTERPRISE_HEADERS) :]) == imports.ENTERPRISE_EXPORT_ONLY
    coal = next(row for row in rows if row[1] == district.coal.credit_code)
    record = dict(zip(header, coal, strict=True))
    assert record["所属乡镇街道"] == "龙泉镇" and record["行业代码"] == "0610"
    assert record["从业人员"] == 600 and record["高危企业"] == "是" and record["企业规模"] == "中型"


def test_an_exported_file_imports_back_without_changing_anything(client, personas):
    _response, content = download(client, personas.bureau, "registry:enterprise_export")
    stamps = dict(Enterprise.objects.values_list("pk", "updated_at"))
    job = run(ImportKind.ENTERPRISES, content, personas.bureau)
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 4)
    assert dict(Enterprise.objects.values_list("pk", "updated_at")) == stamps


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", {"王工", "李工"}),
        ("bureau", {"王工", "李工"}),
        ("township", {"王工", "李工"}),
        ("provider", {"王工"}),
    ],
)
def test_expert_export_holds_exactly_what_the_role_may_see(client, personas, role, expected):
    _response, content = download(client, getattr(personas, role), "registry:expert_export")
    assert {row[1] for row in sheet_rows(content)[1:]} == expected


def test_expert_export_hides_id_numbers_and_conflicts_the_user_cannot_see(client, personas, district):
    number = "410506198001011234"
    services.register_expert(
        actor=district.admin,
        provider=district.provider,
        name="周工",
        id_number=number,
        specialties=["fire"],
        conflicts=[(district.outsider, "亲属"), (district.coal, "曾任职")],
    )
    _response, content = download(client, personas.bureau, "registry:expert_export", {"q": "周"})
    header, row = sheet_rows(content)
    record = dict(zip(header, row, strict=True))
    assert record["身份证号（部分隐藏）"] == "410***********1234"
    assert record["专业"] == "消防"
    assert record["回避企业信用代码"] == district.coal.credit_code  # the outsider is beyond the bureau
    assert record["回避原因"] == "曾任职"
    _response, content = download(client, personas.admin, "registry:expert_export", {"q": "周"})
    header, row = sheet_rows(content)
    conflicts = dict(zip(header, row, strict=True))["回避企业信用代码"].split("、")
    assert sorted(conflicts) == sorted([district.coal.credit_code, district.outsider.credit_code])


def test_an_exported_expert_list_imports_back_without_changing_anything(client, personas):
    _response, content = download(client, personas.bureau, "registry:expert_export")
    stamps = dict(Expert.objects.values_list("pk", "updated_at"))
    job = run(ImportKind.EXPERTS, content, personas.bureau)
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 2)
    assert dict(Expert.objects.values_list("pk", "updated_at")) == stamps


def test_enterprise_template_lists_only_the_townships_the_user_may_import_into(client, personas):
    response, content = download(client, personas.bureau, "registry:enterprise_template")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["企业名录", "填写说明", "可选值"]
    header = next(workbook["企业名录"].iter_rows(values_only=True))
    assert [h.rstrip("*") for h in header] == ENTERPRISE_HEADERS
    assert header[0] == "企业名称*" and header[4] == "从业人员"
    values = [row[:2] for row in workbook["可选值"].iter_rows(min_row=3, values_only=True) if row[0]]
    townships = {name: code for name, code in values if str(code).startswith("4105")}
    assert townships == {"龙泉镇": "410506100", "马投涧镇": "410506101"}
    assert workbook["企业名录"].data_validations.dataValidation  # drop-downs for townships, codes, 是/否
    guide = [row[1] for row in workbook["填写说明"].iter_rows(values_only=True)]
    assert "统一社会信用代码" in guide


def test_expert_template_downloads_for_a_provider_and_is_refused_to_a_township(client, personas):
    _response, content = download(client, personas.provider, "registry:expert_template")
    header = sheet_rows(content)[0]
    assert [h.rstrip("*") for h in header] == EXPERT_HEADERS
    client.force_login(personas.township)
    assert client.get(reverse("registry:expert_template")).status_code == 403
    assert client.get(reverse("registry:enterprise_template")).status_code == 403


def test_an_empty_template_imported_as_is_says_there_is_no_data(client, personas):
    _response, content = download(client, personas.bureau, "registry:enterprise_template")
    job = run(ImportKind.ENTERPRISES, content, personas.bureau)
    assert job.status == ImportStatus.FAILED
    assert "没有数据行" in job.errors[0]["message"]


def test_expert_export_masks_phones_and_reimporting_it_keeps_the_stored_numbers(client, personas, district):
    phone = "13812345678"
    expert = services.register_expert(
        actor=district.admin,
        provider=district.provider,
        name="孙工",
        id_number="410506198001011234",
        phone=phone,
        specialties=["fire"],
    )
    _response, content = download(client, personas.bureau, "registry:expert_export")
    cells = [str(cell) for row in sheet_rows(content) for cell in row if cell is not None]
    assert not [cell for cell in cells if phone in cell or "410506198001011234" in cell]
    header, *rows = sheet_rows(content)
    record = next(dict(zip(header, row, strict=True)) for row in rows if row[1] == "孙工")
    assert record["手机号"] == "138****5678"

    stamps = dict(Expert.objects.values_list("pk", "updated_at"))
    job = run(ImportKind.EXPERTS, content, personas.bureau)
    assert job.status == ImportStatus.DONE, job.errors
    assert (job.created_count, job.updated_count) == (0, 0)
    assert dict(Expert.objects.values_list("pk", "updated_at")) == stamps
    expert.refresh_from_db()
    assert (expert.phone, expert.id_number) == (phone, "410506198001011234")

    # A clerk who types a whole new number over the masked one does change it.
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    phone_column = header.index("手机号") + 1
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "孙工":
            row[phone_column - 1].value = "13900001111"
    edited = io.BytesIO()
    workbook.save(edited)
    job = run(ImportKind.EXPERTS, edited.getvalue(), personas.bureau)
    assert job.status == ImportStatus.DONE, job.errors
    assert job.updated_count == 1
    expert.refresh_from_db()
    assert expert.phone == "13900001111"
