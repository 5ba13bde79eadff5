import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from hazardloop.accounts.testing import api_token_key
from hazardloop.enforcement.choices import ActionKind, ActionStatus
from hazardloop.enforcement.models import EnforcementAction
from hazardloop.hazards.choices import HazardStatus
from hazardloop.hazards.models import Hazard

from .conftest import CJK_RE

pytestmark = pytest.mark.django_db

ACTIONS = "/api/enforcement/actions/"


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_key(user)}")
    return client


def ids(response) -> set[int]:
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    return {row["id"] for row in rows}


@pytest.fixture
def actions(personas, district, record):
    return {"coal": record(ActionKind.WARNING), "chem": record(ActionKind.WARNING, enterprise=district.chem)}


def payload(hazard, **extra):
    data = {
        "member_unit": hazard.member_unit_id,
        "enterprise": hazard.enterprise_id,
        "kind": ActionKind.FINE,
        "hazards": [hazard.pk],
        "document_number": "龙应急罚〔2026〕9号",
        "decided_on": timezone.localdate().isoformat(),
        "facts": "逾期未整改",
        "legal_basis_law": "中华人民共和国安全生产法",
        "legal_basis_article": "第一百零二条",
        "unit_fine_amount": "20000",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("persona", ["admin", "bureau", "safety_unit", "fire", "enterprise", "outsider"])
def test_list_is_scoped(personas, actions, persona):
    user = getattr(personas, persona)
    response = api_as(user).get(ACTIONS, {"page_size": 100})
    assert response.status_code == 200
    assert ids(response) == set(EnforcementAction.objects.visible_to(user).values_list("pk", flat=True))


def test_provider_is_forbidden(personas, actions):
    assert api_as(personas.provider).get(ACTIONS).status_code == 403


def test_detail_out_of_scope_is_404(personas, actions):
    assert api_as(personas.enterprise).get(f"{ACTIONS}{actions['chem'].pk}/").status_code == 404
    assert api_as(personas.enterprise).get(f"{ACTIONS}{actions['coal'].pk}/").status_code == 200


def test_create_moves_the_hazard(personas, loop):
    hazard = loop.rectifying(major=True)
    response = api_as(personas.safety_unit).post(ACTIONS, payload(hazard), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["hazards"][0]["status"] == HazardStatus.UNDER_ENFORCEMENT
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.UNDER_ENFORCEMENT


def test_create_400_with_chinese_field_errors(personas, loop):
    hazard = loop.rectifying(major=True)
    response = api_as(personas.safety_unit).post(
        ACTIONS, payload(hazard, unit_fine_amount="", legal_basis_law=""), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert CJK_RE.search(body["unit_fine_amount"][0])
    assert CJK_RE.search(body["legal_basis_law"][0])
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.RECTIFYING


@pytest.mark.parametrize("persona", ["enterprise", "township", "leader"])
def test_create_403_for_readers(personas, loop, persona):
    hazard = loop.rectifying(major=True)
    response = api_as(getattr(personas, persona)).post(ACTIONS, payload(hazard), format="json")
    assert response.status_code == 403
    assert not EnforcementAction.objects.exists()


def test_create_404_for_another_units_hazard(personas, district, loop):
    hazard = loop.rectifying(major=True)
    response = api_as(personas.fire).post(
        ACTIONS, payload(hazard, member_unit=district.fire.pk), format="json"
    )
    assert response.status_code == 404
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.RECTIFYING


def test_fulfil_and_revoke(personas, actions):
    client = api_as(personas.safety_unit)
    target = actions["coal"]
    bad = client.post(f"{ACTIONS}{target.pk}/fulfil/", {"note": "已履行"}, format="json")
    assert bad.status_code == 400 and "fulfilled_on" in bad.json()
    ok = client.post(
        f"{ACTIONS}{target.pk}/fulfil/",
        {"note": "已履行", "fulfilled_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == ActionStatus.FULFILLED
    assert client.post(f"{ACTIONS}{target.pk}/revoke/", {"reason": "复议撤销"}, format="json").json()[
        "status"
    ] == (ActionStatus.REVOKED)
    assert (
        api_as(personas.enterprise).post(f"{ACTIONS}{target.pk}/revoke/", {"reason": "x"}).status_code == 403
    )
    assert api_as(personas.fire).post(f"{ACTIONS}{target.pk}/revoke/", {"reason": "x"}).status_code == 404
