import pytest
from django.urls import reverse

from hazardloop.hazards.models import Hazard

pytestmark = pytest.mark.django_db


@pytest.fixture
def hazards(loop, district, personas):
    return {
        "coal": loop.found(enterprise=district.coal),
        "machine": loop.routed(enterprise=district.machine, actor=personas.bureau),
        "chem": loop.found(enterprise=district.chem, actor=personas.bureau),
    }


@pytest.mark.parametrize("persona", ["admin", "bureau", "township", "enterprise", "expert", "outsider"])
def test_board_lists_exactly_the_visible_hazards(client, personas, hazards, persona):
    user = getattr(personas, persona)
    client.force_login(user)
    response = client.get(reverse("hazards:list"), {"page_size": 100})
    assert response.status_code == 200
    listed = {h.number for h in response.context["result"].page.object_list}
    assert listed == set(Hazard.objects.visible_to(user).values_list("number", flat=True))
    if persona == "outsider":
        assert listed == set()
    if persona == "admin":
        assert listed == {h.number for h in hazards.values()}


def test_board_filters_by_stage(client, personas, hazards):
    client.force_login(personas.admin)
    response = client.get(reverse("hazards:list"), {"stage": "supervision"})
    assert [h.number for h in response.context["result"].page.object_list] == [hazards["machine"].number]


@pytest.mark.parametrize("page_size", [10, 50])
def test_board_query_count_is_bounded(
    client, personas, loop, district, page_size, django_assert_max_num_queries
):
    for _ in range(4):
        loop.found(enterprise=district.coal)
    client.force_login(personas.admin)
    with django_assert_max_num_queries(15):
        client.get(reverse("hazards:list"), {"page_size": page_size})


def test_detail_shows_timeline_and_hides_other_scopes(client, personas, hazards):
    client.force_login(personas.enterprise)
    own = client.get(reverse("hazards:detail", args=[hazards["coal"].pk]))
    assert own.status_code == 200
    assert hazards["coal"].number in own.content.decode()
    assert len(own.context["events"]) == hazards["coal"].events.count() >= 1
    other = client.get(reverse("hazards:detail", args=[hazards["chem"].pk]))
    assert other.status_code == 404


def _act(client, hazard, action, **data):
    url = reverse("hazards:act", args=[hazard.pk, action])
    return client.post(url, {"version": hazard.version, **data}, follow=True)


def test_bureau_sees_and_performs_overturn(client, personas, hazards):
    hazard = hazards["chem"]
    client.force_login(personas.bureau)
    page = client.get(reverse("hazards:detail", args=[hazard.pk]))
    assert "overturn" in [a["name"] for a in page.context["actions"]]
    events = hazard.events.count()
    response = _act(client, hazard, "overturn", reason="现场复核确认为误判")
    assert "隐患已撤销" in response.content.decode()
    hazard.refresh_from_db()
    assert hazard.status == "overturned"
    assert hazard.events.count() == events + 1


def test_enterprise_is_not_offered_overturn(client, personas, hazards):
    client.force_login(personas.enterprise)
    page = client.get(reverse("hazards:detail", args=[hazards["coal"].pk]))
    assert page.context["actions"] == []


def test_refused_action_leaves_state_and_shows_message(client, personas, hazards):
    hazard = hazards["chem"]
    client.force_login(personas.bureau)
    response = _act(client, hazard, "overturn", reason="")
    hazard.refresh_from_db()
    assert hazard.status == "found"
    assert "隐患已撤销" not in response.content.decode()
    assert response.context["messages"]


def test_stale_version_shows_conflict(client, personas, hazards):
    hazard = hazards["chem"]
    hazard.version -= 1
    client.force_login(personas.bureau)
    response = _act(client, hazard, "overturn", reason="误判")
    assert "该隐患已被他人处理，请刷新后重试" in response.content.decode()
    hazard.refresh_from_db()
    assert hazard.status == "found"


def test_nav_offers_the_board(client, personas):
    client.force_login(personas.enterprise)
    assert reverse("hazards:list") in client.get(reverse("home")).content.decode()


def test_enterprise_file_lists_its_visible_hazards(client, personas, district, hazards):
    client.force_login(personas.bureau)
    page = client.get(reverse("registry:enterprise_detail", args=[district.chem.pk]))
    assert [h.number for h in page.context["hazards"]] == [hazards["chem"].number]
    assert hazards["chem"].number in page.content.decode()
    assert hazards["coal"].number not in page.content.decode()


def test_stage_tabs_count_visible_hazards(client, personas, hazards):
    client.force_login(personas.admin)
    stages = {value: count for value, _label, count in client.get(reverse("hazards:list")).context["stages"]}
    assert stages["inspection"] == 2
    assert stages["supervision"] == 1
