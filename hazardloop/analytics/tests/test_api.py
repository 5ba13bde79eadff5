"""API: the same figures and scope as the pages, 400 on bad filters, 403 without capability."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from hazardloop.analytics import queries
from hazardloop.analytics.rules import Period


@pytest.fixture
def api():
    return APIClient()


def get(api, user, url, **params):
    api.force_authenticate(user)
    return api.get(url, params)


def test_anonymous_gets_401_or_403(api, db):
    assert get(api, None, reverse("analytics-api:dashboard")).status_code in {401, 403}


def test_dashboard_api_matches_the_queries(api, year, personas):
    response = get(api, personas.bureau, reverse("analytics-api:dashboard"), year=2026)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == set(queries.CHARTS)
    expected = queries.funnel(personas.bureau, queries.DashboardFilter(2026))
    assert body["funnel"]["total"] == expected["total"] == 5
    assert [s["reached"] for s in body["funnel"]["stages"]] == [s["reached"] for s in expected["stages"]]


@pytest.mark.parametrize("chart", sorted(queries.CHARTS))
def test_each_chart_has_its_own_endpoint(api, personas, chart):
    response = get(api, personas.township, reverse("analytics-api:chart", args=[chart]), year=2026)
    assert response.status_code == 200
    assert response.json()["chart"] == chart


def test_unknown_chart_is_404(api, personas):
    assert get(api, personas.bureau, reverse("analytics-api:chart", args=["pie"])).status_code == 404


def test_township_out_of_scope_is_400_with_a_chinese_message(api, personas, district):
    response = get(
        api,
        personas.township,
        reverse("analytics-api:chart", args=["townships"]),
        township=district.town_b.pk,
    )
    assert response.status_code == 400
    assert "不在您的权限范围内" in response.json()["township"][0]


def test_township_api_sees_only_its_township(api, year, personas):
    body = get(api, personas.township, reverse("analytics-api:chart", args=["townships"]), year=2026).json()
    assert [r["name"] for r in body["data"]] == ["龙泉镇"]


def test_statistics_api(api, year, personas):
    url = reverse("analytics-api:statistics")
    response = get(api, personas.bureau, url, year=2026, quarter=1, level="township")
    assert response.status_code == 200
    body = response.json()
    assert (body["period"], body["due"], body["level"]) == ("2026Q1", "2026-04-15", "township")
    table = queries.statistics(personas.bureau, Period(2026, 1), "township")
    assert body["totals"]["found"] == table.totals["found"] == 2
    assert [r["name"] for r in body["rows"]] == [r["name"] for r in table.rows]
    assert get(api, personas.provider, url).status_code == 403
    assert get(api, personas.enterprise, url, level="district").status_code == 400
