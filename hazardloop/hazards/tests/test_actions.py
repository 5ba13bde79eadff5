"""Every action on the hazard page and through the API: offered and performed for the right role,
refused (403, state unchanged) for others; per-field errors re-shown without losing the input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from hazardloop.hazards.forms import ENFORCEMENT_ACTIONS
from hazardloop.hazards.models import Hazard

from .conftest import PLAN, photo

pytestmark = pytest.mark.django_db


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _today() -> dt.date:
    return timezone.localdate()


# action → (builder, actor, a role that may not, data (callable of hazard, district), files, state)
CASES = {
    "route": ("found", "bureau", "enterprise", lambda h, d: {"member_unit": d.safety.pk}, None, "routed"),
    "reassign": (
        "routed",
        "bureau",
        "enterprise",
        lambda h, d: {"member_unit": d.fire.pk, "reason": "属消防职责"},
        None,
        "routed",
    ),
    "issue_notice": (
        "routed",
        "safety_unit",
        "enterprise",
        lambda h, d: {
            "deadline": (_today() + dt.timedelta(days=20)).isoformat(),
            "basis": "calendar",
            "requirements": "立即铺设绝缘垫",
            "legal_basis": "《安全生产法》第四十一条",
        },
        None,
        "rectifying",
    ),
    "submit_plan": (
        "awaiting_plan",
        "enterprise",
        "safety_unit",
        lambda h, d: dict(PLAN),
        None,
        "plan_review",
    ),
    "approve_plan": (
        "plan_review",
        "safety_unit",
        "enterprise",
        lambda h, d: {"note": "同意"},
        None,
        "rectifying",
    ),
    "reject_plan": (
        "plan_review",
        "safety_unit",
        "enterprise",
        lambda h, d: {"note": "经费未落实"},
        None,
        "awaiting_plan",
    ),
    "request_extension": (
        "rectifying",
        "enterprise",
        "safety_unit",
        lambda h, d: {
            "requested_deadline": (h.deadline + dt.timedelta(days=20)).isoformat(),
            "reason": "设备到货延迟",
        },
        None,
        "rectifying",
    ),
    "decide_extension": (
        "with_extension_request",
        "safety_unit",
        "enterprise",
        lambda h, d: {"decision": "approved", "note": ""},
        None,
        "rectifying",
    ),
    "submit_rectification": (
        "rectifying",
        "enterprise",
        "safety_unit",
        lambda h, d: {
            "measures": "已铺设绝缘垫",
            "cost": "120.50",
            "responsible_person": "李四",
            "completed_on": _today().isoformat(),
        },
        "evidence",
        "awaiting_reinspection",
    ),
    "record_rectification": (
        "rectifying",
        "township",
        "enterprise",
        lambda h, d: {
            "measures": "已铺设绝缘垫（企业报送纸质材料）",
            "cost": "120.50",
            "responsible_person": "李四",
            "completed_on": _today().isoformat(),
            "received_from": "王五",
        },
        "evidence",
        "awaiting_reinspection",
    ),
    "reinspect": (
        "awaiting_reinspection",
        "expert",
        "enterprise",
        lambda h, d: {"verdict": "passed", "findings": "整改到位"},
        "evidence",
        "closed",
    ),
    "close_on_the_spot": (
        "found",
        "expert",
        "enterprise",
        lambda h, d: {"measures": "当场铺设", "responsible_person": "张三"},
        "evidence",
        "closed",
    ),
    "overturn": (
        "routed",
        "bureau",
        "enterprise",
        lambda h, d: {"reason": "现场复核为误判"},
        None,
        "overturned",
    ),
    "apply_resumption": (
        "awaiting_resumption",
        "enterprise",
        "safety_unit",
        lambda h, d: {"assessed_by": "firm", "assessment_summary": "评估合格"},
        "evidence",
        "resumption_review",
    ),
    "review_resumption": (
        "resumption_review",
        "safety_unit",
        "enterprise",
        lambda h, d: {"verdict": "passed", "findings": "现场审查合格"},
        None,
        "closed",
    ),
    "start_enforcement": (
        "rectifying",
        "safety_unit",
        "enterprise",
        lambda h, d: {"reason": "refused", "note": "拒不整改，立案"},
        None,
        "under_enforcement",
    ),
    "conclude_enforcement": (
        "under_enforcement",
        "safety_unit",
        "enterprise",
        lambda h, d: {"note": "已处罚", "deadline": (_today() + dt.timedelta(days=15)).isoformat()},
        None,
        "rectifying",
    ),
}


def build(loop, builder: str) -> Hazard:
    return getattr(loop, builder)()


def page_post(client, hazard, action, data, file_field=None, files=None):
    payload = {"version": hazard.version, **data}
    if file_field:
        payload[file_field] = files if files is not None else [photo("after.jpg")]
    return client.post(reverse("hazards:act", args=[hazard.pk, action]), payload)


@pytest.mark.parametrize("action", sorted(CASES))
def test_page_offers_and_performs_each_action_for_its_role(client, loop, personas, district, action):
    builder, actor, _other, data, file_field, state = CASES[action]
    hazard = build(loop, builder)
    client.force_login(getattr(personas, actor))
    page = client.get(reverse("hazards:detail", args=[hazard.pk]))
    if action in ENFORCEMENT_ACTIONS and page.context["enforcement_url"]:
        # The enforcement app's page records these; the hazard page links there instead.
        assert action not in [a["name"] for a in page.context["actions"]]
    else:
        assert action in [a["name"] for a in page.context["actions"]]
        assert f'action="{reverse("hazards:act", args=[hazard.pk, action])}"' in page.content.decode()
    events = hazard.events.count()
    response = page_post(client, hazard, action, data(hazard, district), file_field)
    assert response.status_code == 302, response.content.decode()[:3000]
    after = Hazard.objects.get(pk=hazard.pk)
    assert after.status == state
    assert after.version == hazard.version + 1
    assert after.events.count() > events


@pytest.mark.parametrize("action", sorted(CASES))
def test_page_refuses_each_action_for_another_role(client, loop, personas, district, action):
    builder, _actor, other, data, file_field, _state = CASES[action]
    hazard = build(loop, builder)
    client.force_login(getattr(personas, other))
    page = client.get(reverse("hazards:detail", args=[hazard.pk]))
    assert action not in [a["name"] for a in page.context["actions"]]
    response = page_post(client, hazard, action, data(hazard, district), file_field)
    assert response.status_code == 403
    after = Hazard.objects.get(pk=hazard.pk)
    assert (after.status, after.version) == (hazard.status, hazard.version)


@pytest.mark.parametrize("action", sorted(CASES))
def test_api_performs_each_action_and_refuses_other_roles(loop, personas, district, action):
    builder, actor, other, data, file_field, state = CASES[action]
    hazard = build(loop, builder)
    url = f"/api/hazards/hazards/{hazard.pk}/transitions/{action}/"
    payload = {"version": hazard.version, **data(hazard, district)}
    refused = api_as(getattr(personas, other)).post(url, payload, format="json")
    assert refused.status_code == 403
    assert Hazard.objects.get(pk=hazard.pk).version == hazard.version
    if file_field:
        payload[file_field] = [photo("after.jpg")]
        response = api_as(getattr(personas, actor)).post(url, payload, format="multipart")
    else:
        response = api_as(getattr(personas, actor)).post(url, payload, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == state


def test_api_answers_per_field_chinese_errors(loop, personas):
    hazard = loop.rectifying()
    url = f"/api/hazards/hazards/{hazard.pk}/transitions/submit_rectification/"
    response = api_as(personas.enterprise).post(
        url, {"version": hazard.version, "measures": "已整改", "completed_on": "明天"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"detail", "responsible_person", "completed_on", "evidence"}
    assert "该字段是必填项" in body["evidence"][0]
    assert Hazard.objects.get(pk=hazard.pk).status == "rectifying"


def test_api_conflict_and_unknown_action(loop, personas):
    hazard = loop.plan_review()
    base = f"/api/hazards/hazards/{hazard.pk}/transitions/"
    stale = api_as(personas.safety_unit).post(
        f"{base}approve_plan/", {"version": hazard.version - 1}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json()["detail"] == "该隐患已被他人处理，请刷新后重试"
    assert api_as(personas.safety_unit).post(f"{base}fly/", {"version": 1}, format="json").status_code == 404
    outsider = api_as(personas.outsider).post(f"{base}submit_plan/", {"version": 1}, format="json")
    assert outsider.status_code == 404


def test_invalid_page_form_is_shown_again_with_errors_and_input(client, loop, personas):
    hazard = loop.rectifying()
    client.force_login(personas.enterprise)
    response = page_post(
        client,
        hazard,
        "submit_rectification",
        {
            "measures": "已更换绝缘垫并张贴警示",
            "responsible_person": "",
            "completed_on": _today().isoformat(),
        },
        file_field="evidence",
        files=[],
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "已更换绝缘垫并张贴警示" in html
    assert 'data-testid="field-error-evidence"' in html
    assert 'data-testid="field-error-responsible_person"' in html
    assert 'id="action-submit_rectification"' in html and "collapse show" in html
    assert Hazard.objects.get(pk=hazard.pk).status == "rectifying"


def test_service_refusal_is_shown_beside_the_field(client, loop, personas):
    hazard = loop.awaiting_reinspection()
    client.force_login(personas.expert)
    response = page_post(client, hazard, "reinspect", {"verdict": "failed", "findings": ""})
    assert response.status_code == 400
    assert "复查不合格须写明问题" in response.content.decode()
    assert Hazard.objects.get(pk=hazard.pk).status == "awaiting_reinspection"


def test_page_stale_version_says_someone_else_acted(client, loop, personas):
    hazard = loop.plan_review()
    client.force_login(personas.safety_unit)
    response = client.post(
        reverse("hazards:act", args=[hazard.pk, "approve_plan"]), {"version": hazard.version - 1}, follow=True
    )
    assert "该隐患已被他人处理，请刷新后重试" in response.content.decode()
    assert Hazard.objects.get(pk=hazard.pk).status == "plan_review"


def test_route_form_suggests_the_rule_and_reassign_leaves_out_the_holder(client, loop, personas, district):
    hazard = loop.found()
    client.force_login(personas.bureau)
    page = client.get(reverse("hazards:detail", args=[hazard.pk]))
    (route,) = [a for a in page.context["actions"] if a["name"] == "route"]
    assert route["form"].fields["member_unit"].initial == district.safety.pk
    assert "交办规则建议：区应急管理局" in page.content.decode()
    routed = loop.routed()
    page = client.get(reverse("hazards:detail", args=[routed.pk]))
    (reassign,) = [a for a in page.context["actions"] if a["name"] == "reassign"]
    assert district.safety not in reassign["form"].fields["member_unit"].queryset


def test_notice_form_defaults_deadline_from_the_level(client, loop, personas):
    from hazardloop.hazards import services

    hazard = loop.routed()
    client.force_login(personas.safety_unit)
    page = client.get(reverse("hazards:detail", args=[hazard.pk]))
    (notice,) = [a for a in page.context["actions"] if a["name"] == "issue_notice"]
    expected, basis = services.default_deadline(hazard.level, _today())
    assert notice["form"].fields["deadline"].initial == expected
    assert notice["form"].fields["basis"].initial == basis
    assert "halt" not in notice["form"].fields  # a general hazard cannot be halted


def test_extension_granted_with_another_deadline(client, loop, personas):
    hazard = loop.with_extension_request()
    granted = hazard.deadline + dt.timedelta(days=10)
    client.force_login(personas.safety_unit)
    response = page_post(
        client, hazard, "decide_extension", {"decision": "approved", "deadline": granted.isoformat()}
    )
    assert response.status_code == 302
    assert Hazard.objects.get(pk=hazard.pk).deadline == granted


def test_extension_refusal_needs_a_reason(client, loop, personas):
    hazard = loop.with_extension_request()
    client.force_login(personas.safety_unit)
    response = page_post(client, hazard, "decide_extension", {"decision": "refused", "note": ""})
    assert response.status_code == 400
    assert "请填写不同意延期的理由" in response.content.decode()
    assert hazard.extension_requests.get().decision == "pending"


def test_only_the_reporter_is_offered_close_on_the_spot(client, loop, personas):
    hazard = loop.found(actor=personas.bureau)
    client.force_login(personas.bureau)
    names = [a["name"] for a in client.get(reverse("hazards:detail", args=[hazard.pk])).context["actions"]]
    assert "close_on_the_spot" in names
    mine = loop.found()
    names = [a["name"] for a in client.get(reverse("hazards:detail", args=[mine.pk])).context["actions"]]
    assert "close_on_the_spot" not in names


def test_enforcement_link_replaces_the_bare_forms_when_the_page_exists(client, loop, personas, monkeypatch):
    from hazardloop.hazards import views

    hazard = loop.rectifying()
    client.force_login(personas.safety_unit)
    page = client.get(reverse("hazards:detail", args=[hazard.pk]))
    names = [a["name"] for a in page.context["actions"]]
    if page.context["enforcement_url"]:
        assert "start_enforcement" not in names
        assert f"?hazard={hazard.pk}" in page.context["enforcement_url"]
    else:
        assert "start_enforcement" in names
    monkeypatch.setattr(views, "reverse", lambda name: "/enforcement/new/")
    page = client.get(reverse("hazards:detail", args=[hazard.pk]))
    assert page.context["enforcement_url"] == f"/enforcement/new/?hazard={hazard.pk}"
    assert "录入执法措施" in page.content.decode()
    assert "start_enforcement" not in [a["name"] for a in page.context["actions"]]
    client.force_login(personas.enterprise)
    assert client.get(reverse("hazards:detail", args=[hazard.pk])).context["enforcement_url"] == ""


def test_records_appear_on_the_hazard_page(client, loop, personas):
    hazard = loop.awaiting_reinspection(major=True)
    client.force_login(personas.enterprise)
    page = client.get(reverse("hazards:detail", args=[hazard.pk]))
    html = page.content.decode()
    notice = hazard.notices.get()
    assert notice.number in html
    assert reverse("hazards:notice_pdf", args=[notice.pk]) in html
    assert PLAN["goal_and_tasks"] in html
    assert "已铺设绝缘垫" in html
    (rectification, files) = page.context["rectifications"][0]
    assert files and all(reverse("hazards:attachment", args=[f.pk]) in html for f in files)
    assert "/media/" not in html


def test_waiting_for_me_filter(client, loop, personas):
    mine = loop.rectifying()
    theirs = loop.plan_review()
    client.force_login(personas.enterprise)
    response = client.get(reverse("hazards:list"), {"mine": "true"})
    listed = {h.pk for h in response.context["result"].page.object_list}
    assert mine.pk in listed and theirs.pk not in listed
    assert response.context["mine_count"] == len(listed)
    client.force_login(personas.safety_unit)
    listed = {
        h.pk for h in client.get(reverse("hazards:list"), {"mine": "true"}).context["result"].page.object_list
    }
    assert theirs.pk in listed and mine.pk not in listed
    api = api_as(personas.enterprise).get("/api/hazards/hazards/", {"mine": "true"})
    rows = api.json()["results"] if isinstance(api.json(), dict) else api.json()
    assert {row["id"] for row in rows} == {mine.pk}


def test_record_endpoints(loop, personas):
    hazard = loop.awaiting_reinspection(major=True)
    client = api_as(personas.enterprise)
    base = f"/api/hazards/hazards/{hazard.pk}"
    notices = client.get(f"{base}/notices/").json()
    assert notices[0]["number"] == hazard.notices.get().number
    assert client.get(f"{base}/plans/").json()[0]["decision"] == "approved"
    assert client.get(f"{base}/rectifications/").json()[0]["responsible_person"] == "李四"
    attachments = client.get(f"{base}/attachments/").json()
    assert attachments and all(a["url"].startswith("/hazards/attachments/") for a in attachments)
    for path in ("reinspections", "extensions", "resumption-reviews", "timeline"):
        assert client.get(f"{base}/{path}/").status_code == 200
    assert api_as(personas.outsider).get(f"{base}/notices/").status_code == 404
