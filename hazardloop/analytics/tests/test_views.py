"""Pages: who may open them, what each role sees, and the Excel and PDF downloads."""

from __future__ import annotations

import io
import json
import re
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

DASHBOARD = reverse("analytics:dashboard")
STATISTICS = reverse("analytics:statistics")


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def chart_data(response) -> dict:
    match = re.search(
        r'<script id="analytics-data" type="application/json">(.*?)</script>', response.text, re.S
    )
    assert match, "the page carries its chart data as json_script"
    return json.loads(match.group(1))


@pytest.mark.parametrize("url", [DASHBOARD, STATISTICS, reverse("analytics:statistics_xlsx")])
def test_anonymous_is_sent_to_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("name", ["provider", "expert", "safety_unit"])
def test_statistics_refused_to_roles_that_neither_file_nor_aggregate(client, personas, name):
    user = getattr(personas, name)
    assert get(client, user, STATISTICS).status_code == 403
    assert get(client, user, reverse("analytics:statistics_pdf")).status_code == 403
    assert get(client, user, DASHBOARD).status_code == 200


def test_dashboard_for_the_bureau_shows_both_townships(client, year, personas):
    response = get(client, personas.bureau, DASHBOARD, year=2026)
    assert response.status_code == 200
    data = chart_data(response)
    assert {r["name"] for r in data["townships"]} == {"龙泉镇", "马投涧镇"}
    assert [s["label"] for s in data["funnel"]][:6] == ["排查", "反馈", "督办", "整改", "复查", "处理"]
    assert "vendor/echarts/echarts.min.js" in response.text
    assert "analytics/dashboard.js" in response.text
    assert "<script>" not in response.text  # strict CSP: no inline script
    assert "?overdue=true" in response.text
    assert "三倍" in response.text  # the case study's baseline and its source


def test_township_dashboard_never_shows_another_township(client, year, personas, district):
    response = get(client, personas.township, DASHBOARD, year=2026)
    data = chart_data(response)
    assert [r["name"] for r in data["townships"]] == ["龙泉镇"]
    assert "马投涧" not in response.text
    # Asking for the other township is refused with a message, and nothing of it is shown.
    response = get(client, personas.township, DASHBOARD, year=2026, township=district.town_b.pk)
    assert response.status_code == 200
    assert "不在您的权限范围内" in response.text
    assert "马投涧" not in response.text
    assert [r["name"] for r in chart_data(response)["townships"]] == ["龙泉镇"]


def test_enterprise_dashboard_counts_only_its_own(client, year, personas):
    response = get(client, personas.enterprise, DASHBOARD, year=2026)
    data = chart_data(response)
    assert [(r["name"], r["found"]) for r in data["townships"]] == [("龙泉镇", 2)]
    assert data["cost"] == []
    assert "马投涧" not in response.text
    outsider = chart_data(get(client, personas.outsider, DASHBOARD, year=2026))
    assert outsider["townships"] == [] and sum(outsider["trend"]["found"]) == 0


def test_bad_year_is_a_message_not_an_error(client, year, personas):
    response = get(client, personas.bureau, DASHBOARD, year="abc")
    assert response.status_code == 200
    assert "请选择列出的年度" in response.text


def test_statistics_page_lists_the_scope_with_totals(client, year, personas):
    response = get(client, personas.township, STATISTICS, year=2026, quarter="1", level="enterprise")
    assert response.status_code == 200
    assert "2026年第1季度" in response.text and "2026年4月15日" in response.text
    assert response.text.count('data-testid="statistics-row"') == 2  # 龙泉煤业, 龙泉机械厂
    assert "马投涧" not in response.text
    # A level beyond the township's scope is refused with a message.
    response = get(client, personas.township, STATISTICS, year=2026, level="district")
    assert "该统计层级超出您的权限范围" in response.text


def test_statistics_search_and_pagination(client, year, personas):
    response = get(client, personas.bureau, STATISTICS, year=2026, level="enterprise", q="煤业")
    assert response.text.count('data-testid="statistics-row"') == 1
    response = get(client, personas.bureau, STATISTICS, year=2026, level="enterprise", page_size=20, page=9)
    assert response.status_code == 200  # past the last page: the last page


def test_statistics_excel_has_the_chinese_form_and_the_numbers(client, year, personas):
    response = get(
        client,
        personas.bureau,
        reverse("analytics:statistics_xlsx"),
        year=2026,
        quarter="1",
        level="enterprise",
    )
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0][0] == "隐患排查治理情况统计表（2026年第1季度）"
    assert any("报送期限：2026年04月15日前" in str(c) for c in cells[1])
    header = cells[2]
    assert "排查重大隐患（项）" in header and "投入资金合计（元）" in header
    coal = next(row for row in cells if row[1] == "龙泉煤业有限公司")
    assert coal[header.index("排查一般隐患（项）")] == 1
    assert coal[header.index("排查重大隐患（项）")] == 1
    assert coal[header.index("整改率（%）")] == 50.0
    assert coal[header.index("投入资金合计（元）")] == 50350.0
    totals = next(row for row in cells if row[0] == "合计")
    assert totals[header.index("隐患合计（项）")] == 2
    assert any("主要负责人（签字）" in str(row[0]) for row in cells if row[0])


def test_statistics_pdf_has_the_chinese_text_and_numbers(client, year, personas):
    response = get(
        client, personas.bureau, reverse("analytics:statistics_pdf"), year=2026, quarter="", level="township"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "隐患排查治理情况统计表" in text
    assert "2026年度" in text and "2027年1月31日前" in text
    assert "主要负责人（签字）" in text
    assert "龙泉镇" in text and "马投涧镇" in text
    town_a = next(line for line in text.splitlines() if "410506100" in line)
    # Township A in 2026: 2 general (one at 机械厂) + 1 major found, 2 rectified, 66.7 %.
    numbers = re.findall(r"\d+(?:\.\d+)?", town_a.split("410506100", 1)[1])
    assert numbers[:8] == ["2", "1", "3", "1", "1", "2", "1", "66.7"]
    assert numbers[-1] == "70350.00"
    assert "70350.00" in text


def test_statistics_default_to_the_last_ended_quarter_everywhere(client, year, personas):
    # On 24 Nov 2026 the last ended quarter is Q3; the form, the page and the export links
    # all name it when no filter is given (here only a page number).
    response = get(client, personas.bureau, STATISTICS, page=1)
    assert "2026年第3季度" in response.text
    assert '<option value="3" selected>' in response.text
    assert "year=2026" in response.text and "quarter=3" in response.text


def test_pages_make_the_same_number_of_queries_as_the_data_grows(client, year, personas, builder, district):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hazardloop.hazards.choices import HazardSource

    from .conftest import at

    client.force_login(personas.bureau)
    urls = [f"{DASHBOARD}?year=2026", f"{STATISTICS}?year=2026&level=enterprise"]
    before = []
    for url in urls:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        before.append(len(captured))
    for day in (2, 9):
        builder.register(
            at(2026, 10, day),
            actor=personas.bureau,
            enterprise=district.textile,
            source=HazardSource.DEPARTMENT_INSPECTION,
        )
    builder.closed_general(at(2026, 10, 3), at(2026, 10, 4), at(2026, 10, 6), at(2026, 10, 8))
    after = []
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        after.append(len(captured))
    assert after == before
