"""Log in as each demo role in a real browser and check the navigation it is given, on a desktop
and on a phone; then the enterprise list's HTMX filtering and the language switch."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import PASSWORD
from hazardloop.accounts import scoping
from hazardloop.accounts.testing import log_in_browser
from hazardloop.core.context_processors import NAV_ITEMS

from .conftest import DESKTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.two_factor,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PERSONAS = [
    "admin",
    "bureau",
    "leader",
    "safety_unit",
    "township",
    "provider",
    "expert",
    "enterprise",
]


def expected_nav(role: str) -> list[str]:
    """URL names the role's capabilities open, in menu order (admin also gets the Django admin)."""
    names = [
        item.url_name
        for item in NAV_ITEMS
        if item.capability is None or role in scoping.CAPABILITIES[item.capability]
    ]
    return [*names, "admin:index"] if role == "admin" else names


def log_in(page, live_server, username):
    # Bureau and admin pass the second factor (TOTP) after the password, as in production.
    log_in_browser(page, live_server.url, username, PASSWORD)
    page.wait_for_url(live_server.url + reverse("home"))


def visible_nav(page) -> list[str]:
    links = page.locator("[data-testid=main-nav] a[data-nav]")
    return [links.nth(i).get_attribute("data-nav") for i in range(links.count()) if links.nth(i).is_visible()]


def csp_errors(page) -> list[str]:
    return [m for m in page.console_errors if "Content Security Policy" in m]


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_sees_its_navigation_on_a_desktop(open_page, live_server, personas, artifacts_dir, persona):
    user = getattr(personas, persona)
    page = open_page(DESKTOP)
    log_in(page, live_server, user.username)

    assert visible_nav(page) == expected_nav(user.role)
    topbar = page.locator("[data-testid=topbar]")
    assert "隐患闭环管理系统" in topbar.inner_text()
    assert page.locator("[data-testid=user-name]").inner_text() == str(user)
    page.screenshot(path=artifacts_dir / f"nav-{persona}-desktop.png", full_page=True)
    assert csp_errors(page) == []


def test_enterprise_user_has_no_expert_pages_and_bureau_can_import(open_page, live_server, personas):
    page = open_page(DESKTOP)
    log_in(page, live_server, "enterprise")
    nav = page.locator("[data-testid=main-nav]")
    assert nav.get_by_text("企业档案").is_visible()
    assert nav.get_by_text("专家库").count() == 0
    assert nav.get_by_text("数据导入").count() == 0

    page = open_page(DESKTOP)
    log_in(page, live_server, "bureau")
    nav = page.locator("[data-testid=main-nav]")
    assert nav.get_by_text("数据导入").is_visible()
    assert nav.get_by_text("专家库").is_visible()


@pytest.mark.parametrize("persona", ["bureau", "township", "provider", "enterprise"])
def test_on_a_phone_the_sidebar_folds_into_an_offcanvas(
    open_page, live_server, personas, artifacts_dir, persona
):
    user = getattr(personas, persona)
    page = open_page(PHONE)
    log_in(page, live_server, user.username)
    page.screenshot(path=artifacts_dir / f"nav-{persona}-phone.png", full_page=True)

    assert visible_nav(page) == []  # folded away until asked for
    page.click("[data-testid=nav-toggle]")
    page.wait_for_selector("#app-sidebar.show")
    expected = expected_nav(user.role)
    expect(page.locator("[data-testid=main-nav] a[data-nav]").last).to_be_visible()
    assert visible_nav(page) == expected
    page.screenshot(path=artifacts_dir / f"nav-{persona}-phone-open.png")

    # The page itself must fit the phone: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_enterprise_list_filters_in_place_with_htmx(
    open_page, live_server, personas, district, artifacts_dir
):
    page = open_page(DESKTOP)
    log_in(page, live_server, "bureau")
    page.goto(live_server.url + reverse("registry:enterprise_list"))
    rows = page.locator("[data-testid=enterprise-row]")
    assert rows.count() == 4
    page.evaluate("window.__sameDocument = true")

    page.fill("#id_q", "马投涧")
    expect(rows).to_have_count(2)
    assert page.evaluate("window.__sameDocument === true")  # swapped in place, no reload
    assert re.search(r"[?&]q=", page.url)
    assert district.chem.name in page.locator("[data-testid=enterprise-results]").inner_text()

    # Sorting from a header keeps the search and, via the out-of-band input, survives the next filter.
    page.click("th >> text=从业人员")
    page.wait_for_url(re.compile(r"ordering=employees"))
    expect(rows.first.locator("a")).to_have_text(district.textile.name)
    assert page.input_value("#id_ordering") == "employees"
    assert page.evaluate("window.__sameDocument === true")
    export = page.locator("[data-testid=export-button]").get_attribute("href")
    assert "q=" in export and "ordering=employees" in export
    page.screenshot(path=artifacts_dir / "enterprise-list-filtered.png", full_page=True)
    assert csp_errors(page) == []


def test_enterprise_list_filters_without_javascript(open_page, live_server, personas, district):
    page = open_page(DESKTOP, javascript=False)
    log_in(page, live_server, "bureau")
    page.goto(live_server.url + reverse("registry:enterprise_list"))
    page.fill("#id_q", "龙泉")
    page.click("[data-testid=enterprise-filters] button[type=submit]")
    page.wait_for_url(re.compile(r"q=%E9%BE%99%E6%B3%89"))
    names = page.locator("[data-testid=enterprise-row] a").all_inner_texts()
    assert sorted(names) == sorted([district.coal.name, district.machine.name])


def test_language_switch_turns_the_interface_english(open_page, live_server, personas, artifacts_dir):
    page = open_page(DESKTOP)
    log_in(page, live_server, "bureau")
    page.click("[data-testid=language-switch] button")
    page.wait_for_selector("html[lang=en]")
    nav = page.locator("[data-testid=main-nav]").inner_text()
    assert "Enterprises" in nav and "Experts" in nav and "企业档案" not in nav
    page.screenshot(path=artifacts_dir / "workbench-english.png", full_page=True)
    page.click("[data-testid=language-switch] button")
    page.wait_for_selector("html[lang=zh-hans]")
    assert "企业档案" in page.locator("[data-testid=main-nav]").inner_text()


def test_file_page_tabs_on_a_phone(open_page, live_server, personas, district, artifacts_dir):
    page = open_page(PHONE)
    log_in(page, live_server, "township")
    page.goto(live_server.url + reverse("registry:enterprise_detail", args=[district.machine.pk]))
    assert page.locator("[data-testid=card-risk]").is_visible()
    page.screenshot(path=artifacts_dir / "enterprise-file-phone.png", full_page=True)
    page.click("#tab-conflicts")
    page.wait_for_selector("[data-testid=card-conflicts]", state="visible")
    assert "曾任该厂安全科长" in page.locator("[data-testid=card-conflicts]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
