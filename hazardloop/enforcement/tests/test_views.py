import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from hazardloop.enforcement.choices import ActionKind, ActionStatus
from hazardloop.enforcement.models import EnforcementAction
from hazardloop.hazards.choices import HazardStatus
from hazardloop.hazards.models import Hazard

pytestmark = pytest.mark.django_db


@pytest.fixture
def actions(personas, district, loop, record):
    major = loop.rectifying(major=True)
    return {
        "coal": record(ActionKind.FINE, hazards=[major]),
        "chem": record(ActionKind.WARNING, enterprise=district.chem),
        "fire": record(
            ActionKind.INTERVIEW, actor=personas.fire, member_unit=district.fire, enterprise=district.machine
        ),
    }


EXPECTED = {
    "admin": {"coal", "chem", "fire"},
    "bureau": {"coal", "chem", "fire"},
    "leader": {"coal", "chem", "fire"},
    "township": {"coal", "fire"},  # township A: coal and machine
    "safety_unit": {"coal", "chem"},
    "fire": {"fire"},
    "enterprise": {"coal"},
    "outsider": set(),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_list_shows_exactly_the_scope(client, personas, actions, persona):
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("enforcement:list"), {"page_size": 100})
    assert response.status_code == 200
    listed = {a.pk for a in response.context["result"].page.object_list}
    assert listed == {actions[k].pk for k in EXPECTED[persona]}


@pytest.mark.parametrize("persona", ["provider", "expert"])
def test_providers_and_experts_may_not_open_the_list(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("enforcement:list")).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("enforcement:list"))
    assert response.status_code == 302


def test_member_unit_sees_another_units_action_on_its_hazard(personas, district, loop, record):
    hazard = loop.rectifying()  # routed to the safety unit
    action = record(ActionKind.WARNING, actor=personas.bureau, member_unit=district.fire, hazards=[hazard])
    assert EnforcementAction.objects.visible_to(personas.safety_unit).filter(pk=action.pk).exists()


def test_filters_and_search(client, personas, actions):
    client.force_login(personas.bureau)
    url = reverse("enforcement:list")
    by_kind = client.get(url, {"kind": ActionKind.WARNING}).context["result"].page.object_list
    assert [a.pk for a in by_kind] == [actions["chem"].pk]
    by_number = client.get(url, {"q": actions["coal"].document_number}).context["result"].page.object_list
    assert [a.pk for a in by_number] == [actions["coal"].pk]
    future = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert not client.get(url, {"decided_from": future}).context["result"].page.object_list


def test_art113_filter_and_badge(client, personas, district, loop, record, actions):
    major = Hazard.objects.get(enforcement_actions=actions["coal"])
    record(ActionKind.FINE, hazards=[major])
    record(ActionKind.FINE, hazards=[major])
    client.force_login(personas.bureau)
    response = client.get(reverse("enforcement:list"), {"art113": "true"})
    rows = response.context["result"].page.object_list
    assert {a.enterprise_id for a in rows} == {district.coal.pk}
    assert 'data-testid="art113-flag"' in response.content.decode()


def test_export_is_filtered_and_scoped(client, personas, actions):
    client.force_login(personas.enterprise)
    response = client.get(reverse("enforcement:export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "文书编号"
    assert [r[0] for r in rows[1:]] == [actions["coal"].document_number]


def test_detail_scope_and_content(client, personas, actions):
    client.force_login(personas.enterprise)
    assert client.get(reverse("enforcement:detail", args=[actions["chem"].pk])).status_code == 404
    response = client.get(reverse("enforcement:detail", args=[actions["coal"].pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "第一百零二条" in page
    assert 'data-testid="art113-panel"' in page
    assert "登记履行" not in page  # an enterprise reads only


def test_create_prefilled_from_a_hazard_and_records(client, personas, loop):
    hazard = loop.rectifying(major=True)
    client.force_login(personas.safety_unit)
    url = reverse("enforcement:create")
    form = client.get(url, {"hazard": hazard.pk}).context["form"]
    assert form.initial["enterprise"] == hazard.enterprise
    assert form.initial["hazards"] == [hazard]
    response = client.post(
        url,
        {
            "member_unit": hazard.member_unit_id,
            "enterprise": hazard.enterprise_id,
            "kind": ActionKind.FINE,
            "hazards": [hazard.pk],
            "document_number": "龙应急罚〔2026〕88号",
            "decided_on": timezone.localdate().isoformat(),
            "facts": "逾期未整改重大事故隐患",
            "legal_basis_law": "中华人民共和国安全生产法",
            "legal_basis_article": "第一百零二条",
            "unit_fine_amount": "40000",
        },
    )
    action = EnforcementAction.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("enforcement:detail", args=[action.pk])
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.UNDER_ENFORCEMENT


def test_create_shows_service_errors_beside_fields(client, personas, loop):
    hazard = loop.rectifying(major=True)
    client.force_login(personas.safety_unit)
    response = client.post(
        reverse("enforcement:create") + f"?hazard={hazard.pk}",
        {
            "member_unit": hazard.member_unit_id,
            "enterprise": hazard.enterprise_id,
            "kind": ActionKind.FINE,
            "hazards": [hazard.pk],
            "document_number": "X1",
            "decided_on": timezone.localdate().isoformat(),
            "facts": "逾期未整改",
        },
    )
    # The form comes back with the service's field messages and 400 (core.actions), input kept.
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "unit_fine_amount" in errors and "legal_basis_law" in errors
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.RECTIFYING


@pytest.mark.parametrize("persona", ["township", "enterprise", "leader", "provider"])
def test_create_is_forbidden_to_readers(client, personas, persona):
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("enforcement:create")).status_code == 403


def test_create_from_an_invisible_hazard_is_404(client, personas, loop):
    hazard = loop.rectifying()
    client.force_login(personas.fire)
    assert client.get(reverse("enforcement:create"), {"hazard": hazard.pk}).status_code == 404


def test_fulfil_and_revoke_pages(client, personas, actions):
    client.force_login(personas.safety_unit)
    action = actions["coal"]
    response = client.post(
        reverse("enforcement:fulfil", args=[action.pk]),
        {"fulfilled_on": timezone.localdate().isoformat(), "note": "罚款已缴"},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.FULFILLED
    response = client.post(reverse("enforcement:revoke", args=[action.pk]), {"reason": ""})
    assert response.status_code == 200
    response = client.post(reverse("enforcement:revoke", args=[action.pk]), {"reason": "复议撤销"})
    action.refresh_from_db()
    assert action.status == ActionStatus.REVOKED
    client.force_login(personas.fire)
    assert (
        client.post(reverse("enforcement:revoke", args=[actions["chem"].pk]), {"reason": "x"}).status_code
        == 404
    )


def test_conclude_page(client, personas, actions):
    client.force_login(personas.safety_unit)
    hazard = Hazard.objects.get(enforcement_actions=actions["coal"])
    page = client.get(reverse("enforcement:detail", args=[actions["coal"].pk])).content.decode()
    assert f'data-testid="conclude-{hazard.pk}"' in page
    response = client.post(
        reverse("enforcement:conclude", args=[actions["coal"].pk, hazard.pk]),
        {"new_deadline": (timezone.localdate() + dt.timedelta(days=10)).isoformat(), "note": "限期重新整改"},
    )
    assert response.status_code == 302
    assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.RECTIFYING


def test_enterprise_file_shows_the_enforcement_card(client, personas, district, actions):
    client.force_login(personas.bureau)
    page = client.get(reverse("registry:enterprise_detail", args=[district.coal.pk])).content.decode()
    assert 'data-testid="card-enforcement"' in page
    assert actions["coal"].document_number in page
    client.force_login(personas.provider)
    page = client.get(reverse("registry:enterprise_detail", args=[district.coal.pk])).content.decode()
    assert 'data-testid="card-enforcement"' not in page


def test_list_query_count_is_bounded(client, personas, district, record, django_assert_max_num_queries):
    for _ in range(15):
        record(ActionKind.WARNING)
    client.force_login(personas.bureau)
    with django_assert_max_num_queries(25):
        client.get(reverse("enforcement:list"), {"page_size": 50})
