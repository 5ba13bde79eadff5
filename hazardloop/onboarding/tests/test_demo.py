"""The demo's pending activations and how demo_logins tells a visitor to use one."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from hazardloop.core.demo import DemoContext
from hazardloop.onboarding import rules
from hazardloop.onboarding.demo import build_activation_codes
from hazardloop.onboarding.models import ActivationCode


def test_every_district_enterprise_without_a_login_gets_one_live_code(personas, district):
    # In the district: coal has a login (personas.enterprise); machine, chem and textile have
    # none. The outsider lies in another district, which the demo does not build.
    build_activation_codes(DemoContext(log=lambda _text: None))
    live = ActivationCode.objects.live()
    assert sorted(live.values_list("enterprise__name", flat=True)) == sorted(
        [district.machine.name, district.chem.name, district.textile.name]
    )
    build_activation_codes(DemoContext(log=lambda _text: None))
    assert ActivationCode.objects.count() == 3  # run again: nothing new


def test_demo_logins_names_the_login_or_the_code_of_an_enterprise(personas, district):
    build_activation_codes(DemoContext(log=lambda _text: None))
    out = StringIO()
    call_command("demo_logins", enterprise="龙泉", stdout=out)
    text = out.getvalue()
    code = ActivationCode.objects.get(enterprise=district.machine)
    assert "龙泉煤业有限公司" in text and "已开通：用户名 enterprise" in text
    assert f"激活码：{rules.display_code(code.code)}" in text
    assert f"/onboarding/activate/?c={district.machine.credit_code}&k={code.code}" in text
