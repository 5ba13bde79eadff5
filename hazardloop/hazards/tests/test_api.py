import pytest
from rest_framework.test import APIClient

from hazardloop.accounts.testing import api_token_key
from hazardloop.hazards.models import Hazard

pytestmark = pytest.mark.django_db

HAZARDS = "/api/hazards/hazards/"


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_key(user)}")
    return client


@pytest.fixture
def hazards(loop, district, personas):
    return {
        "coal": loop.found(enterprise=district.coal),
        "chem": loop.found(enterprise=district.chem, actor=personas.bureau),
    }


def numbers(response) -> set[str]:
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    return {row["number"] for row in rows}


@pytest.mark.parametrize("persona", ["admin", "bureau", "enterprise", "outsider"])
def test_list_is_scoped(personas, hazards, persona):
    user = getattr(personas, persona)
    response = api_as(user).get(HAZARDS, {"page_size": 100})
    assert response.status_code == 200
    assert numbers(response) == set(Hazard.objects.visible_to(user).values_list("number", flat=True))


def test_detail_and_timeline_out_of_scope_404(personas, hazards):
    client = api_as(personas.enterprise)
    assert client.get(f"{HAZARDS}{hazards['coal'].pk}/").status_code == 200
    timeline = client.get(f"{HAZARDS}{hazards['coal'].pk}/timeline/")
    assert timeline.status_code == 200 and len(timeline.json()) >= 1
    assert client.get(f"{HAZARDS}{hazards['chem'].pk}/").status_code == 404


def test_transition_statuses(personas, hazards):
    hazard = hazards["chem"]
    url = f"{HAZARDS}{hazard.pk}/transitions/overturn/"
    bureau = api_as(personas.bureau)
    refused = bureau.post(url, {"version": hazard.version, "reason": ""}, format="json")
    assert refused.status_code == 400
    stale = bureau.post(url, {"version": hazard.version - 1, "reason": "误判"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["detail"] == "该隐患已被他人处理，请刷新后重试"
    hazard.refresh_from_db()
    assert hazard.status == "found"
    assert (
        api_as(personas.enterprise).post(url, {"version": hazard.version, "reason": "x"}).status_code == 404
    )
    coal_url = f"{HAZARDS}{hazards['coal'].pk}/transitions/overturn/"
    assert api_as(personas.enterprise).post(coal_url, {"version": 1, "reason": "x"}).status_code == 403
    done = bureau.post(url, {"version": hazard.version, "reason": "现场复核为误判"}, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == "overturned"
    assert hazard.events.order_by("seq").last().name == "overturn"
