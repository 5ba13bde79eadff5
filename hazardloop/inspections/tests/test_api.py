import pytest

from hazardloop.hazards.models import Hazard
from hazardloop.inspections.choices import InspectionStatus
from hazardloop.inspections.models import Inspection

pytestmark = pytest.mark.django_db

BASE = "/api/inspections/inspections/"


def api(client, user):
    client.force_login(user)
    return client


def create_payload(district, team, **overrides):
    payload = {
        "enterprise": district.coal.pk,
        "experts": [team.wang.pk, team.zhang.pk, team.zhao.pk],
        "leader": team.wang.pk,
        "started_at": "2026-11-20T09:00:00+08:00",
        "officer_name": "刘干事",
        "officer_unit": "龙泉镇安监站",
    }
    payload.update(overrides)
    return payload


def test_full_flow_through_the_api(client, personas, district, team):
    c = api(client, personas.provider)
    response = c.post(BASE, create_payload(district, team), content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["status"] == "draft"
    item = Inspection.objects.get(pk=pk).checklist_version.items.first()
    response = c.post(
        f"{BASE}{pk}/results/",
        {"results": [{"item": item.pk, "outcome": "non_conforming", "note": "单回路"}]},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["results"][0]["outcome"] == "non_conforming"
    response = c.post(
        f"{BASE}{pk}/findings/",
        {
            "level": "major",
            "category": "production",
            "form": "state",
            "title": "无双回路供电",
            "description": "仅一路电源",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    response = c.post(f"{BASE}{pk}/submit/")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert Hazard.objects.filter(inspection_id=pk, legal_level="major").count() == 1
    assert response.json()["findings"][0]["hazard_number"]

    c = api(client, personas.enterprise)
    assert c.get(f"{BASE}{pk}/").status_code == 200
    response = c.post(f"{BASE}{pk}/acknowledge/", {"note": "收到"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == InspectionStatus.ACKNOWLEDGED
    report = c.get(f"{BASE}{pk}/report/")
    assert report.status_code == 200 and report["Content-Type"] == "application/pdf"


def test_refusals_are_400_403_404_in_chinese(client, personas, district, team):
    c = api(client, personas.provider)
    short = create_payload(district, team, experts=[team.wang.pk, team.zhang.pk])
    response = c.post(BASE, short, content_type="application/json")
    assert response.status_code == 400 and "至少需要 3 名专家" in response.json()["detail"]
    response = c.post(
        BASE, create_payload(district, team, enterprise=district.chem.pk), content_type="application/json"
    )
    assert response.status_code == 404
    response = c.post(BASE, create_payload(district, team, experts=[999999]), content_type="application/json")
    assert response.status_code == 400 and "专家不存在" in response.json()["detail"]
    response = c.post(BASE, {"enterprise": "x"}, content_type="application/json")
    assert response.status_code == 400
    pk = c.post(BASE, create_payload(district, team), content_type="application/json").json()["id"]
    response = c.post(
        f"{BASE}{pk}/findings/",
        {"level": "nope", "category": "production", "form": "state", "title": "x", "description": "y"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "隐患等级" in response.json()["detail"]

    # Government may read but not record; the enterprise may not see a draft; outsiders see nothing.
    assert (
        api(client, personas.bureau)
        .post(BASE, create_payload(district, team), content_type="application/json")
        .status_code
        == 403
    )
    assert api(client, personas.bureau).post(f"{BASE}{pk}/submit/").status_code == 403
    assert api(client, personas.enterprise).get(f"{BASE}{pk}/").status_code == 404
    assert api(client, personas.outsider).post(f"{BASE}{pk}/acknowledge/").status_code == 404
    c = api(client, personas.provider)
    c.post(f"{BASE}{pk}/submit/")
    assert c.post(f"{BASE}{pk}/acknowledge/").status_code == 403
    assert c.post(f"{BASE}{pk}/submit/").status_code == 400


def test_list_is_scoped_and_filtered(client, personas, district, team):
    c = api(client, personas.provider)
    pk = c.post(BASE, create_payload(district, team), content_type="application/json").json()["id"]
    ids = lambda response: [row["id"] for row in response.json()["results"]]  # noqa: E731
    assert ids(c.get(BASE)) == [pk]
    assert ids(c.get(BASE, {"status": "submitted"})) == []
    assert ids(api(client, personas.outsider).get(BASE)) == []
    assert ids(api(client, personas.bureau).get(BASE)) == [pk]


def test_anonymous_api_is_refused(client, personas, district, team):
    assert client.get(BASE).status_code in (401, 403)
    assert client.post(BASE, create_payload(district, team), content_type="application/json").status_code in (
        401,
        403,
    )
