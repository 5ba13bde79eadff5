"""The evaluation API: the same scope and filters as the pages; ratings through the service."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from hazardloop.evaluation.choices import KpiCode

from .. import rules, services
from ..models import Rating
from .conftest import at

pytestmark = pytest.mark.django_db
Q1 = rules.Period("quarter", 2026, 1)


@pytest.fixture
def api():
    return APIClient()


def test_rating_through_the_api(api, personas, world):
    inspection = world.visit(start=at(3, 2, 9))
    api.force_authenticate(personas.township)
    created = api.post(
        "/api/evaluation/ratings/", {"inspection": inspection.pk, "score": 3, "comment": "一般"}
    )
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "officer"
    again = api.post("/api/evaluation/ratings/", {"inspection": inspection.pk, "score": 5})
    assert again.status_code == 400 and "不能重复评价" in again.json()["detail"]
    out_of_range = api.post("/api/evaluation/ratings/", {"inspection": inspection.pk, "score": 9})
    assert out_of_range.status_code == 400
    api.force_authenticate(personas.outsider)
    assert api.post("/api/evaluation/ratings/", {"inspection": inspection.pk, "score": 5}).status_code == 404
    api.force_authenticate(personas.provider)
    assert api.post("/api/evaluation/ratings/", {"inspection": inspection.pk, "score": 5}).status_code == 403
    assert list(Rating.objects.values_list("score", flat=True)) == [3]

    # Listing follows the inspections' scope; an enterprise sees only the ratings it gave.
    api.force_authenticate(personas.provider)
    assert [r["score"] for r in api.get("/api/evaluation/ratings/").json()["results"]] == [3]
    api.force_authenticate(personas.enterprise)
    assert api.get("/api/evaluation/ratings/").json()["results"] == []
    api.force_authenticate(personas.expert)
    assert api.get("/api/evaluation/ratings/").status_code == 403


def test_scorecards_and_kpis_through_the_api(api, personas, world, district):
    world.plan_visit(district.coal, dt.date(2026, 2, 10))
    world.visit(start=at(2, 12, 9), findings=1)
    card = services.compute_scorecard(
        actor=personas.bureau, provider=district.provider, contract=district.contract, period=Q1
    )
    wide = services.compute_scorecard(actor=personas.bureau, provider=district.provider, period=Q1)
    api.force_authenticate(personas.township)
    listed = api.get("/api/evaluation/scorecards/").json()["results"]
    assert [c["id"] for c in listed] == [card.pk]
    assert api.get(f"/api/evaluation/scorecards/{wide.pk}/").status_code == 404
    detail = api.get(f"/api/evaluation/scorecards/{card.pk}/").json()
    assert {k["code"] for k in detail["kpis"]} == set(KpiCode.values)
    assert detail["total"] == str(card.total)

    api.force_authenticate(personas.bureau)
    assert {
        c["id"] for c in api.get("/api/evaluation/scorecards/", {"subject": "provider"}).json()["results"]
    } == {wide.pk}
    assert api.get("/api/evaluation/scorecards/", {"year": 2025}).json()["results"] == []
    kpis = api.get("/api/evaluation/kpis/").json()
    assert sum(float(k["weight"]) for k in kpis) == 100

    for role in ("enterprise", "expert", "safety_unit"):
        api.force_authenticate(getattr(personas, role))
        assert api.get("/api/evaluation/scorecards/").status_code == 403, role
