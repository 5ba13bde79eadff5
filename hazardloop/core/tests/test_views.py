"""The shell: workbench counts per scope, navigation per capability, error pages, language switch,
and the list helpers the pages share."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory
from django.urls import reverse

from hazardloop.accounts import scoping
from hazardloop.core.context_processors import NAV_ITEMS
from hazardloop.core.tables import apply_ordering, page_size_from, stable
from hazardloop.core.templatetags.ui import expiry_state, sort_header
from hazardloop.registry.models import Enterprise

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


def nav_labels(response) -> list[str]:
    return [str(item["label"]) for item in response.context["nav_items"]]


def test_workbench_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_workbench_counts_the_users_scope(client, personas, persona):
    user = getattr(personas, persona)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    expected = personas.expected[persona]
    assert response.context["enterprise_count"] == len(expected)
    assert response.context["high_risk_count"] == sum(1 for e in expected if e.high_risk)
    html = response.content.decode()
    assert str(user) in html and user.organisation_name in html and user.get_role_display() in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_navigation_follows_the_capabilities(client, personas, persona):
    user = getattr(personas, persona)
    client.force_login(user)
    labels = nav_labels(client.get(reverse("home")))
    for item in NAV_ITEMS:
        allowed = item.capability is None or user.role in scoping.CAPABILITIES[item.capability]
        assert (str(item.label) in labels) is allowed, item.label
    assert ("系统管理" in labels) is (user.role == "admin")


def test_enterprise_user_sees_no_expert_or_provider_pages(client, personas):
    client.force_login(personas.enterprise)
    labels = nav_labels(client.get(reverse("home")))
    assert "企业档案" in labels
    assert not {"专家库", "服务机构", "成员单位", "数据导入"} & set(labels)


def test_bureau_sees_import_and_member_units(client, personas):
    client.force_login(personas.bureau)
    labels = nav_labels(client.get(reverse("home")))
    assert {"企业档案", "服务机构", "专家库", "成员单位", "数据导入"} <= set(labels)
    assert "系统管理" not in labels


def test_only_the_most_specific_nav_item_is_active(client, personas):
    client.force_login(personas.bureau)
    response = client.get(reverse("registry:enterprise_list"))
    active = [str(item["label"]) for item in response.context["nav_items"] if item["active"]]
    assert active == ["企业档案"]
    home = client.get(reverse("home"))
    assert [str(i["label"]) for i in home.context["nav_items"] if i["active"]] == ["工作台"]


def test_workbench_shortcuts_follow_the_role(client, personas):
    client.force_login(personas.bureau)
    bureau = {str(s["label"]) for s in client.get(reverse("home")).context["shortcuts"]}
    client.force_login(personas.provider)
    provider = {str(s["label"]) for s in client.get(reverse("home")).context["shortcuts"]}
    assert {"新增企业", "批量导入"} <= bureau
    assert not {"新增企业", "批量导入", "成员单位"} & provider
    assert "专家库" in provider


def test_enterprise_workbench_links_to_its_own_file(client, personas, district):
    client.force_login(personas.enterprise)
    html = client.get(reverse("home")).content.decode()
    assert reverse("registry:enterprise_detail", args=[district.coal.pk]) in html
    assert 'data-testid="by-township"' not in html


def test_workbench_breaks_down_by_township_for_government(client, personas, district):
    client.force_login(personas.bureau)
    rows = client.get(reverse("home")).context["by_township"]
    assert {(r["township__name"], r["n"]) for r in rows} == {("龙泉镇", 2), ("马投涧镇", 2)}


def test_404_page_uses_the_shell(client, personas):
    client.force_login(personas.bureau)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and 'data-testid="main-nav"' in html


def test_404_page_works_for_anonymous_visitors(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert 'data-testid="main-nav"' not in response.content.decode()


def test_pages_carry_no_inline_scripts_or_styles(client, personas, district):
    """The CSP forbids them; a stray one would silently break in the browser."""
    client.force_login(personas.bureau)
    for url in (
        reverse("home"),
        reverse("registry:enterprise_list"),
        reverse("registry:enterprise_detail", args=[district.coal.pk]),
        reverse("registry:enterprise_create"),
        reverse("login"),
    ):
        html = client.get(url).content.decode()
        assert "<script>" not in html and "style=" not in html and "<style" not in html, url
        assert "Content-Security-Policy" in client.get(url).headers


def test_language_switch_turns_the_pages_english(client, personas):
    client.force_login(personas.bureau)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    page = client.get(reverse("home"))
    html = page.content.decode()
    assert '<html lang="en">' in html
    assert "Enterprises" in nav_labels(page)
    assert "HazardLoop" in html
    back = client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    assert back.status_code == 302
    assert "企业档案" in nav_labels(client.get(reverse("home")))


def test_login_page_is_chinese_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert "隐患闭环管理系统" in html and "登录" in html


# --- helpers --------------------------------------------------------------------------------------


def test_page_size_accepts_only_offered_sizes():
    rf = RequestFactory()
    assert page_size_from(rf.get("/", {"page_size": "50"})) == 50
    assert page_size_from(rf.get("/", {"page_size": "5000"})) == 20
    assert page_size_from(rf.get("/", {"page_size": "abc"})) == 20
    assert page_size_from(rf.get("/")) == 20


def test_stable_ordering_appends_the_primary_key_once():
    qs = stable(Enterprise.objects.order_by("township__code"))
    assert list(qs.query.order_by) == ["township__code", "pk"]
    assert list(stable(Enterprise.objects.order_by("-pk")).query.order_by) == ["-pk"]


def test_apply_ordering_ignores_unknown_keys():
    rf = RequestFactory()
    allowed = {"name": "name"}
    assert list(
        apply_ordering(rf.get("/", {"ordering": "-name"}), Enterprise.objects.all(), allowed).query.order_by
    ) == ["-name"]
    assert (
        apply_ordering(
            rf.get("/", {"ordering": "password"}), Enterprise.objects.all(), allowed
        ).query.order_by
        == ()
    )


def test_sort_header_cycles_and_keeps_filters():
    rf = RequestFactory()
    fresh = sort_header({"request": rf.get("/", {"q": "煤", "page": "3"})}, "name", "名称")
    assert fresh["state"] == "" and fresh["url"] == "?q=%E7%85%A4&ordering=name"
    asc = sort_header({"request": rf.get("/", {"ordering": "name"})}, "name", "名称")
    assert asc["state"] == "asc" and asc["url"] == "?ordering=-name"
    desc = sort_header({"request": rf.get("/", {"ordering": "-name"})}, "name", "名称")
    assert desc["state"] == "desc" and desc["url"] == "?ordering=name"


def test_expiry_state_boundaries():
    today = dt.date(2026, 6, 1)
    assert expiry_state(None, today) == "ok"
    assert expiry_state(dt.date(2026, 5, 31), today) == "expired"
    assert expiry_state(today, today) == "soon"
    assert expiry_state(today + dt.timedelta(days=90), today) == "soon"
    assert expiry_state(today + dt.timedelta(days=91), today) == "ok"


def test_workbench_counts_the_users_hazards_by_stage_and_what_waits_for_them(client, personas, district):
    from hazardloop.hazards import services as hazard_services
    from hazardloop.hazards.models import HazardLevel
    from hazardloop.registry.choices import HazardCategory

    general = HazardLevel.objects.filter(legal_level="general", active=True).order_by("order").first()
    hazard_services.register_hazard(
        actor=personas.expert,
        enterprise=district.coal,
        level=general,
        category=HazardCategory.PRODUCTION,
        form="state",
        title="配电柜前未铺设绝缘垫",
        description="现场检查发现",
    )
    client.force_login(personas.safety_unit)  # the hazard is routed to this unit by its duties
    loop = client.get(reverse("home")).context["loop"]
    stages = {value: count for _n, value, _label, count in loop["stages"]}
    assert stages["supervision"] == 1 and sum(stages.values()) == 1
    assert loop["mine"] == 1  # the unit's move: issue the notice
    client.force_login(personas.township)
    assert client.get(reverse("home")).context["loop"]["mine"] == 0  # townships read, never act
    client.force_login(personas.outsider)
    assert sum(c for *_x, c in client.get(reverse("home")).context["loop"]["stages"]) == 0
