"""Pages: scoping per role (no capability → 403, out of scope → 404), the pack on the page, the
forms calling the services, and the pack as PDF (its Chinese text, and it renders) and Excel."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conftest import make_user
from hazardloop.accounts.choices import Role
from hazardloop.hazards.models import Hazard
from hazardloop.meetings import services
from hazardloop.meetings.choices import MeetingStatus
from hazardloop.meetings.models import Meeting, MeetingDecision, MeetingPack

pytestmark = pytest.mark.django_db


def get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("bureau", 200),
        ("leader", 200),
        ("safety_unit", 200),  # invited
        ("fire", 200),  # invited
        ("police", 404),  # a member unit not invited
        ("township", 200),
        ("other_bureau", 404),  # another district's bureau
        ("provider", 403),
        ("expert", 403),
        ("enterprise", 403),
        ("admin", 403),
    ],
)
def test_meeting_detail_by_role(client, scene, who, expected):
    user = scene.other_bureau if who == "other_bureau" else getattr(scene.p, who)
    services.build_pack(scene.meeting, actor=scene.p.bureau)
    assert get(client, user, "meetings:detail", scene.meeting.pk).status_code == expected
    pdf = get(client, user, "meetings:pack_pdf", scene.meeting.pk) if expected != 200 else None
    if pdf is not None:
        assert pdf.status_code == expected


def test_list_shows_the_meetings_in_scope_only(client, scene):
    other = services.schedule_meeting(
        actor=scene.other_bureau,
        district=scene.d.town_x.parent,
        year=scene.period.year,
        month=scene.period.month,
        scheduled_at=scene.meeting.scheduled_at,
        place="殷都区会议室",
        convener_name="王区长",
    )
    page = get(client, scene.p.bureau, "meetings:list")
    assert page.status_code == 200
    assert scene.meeting.number in page.content.decode() and other.number not in page.content.decode()
    police = make_user("police2", Role.MEMBER_UNIT, member_unit=scene.d.police)
    assert scene.meeting.number not in get(client, police, "meetings:list").content.decode()
    assert get(client, scene.p.enterprise, "meetings:list").status_code == 403


def test_list_filters_search_and_exports(client, scene):
    page = get(client, scene.p.leader, "meetings:list", status=MeetingStatus.HELD)
    assert scene.meeting.number not in page.content.decode()
    page = get(client, scene.p.leader, "meetings:list", year=scene.period.year, q="三楼")
    assert scene.meeting.number in page.content.decode()
    export = get(client, scene.p.leader, "meetings:export", q="三楼")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "会议编号" and values[1][0] == scene.meeting.number and len(values) == 2


def test_detail_shows_the_pack_sections_with_links_to_hazards(client, scene):
    client.force_login(scene.p.bureau)
    response = client.post(reverse("meetings:build_pack", args=[scene.meeting.pk]))
    assert response.status_code == 302 and MeetingPack.objects.count() == 1
    html = get(client, scene.p.bureau, "meetings:detail", scene.meeting.pk).content.decode()
    for title in (
        "本月排查隐患（按服务机构）",
        "上月隐患整改情况（按成员单位）",
        "逾期未整改隐患",
        "挂牌督办重大隐患",
        "成员单位汇报",
    ):
        assert title in html
    assert reverse("hazards:detail", args=[scene.g_overdue.pk]) in html
    assert reverse("hazards:detail", args=[scene.h_major.pk]) in html


def test_leader_may_not_build_the_pack_and_nothing_is_built(client, scene):
    client.force_login(scene.p.leader)
    assert client.post(reverse("meetings:build_pack", args=[scene.meeting.pk])).status_code == 403
    client.force_login(scene.other_bureau)
    assert client.post(reverse("meetings:build_pack", args=[scene.meeting.pk])).status_code == 404
    assert not MeetingPack.objects.exists()


def test_forms_run_the_meeting_through_the_services(client, scene):
    client.force_login(scene.p.safety_unit)
    client.post(reverse("meetings:report", args=[scene.meeting.pk]), {"report": "已督办隐患全部下达整改通知"})
    client.force_login(scene.p.bureau)
    client.post(reverse("meetings:attendance", args=[scene.meeting.pk]), {"attended": [scene.d.safety.pk]})
    client.post(
        reverse("meetings:decision", args=[scene.meeting.pk]),
        {
            "kind": "reassign",
            "text": "移交消防大队",
            "hazard_numbers": scene.h_coal.number,
            "member_unit": scene.d.fire.pk,
        },
    )
    assert Hazard.objects.get(pk=scene.h_coal.pk).member_unit == scene.d.fire
    # Refused by the hazard service: the message is shown and nothing changes.
    response = client.post(
        reverse("meetings:decision", args=[scene.meeting.pk]),
        {
            "kind": "reassign",
            "text": "再移交消防",
            "hazard_numbers": scene.h_coal.number,
            "member_unit": scene.d.fire.pk,
        },
        follow=True,
    )
    assert "该隐患已由此单位督办" in response.content.decode()
    assert MeetingDecision.objects.count() == 1
    client.post(
        reverse("meetings:minutes", args=[scene.meeting.pk]), {"text": "会议议定：逾期隐患一律转入执法。"}
    )
    client.force_login(scene.p.leader)
    client.post(reverse("meetings:approve_minutes", args=[scene.meeting.pk]))
    meeting = Meeting.objects.get(pk=scene.meeting.pk)
    assert meeting.status == MeetingStatus.MINUTES_PUBLISHED
    assert meeting.attendances.get(member_unit=scene.d.safety).report == "已督办隐患全部下达整改通知"


def test_bureau_schedules_a_meeting_from_the_form(client, scene):
    client.force_login(scene.p.bureau)
    before = scene.before
    response = client.post(
        reverse("meetings:create"),
        {
            "district": scene.d.longan.pk,
            "year": before.year,
            "month": before.month,
            "scheduled_at": f"{before.next.first_day:%Y-%m}-10T09:00",
            "place": "区应急局会议室",
            "convener": scene.p.leader.pk,
        },
    )
    meeting = Meeting.objects.get(year=before.year, month=before.month)
    assert response.status_code == 302 and meeting.attendances.count() == 3
    again = client.post(
        reverse("meetings:create"),
        {
            "district": scene.d.longan.pk,
            "year": before.year,
            "month": before.month,
            "scheduled_at": f"{before.next.first_day:%Y-%m}-10T09:00",
            "place": "x",
            "convener_name": "张",
        },
    )
    # The form comes back with the service's field message and 400, the input kept.
    assert again.status_code == 400 and "该月份已有联席会议" in again.content.decode()
    client.force_login(scene.p.leader)
    assert client.get(reverse("meetings:create")).status_code == 403


def test_pack_pdf_contains_its_chinese_text_and_renders(client, scene):
    services.submit_unit_report(scene.meeting, actor=scene.p.safety_unit, report="本月督办隐患全部按期整改")
    services.build_pack(scene.meeting, actor=scene.p.bureau)
    response = get(client, scene.p.township, "meetings:pack_pdf", scene.meeting.pk)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pack.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        compact = "".join(text.split())
        for expected in (
            "隐患排查治理联席会议",
            "本月排查隐患（按服务机构）",
            "安阳安泰安全技术服务有限公司",
            "龙泉镇",
            "逾期未整改隐患",
            scene.g_overdue.number,
            "挂牌督办重大隐患",
            "本月督办隐患全部按期整改",
        ):
            assert expected in compact, expected
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(path), str(Path(tmp) / "page")],
            check=True,
        )
        page = next(Path(tmp).glob("page*.png"))
        assert page.stat().st_size > 1000


def test_pack_excel_has_a_sheet_per_section(client, scene):
    services.build_pack(scene.meeting, actor=scene.p.bureau)
    response = get(client, scene.p.leader, "meetings:pack_xlsx", scene.meeting.pk)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "概况" and len(book.sheetnames) == 10
    overdue = book["逾期未整改隐患"]
    assert [c.value for c in overdue[2]][0] == scene.g_overdue.number
    provider = book["本月排查隐患(按服务机构)"]
    totals = {row[0]: row[1] for row in provider.iter_rows(min_row=2, values_only=True)}
    assert totals["安阳安泰安全技术服务有限公司"] == 3


def test_pdf_without_a_pack_is_not_found(client, scene):
    assert get(client, scene.p.bureau, "meetings:pack_pdf", scene.meeting.pk).status_code == 404


def test_detail_query_count_does_not_grow_with_decisions(client, scene):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.build_pack(scene.meeting, actor=scene.p.bureau)
    services.record_attendance(scene.meeting, actor=scene.p.bureau, attended=[scene.d.safety.pk])
    services.record_decision(scene.meeting, actor=scene.p.bureau, kind="other", text="第一项")
    client.force_login(scene.p.bureau)
    url = reverse("meetings:detail", args=[scene.meeting.pk])
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for n in range(4):
        services.record_decision(scene.meeting, actor=scene.p.bureau, kind="other", text=f"第{n + 2}项")
    with CaptureQueriesContext(connection) as second:
        assert client.get(url).status_code == 200
    assert len(second) == len(first)
