"""Evaluation pages as each role sees them: the rating card on the inspection page, the
scorecard page with its drill-downs, PDF (read back with pdftotext) and Excel, and scope."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hazardloop.procurement import services as procurement_services

from .. import rules, services
from ..models import PaymentAdjustment, Rating
from .conftest import at

pytestmark = pytest.mark.django_db
Q1 = rules.Period("quarter", 2026, 1)


@pytest.fixture
def card(personas, world, district):
    world.plan_visit(district.coal, dt.date(2026, 2, 10))
    inspection = world.visit(start=at(2, 12, 9), findings=1)
    services.rate_inspection(inspection, actor=personas.enterprise, score=4, comment="认真")
    card = services.compute_scorecard(
        actor=personas.township, provider=district.provider, contract=district.contract, period=Q1
    )
    card.inspection = inspection
    return card


def test_enterprise_rates_from_the_inspection_page_once(client, personas, world):
    inspection = world.visit(start=at(3, 2, 9))
    client.force_login(personas.enterprise)
    page = client.get(reverse("inspections:detail", args=[inspection.pk]))
    assert b'data-testid="rating-form"' in page.content
    response = client.post(
        reverse("evaluation:rate_inspection", args=[inspection.pk]),
        {"score": "5", "comment": "很专业"},
        follow=True,
    )
    assert "感谢您的评价" in response.content.decode()
    assert b'data-testid="rating-form"' not in response.content
    assert b'data-testid="rating-row"' in response.content
    again = client.post(
        reverse("evaluation:rate_inspection", args=[inspection.pk]), {"score": "1"}, follow=True
    )
    assert "已评价，不能重复评价" in again.content.decode()
    assert list(Rating.objects.values_list("score", flat=True)) == [5]


def test_rating_page_refusals(client, personas, world):
    inspection = world.visit(start=at(3, 2, 9))
    url = reverse("evaluation:rate_inspection", args=[inspection.pk])
    client.force_login(personas.outsider)
    assert client.post(url, {"score": "5"}).status_code == 404
    client.force_login(personas.provider)
    assert client.post(url, {"score": "5"}).status_code == 403
    client.force_login(personas.expert)
    assert client.post(url, {"score": "5"}).status_code == 403
    assert not Rating.objects.exists()


def test_scorecard_page_numbers_drill_down_to_their_records(client, personas, card):
    client.force_login(personas.township)
    page = client.get(reverse("evaluation:scorecard_detail", args=[card.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "排查覆盖率" in html and "企业满意度" in html
    drill = reverse("evaluation:scorecard_records", args=[card.pk])
    assert f"{drill}?kpi=findings&list=hazard" in html
    records = client.get(drill, {"kpi": "findings", "list": "hazard"})
    hazard = card.kpis.get(code="findings").inputs["records"]["hazard"]
    assert records.context["records"] and [h.pk for h in records.context["records"]] == hazard
    ratings = client.get(drill, {"kpi": "satisfaction", "list": "rating"})
    assert "认真" in ratings.content.decode()
    assert client.get(drill, {"kpi": "nonsense"}).status_code == 404
    assert client.get(drill, {"kpi": "findings", "list": "nonsense"}).status_code == 404


def test_scorecard_pdf_and_excel(client, personas, card):
    client.force_login(personas.bureau)
    response = client.get(reverse("evaluation:scorecard_pdf", args=[card.pk]))
    assert response["Content-Type"] == "application/pdf"
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
        compact = "".join(text.split())
        for words in (
            "服务质量考核表",
            "安阳安泰安全技术服务有限公司",
            "排查覆盖率",
            "综合得分",
            "2026年第1季度",
        ):
            assert words in compact
    xlsx = client.get(reverse("evaluation:scorecard_xlsx", args=[card.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names[0] == "排查覆盖率" and names[-1] == "综合得分"
    assert str(sheet.cell(row=len(names) + 1, column=7).value) == str(card.total)


def test_scorecard_scope_on_pages(client, personas, card):
    detail = reverse("evaluation:scorecard_detail", args=[card.pk])
    for role, status in (("bureau", 200), ("leader", 200), ("township", 200), ("provider", 200)):
        client.force_login(getattr(personas, role))
        assert client.get(detail).status_code == status, role
    for role in ("expert", "enterprise", "safety_unit"):
        client.force_login(getattr(personas, role))
        assert client.get(detail).status_code == 403, role
    client.force_login(personas.township)
    listed = client.get(reverse("evaluation:scorecard_list"))
    assert [c.pk for c in listed.context["result"].page.object_list] == [card.pk]


def test_confirm_and_apply_from_the_page(client, personas, card, district):
    milestone = procurement_services.add_payment_milestone(
        district.contract, actor=None, name="年度考核后结算", due_date=dt.date(2027, 1, 31), share=30
    )
    client.force_login(personas.provider)
    assert client.post(reverse("evaluation:scorecard_confirm", args=[card.pk])).status_code == 403
    client.force_login(personas.township)
    client.post(reverse("evaluation:scorecard_confirm", args=[card.pk]))
    page = client.get(reverse("evaluation:scorecard_detail", args=[card.pk]))
    assert b'data-testid="apply-form"' in page.content
    response = client.post(
        reverse("evaluation:scorecard_apply", args=[card.pk]), {"milestone": milestone.pk}, follow=True
    )
    assert "已按考核得分" in response.content.decode()
    adjustment = PaymentAdjustment.objects.get()
    contract_page = client.get(reverse("procurement:contract_detail", args=[district.contract.pk]))
    assert b'data-testid="card-evaluation"' in contract_page.content
    assert b'data-testid="adjustments"' in contract_page.content
    assert f"{adjustment.share}%" in contract_page.content.decode()


def test_kpi_page_refuses_weights_not_adding_to_100(client, personas):
    client.force_login(personas.bureau)
    page = client.get(reverse("evaluation:kpi_config"))
    data = {}
    for row in page.context["rows"]:
        code = row["kpi"].code
        data.update(
            {
                f"{code}-weight": row["weight"],
                f"{code}-target": row["target"],
                f"{code}-zero_at": row["zero_at"],
            }
        )
    data["coverage-weight"] = "30"
    response = client.post(reverse("evaluation:kpi_config"), data)
    assert "权重之和应为100，现为105" in response.content.decode()
    client.force_login(personas.township)
    assert client.post(reverse("evaluation:kpi_config"), data).status_code == 403
