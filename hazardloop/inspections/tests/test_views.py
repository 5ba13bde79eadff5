import subprocess

import pytest
from django.urls import reverse

from hazardloop.hazards.models import Hazard
from hazardloop.inspections import services
from hazardloop.inspections.choices import InspectionStatus
from hazardloop.inspections.models import ChecklistTemplate, Inspection

from .conftest import finding_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(personas, draft, levels):
    services.add_finding(draft, finding_data(levels.major), actor=personas.provider)
    services.add_finding(
        draft, finding_data(levels.general, title="配电箱无漏电保护"), actor=personas.provider
    )
    item = draft.checklist_version.items.first()
    services.record_item_results(
        draft, actor=personas.provider, results={item.pk: ("non_conforming", "风机房单回路供电")}
    )
    return services.submit_inspection(draft, actor=personas.provider)


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("admin", True),
        ("bureau", True),
        ("township", True),
        ("safety_unit", True),
        ("police", True),
        ("fire", True),  # a duty with no industry prefix covers every enterprise of the district
        ("provider", True),
        ("expert", True),
        ("enterprise", True),
        ("outsider", False),
    ],
)
def test_detail_is_scoped_per_role(client, personas, submitted, persona, visible):
    response = get(client, getattr(personas, persona), reverse("inspections:detail", args=[submitted.pk]))
    assert response.status_code == (200 if visible else 404)
    listed = get(client, getattr(personas, persona), reverse("inspections:list"))
    assert listed.status_code == 200
    assert (submitted.report_number in listed.content.decode()) is visible


def test_enterprise_does_not_see_a_draft(client, personas, draft):
    assert get(client, personas.enterprise, reverse("inspections:detail", args=[draft.pk])).status_code == 404
    assert get(client, personas.provider, reverse("inspections:detail", args=[draft.pk])).status_code == 200


def test_other_providers_expert_does_not_see_it(client, personas, district, submitted):
    from conftest import make_user
    from hazardloop.accounts.choices import Role

    other = make_user("other_expert", Role.EXPERT, expert=district.other_expert)
    assert get(client, other, reverse("inspections:detail", args=[submitted.pk])).status_code == 404


def test_list_filters_and_export(client, personas, submitted):
    url = reverse("inspections:list")
    assert submitted.report_number in get(client, personas.bureau, url, q="龙泉煤业").content.decode()
    assert submitted.report_number not in get(client, personas.bureau, url, status="draft").content.decode()
    assert (
        submitted.report_number
        not in get(client, personas.bureau, url, team_deviation="true").content.decode()
    )
    response = get(client, personas.bureau, url, export="xlsx", q="龙泉")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert get(client, personas.enterprise, url, export="xlsx").status_code == 403


def test_record_page_creates_draft_and_refuses_short_team_in_chinese(client, personas, district, team):
    client.force_login(personas.provider)
    url = reverse("inspections:new")
    assert client.get(url).status_code == 200
    data = {
        "enterprise": district.coal.pk,
        "experts": [team.wang.pk, team.zhang.pk],
        "leader": team.wang.pk,
        "started_at": "2026-11-20T09:00",
        "officer_name": "刘干事",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "至少需要 3 名专家" in response.content.decode()
    assert not Inspection.objects.exists()
    data["experts"].append(team.zhao.pk)
    response = client.post(url, data)
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "inspections:detail", args=[inspection.pk]
    )
    assert inspection.checklist_version.template.code == "coal"


def test_record_page_is_forbidden_to_government(client, personas):
    assert get(client, personas.bureau, reverse("inspections:new")).status_code == 403


def test_draft_flow_through_pages(client, personas, draft, levels):
    client.force_login(personas.provider)
    item = draft.checklist_version.items.first()
    client.post(
        reverse("inspections:results", args=[draft.pk]),
        {f"outcome_{item.pk}": "conforming", f"note_{item.pk}": "良好"},
    )
    assert draft.results.get(item=item).outcome == "conforming"
    response = client.post(
        reverse("inspections:finding_add", args=[draft.pk]),
        {
            "level": levels.general.pk,
            "category": "fire",
            "form": "state",
            "title": "灭火器过期",
            "description": "仓库灭火器压力不足。",
        },
    )
    assert response.status_code == 302 and draft.findings.count() == 1
    client.post(reverse("inspections:submit", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == InspectionStatus.SUBMITTED
    page = client.get(reverse("inspections:detail", args=[draft.pk])).content.decode()
    hazard = Hazard.objects.get(inspection_id=draft.pk)
    assert reverse("hazards:detail", args=[hazard.pk]) in page


def test_acknowledge_button_only_for_the_enterprise(client, personas, submitted):
    url = reverse("inspections:detail", args=[submitted.pk])
    assert 'data-testid="acknowledge"' not in get(client, personas.provider, url).content.decode()
    assert 'data-testid="acknowledge"' in get(client, personas.enterprise, url).content.decode()
    client.force_login(personas.provider)
    assert client.post(reverse("inspections:acknowledge", args=[submitted.pk])).status_code == 403
    client.force_login(personas.outsider)
    assert client.post(reverse("inspections:acknowledge", args=[submitted.pk])).status_code == 404
    client.force_login(personas.enterprise)
    client.post(reverse("inspections:acknowledge", args=[submitted.pk]), {"note": "收到"})
    submitted.refresh_from_db()
    assert submitted.status == InspectionStatus.ACKNOWLEDGED and submitted.acknowledgement_note == "收到"


def test_report_pdf_holds_the_chinese_and_renders(client, personas, submitted, tmp_path):
    response = get(client, personas.enterprise, reverse("inspections:report", args=[submitted.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    flat = "".join(text.split())
    assert "安全生产隐患排查报告" in flat
    assert "龙泉煤业有限公司" in flat
    assert submitted.report_number in flat
    assert "王工（组长）" in flat
    assert "刘干事" in flat
    assert "主扇风机无备用电源" in flat and "重大隐患" in flat
    assert "风机房单回路供电" in flat  # the non-conforming item's note
    assert "企业负责人（签字）" in flat
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    assert list(tmp_path.glob("page*.png"))


def test_checklist_pages_and_bureau_revision(client, personas):
    template = ChecklistTemplate.objects.get(code="coal")
    published = template.latest_published()
    assert get(client, personas.enterprise, reverse("inspections:checklist_list")).status_code == 200
    page = get(client, personas.provider, reverse("inspections:checklist_detail", args=[published.pk]))
    assert "应急管理部令第4号" in page.content.decode()
    client.force_login(personas.provider)
    assert client.post(reverse("inspections:checklist_revise", args=[template.pk])).status_code == 403
    client.force_login(personas.bureau)
    response = client.post(reverse("inspections:checklist_revise", args=[template.pk]))
    draft = template.versions.get(status="draft")
    assert response["Location"] == reverse("inspections:checklist_detail", args=[draft.pk])
    client.post(
        reverse("inspections:checklist_item_save", args=[draft.pk]),
        {
            "section": "新增",
            "text": "新检查项",
            "source": "新依据",
            "hazard_category": "production",
            "hazard_form": "state",
        },
    )
    assert draft.items.filter(text="新检查项").exists()
    client.post(reverse("inspections:checklist_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "published"
    # The old version is frozen: an edit is refused with a message, not a 500.
    response = client.post(
        reverse("inspections:checklist_item_save", args=[published.pk]),
        {"section": "x", "text": "x", "source": "x", "hazard_category": "production", "hazard_form": "state"},
        follow=True,
    )
    assert response.status_code == 200 and "已发布的检查表版本不能修改" in response.content.decode()


def test_enterprise_file_lists_its_visible_inspections(client, personas, district, submitted):
    url = reverse("registry:enterprise_detail", args=[district.coal.pk])
    page = get(client, personas.bureau, url).content.decode()
    assert 'data-testid="card-inspections"' in page and submitted.report_number in page
    page = get(client, personas.enterprise, url).content.decode()
    assert submitted.report_number in page


def test_anonymous_is_sent_to_login(client, draft):
    for url in (reverse("inspections:list"), reverse("inspections:detail", args=[draft.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_expert_records_only_visits_they_are_on(client, personas, district, team):
    client.force_login(personas.expert)  # 王工
    data = {
        "enterprise": district.coal.pk,
        "experts": [team.zhang.pk, team.zhao.pk, team.qian.pk],
        "leader": team.zhang.pk,
        "started_at": "2026-11-20T09:00",
    }
    response = client.post(reverse("inspections:new"), data)
    assert "专家只能记录自己参加的检查" in response.content.decode()
    data["experts"] = [team.wang.pk, team.zhang.pk, team.zhao.pk]
    data["leader"] = team.wang.pk
    response = client.post(reverse("inspections:new"), data)
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert inspection.provider == district.provider and inspection.created_by == personas.expert
    assert Inspection.objects.team_deviations().count() == 0


def test_checklist_filter_by_industry_and_export(client, personas):
    page = get(
        client, personas.township, reverse("inspections:checklist_list"), industry="2614"
    ).content.decode()
    assert "危险化学品安全检查表" in page and "煤矿安全检查表" not in page
    version = ChecklistTemplate.objects.get(code="hazchem").latest_published()
    response = get(
        client, personas.township, reverse("inspections:checklist_detail", args=[version.pk]), export="xlsx"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
