"""Every enterprise reachable: the notice carries an activation code for an enterprise without
an account, and officers may record its rectification on its behalf (代录)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import pytest
from django.urls import reverse
from django.utils import timezone

from hazardloop.core.errors import NotVisible, Refused, ServiceError
from hazardloop.hazards import services
from hazardloop.hazards.models import Hazard, Rectification
from hazardloop.hazards.views import render_notice_pdf
from hazardloop.onboarding import rules
from hazardloop.onboarding.models import ActivationCode

from .conftest import photo

# 龙泉机械厂 (township A, no account) is reported by the provider persona: the expert persona
# has a conflict of interest there.


def _record(hazard, actor, **overrides):
    data = {
        "measures": "已铺设绝缘垫",
        "responsible_person": "李四",
        "completed_on": timezone.localdate(),
        "cost": "80",
        "evidence": [photo("after.jpg")],
        "on_behalf": True,
        "received_from": "王五",
    }
    data.update(overrides)
    return services.submit_rectification(hazard, actor=actor, version=hazard.version, **data)


def _pdf_text(content: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        out = subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", handle.name, "-"], capture_output=True, check=True
        )
    # Lines wrap inside the narrow activation box: compare without whitespace.
    return "".join(out.stdout.decode().split())


def test_a_notice_to_an_enterprise_without_an_account_issues_a_code(loop, district):
    hazard = loop.noticed(enterprise=district.machine, actor=loop.p.provider)
    notice = hazard.notices.get()
    code = ActivationCode.objects.live().get(enterprise=district.machine)
    assert notice.number in code.reason
    # A second notice while the code has weeks left prints the same code.
    loop.noticed(enterprise=district.machine, actor=loop.p.provider, title="二号配电柜前未铺设绝缘垫")
    assert ActivationCode.objects.filter(enterprise=district.machine).count() == 1


def test_a_notice_to_an_enterprise_with_an_account_issues_none(loop, district):
    loop.noticed()  # 龙泉煤业 has the `enterprise` persona
    assert not ActivationCode.objects.exists()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_the_notice_pdf_prints_the_code_only_when_the_enterprise_has_no_account(loop, district):
    hazard = loop.noticed(enterprise=district.machine, actor=loop.p.provider)
    code = ActivationCode.objects.get(enterprise=district.machine)
    text = _pdf_text(render_notice_pdf(hazard.notices.get()))
    assert rules.display_code(code.code) in text
    assert "/onboarding/activate/" in text
    with_account = loop.noticed()
    assert "激活码" not in _pdf_text(render_notice_pdf(with_account.notices.get()))


def test_a_township_officer_records_the_rectification_for_the_enterprise(loop, personas, district):
    hazard = loop.noticed(enterprise=district.machine, actor=loop.p.provider)
    record = _record(hazard, personas.township)
    after = Hazard.objects.get(pk=hazard.pk)
    assert after.status == "awaiting_reinspection"
    assert record.submitted_by == personas.township
    event = after.events.order_by("-seq").first()
    assert event.actor == personas.township
    assert event.data["on_behalf_of_name"] == "龙泉机械厂"
    assert event.data["received_from"] == "王五"


def test_the_timeline_says_who_recorded_it_for_whom(client, loop, personas, district):
    hazard = loop.noticed(enterprise=district.machine, actor=loop.p.provider)
    _record(hazard, personas.safety_unit)
    client.force_login(personas.bureau)
    page = client.get(reverse("hazards:detail", args=[hazard.pk])).content.decode()
    assert f"{personas.safety_unit}（代龙泉机械厂录入，企业提交人：王五）" in page


def test_the_enterprise_itself_and_providers_cannot_record_on_behalf(loop, personas, district):
    hazard = loop.noticed()
    for actor in (personas.enterprise, personas.provider, personas.bureau, personas.leader):
        with pytest.raises(Refused):
            _record(hazard, actor)
    assert Hazard.objects.get(pk=hazard.pk).status == "rectifying"


def test_a_member_unit_the_hazard_is_not_routed_to_cannot_see_it(loop, personas, district):
    hazard = loop.noticed(enterprise=district.machine, actor=loop.p.provider)
    with pytest.raises(NotVisible):
        _record(hazard, personas.fire)


def test_without_the_enterprise_person_nothing_is_written(loop, personas, district):
    hazard = loop.noticed(enterprise=district.machine, actor=loop.p.provider)
    with pytest.raises(ServiceError) as caught:
        _record(hazard, personas.township, received_from=" ")
    assert caught.value.errors["received_from"] == ["请填写提交整改材料的企业人员。"]
    assert not Rectification.objects.exists()
    assert Hazard.objects.get(pk=hazard.pk).version == hazard.version
