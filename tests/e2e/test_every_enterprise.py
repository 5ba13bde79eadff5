"""Every enterprise reachable, in the machine's Chromium:

1. an enterprise with no account gets a rectification notice; its safety manager opens the
   activation link printed on the notice (read from the PDF, as a person would type it),
   opens the enterprise's account, finds the hazard and reports the rectification;
2. a township officer records a rectification on another enterprise's behalf (代录), and the
   timeline names who recorded it for whom."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from conftest import PASSWORD
from hazardloop.accounts.models import User
from hazardloop.accounts.testing import log_in_browser
from hazardloop.hazards import services as hazard_services
from hazardloop.hazards.models import Hazard, HazardLevel
from hazardloop.hazards.views import render_notice_pdf
from hazardloop.registry.choices import HazardCategory

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _photo(tmp_path, name: str) -> str:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "green").save(out, format="PNG")
    path = tmp_path / name
    path.write_bytes(out.getvalue())
    return str(path)


def _noticed_hazard(personas, enterprise, title: str) -> Hazard:
    """A provider finding at an enterprise without an account, noticed by 区应急管理局."""
    hazard = hazard_services.register_hazard(
        actor=personas.provider,
        enterprise=enterprise,
        level=HazardLevel.objects.get(code="general"),
        category=HazardCategory.PRODUCTION,
        form="state",
        title=title,
        description="现场检查发现",
        photos=[],
    )
    hazard = Hazard.objects.get(pk=hazard.pk)
    assert hazard.status == "routed"
    hazard_services.issue_notice(
        hazard,
        actor=personas.safety_unit,
        version=hazard.version,
        requirements="立即整改",
        deadline=timezone.localdate() + dt.timedelta(days=30),
    )
    return Hazard.objects.get(pk=hazard.pk)


def _act(page, action: str):
    block = page.locator(f"[data-testid=action-{action}]")
    block.locator("button[data-bs-toggle=collapse]").click()
    form = block.locator("form")
    expect(form).to_be_visible()
    return form


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_an_enterprise_without_an_account_activates_from_its_notice_and_rectifies(
    open_page, live_server, personas, district, tmp_path, artifacts_dir
):
    machine = district.machine
    assert not User.objects.filter(enterprise=machine).exists()
    hazard = _noticed_hazard(personas, machine, "配电箱门未关闭")

    # The notice as printed: the link and the code are on it.
    pdf = tmp_path / "notice.pdf"
    pdf.write_bytes(render_notice_pdf(hazard.notices.get()))
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    ).stdout.decode()
    text = "".join(text.split())  # the activation box is narrow: its lines wrap
    code = re.search(r"激活码：([0-9A-Z]{4}-[0-9A-Z]{4})", text).group(1)
    assert "/onboarding/activate/" in text

    # On the safety manager's phone: the activation page, credit code and code typed in.
    page = open_page(PHONE)
    page.goto(live_server.url + reverse("onboarding:activate"))
    form = page.locator("[data-testid=activation-form]")
    form.locator("[name=credit_code]").fill(machine.credit_code)
    form.locator("[name=code]").fill(code)
    form.locator("[name=display_name]").fill("赵安全")
    form.locator("[name=phone]").fill("13937201234")
    form.locator("[name=username]").fill("longquan_jixie")
    form.locator("[name=password]").fill("Anquan#2026ok")
    form.locator("[name=password_again]").fill("Anquan#2026ok")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(live_server.url) + r"/($|\?)"))
    expect(page.locator(".alert-success")).to_contain_text("企业账号已开通")
    page.screenshot(path=artifacts_dir / "activation-1-signed-in.png", full_page=True)

    # The hazard, found from the ledger with no id typed, and its rectification.
    page.goto(live_server.url + reverse("hazards:list"))
    page.get_by_role("link", name=hazard.number).first.click()
    rectify = _act(page, "submit_rectification")
    rectify.locator("[name=measures]").fill("已关闭并加锁")
    rectify.locator("[name=responsible_person]").fill("赵安全")
    rectify.locator("[name=completed_on]").fill(timezone.localdate().isoformat())
    rectify.locator("[name=evidence]").set_input_files(_photo(tmp_path, "整改后.png"))
    rectify.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=hazard-status]")).to_contain_text("待复查")
    page.screenshot(path=artifacts_dir / "activation-2-rectified.png", full_page=True)

    user = User.objects.get(username="longquan_jixie")
    assert user.enterprise == machine and user.role == "enterprise"
    assert Hazard.objects.get(pk=hazard.pk).rectifications.get().submitted_by == user


def test_a_township_officer_records_a_rectification_on_the_enterprises_behalf(
    open_page, live_server, personas, district, tmp_path, artifacts_dir
):
    hazard = _noticed_hazard(personas, district.machine, "消防通道堆放杂物")
    page = open_page(DESKTOP)
    log_in_browser(page, live_server.url, "township", PASSWORD)
    page.goto(live_server.url + reverse("hazards:detail", args=[hazard.pk]))
    form = _act(page, "record_rectification")
    form.locator("[name=measures]").fill("已清理通道（企业报送纸质材料）")
    form.locator("[name=responsible_person]").fill("钱经理")
    form.locator("[name=completed_on]").fill(timezone.localdate().isoformat())
    form.locator("[name=evidence]").set_input_files(_photo(tmp_path, "清理后.png"))
    form.locator("[name=received_from]").fill("钱经理")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=hazard-status]")).to_contain_text("待复查")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("代龙泉机械厂录入，企业提交人：钱经理")
    page.screenshot(path=artifacts_dir / "on-behalf-recorded.png", full_page=True)
    record = Hazard.objects.get(pk=hazard.pk).rectifications.get()
    assert record.submitted_by == personas.township
