"""Money pages and API: 以奖代补 (list, detail, formula, compute, confirm, Excel, PDF), the
compliance breach list (filters and scope), payment milestones across contracts and the
cost-effectiveness figures (equal to a hand sum)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from hazardloop.accounts.testing import login_verified
from hazardloop.analytics import conf as analytics_conf

from .. import services
from ..models import Award, AwardStatus, BreachKind, ComplianceBreach, MilestoneStatus
from ..services import awards
from .test_awards import FORMULA, year_of_work  # noqa: F401 — fixture
from .test_compliance import team  # noqa: F401 — fixture


def _sheet(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[c.value for c in row] for row in book.active.iter_rows()]


@pytest.fixture
def computed(personas, district, year_of_work):  # noqa: F811
    awards.publish_award_formula(district.longan, 2026, actor=personas.bureau, **FORMULA)
    return awards.compute_awards(district.longan, 2026, actor=personas.bureau)


def test_award_pages_show_formula_inputs_and_export(client, personas, district, computed):
    login_verified(client, personas.bureau)
    page = client.get(reverse("procurement:award_list"), {"year": 2026})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="formula-text"' in html and "基础部分占 40%" in html
    assert html.count('data-testid="award-row"') == 2 and 'data-testid="compute"' in html
    assert ">100000.00<" in html.replace(",", "")  # the total, however the locale groups digits

    a = Award.objects.get(township=district.town_a)
    detail = client.get(reverse("procurement:award_detail", args=[a.pk])).content.decode()
    assert "年内已排查 1 家 ÷ 合同服务企业 2 家" in detail and "已销号 1 项 ÷ 年内发现 2 项" in detail
    assert "LA-2026-001" in detail and 'data-testid="card-cost"' in detail

    rows = _sheet(client.get(reverse("procurement:award_export"), {"year": 2026}))
    assert rows[0][1] == "乡镇（街道）" and len(rows) == 3
    assert sum(Decimal(str(r[16])) for r in rows[1:]) == Decimal(100000)

    pdf = client.get(reverse("procurement:award_pdf"), {"year": 2026})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_formula_compute_and_confirm_through_the_pages(client, personas, district, year_of_work):  # noqa: F811
    login_verified(client, personas.bureau)
    bad = client.post(
        reverse("procurement:award_formula") + "?year=2026", {**FORMULA, "closure_weight": "60", "year": 2026}
    )
    # The service refused the input: the form again with its message, answered 400 (core.actions).
    assert bad.status_code == 400 and "合计应为 100" in bad.content.decode()
    ok = client.post(reverse("procurement:award_formula") + "?year=2026", {**FORMULA, "year": 2026})
    assert ok.status_code == 302
    client.post(reverse("procurement:award_compute"), {"year": 2026})
    assert Award.objects.filter(year=2026, status=AwardStatus.DRAFT).count() == 2

    # The township reads its own award, may not compute or confirm; the leader confirms.
    client.logout()
    login_verified(client, personas.township)
    listed = client.get(reverse("procurement:award_list"), {"year": 2026}).content.decode()
    assert listed.count('data-testid="award-row"') == 1 and "马投涧镇" not in listed
    other = Award.objects.get(township=district.town_b)
    assert client.get(reverse("procurement:award_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("procurement:award_confirm"), {"year": 2026}).status_code == 403
    client.logout()
    login_verified(client, personas.leader)
    client.post(reverse("procurement:award_confirm"), {"year": 2026})
    assert set(Award.objects.values_list("status", flat=True)) == {AwardStatus.CONFIRMED}


def test_providers_see_no_awards(client, personas, computed):
    login_verified(client, personas.provider)
    assert client.get(reverse("procurement:award_list")).status_code == 403
    assert client.get(reverse("procurement-api:award-list")).status_code == 403


def test_award_api_lists_scoped_awards_and_computes(client, personas, district, computed):
    login_verified(client, personas.township)
    body = client.get(reverse("procurement-api:award-list"), {"year": 2026}).json()
    assert [r["township_name"] for r in body["results"]] == ["龙泉镇"]
    assert body["results"][0]["inspected"] == 1 and body["results"][0]["found"] == 2
    client.logout()
    login_verified(client, personas.bureau)
    again = client.post(
        reverse("procurement-api:award-compute"), {"year": 2026}, content_type="application/json"
    )
    assert again.status_code == 200, again.content.decode()
    assert len(again.json()) == 2
    refused = client.post(
        reverse("procurement-api:awardformula-list"),
        {**FORMULA, "year": 2026, "base_share": "101"},
        content_type="application/json",
    )
    assert refused.status_code == 400


# --- breaches ---------------------------------------------------------------------------------


@pytest.fixture
def breaches(personas, district):
    """One open breach on 龙泉镇's contract (the provider persona's) and one resolved breach on
    a 马投涧镇 contract of another provider."""
    other = services.record_service_contract(
        actor=personas.bureau,
        number="LA-2026-009",
        title="马投涧镇隐患排查服务",
        township=district.town_b,
        provider=district.other_provider,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        price=50000,
        enterprises=[district.chem],
    )
    now = timezone.now()
    mine = ComplianceBreach.objects.create(
        contract=district.contract,
        kind=BreachKind.VISITS_SHORT,
        key="coal-2026",
        enterprise=district.coal,
        expected="4 次",
        actual="1 次",
        detected_at=now,
    )
    theirs = ComplianceBreach.objects.create(
        contract=other,
        kind=BreachKind.LATE_REPORT,
        key="x",
        enterprise=district.chem,
        expected="7 日内",
        actual="9 日",
        detected_at=now - dt.timedelta(days=40),
        resolved_at=now,
    )
    return mine, theirs


def _listed(client, url, **params):
    page = client.get(url, params)
    assert page.status_code == 200
    return {b.pk for b in page.context["page_obj"].object_list}


@pytest.mark.parametrize(
    "role,sees",
    [("bureau", {0, 1}), ("leader", {0, 1}), ("township", {0}), ("provider", {0}), ("admin", {0, 1})],
)
def test_breach_list_is_scoped(client, personas, breaches, role, sees):
    login_verified(client, getattr(personas, role))
    assert _listed(client, reverse("procurement:breach_list")) == {breaches[i].pk for i in sees}
    api = client.get(reverse("procurement-api:compliancebreach-list")).json()
    assert {r["id"] for r in api["results"]} == {breaches[i].pk for i in sees}


def test_breach_list_filters_search_and_export(client, personas, district, breaches):
    mine, theirs = breaches
    login_verified(client, personas.bureau)
    url = reverse("procurement:breach_list")
    assert _listed(client, url, open="true") == {mine.pk}
    assert _listed(client, url, open="false") == {theirs.pk}
    assert _listed(client, url, kind=BreachKind.LATE_REPORT) == {theirs.pk}
    assert _listed(client, url, township=district.town_a.pk) == {mine.pk}
    assert _listed(client, url, provider=district.other_provider.pk) == {theirs.pk}
    assert _listed(client, url, q="化工") == {theirs.pk}
    today = timezone.localdate()
    assert _listed(client, url, detected_from=(today - dt.timedelta(days=5)).isoformat()) == {mine.pk}
    assert _listed(client, url, ordering="-detected")
    page = client.get(url, {"contract": district.contract.pk}).content.decode()
    assert reverse("registry:enterprise_detail", args=[district.coal.pk]) in page
    rows = _sheet(client.get(reverse("procurement:breach_export"), {"open": "true"}))
    assert len(rows) == 2 and rows[1][1] == "LA-2026-001" and rows[1][0] == "检查次数不足"


def test_contract_page_links_to_its_breaches(client, personas, district, breaches):
    login_verified(client, personas.township)
    page = client.get(reverse("procurement:contract_detail", args=[district.contract.pk])).content.decode()
    assert f"{reverse('procurement:breach_list')}?contract={district.contract.pk}" in page


# --- milestones -------------------------------------------------------------------------------


def test_milestone_list_across_contracts(client, personas, district):
    contract = district.contract
    first = services.add_payment_milestone(
        contract, actor=personas.bureau, name="首期", due_date=dt.date(2026, 1, 10), share=30
    )
    services.add_payment_milestone(
        contract, actor=personas.bureau, name="中期", due_date=dt.date(2026, 7, 1), share=40
    )
    services.record_payment(first, actor=personas.township)
    login_verified(client, personas.township)
    url = reverse("procurement:milestone_list")
    page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["page_obj"].object_list) == 2
    assert page.context["totals"] == {"due": Decimal("48000.00"), "paid": Decimal("36000.00")}
    assert {m.name for m in client.get(url, {"status": MilestoneStatus.PAID}).context["page_obj"]} == {"首期"}
    assert {m.name for m in client.get(url, {"due_from": "2026-06-01"}).context["page_obj"]} == {"中期"}
    rows = _sheet(client.get(reverse("procurement:milestone_export")))
    assert [r[4] for r in rows[1:]] == ["首期", "中期"]
    api = client.get(reverse("procurement-api:paymentmilestone-list"), {"status": "pending"}).json()
    assert [r["name"] for r in api["results"]] == ["中期"]
    client.logout()
    login_verified(client, personas.provider)
    assert len(client.get(url).context["page_obj"].object_list) == 2  # its own contract's


# --- cost-effectiveness -----------------------------------------------------------------------


def test_cost_effectiveness_equals_a_hand_sum(client, personas, district, year_of_work):  # noqa: F811
    per_post = Decimal(analytics_conf.get("ANALYTICS_POSTS_REPLACED")) / Decimal(
        analytics_conf.get("ANALYTICS_POSTS_FOR_ENTERPRISES")
    )
    post_cost = Decimal(analytics_conf.get("ANALYTICS_STAFF_COST_PER_POST"))
    # 龙泉镇: ¥120,000 over 2 active enterprises; 马投涧镇: ¥60,000 over 2.
    expected_staff = sum(
        (Decimal(n * per_post * post_cost).quantize(Decimal(1)) for n in (2, 2)),
        Decimal(0),
    )
    login_verified(client, personas.bureau)
    page = client.get(reverse("procurement:cost_summary"), {"year": 2026})
    cost = page.context["cost"]
    assert cost["total_spend"] == Decimal(180000)
    assert cost["total_staff_cost"] == expected_staff
    assert cost["total_saving"] == expected_staff - Decimal(180000)
    # Each side names its price basis: 2026 contract prices beside posts at the case study's
    # 2012 pay (issue 12 item 7), on the page and in the export's headers.
    html = page.content.decode()
    assert "2026 年合同价" in html
    assert "按案例 2012 年标准（每岗每年 ¥30,000），未按 2026 年工资调整" in html
    rows = _sheet(client.get(reverse("procurement:cost_export"), {"year": 2026}))
    assert [r[0] for r in rows[1:]] == ["龙泉镇", "马投涧镇", "合计"] and rows[-1][2] == 180000
    assert rows[0][2] == "合同金额（元）（2026 年合同价）"
    assert rows[0][5] == "替代岗位成本（元）（按案例 2012 年标准（每岗每年 ¥30,000），未按 2026 年工资调整）"
    strip = client.get(reverse("procurement:contract_list"), {"year": 2026}).content.decode()
    assert 'data-testid="cost-strip"' in strip
    # The township sees its own row only.
    client.logout()
    login_verified(client, personas.township)
    own = client.get(reverse("procurement:cost_summary"), {"year": 2026}).context["cost"]
    assert [r["name"] for r in own["rows"]] == ["龙泉镇"] and own["total_spend"] == Decimal(120000)
    api = client.get(reverse("procurement-api:award-cost-effectiveness"), {"year": 2026}).json()
    assert [r["name"] for r in api["rows"]] == ["龙泉镇"]
    client.logout()
    login_verified(client, personas.provider)
    assert client.get(reverse("procurement:cost_summary")).status_code == 403
