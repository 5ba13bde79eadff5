"""Registry pages: each persona sees exactly its scope, out of scope is 404, a missing capability
is 403, and writes through the forms go through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import enterprise_data
from hazardloop.registry import services
from hazardloop.registry.choices import CertificateKind, SizeClass
from hazardloop.registry.models import Enterprise, ExpertCertificate, ExpertConflict
from hazardloop.registry.testing import industry, next_credit_code

pytestmark = pytest.mark.django_db

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
ALL_ENTERPRISES = ("coal", "machine", "chem", "textile", "outsider")


def login(client, personas, name):
    user = getattr(personas, name)
    client.force_login(user)
    return user


# --- anonymous, capability and scope --------------------------------------------------------


@pytest.mark.parametrize(
    "url_name, kwargs",
    [
        ("registry:enterprise_list", {}),
        ("registry:enterprise_create", {}),
        ("registry:enterprise_detail", {"pk": 1}),
        ("registry:enterprise_edit", {"pk": 1}),
        ("registry:provider_list", {}),
        ("registry:provider_detail", {"pk": 1}),
        ("registry:expert_list", {}),
        ("registry:expert_detail", {"pk": 1}),
        ("registry:member_unit_list", {}),
    ],
)
def test_anonymous_is_sent_to_login(client, url_name, kwargs):
    url = reverse(url_name, kwargs=kwargs)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    "persona, url_name",
    [
        ("enterprise", "registry:provider_list"),
        ("enterprise", "registry:expert_list"),
        ("enterprise", "registry:member_unit_list"),
        ("enterprise", "registry:enterprise_create"),
        ("safety_unit", "registry:expert_list"),
        ("provider", "registry:member_unit_list"),
        ("provider", "registry:enterprise_create"),
        ("expert", "registry:enterprise_create"),
        ("leader", "registry:enterprise_create"),
    ],
)
def test_a_role_without_the_capability_gets_403(client, personas, persona, url_name):
    login(client, personas, persona)
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert "没有权限" in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_enterprise_list_shows_exactly_the_scoped_set(client, personas, district, persona):
    login(client, personas, persona)
    response = client.get(reverse("registry:enterprise_list"), {"page_size": 100})
    assert response.status_code == 200
    shown = set(response.context["result"].page.object_list)
    assert shown == personas.expected[persona]
    html = response.content.decode()
    for name in ALL_ENTERPRISES:
        enterprise = getattr(district, name)
        assert (enterprise.name in html) == (enterprise in personas.expected[persona]), enterprise.name


@pytest.mark.parametrize("persona", PERSONAS)
def test_enterprise_detail_answers_404_outside_the_scope(client, personas, district, persona):
    login(client, personas, persona)
    for name in ALL_ENTERPRISES:
        enterprise = getattr(district, name)
        response = client.get(reverse("registry:enterprise_detail", args=[enterprise.pk]))
        expected = 200 if enterprise in personas.expected[persona] else 404
        assert response.status_code == expected, (persona, enterprise.name)


def test_unknown_enterprise_id_is_404_like_an_invisible_one(client, personas):
    login(client, personas, "bureau")
    assert client.get(reverse("registry:enterprise_detail", args=[999_999])).status_code == 404


def test_edit_outside_the_scope_is_404_even_for_a_role_that_may_not_edit(client, personas, district):
    login(client, personas, "provider")
    # In scope but not allowed: 403; out of scope: 404, so the id reveals nothing.
    assert client.get(reverse("registry:enterprise_edit", args=[district.coal.pk])).status_code == 403
    assert client.get(reverse("registry:enterprise_edit", args=[district.chem.pk])).status_code == 404


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("bureau", {"provider", "other_provider"}),
        ("township", {"provider", "other_provider"}),
        ("provider", {"provider"}),
        ("expert", {"provider"}),
    ],
)
def test_provider_list_is_scoped(client, personas, district, persona, expected):
    login(client, personas, persona)
    response = client.get(reverse("registry:provider_list"))
    assert set(response.context["result"].page.object_list) == {getattr(district, n) for n in expected}


def test_provider_detail_of_another_firm_is_404_for_a_provider(client, personas, district):
    login(client, personas, "provider")
    assert client.get(reverse("registry:provider_detail", args=[district.provider.pk])).status_code == 200
    assert (
        client.get(reverse("registry:provider_detail", args=[district.other_provider.pk])).status_code == 404
    )


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("bureau", {"expert", "other_expert"}),
        ("township", {"expert", "other_expert"}),
        ("provider", {"expert"}),
        ("expert", {"expert"}),
    ],
)
def test_expert_list_is_scoped(client, personas, district, persona, expected):
    login(client, personas, persona)
    response = client.get(reverse("registry:expert_list"))
    assert set(response.context["result"].page.object_list) == {getattr(district, n) for n in expected}


def test_expert_detail_of_another_firm_is_404_for_a_provider(client, personas, district):
    login(client, personas, "provider")
    assert client.get(reverse("registry:expert_detail", args=[district.other_expert.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["bureau", "safety_unit", "township"])
def test_member_unit_list_shows_the_district_units_with_their_duties(client, personas, district, persona):
    login(client, personas, persona)
    response = client.get(reverse("registry:member_unit_list"))
    units = {row["unit"] for row in response.context["rows"]}
    assert units == {district.safety, district.fire, district.police}
    html = response.content.decode()
    assert "民用爆炸物品" in html  # the police unit's hazard category
    assert "煤炭开采和洗选业" in html  # industry prefix 06 shown with its name


# --- list behaviour: search, filters, sorting, pages, HTMX -----------------------------------


def names(response):
    return [e.name for e in response.context["result"].page.object_list]


def test_search_matches_name_and_credit_code_prefix(client, personas, district):
    login(client, personas, "bureau")
    assert names(client.get(reverse("registry:enterprise_list"), {"q": "马投涧"})) == [
        district.chem.name,
        district.textile.name,
    ]
    code = district.machine.credit_code
    assert names(client.get(reverse("registry:enterprise_list"), {"q": code[:16].lower()})) == [
        district.machine.name
    ]


def test_filters_narrow_by_township_and_high_risk(client, personas, district):
    login(client, personas, "bureau")
    by_town = client.get(reverse("registry:enterprise_list"), {"township": district.town_b.pk})
    assert set(names(by_town)) == {district.chem.name, district.textile.name}
    risky = client.get(reverse("registry:enterprise_list"), {"high_risk": "true"})
    assert set(names(risky)) == {
        e.name
        for e in Enterprise.objects.filter(
            high_risk=True,
            pk__in=[district.coal.pk, district.machine.pk, district.chem.pk, district.textile.pk],
        )
    }
    assert district.coal.name in names(risky) and district.textile.name not in names(risky)


def test_township_filter_offers_only_townships_in_scope(client, personas, district):
    login(client, personas, "township")
    response = client.get(reverse("registry:enterprise_list"))
    offered = set(response.context["filter"].form.fields["township"].queryset)
    assert offered == {district.town_a}


def test_sorting_by_a_column_header_and_back(client, personas, district):
    login(client, personas, "bureau")
    descending = names(client.get(reverse("registry:enterprise_list"), {"ordering": "-employees"}))
    assert descending[0] == district.coal.name  # 600 employees
    assert descending[-1] == district.textile.name  # 15 employees
    ascending = names(client.get(reverse("registry:enterprise_list"), {"ordering": "employees"}))
    assert ascending == list(reversed(descending))


def test_sort_header_links_keep_filters_and_drop_the_page(client, personas):
    login(client, personas, "bureau")
    response = client.get(reverse("registry:enterprise_list"), {"q": "龙泉", "page": "1", "ordering": "name"})
    html = response.content.decode()
    # The name column is sorted ascending now, so its link offers descending, with the search kept.
    assert 'href="?q=%E9%BE%99%E6%B3%89&amp;ordering=-name"' in html
    assert 'aria-sort="ascending"' in html


def test_pages_and_page_size(client, personas, district):
    admin = personas.admin
    for i in range(45):
        services.register_enterprise(
            enterprise_data(f"分页测试企业{i:02d}", district.town_a, "34"), actor=admin
        )
    login(client, personas, "bureau")
    first = client.get(reverse("registry:enterprise_list"))
    assert len(first.context["result"].page.object_list) == 20
    assert first.context["result"].page.paginator.count == 49
    last = client.get(reverse("registry:enterprise_list"), {"page": 3})
    assert len(last.context["result"].page.object_list) == 9
    fifty = client.get(reverse("registry:enterprise_list"), {"page_size": 50})
    assert len(fifty.context["result"].page.object_list) == 49
    # A size we do not offer falls back to the default rather than returning everything.
    odd = client.get(reverse("registry:enterprise_list"), {"page_size": 100000})
    assert odd.context["result"].page_size == 20
    # Pages never overlap, even when many rows tie on the sort key.
    seen = []
    for page in (1, 2, 3):
        seen += names(client.get(reverse("registry:enterprise_list"), {"ordering": "township", "page": page}))
    assert len(seen) == len(set(seen)) == 49


def test_htmx_request_gets_only_the_results_partial(client, personas, district):
    login(client, personas, "bureau")
    url = reverse("registry:enterprise_list")
    partial = client.get(url, {"q": "马投涧"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="enterprise-results")
    body = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in body and 'id="enterprise-results"' in body
    assert district.chem.name in body and district.coal.name not in body
    # The sort order is carried back into the filter form out of band.
    assert 'hx-swap-oob="true"' in body
    assert "HX-Request" in partial["Vary"]
    full = client.get(url, {"q": "马投涧"})
    assert "<html" in full.content.decode()


def test_export_link_carries_the_current_query(client, personas):
    login(client, personas, "bureau")
    response = client.get(reverse("registry:enterprise_list"), {"q": "龙泉", "high_risk": "true"})
    expected = reverse("registry:enterprise_export") + "?q=%E9%BE%99%E6%B3%89&amp;high_risk=true"
    assert f'href="{expected}"' in response.content.decode()


@pytest.mark.parametrize("persona, sees_import", [("bureau", True), ("admin", True), ("township", False)])
def test_import_button_only_for_roles_that_may_import(client, personas, persona, sees_import):
    login(client, personas, persona)
    html = client.get(reverse("registry:enterprise_list")).content.decode()
    assert ('data-testid="import-button"' in html) is sees_import


def test_enterprise_user_sees_no_export_button(client, personas):
    login(client, personas, "enterprise")
    html = client.get(reverse("registry:enterprise_list")).content.decode()
    assert 'data-testid="export-button"' not in html


# --- query counts -------------------------------------------------------------------------------


def _grow_district(district, n):
    admin = district.admin
    for i in range(n):
        enterprise = services.register_enterprise(
            enterprise_data(f"扩容企业{i:03d}", district.town_a, "0610", employees=30, revenue_10k=500),
            actor=admin,
        )
        district.contract.enterprises.add(enterprise)
    for i in range(n // 4):
        services.register_expert(
            actor=admin, provider=district.provider, name=f"专家{i:02d}", specialties=["coal", "fire"]
        )


def _count_queries(client, url, params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "persona, url_name, params",
    [
        ("bureau", "registry:enterprise_list", {"page_size": 100}),
        ("provider", "registry:enterprise_list", {"page_size": 100, "ordering": "industry"}),
        ("bureau", "registry:provider_list", {"page_size": 100}),
        ("bureau", "registry:expert_list", {"page_size": 100}),
        ("bureau", "registry:member_unit_list", {}),
    ],
)
def test_queries_per_page_do_not_grow_with_rows(client, personas, district, persona, url_name, params):
    login(client, personas, persona)
    url = reverse(url_name)
    small = _count_queries(client, url, params)
    _grow_district(district, 60)
    large = _count_queries(client, url, params)
    assert large == small


def test_enterprise_list_query_budget(client, personas, district, django_assert_max_num_queries):
    _grow_district(district, 40)
    login(client, personas, "bureau")
    with django_assert_max_num_queries(12):
        client.get(reverse("registry:enterprise_list"), {"page_size": 50, "high_risk": "true"})


def test_enterprise_detail_query_budget(client, personas, district, django_assert_max_num_queries):
    login(client, personas, "bureau")
    # The file carries one card per loop module (inspections, hazards, notices, enforcement with
    # its Art. 113 counter), each a fixed number of queries however many records it lists.
    with django_assert_max_num_queries(16):
        client.get(reverse("registry:enterprise_detail", args=[district.machine.pk]))


# --- the enterprise file page ---------------------------------------------------------------------


def test_file_page_explains_risk_and_team_size(client, personas, district):
    login(client, personas, "bureau")
    response = client.get(reverse("registry:enterprise_detail", args=[district.coal.pk]))
    html = response.content.decode()
    assert district.coal.credit_code in html
    assert "行业属高危行业" in html
    assert 'data-testid="team-size"' in html and "3–5" in html
    for later in ("排查记录", "隐患", "整改通知", "执法记录"):
        assert later in html
    assert "将在闭环模块上线后显示" not in html, "every loop card is live: no placeholder left"


def test_file_page_shows_a_manual_override(client, personas, district):
    data = enterprise_data("人工认定企业", district.town_b, "13", high_risk_override=True)
    enterprise = services.register_enterprise(data, actor=personas.admin)
    login(client, personas, "bureau")
    html = client.get(reverse("registry:enterprise_detail", args=[enterprise.pk])).content.decode()
    assert "区应急管理局人工认定为高危企业" in html
    assert "按规则本不属高危" in html


def test_file_page_lists_contracts_and_conflicted_experts_for_roles_that_see_them(client, personas, district):
    login(client, personas, "township")
    response = client.get(reverse("registry:enterprise_detail", args=[district.machine.pk]))
    assert list(response.context["contracts"]) == [district.contract]
    assert [c.expert for c in response.context["conflicts"]] == [district.expert]
    assert "曾任该厂安全科长" in response.content.decode()


def test_file_page_hides_experts_and_contracts_from_roles_without_them(client, personas, district):
    login(client, personas, "safety_unit")
    response = client.get(reverse("registry:enterprise_detail", args=[district.machine.pk]))
    html = response.content.decode()
    assert 'data-testid="card-conflicts"' not in html
    assert 'data-testid="card-contracts"' not in html
    assert "曾任该厂安全科长" not in html


def test_file_page_shows_only_contracts_in_the_viewers_scope(client, personas, district):
    login(client, personas, "provider")
    response = client.get(reverse("registry:enterprise_detail", args=[district.coal.pk]))
    assert list(response.context["contracts"]) == [district.contract]
    login(client, personas, "bureau")
    response = client.get(reverse("registry:enterprise_detail", args=[district.chem.pk]))
    assert list(response.context["contracts"]) == []
    assert "暂无服务合同" in response.content.decode()


# --- experts and providers ----------------------------------------------------------------------


def test_expert_page_flags_expired_and_expiring_certificates(client, personas, district):
    today = dt.date.today()
    ExpertCertificate.objects.create(
        expert=district.expert,
        kind=CertificateKind.REGISTERED_SAFETY_ENGINEER,
        number="A-1",
        expires=today - dt.timedelta(days=1),
    )
    ExpertCertificate.objects.create(
        expert=district.expert,
        kind=CertificateKind.FIRE_ENGINEER,
        number="B-2",
        expires=today + dt.timedelta(days=30),
    )
    ExpertCertificate.objects.create(
        expert=district.expert,
        kind=CertificateKind.TITLE,
        number="C-3",
        expires=today + dt.timedelta(days=400),
    )
    login(client, personas, "bureau")
    html = client.get(reverse("registry:expert_detail", args=[district.expert.pk])).content.decode()
    assert html.count('data-testid="certificate-expired"') == 1
    assert html.count('data-testid="certificate-soon"') == 1
    assert html.count('data-testid="certificate-ok"') == 1
    listing = client.get(reverse("registry:expert_list")).content.decode()
    assert "有过期" in listing


def test_expert_page_counts_but_does_not_name_conflicts_outside_the_scope(client, personas, district):
    ExpertConflict.objects.create(expert=district.expert, enterprise=district.outsider, reason="亲属任职")
    login(client, personas, "bureau")
    response = client.get(reverse("registry:expert_detail", args=[district.expert.pk]))
    html = response.content.decode()
    assert district.machine.name in html
    assert district.outsider.name not in html and "亲属任职" not in html
    assert response.context["hidden_conflicts"] == 1


def test_expert_page_shows_the_base_the_planner_counts_travel_from(client, personas, district):
    login(client, personas, "bureau")
    url = reverse("registry:expert_detail", args=[district.expert.pk])
    assert "按此计算路程" not in client.get(url).content.decode()
    district.expert.base_address = "龙泉镇人民路8号附近"
    district.expert.base_latitude, district.expert.base_longitude = "36.060100", "114.200200"
    district.expert.save()
    html = client.get(url).content.decode()
    assert "龙泉镇人民路8号附近" in html and "纬度 36.060100，经度 114.200200" in html
    assert "按此计算路程" in html


def test_provider_page_summarises_experts_and_contracts(client, personas, district):
    login(client, personas, "township")
    response = client.get(reverse("registry:provider_detail", args=[district.provider.pk]))
    assert list(response.context["experts"]) == [district.expert]
    assert list(response.context["contracts"]) == [district.contract]
    assert response.context["summary"]["expert_active"] == 1


def test_provider_list_sorts_by_whitelisted_keys_only(client, personas, district):
    login(client, personas, "bureau")
    desc = names(client.get(reverse("registry:provider_list"), {"ordering": "-name"}))
    assert desc == sorted([district.provider.name, district.other_provider.name], reverse=True)
    # An unknown key is ignored instead of reaching order_by.
    assert client.get(reverse("registry:provider_list"), {"ordering": "credit_code"}).status_code == 200


# --- create and edit through the form ------------------------------------------------------------


def form_data(district, **overrides):
    data = {
        "name": "龙泉新材料有限公司",
        "credit_code": next_credit_code(),
        "township": district.town_a.pk,
        "industry": industry("3110").pk,
        "status": "active",
        "employees": "350",
        "revenue_10k": "2500",
        "address": "龙泉镇工业园 8 号",
        "safety_contact": "李 明",
        "safety_contact_phone": "139 0372 0001",
        "high_risk_override": "",
    }
    data.update(overrides)
    return data


def test_bureau_registers_an_enterprise_through_the_form(client, personas, district):
    login(client, personas, "bureau")
    data = form_data(district)
    response = client.post(reverse("registry:enterprise_create"), data)
    created = Enterprise.objects.get(credit_code=data["credit_code"])
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:enterprise_detail", args=[created.pk])
    # Derived by the service, not typed: 350 staff and ¥25m revenue make a medium firm; 3110 is smelting.
    assert created.size == SizeClass.MEDIUM
    assert created.high_risk is True
    assert created.safety_contact == "李 明" and created.safety_contact_phone == "13903720001"
    follow = client.get(response["Location"])
    assert "已登记" in follow.content.decode()


def test_full_width_credit_code_is_normalised(client, personas, district):
    login(client, personas, "bureau")
    code = next_credit_code()
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    client.post(reverse("registry:enterprise_create"), form_data(district, credit_code=f" {wide} "))
    assert Enterprise.objects.filter(credit_code=code).exists()


def test_a_wrong_check_digit_is_shown_on_the_field_and_nothing_is_saved(client, personas, district):
    login(client, personas, "bureau")
    code = next_credit_code()
    bad = code[:17] + ("0" if code[17] != "0" else "1")
    before = Enterprise.objects.count()
    response = client.post(reverse("registry:enterprise_create"), form_data(district, credit_code=bad))
    assert response.status_code == 200
    assert "校验位错误" in " ".join(response.context["form"].errors["credit_code"])
    assert Enterprise.objects.count() == before


def test_a_duplicate_credit_code_is_refused_by_the_service(client, personas, district):
    login(client, personas, "bureau")
    response = client.post(
        reverse("registry:enterprise_create"), form_data(district, credit_code=district.coal.credit_code)
    )
    assert response.status_code == 200
    assert "已登记" in " ".join(response.context["form"].errors["credit_code"])


def test_township_may_register_only_in_its_own_township(client, personas, district):
    login(client, personas, "township")
    form = client.get(reverse("registry:enterprise_create")).context["form"]
    assert set(form.fields["township"].queryset) == {district.town_a}
    data = form_data(district, township=district.town_b.pk)
    response = client.post(reverse("registry:enterprise_create"), data)
    assert response.status_code == 200
    assert not Enterprise.objects.filter(credit_code=data["credit_code"]).exists()


def test_township_cannot_override_the_high_risk_flag(client, personas, district):
    login(client, personas, "township")
    data = form_data(district, industry=industry("13").pk, high_risk_override="true")
    client.post(reverse("registry:enterprise_create"), data)
    created = Enterprise.objects.get(credit_code=data["credit_code"])
    assert created.high_risk_override is None
    assert created.high_risk is False


def test_bureau_edits_an_enterprise_and_the_service_recomputes_size(client, personas, district):
    login(client, personas, "bureau")
    machine = district.machine
    page = client.get(reverse("registry:enterprise_edit", args=[machine.pk]))
    assert page.context["form"].initial["name"] == machine.name
    data = form_data(
        district,
        name="龙泉精密机械厂",
        credit_code=machine.credit_code,
        industry=machine.industry_id,
        employees="1500",
        revenue_10k="50000",
    )
    response = client.post(reverse("registry:enterprise_edit", args=[machine.pk]), data)
    assert response.status_code == 302
    machine.refresh_from_db()
    assert machine.name == "龙泉精密机械厂"
    assert machine.size == SizeClass.LARGE


def test_provider_cannot_post_to_create_or_edit(client, personas, district):
    login(client, personas, "provider")
    before = Enterprise.objects.count()
    assert client.post(reverse("registry:enterprise_create"), form_data(district)).status_code == 403
    response = client.post(
        reverse("registry:enterprise_edit", args=[district.coal.pk]),
        form_data(district, credit_code=district.coal.credit_code, name="改名"),
    )
    assert response.status_code == 403
    district.coal.refresh_from_db()
    assert district.coal.name == "龙泉煤业有限公司"
    assert Enterprise.objects.count() == before


def test_expert_page_masks_the_experts_own_phone(client, personas, district):
    district.expert.phone = "13812345678"
    district.expert.save(update_fields=["phone"])
    login(client, personas, "bureau")
    html = client.get(reverse("registry:expert_detail", args=[district.expert.pk])).content.decode()
    assert "138****5678" in html
    assert "13812345678" not in html


@pytest.mark.parametrize(
    ("persona", "may_reveal"), [("bureau", True), ("township", False), ("enterprise", False)]
)
def test_contact_phones_are_masked_in_pages_and_revealed_only_through_the_audited_endpoint(
    client, personas, district, persona, may_reveal
):
    Enterprise.objects.filter(pk=district.coal.pk).update(safety_contact_phone="13837251234")
    login(client, personas, persona)
    for url in (
        reverse("registry:enterprise_detail", args=[district.coal.pk]),
        reverse("registry:enterprise_list"),
    ):
        html = client.get(url).content.decode()
        assert "13837251234" not in html
        assert "138****1234" in html
    detail = client.get(reverse("registry:enterprise_detail", args=[district.coal.pk])).content.decode()
    assert ('data-testid="reveal-personal-data"' in detail) is may_reveal
