"""The registry API: the same scope as the pages for every persona, writes through the services,
the shared FilterSets, masked personal data, and list queries that do not grow with page size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from conftest import enterprise_data
from hazardloop.accounts.testing import api_token_key
from hazardloop.registry import rules, services
from hazardloop.registry.filters import EnterpriseFilter
from hazardloop.registry.models import Enterprise, Expert, ExpertCertificate
from hazardloop.registry.testing import next_credit_code

pytestmark = pytest.mark.django_db

ENTERPRISES = "/api/registry/enterprises/"
EXPERTS = "/api/registry/experts/"
PERSONAS = [
    "admin",
    "bureau",
    "leader",
    "safety_unit",
    "police",
    "fire",
    "township",
    "provider",
    "expert",
    "enterprise",
    "outsider",
]


def api_as(user) -> APIClient:
    """A client that authenticates the way an integration does, with a token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_key(user)}")
    return client


def all_results(client, url, params=None) -> list[dict]:
    """Every row of a list, following `next` through small pages."""
    response = client.get(url, {"page_size": 2, **(params or {})})
    rows = []
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows.extend(body["results"])
        if not body["next"]:
            return rows
        response = client.get(body["next"])


def all_enterprises(district) -> set[Enterprise]:
    d = district
    return {d.coal, d.machine, d.chem, d.textile, d.outsider}


def new_enterprise_payload(district, **overrides) -> dict:
    payload = {
        "name": "龙泉新材料有限公司",
        "credit_code": next_credit_code(),
        "township": district.town_a.code,
        "industry": "2614",
        "employees": 350,
        "revenue_10k": 3000,
    }
    payload.update(overrides)
    return payload


# --- scope -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", PERSONAS)
def test_each_persona_lists_exactly_the_enterprises_it_may_see(personas, role):
    rows = all_results(api_as(getattr(personas, role)), ENTERPRISES)
    codes = [row["credit_code"] for row in rows]
    assert len(codes) == len(set(codes)), "a row came back on two pages"
    assert set(codes) == {e.credit_code for e in personas.expected[role]}


@pytest.mark.parametrize("role", PERSONAS)
def test_another_organisations_enterprise_is_not_found(personas, district, role):
    client = api_as(getattr(personas, role))
    expected = personas.expected[role]
    for enterprise in all_enterprises(district):
        response = client.get(f"{ENTERPRISES}{enterprise.pk}/")
        assert response.status_code == (200 if enterprise in expected else 404), enterprise.name


def test_an_editor_cannot_change_an_enterprise_outside_its_scope(personas, district):
    response = api_as(personas.township).patch(
        f"{ENTERPRISES}{district.chem.pk}/", {"employees": 5}, format="json"
    )
    assert response.status_code == 404
    district.chem.refresh_from_db()
    assert district.chem.employees == 120


def test_anonymous_callers_are_refused(district):
    assert APIClient().get(ENTERPRISES).status_code in (401, 403)
    assert APIClient().get(f"{ENTERPRISES}{district.coal.pk}/").status_code in (401, 403)


def test_session_authentication_is_accepted_as_well(client, personas):
    client.force_login(personas.township)
    response = client.get(ENTERPRISES)
    assert response.status_code == 200
    assert response.json()["count"] == len(personas.expected["township"])


# --- writes through the services -------------------------------------------------------------


def test_bureau_registers_an_enterprise_and_gets_the_derived_fields(personas, district):
    payload = new_enterprise_payload(district)
    # A clerk pastes the code with spaces and full-width digits; the service stores it normalised.
    code = payload["credit_code"]
    payload["credit_code"] = f" {code[:6]} {code[6:]} ".replace("1", "１")
    response = api_as(personas.bureau).post(ENTERPRISES, payload, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["credit_code"] == code
    assert body["size"] == "medium"  # 350 people and ¥30m: both medium bounds met
    assert body["high_risk"] is True  # 2614 is in division 26, hazardous chemicals
    assert body["team_size"] == {"minimum": 3, "maximum": 5}
    assert body["township"] == {"code": district.town_a.code, "name": district.town_a.name}
    assert body["industry"]["code"] == "2614"
    saved = Enterprise.objects.get(pk=body["id"])
    assert (saved.credit_code, saved.size, saved.high_risk) == (code, "medium", True)


def test_derived_fields_sent_by_the_client_are_ignored(personas, district):
    payload = new_enterprise_payload(district, industry="34", employees=10, revenue_10k=50)
    payload.update(size="large", high_risk=True)
    response = api_as(personas.bureau).post(ENTERPRISES, payload, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["size"], response.json()["high_risk"]) == ("micro", False)


def test_a_wrong_check_character_is_refused_with_the_expected_one_named(personas, district):
    code = next_credit_code()
    expected = rules.uscc_check_character(code[:17])
    wrong = next(ch for ch in "0123456789" if ch != expected)
    before = Enterprise.objects.count()

    response = api_as(personas.bureau).post(
        ENTERPRISES, new_enterprise_payload(district, credit_code=code[:17] + wrong), format="json"
    )

    assert response.status_code == 400
    assert response.json()["credit_code"] == [f"统一社会信用代码校验位错误（第18位应为{expected}）。"]
    assert Enterprise.objects.count() == before


def test_a_credit_code_already_registered_is_refused(personas, district):
    payload = new_enterprise_payload(district, credit_code=district.coal.credit_code)
    response = api_as(personas.bureau).post(ENTERPRISES, payload, format="json")
    assert response.status_code == 400
    assert response.json()["credit_code"] == ["该统一社会信用代码已登记。"]


def test_an_unknown_township_code_is_refused_in_chinese(personas, district):
    payload = new_enterprise_payload(district, township="410506999")
    response = api_as(personas.bureau).post(ENTERPRISES, payload, format="json")
    assert response.status_code == 400
    assert response.json()["township"] == ["代码“410506999”不存在。"]


@pytest.mark.parametrize("role", ["provider", "expert", "enterprise", "leader", "safety_unit"])
def test_roles_without_the_edit_capability_cannot_register(personas, district, role):
    before = Enterprise.objects.count()
    response = api_as(getattr(personas, role)).post(
        ENTERPRISES, new_enterprise_payload(district), format="json"
    )
    assert response.status_code == 403
    assert Enterprise.objects.count() == before


def test_provider_cannot_edit_an_enterprise_it_can_see(personas, district):
    response = api_as(personas.provider).patch(
        f"{ENTERPRISES}{district.coal.pk}/", {"employees": 1}, format="json"
    )
    assert response.status_code == 403
    district.coal.refresh_from_db()
    assert district.coal.employees == 600


def test_township_may_not_register_in_another_township(personas, district):
    payload = new_enterprise_payload(district, township=district.town_b.code)
    response = api_as(personas.township).post(ENTERPRISES, payload, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "只能登记本辖区的企业。"


def test_partial_update_recomputes_size_and_keeps_other_fields(personas, district):
    response = api_as(personas.township).patch(
        f"{ENTERPRISES}{district.machine.pk}/", {"employees": 400, "revenue_10k": 2500}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["size"] == "medium"
    district.machine.refresh_from_db()
    assert (district.machine.size, district.machine.name, district.machine.industry.code) == (
        "medium",
        "龙泉机械厂",
        "34",
    )


def test_only_the_bureau_overrides_the_high_risk_flag(personas, district):
    url = f"{ENTERPRISES}{district.machine.pk}/"
    refused = api_as(personas.township).patch(url, {"high_risk_override": True}, format="json")
    assert refused.status_code == 400
    assert "high_risk_override" in refused.json()

    accepted = api_as(personas.bureau).patch(url, {"high_risk_override": True}, format="json")
    assert accepted.status_code == 200
    assert accepted.json()["high_risk"] is True


# --- filters: the API answers what the shared FilterSet answers -------------------------------

FILTER_CASES = {
    "q name": lambda d: {"q": "马投涧"},
    "q credit code": lambda d: {"q": d.chem.credit_code},
    "township": lambda d: {"township": d.town_b.pk},
    "industry prefix": lambda d: {"industry": "26"},
    "high risk": lambda d: {"high_risk": "true"},
    "size": lambda d: {"size": "small"},
    "combined": lambda d: {"township": d.town_a.pk, "high_risk": "false"},
}


@pytest.mark.parametrize("case", FILTER_CASES)
def test_list_filters_match_the_shared_filterset(personas, district, case):
    params = FILTER_CASES[case](district)
    bureau = personas.bureau
    visible = Enterprise.objects.visible_to(bureau)
    expected = set(EnterpriseFilter(params, queryset=visible).qs.values_list("pk", flat=True))
    # A filter that keeps everything or nothing would prove nothing.
    assert 0 < len(expected) < visible.count()

    rows = all_results(api_as(bureau), ENTERPRISES, params)
    assert {row["id"] for row in rows} == expected


def test_ordering_is_applied_and_pages_do_not_overlap(personas, district):
    rows = all_results(api_as(personas.admin), ENTERPRISES, {"ordering": "-employees"})
    employees = [row["employees"] for row in rows]
    assert employees == sorted(employees, reverse=True)
    assert len(rows) == len(all_enterprises(district))


def test_an_invalid_filter_value_is_a_400(personas):
    response = api_as(personas.bureau).get(ENTERPRISES, {"size": "giant"})
    assert response.status_code == 400
    assert "size" in response.json()


# --- providers and experts ----------------------------------------------------------------------


@pytest.fixture
def expert_with_personal_data(district):
    expert = Expert.objects.get(pk=district.expert.pk)
    expert.phone = "13812345678"
    expert.id_number = "41050619800101123X"
    expert.save(update_fields=["phone", "id_number"])
    ExpertCertificate.objects.create(expert=expert, kind="rse", number="RSE-0001")
    return expert


def test_expert_list_masks_the_phone_and_leaves_out_the_id_number(personas, expert_with_personal_data):
    response = api_as(personas.bureau).get(EXPERTS)
    assert response.status_code == 200
    row = next(r for r in response.json()["results"] if r["id"] == expert_with_personal_data.pk)
    assert row["phone"] == "138****5678"
    assert "id_number" not in row
    assert b"13812345678" not in response.content
    assert b"41050619800101123X" not in response.content
    assert [s["specialty"] for s in row["specialties"]] == ["coal", "machinery"]
    assert row["certificates"][0]["number"] == "RSE-0001"


def test_expert_detail_shows_the_id_number_masked(personas, expert_with_personal_data):
    response = api_as(personas.provider).get(f"{EXPERTS}{expert_with_personal_data.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id_number"] == "410***********123X"
    assert body["phone"] == "138****5678"
    assert b"13812345678" not in response.content


def test_provider_sees_only_its_own_experts(personas, district):
    client = api_as(personas.provider)
    assert {row["id"] for row in all_results(client, EXPERTS)} == {district.expert.pk}
    assert client.get(f"{EXPERTS}{district.other_expert.pk}/").status_code == 404


def test_provider_sees_only_its_own_firm(personas, district):
    client = api_as(personas.provider)
    assert {row["id"] for row in all_results(client, "/api/registry/providers/")} == {district.provider.pk}
    assert client.get(f"/api/registry/providers/{district.other_provider.pk}/").status_code == 404


def test_a_role_without_the_view_capability_is_forbidden(personas):
    # Member units have no business with experts; the pages refuse them too.
    assert api_as(personas.safety_unit).get(EXPERTS).status_code == 403


def test_expert_writes_are_for_those_who_maintain_experts(personas, district):
    # Experts became editable through the API with optimistic concurrency (ADR 0035); the
    # capability is edit_expert (admin, bureau, provider for its own firm), not the township's.
    url = f"{EXPERTS}{district.expert.pk}/"
    assert api_as(personas.township).patch(url, {"title": "x"}, format="json").status_code == 403
    response = api_as(personas.bureau).patch(url, {"title": "高级工程师"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "高级工程师"


# --- member units and reference data ------------------------------------------------------------


def test_member_units_come_with_their_duties(personas, district):
    rows = all_results(api_as(personas.bureau), "/api/registry/member-units/")
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"区应急管理局", "区消防救援大队", "区公安分局"}
    police = by_name["区公安分局"]
    assert police["district"] == {"code": "410506", "name": "龙安区"}
    assert [(d["industry_prefix"], d["hazard_category"]) for d in police["duties"]] == [
        ("06", "explosives"),
        ("10", "explosives"),
    ]


def test_providers_may_not_list_member_units(personas):
    assert api_as(personas.provider).get("/api/registry/member-units/").status_code == 403


def test_regions_filter_by_level_and_parent(personas, district):
    client = api_as(personas.enterprise)
    rows = all_results(client, "/api/registry/regions/", {"level": "township", "parent": "410506"})
    assert {row["code"] for row in rows} == {district.town_a.code, district.town_b.code}
    detail = client.get(f"/api/registry/regions/{district.town_a.code}/").json()
    assert (detail["name"], detail["parent"]) == ("龙泉镇", "410506")


def test_industries_are_read_by_code(personas):
    client = api_as(personas.enterprise)
    assert client.get("/api/registry/industries/2614/").json()["parent"] == "261"
    rows = all_results(client, "/api/registry/industries/", {"parent": "261"})
    assert rows and all(row["code"].startswith("261") for row in rows)
    assert client.post("/api/registry/industries/", {"code": "9999"}, format="json").status_code == 405


# --- query counts do not grow with the page -----------------------------------------------------


@pytest.fixture
def crowded_district(district):
    """Enough rows that a page of 2 and a page of 12 differ, each with related rows to fetch."""
    for n in range(14):
        services.register_enterprise(
            enterprise_data(f"龙泉第{n}厂", district.town_a, "34", employees=30 + n), actor=district.admin
        )
        expert = services.register_expert(
            actor=district.admin, provider=district.provider, name=f"专家{n}", specialties=["fire", "dust"]
        )
        ExpertCertificate.objects.create(expert=expert, kind="rse", number=f"RSE-{n:04d}")
    for n in range(3):
        services.register_provider(actor=district.admin, name=f"评价机构{n}", credit_code=next_credit_code())
    return district


@pytest.mark.parametrize(
    "url",
    [
        ENTERPRISES,
        EXPERTS,
        "/api/registry/providers/",
        "/api/registry/member-units/",
        "/api/registry/regions/",
        "/api/registry/industries/",
    ],
)
def test_list_queries_do_not_grow_with_page_size(
    personas, crowded_district, url, django_assert_max_num_queries
):
    client = api_as(personas.admin)
    with CaptureQueriesContext(connection) as small:
        response = client.get(url, {"page_size": 2})
    assert response.status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, {"page_size": 12})
    assert len(response.json()["results"]) > 2  # the second page size really was bigger
