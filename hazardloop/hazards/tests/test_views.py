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
