"""The closed loop in the machine's Chromium, every party at its own login:

1. an expert records an inspection at 龙泉煤业 with a team of three and a finding with a photo;
2. the hazard is routed by the district's rules, and the member unit issues the notice (PDF);
3. the enterprise rectifies with an evidence photo;
4. the expert re-inspects and the hazard is closed (销号);

and a major hazard that ran past its deadline is handled by enforcement: the member unit records
a fine linked to it and the hazard moves to 执法处理中."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from conftest import PASSWORD
from hazardloop.accounts.testing import log_in_browser
from hazardloop.hazards import services as hazard_services
from hazardloop.hazards.models import Hazard, HazardLevel
from hazardloop.inspections.models import ChecklistItem
from hazardloop.registry import services as registry_services

from .conftest import DESKTOP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.two_factor,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _photo(tmp_path, name: str, colour: str):
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, format="PNG")
    path = tmp_path / name
    path.write_bytes(out.getvalue())
    return str(path)


def _sign_in(open_page, live_server, username):
    page = open_page(DESKTOP)
    log_in_browser(page, live_server.url, username, PASSWORD)
    page.wait_for_url(re.compile(re.escape(live_server.url) + r"/($|\?)"))
    return page


def _choose(select, *texts: str) -> None:
    """Select the options whose text contains any of `texts` (labels carry extra detail)."""
    values = select.evaluate(
        "(el, texts) => [...el.options].filter(o => texts.some(t => o.text.includes(t))).map(o => o.value)",
        list(texts),
    )
    assert len(values) >= len(texts), f"no option for {texts}"
    select.select_option(value=values)


def _act(page, action: str):
    """Open the collapsible form of a hazard action and return it."""
    block = page.locator(f"[data-testid=action-{action}]")
    block.locator("button[data-bs-toggle=collapse]").click()
    form = block.locator("form")
    expect(form).to_be_visible()
    return form


@pytest.fixture
def coal_team(personas):
    """龙泉煤业 is a large coal mine (high risk): the firm fields three coal experts."""
    d_expert = personas.expert.expert
    for name in ("赵工", "钱工"):
        registry_services.register_expert(
            actor=personas.admin, provider=d_expert.provider, name=name, specialties=["coal", "general"]
        )
    return personas


def test_one_hazard_walks_the_whole_loop_in_the_browser(
    open_page, live_server, coal_team, tmp_path, artifacts_dir
):
    personas = coal_team
    coal = personas.enterprise.enterprise

    # 1. 排查: the expert records the visit and a finding with a photo.
    page = _sign_in(open_page, live_server, "expert")
    page.goto(live_server.url + reverse("inspections:new"))
    form = page.locator("[data-testid=inspection-form]")
    _choose(form.locator("#id_enterprise"), coal.name)
    _choose(form.locator("#id_experts"), "王工", "赵工", "钱工")
    _choose(form.locator("#id_leader"), "王工")
    started = timezone.localtime() - dt.timedelta(hours=2)
    form.locator("#id_started_at").fill(started.strftime("%Y-%m-%dT%H:%M"))
    form.locator("#id_officer_name").fill("孙干事")
    form.locator("#id_officer_unit").fill("龙泉镇安监站")
    form.locator("button[type=submit]").click()
    page.screenshot(path=artifacts_dir / "loop-0-draft.png", full_page=True)
    expect(page.locator("[data-testid=inspection-status]")).to_contain_text("草稿")

    finding = page.locator("[data-testid=finding-form]")
    # A general finding: an item that is not a 重大隐患判定标准 criterion (failing one of those
    # makes the finding a suspected major by rule, for the government to confirm).
    offered = finding.locator("#id_item").evaluate("el => [...el.options].map(o => o.value).filter(Boolean)")
    general_item = (
        ChecklistItem.objects.filter(pk__in=[int(v) for v in offered], major_criterion=False)
        .order_by("pk")
        .first()
    )
    finding.locator("#id_item").select_option(value=str(general_item.pk))
    _choose(finding.locator("#id_level"), "一般")
    finding.locator("#id_title").fill("皮带机头防护罩缺失")
    finding.locator("#id_description").fill("主斜井皮带机头部转动部位未设防护罩")
    finding.locator("#id_location").fill("主斜井皮带机头")
    finding.locator("#id_photos").set_input_files(_photo(tmp_path, "现场.png", "orange"))
    finding.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=findings]")).to_contain_text("皮带机头防护罩缺失")
    page.get_by_role("button", name="提交检查记录").click()
    expect(page.locator("[data-testid=inspection-status]")).to_contain_text("已提交")
    page.screenshot(path=artifacts_dir / "loop-1-inspection.png", full_page=True)

    hazard = Hazard.objects.get(title="皮带机头防护罩缺失")
    assert hazard.status == "routed", "the district's duties route a coal mine's hazard at once"
    assert hazard.member_unit == personas.safety_unit.member_unit
    assert hazard.attachments.count() == 1
    hazard_url = live_server.url + reverse("hazards:detail", args=[hazard.pk])

    # 2. 督办: the member unit issues the rectification notice.
    page = _sign_in(open_page, live_server, "safety_unit")
    page.goto(hazard_url)
    notice = _act(page, "issue_notice")
    notice.locator("[name=requirements]").fill("立即加装防护罩，并对全部转动部位排查一遍")
    notice.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=hazard-status]")).to_contain_text("整改中")
    expect(page.locator("[data-testid=notices]")).to_contain_text("整改")
    pdf = page.request.get(
        live_server.url + page.locator("[data-testid=notice-pdf]").first.get_attribute("href")
    )
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF-")

    # 3. 整改: the enterprise reports the work done with a photo.
    page = _sign_in(open_page, live_server, "enterprise")
    page.goto(hazard_url)
    rectify = _act(page, "submit_rectification")
    rectify.locator("[name=measures]").fill("已加装钢制防护罩")
    rectify.locator("[name=responsible_person]").fill("周明")
    rectify.locator("[name=completed_on]").fill(timezone.localdate().isoformat())
    rectify.locator("[name=evidence]").set_input_files(_photo(tmp_path, "整改后.png", "green"))
    rectify.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=hazard-status]")).to_contain_text("待复查")
    expect(page.locator("[data-testid=rectifications] [data-testid=evidence] img")).to_have_count(1)

    # 4. 复查: the expert passes the re-inspection; the hazard is closed.
    page = _sign_in(open_page, live_server, "expert")
    page.goto(hazard_url)
    reinspect = _act(page, "reinspect")
    reinspect.get_by_label("合格", exact=True).check()
    reinspect.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=hazard-status]")).to_contain_text("已销号")
    page.screenshot(path=artifacts_dir / "loop-2-closed.png", full_page=True)

    hazard.refresh_from_db()
    assert hazard.status == "closed" and hazard.closure == "reinspection"
    names = list(hazard.events.order_by("seq").values_list("name", flat=True))
    assert names[0] == "register" and names[-1] == "pass_reinspection"
    assert {"route", "issue_notice", "submit_rectification"} <= set(names)


def test_an_overdue_major_hazard_is_handled_by_enforcement(open_page, live_server, personas, artifacts_dir):
    coal = personas.enterprise.enterprise
    major = HazardLevel.objects.filter(legal_level="major", active=True).order_by("order").first()
    # Found and noticed a month ago with a short deadline, through the same services as always.
    month_ago = timezone.now() - dt.timedelta(days=30)
    with time_machine.travel(month_ago, tick=False):
        hazard = hazard_services.register_hazard(
            actor=personas.expert,
            enterprise=coal,
            level=major,
            category="production",
            form="state",
            title="采区未按规定设置避难硐室",
            description="二采区无避难硐室",
        )
        hazard.refresh_from_db()
        # The expert only reports a suspected major; the member unit confirms it (认定) before
        # the notice, as the law gives that act to the government.
        hazard_services.confirm_major(
            hazard, actor=personas.safety_unit, version=hazard.version, note="经核实属实"
        )
        hazard.refresh_from_db()
        hazard_services.issue_notice(
            hazard,
            actor=personas.safety_unit,
            version=hazard.version,
            requirements="制定治理方案并限期整改",
            deadline=timezone.localdate() + dt.timedelta(days=10),
        )
    hazard.refresh_from_db()
    assert hazard.status == "awaiting_plan" and hazard.deadline < timezone.localdate()

    page = _sign_in(open_page, live_server, "safety_unit")
    page.goto(live_server.url + reverse("hazards:detail", args=[hazard.pk]))
    expect(page.locator("[data-testid=hazard-due]")).to_contain_text("已逾期")
    page.locator("[data-testid=enforcement-link]").click()
    form = page.locator("form[method=post]").filter(has=page.locator("[name=kind]")).first
    form.locator("[name=kind]").select_option(value="fine")
    form.locator("[name=document_number]").fill("龙应急罚〔2026〕99号")
    form.locator("[name=legal_basis_law]").fill("中华人民共和国安全生产法")
    form.locator("[name=legal_basis_article]").fill("第一百零二条")
    form.locator("[name=facts]").fill("重大事故隐患逾期未按通知要求制定治理方案")
    form.locator("[name=unit_fine_amount]").fill("30000")
    form.locator("button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("龙应急罚〔2026〕99号")
    page.screenshot(path=artifacts_dir / "loop-3-enforcement.png", full_page=True)

    hazard.refresh_from_db()
    assert hazard.status == "under_enforcement"
    assert hazard.enforcement_actions.filter(kind="fine").exists()
