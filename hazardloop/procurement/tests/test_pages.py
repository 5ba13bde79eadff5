"""Procurement pages and API: scoped per role (out of scope → 404, missing capability → 403)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from hazardloop.procurement import services
from hazardloop.procurement.models import InspectionPlan, Tender

from .conftest import TODAY, qualified_provider


@pytest.fixture
def world(district, personas, tender):
    """town_b's tender (published, by the bureau), town_b's contract with a solved plan."""
    services.publish_tender(tender, actor=personas.bureau, today=TODAY)
    draft = services.create_tender(
        actor=personas.township,
        number="LA2026-ZB-01",
        title="龙泉镇2027年度隐患排查服务",
        township=district.town_a,
        enterprises=[district.coal, district.machine],
        budget=80000,
        requirements="",
        service_start=dt.date(2027, 1, 1),
        service_end=dt.date(2027, 12, 31),
        closing_date=dt.date(2026, 12, 20),
    )
    firm = qualified_provider("安阳马投安全服务有限公司", specialties=["hazchem", "textiles", "general"])
    contract_b = services.record_service_contract(
        actor=None,
        number="LA2026-FW-B",
        title="马投涧镇隐患排查服务",
        township=district.town_b,
        provider=firm,
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        price=30000,
        enterprises=[district.chem, district.textile],
    )
    plan = services.solve_contract_plan(contract_b, 2026, actor=None, seconds_per_month=1)
    return type("W", (), {"tender_b": tender, "draft_a": draft, "contract_b": contract_b, "plan_b": plan})


def get(client, user, name, *args, **query):
    client.force_login(user)
    return client.get(reverse(name, args=args), query)


LISTS = ["procurement:tender_list", "procurement:contract_list", "procurement:plan_list"]
EXPORTS = ["procurement:tender_export", "procurement:contract_export", "procurement:plan_list_export"]


@pytest.mark.parametrize("role", ["admin", "bureau", "leader", "township", "provider"])
def test_lists_and_exports_render(client, personas, world, role):
    user = getattr(personas, role)
    for name in LISTS:
        assert get(client, user, name).status_code == 200, name
    for name in EXPORTS:
        response = get(client, user, name)
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


@pytest.mark.parametrize("role", ["expert", "enterprise", "safety_unit"])
def test_roles_without_the_capability_get_403(client, personas, world, role):
    for name in LISTS:
        assert get(client, getattr(personas, role), name).status_code == 403


def test_township_sees_its_own_tenders_and_contracts_only(client, personas, district, world):
    user = personas.township  # 龙泉镇
    listing = get(client, user, "procurement:tender_list").content.decode()
    assert world.draft_a.number in listing and world.tender_b.number not in listing
    assert get(client, user, "procurement:tender_detail", world.tender_b.pk).status_code == 404
    assert get(client, user, "procurement:contract_detail", world.contract_b.pk).status_code == 404
    assert get(client, user, "procurement:contract_detail", district.contract.pk).status_code == 200
    assert get(client, user, "procurement:plan_detail", world.plan_b.pk).status_code == 404


def test_bureau_sees_the_district(client, personas, world):
    for name, pk in (
        ("procurement:tender_detail", world.tender_b.pk),
        ("procurement:tender_detail", world.draft_a.pk),
        ("procurement:contract_detail", world.contract_b.pk),
        ("procurement:plan_detail", world.plan_b.pk),
        ("procurement:plan_export", world.plan_b.pk),
    ):
        assert get(client, personas.bureau, name, pk).status_code == 200, name
    page = get(client, personas.bureau, "procurement:plan_detail", world.plan_b.pk, month=3).content.decode()
    assert "plan-calendar" in page


def test_provider_sees_published_tenders_and_its_own_contracts(client, personas, district, world):
    user = personas.provider
    assert get(client, user, "procurement:tender_detail", world.draft_a.pk).status_code == 404  # draft
    page = get(client, user, "procurement:tender_detail", world.tender_b.pk)
    assert page.status_code == 200 and "提交投标" in page.content.decode()
    assert get(client, user, "procurement:contract_detail", district.contract.pk).status_code == 200
    assert get(client, user, "procurement:contract_detail", world.contract_b.pk).status_code == 404
    assert get(client, user, "procurement:plan_detail", world.plan_b.pk).status_code == 404


def test_refused_bid_shows_the_reason(client, personas, world):
    # The fixture provider has one expert and no office on record: it fails the entry conditions.
    client.force_login(personas.provider)
    with time_machine.travel(dt.datetime(2026, 1, 12, 10, tzinfo=dt.UTC), tick=False):
        response = client.post(
            reverse("procurement:bid_submit", args=[world.tender_b.pk]),
            {"price": "50000", "technical_summary": "方案"},
            follow=True,
        )
    text = response.content.decode()
    assert "投标未通过资格审查" in text and "专职合格工程师仅 0 人" in text


def test_township_cannot_act_on_another_townships_tender(client, personas, world):
    client.force_login(personas.township)
    response = client.post(reverse("procurement:tender_action", args=[world.tender_b.pk, "close"]))
    assert response.status_code == 404
    assert Tender.objects.get(pk=world.tender_b.pk).status == "published"


def test_provider_cannot_manage_tenders(client, personas, world):
    client.force_login(personas.provider)
    response = client.post(reverse("procurement:tender_action", args=[world.tender_b.pk, "close"]))
    assert response.status_code == 403


def test_solve_from_the_contract_page_shows_the_diagnosis(client, personas, district):
    client.force_login(personas.township)
    response = client.post(
        reverse("procurement:contract_solve", args=[district.contract.pk]),
        {"year": 2026, "method": "cpsat"},
        follow=True,
    )
    assert response.status_code == 200
    assert "无法按合同标准排出计划" in response.content.decode()
    assert not InspectionPlan.objects.filter(contract=district.contract).exists()


def test_api_scoping(client, personas, district, world):
    client.force_login(personas.township)
    assert client.get(f"/api/procurement/tenders/{world.tender_b.pk}/").status_code == 404
    assert client.get(f"/api/procurement/contracts/{world.contract_b.pk}/").status_code == 404
    assert client.get(f"/api/procurement/plans/{world.plan_b.pk}/").status_code == 404
    numbers = {row["number"] for row in client.get("/api/procurement/contracts/").json()["results"]}
    assert numbers == {district.contract.number}
    client.force_login(personas.bureau)
    detail = client.get(f"/api/procurement/plans/{world.plan_b.pk}/").json()
    assert detail["violations"] == 0 and len(detail["visits"]) == 5
    client.force_login(personas.expert)
    assert client.get("/api/procurement/contracts/").status_code == 403


def test_amend_and_pay_through_the_pages_and_api(client, personas, district, world):
    client.force_login(personas.bureau)
    contract = world.contract_b
    form = {
        f: getattr(contract, f) or ""
        for f in ("title", "start_date", "end_date", "price", "professional_staff")
    }
    from hazardloop.procurement.forms import AmendForm

    initial = AmendForm(instance=contract).initial
    data = {k: ("" if v is None else v) for k, v in initial.items()}
    data.update(form, visits_high_risk=5, reason="高危企业加密检查", stable_service="")
    data = {k: v for k, v in data.items() if v is not False}
    response = client.post(reverse("procurement:contract_amend", args=[contract.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    contract.refresh_from_db()
    assert contract.version == 2 and contract.visits_high_risk == 5
    assert list(contract.amendments.values_list("changes", flat=True)) == [
        {"visits_high_risk": {"old": 4, "new": 5}}
    ]
    detail = client.get(f"/api/procurement/contracts/{contract.pk}/").json()
    assert detail["version"] == 2 and detail["amendments"][0]["reason"] == "高危企业加密检查"
    made = client.post(
        f"/api/procurement/contracts/{contract.pk}/milestones/",
        {"name": "预付", "due_date": "2026-02-01", "share": "30"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["amount"] == "9000.00"
    paid = client.post(
        f"/api/procurement/milestones/{made.json()['id']}/pay/", {}, content_type="application/json"
    )
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    again = client.post(
        f"/api/procurement/milestones/{made.json()['id']}/pay/", {}, content_type="application/json"
    )
    assert again.status_code == 400 and "不能再登记支付" in again.json()["detail"]


def test_large_solve_is_queued_and_the_page_polls(
    client, personas, world, monkeypatch, django_capture_on_commit_callbacks
):
    from hazardloop.procurement import tasks
    from hazardloop.procurement.models import PlanningJob
    from hazardloop.procurement.views import plans as plan_views

    monkeypatch.setattr(plan_views, "INLINE_MAX_VISITS", 0)
    client.force_login(personas.bureau)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("procurement:contract_solve", args=[world.contract_b.pk]),
            {"year": 2026, "method": "greedy"},
        )
    job = PlanningJob.objects.get()
    assert response.status_code == 302 and len(callbacks) == 1 and job.status == "pending"
    page = client.get(reverse("procurement:planning_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert tasks.run_planning.call(job.pk) == "done"
    page = client.get(
        reverse("procurement:planning_job", args=[job.pk]),
        headers={"HX-Request": "true", "HX-Target": "planning-progress"},
    )
    assert "planning-done" in page.content.decode() and "<html" not in page.content.decode()
    world.plan_b.refresh_from_db()
    assert world.plan_b.status == "superseded"
