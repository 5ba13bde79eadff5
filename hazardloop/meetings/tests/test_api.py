"""API: scoped list and detail, the pack as JSON and PDF, build and minutes through the services."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from hazardloop.hazards.models import Hazard
from hazardloop.meetings import services
from hazardloop.meetings.models import MeetingPack, Minutes

pytestmark = pytest.mark.django_db

BASE = "/api/meetings/meetings/"


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_and_detail_are_scoped(scene):
    assert [m["number"] for m in api(scene.p.bureau).get(BASE).json()["results"]] == [scene.meeting.number]
    assert api(scene.other_bureau).get(BASE).json()["results"] == []
    assert api(scene.other_bureau).get(f"{BASE}{scene.meeting.pk}/").status_code == 404
    assert api(scene.p.police).get(f"{BASE}{scene.meeting.pk}/").status_code == 404
    assert api(scene.p.provider).get(BASE).status_code == 403
    detail = api(scene.p.fire).get(f"{BASE}{scene.meeting.pk}/").json()
    assert {a["member_unit_name"] for a in detail["attendances"]} == {"区应急管理局", "区消防救援大队"}


def test_build_returns_the_pack_and_marks_hazards_fed_back(scene):
    assert api(scene.p.leader).post(f"{BASE}{scene.meeting.pk}/pack/build/").status_code == 403
    assert api(scene.other_bureau).post(f"{BASE}{scene.meeting.pk}/pack/build/").status_code == 404
    assert api(scene.p.bureau).get(f"{BASE}{scene.meeting.pk}/pack/").status_code == 404
    response = api(scene.p.bureau).post(f"{BASE}{scene.meeting.pk}/pack/build/")
    assert response.status_code == 201
    body = response.json()
    assert body["data"]["totals"]["findings"] == 4
    assert Hazard.objects.get(pk=scene.h_coal.pk).fed_back_meeting == scene.meeting.number
    same = api(scene.p.township).get(f"{BASE}{scene.meeting.pk}/pack/").json()
    assert same["id"] == body["id"] and same["hazard_ids"] == body["hazard_ids"]
    pdf = api(scene.p.leader).get(f"{BASE}{scene.meeting.pk}/pack/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert MeetingPack.objects.count() == 1


def test_minutes_need_a_held_meeting_and_the_bureau(scene):
    refused = api(scene.p.bureau).post(f"{BASE}{scene.meeting.pk}/minutes/", {"text": "纪要"}, format="json")
    assert refused.status_code == 400 and "已安排" in refused.json()["detail"]
    services.record_attendance(scene.meeting, actor=scene.p.bureau, attended=[])
    assert (
        api(scene.p.leader)
        .post(f"{BASE}{scene.meeting.pk}/minutes/", {"text": "纪要"}, format="json")
        .status_code
        == 403
    )
    empty = api(scene.p.bureau).post(f"{BASE}{scene.meeting.pk}/minutes/", {"text": " "}, format="json")
    assert empty.status_code == 400 and "text" in empty.json()
    ok = api(scene.p.bureau).post(
        f"{BASE}{scene.meeting.pk}/minutes/", {"text": "会议纪要正文"}, format="json"
    )
    assert ok.status_code == 200 and Minutes.objects.get().text == "会议纪要正文"


def test_attendance_report_decisions_and_approval_through_the_api(scene):
    url = f"{BASE}{scene.meeting.pk}/"
    report = api(scene.p.safety_unit).post(f"{url}report/", {"report": "已全部督办"}, format="json")
    assert report.status_code == 200 and report.json()["report"] == "已全部督办"
    assert api(scene.p.police).post(f"{url}report/", {"report": "x"}, format="json").status_code == 404
    assert api(scene.p.bureau).post(f"{url}report/", {"report": "x"}, format="json").status_code == 403
    assert (
        api(scene.p.safety_unit).post(f"{url}attendance/", {"attended": []}, format="json").status_code == 403
    )
    held = api(scene.p.bureau).post(f"{url}attendance/", {"attended": [scene.d.safety.pk]}, format="json")
    assert held.status_code == 200 and held.json()["status"] == "held"

    body = {
        "kind": "reassign",
        "text": "移交消防",
        "hazards": [scene.h_coal.pk],
        "member_unit": scene.d.fire.pk,
    }
    created = api(scene.p.bureau).post(f"{url}decisions/", body, format="json")
    assert created.status_code == 201 and created.json()["outcome"] == "applied"
    assert Hazard.objects.get(pk=scene.h_coal.pk).member_unit == scene.d.fire
    refused = api(scene.p.bureau).post(f"{url}decisions/", body, format="json")
    assert refused.status_code == 400 and "该隐患已由此单位督办" in refused.json()["detail"]
    outside = {**body, "hazards": [scene.h_outside.pk]}
    assert api(scene.p.bureau).post(f"{url}decisions/", outside, format="json").status_code == 400

    api(scene.p.bureau).post(f"{url}minutes/", {"text": "纪要"}, format="json")
    assert api(scene.p.bureau).post(f"{url}minutes/approve/").status_code == 403
    approved = api(scene.p.leader).post(f"{url}minutes/approve/")
    assert approved.status_code == 200 and approved.json()["approved_at"]
