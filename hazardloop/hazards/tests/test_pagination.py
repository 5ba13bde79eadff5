"""Keyset windows and the capped count on the hazard board and the hazard API (core/pagination.py
does the work; the hazard lists are where a district reaches a million rows)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from hazardloop.core import pagination
from hazardloop.core.pagination import InvalidCursor, Keyset, ListCount, list_count
from hazardloop.hazards.models import Hazard

pytestmark = pytest.mark.django_db

ORDERINGS = [
    "-found_at",
    "found_at",
    "number",
    "-number",
    "deadline",
    "-deadline",
    "enterprise__name",
    "-status",
]


@pytest.fixture
def many(loop, district, personas):
    """Eleven hazards at three enterprises: found_at ties in threes, some never routed (held in
    `found`, routed_at NULL), so every ordering has ties and the nullable ones have NULLs."""
    base = timezone.now().replace(microsecond=0) - dt.timedelta(days=30)
    firms = [district.coal, district.machine, district.chem]
    made = []
    for i in range(11):
        kw = {
            "enterprise": firms[i % 3],
            "found_at": base + dt.timedelta(days=i // 3),
            "actor": personas.bureau,
        }
        made.append(loop.found(**kw) if i % 4 == 0 else loop.routed(**kw))
    return made


def _walk_forward(keyset, queryset, size):
    rows, cursor, windows = [], None, 0
    while True:
        window = keyset.window(queryset, size=size, cursor=cursor)
        rows += window.rows
        windows += 1
        if window.next_cursor is None:
            return rows, windows
        cursor = window.next_cursor


def _walk_backward(keyset, queryset, size):
    window = keyset.window(queryset, size=size, cursor=keyset.cursor("last"))
    rows = list(window.rows)
    while window.previous_cursor is not None:
        window = keyset.window(queryset, size=size, cursor=window.previous_cursor)
        rows = window.rows + rows
    return rows


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_keyset_windows_cover_the_list_once_in_order_both_ways(many, ordering):
    queryset = Hazard.objects.select_related("enterprise").order_by(ordering)
    keyset = Keyset.of(queryset)
    expected = list(keyset.order(queryset))
    assert len(expected) == 11
    forward, windows = _walk_forward(keyset, queryset, size=3)
    assert [h.pk for h in forward] == [h.pk for h in expected]
    assert windows == 4
    assert [h.pk for h in _walk_backward(keyset, queryset, size=3)] == [h.pk for h in expected]


def test_keyset_order_puts_nulls_last_and_breaks_ties_by_id(many):
    ordered = list(Keyset.of(Hazard.objects.order_by("-routed_at")).order(Hazard.objects.all()))
    deadlines = [h.routed_at for h in ordered]
    nulls = deadlines.index(None)
    assert nulls > 0 and all(d is None for d in deadlines[nulls:])
    assert deadlines[:nulls] == sorted(deadlines[:nulls], reverse=True)
    by_found = list(Keyset.of(Hazard.objects.order_by("-found_at")).order(Hazard.objects.all()))
    for a, b in zip(by_found, by_found[1:], strict=False):
        assert (a.found_at, a.pk) > (b.found_at, b.pk)


def test_keyset_refuses_orderings_it_cannot_seek_on():
    assert Keyset.of(Hazard.objects.order_by("status", "deadline")) is None
    assert Keyset.of(Hazard.objects.order_by("enterprise")) is None  # a relation, not a value
    assert Keyset.of(Hazard.objects.order_by("-found_at", "-id")).signature == "-found_at"


def test_cursor_of_another_ordering_or_garbage_is_refused(many):
    by_found = Keyset.of(Hazard.objects.order_by("-found_at"))
    by_number = Keyset.of(Hazard.objects.order_by("number"))
    cursor = by_found.window(Hazard.objects.all(), size=3).next_cursor
    with pytest.raises(InvalidCursor):
        by_number.decode(cursor)
    for garbage in ("x", "!!!", "eyJvIjoiLWZvdW5kX2F0In0", cursor[:-3]):
        with pytest.raises(InvalidCursor):
            by_found.decode(garbage)


def test_count_is_exact_up_to_the_threshold_then_estimated_or_capped(many):
    queryset = Hazard.objects.all()
    assert list_count(queryset, exact_up_to=11) == ListCount(11)
    assert list_count(queryset, exact_up_to=11) == 11
    above = list_count(queryset, exact_up_to=5)
    assert not above.exact and above != 11
    if connection.vendor == "postgresql":
        assert above.estimated and above.value >= 6
        assert str(above).startswith("约 ")
    else:
        assert above == ListCount(5, exact=False)
        assert str(above) == "5+"


def test_board_switches_to_cursor_links_above_the_threshold(client, personas, many, monkeypatch):
    client.force_login(personas.admin)
    url = reverse("hazards:list")
    small = client.get(url, {"page_size": 20})
    assert not small.context["result"].by_cursor
    assert small.context["result"].count == 11

    monkeypatch.setattr(pagination, "COUNT_EXACT_UP_TO", 5)
    first = client.get(url, {"page_size": 20})
    result = first.context["result"]
    assert result.by_cursor and not result.count.exact
    assert [h.pk for h in result.object_list] == [h.pk for h in Hazard.objects.order_by("-found_at", "-id")]
    html = first.content.decode()
    assert 'data-testid="cursor-pager"' in html
    stages = {value: count for value, _label, count in first.context["stages"]}
    assert all(isinstance(c, ListCount) for c in stages.values())


def test_board_cursor_walk_matches_the_ordered_list(client, personas, many, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_EXACT_UP_TO", 5)
    monkeypatch.setattr("hazardloop.core.tables.PAGE_SIZES", (4, 20))
    monkeypatch.setattr("hazardloop.core.tables.DEFAULT_PAGE_SIZE", 4)
    client.force_login(personas.admin)
    url = reverse("hazards:list")
    params = {"ordering": "deadline", "page_size": 4}
    seen, cursor = [], None
    while True:
        response = client.get(url, {**params, **({"cursor": cursor} if cursor else {})})
        result = response.context["result"]
        seen += [h.pk for h in result.object_list]
        cursor = result.window.next_cursor
        if cursor is None:
            break
    expected = Keyset.of(Hazard.objects.order_by("deadline")).order(Hazard.objects.all())
    assert seen == [h.pk for h in expected]
    stale = client.get(url, {**params, "ordering": "number", "cursor": result.window.previous_cursor})
    assert stale.status_code == 200 and stale.context["result"].cursor_invalid
    assert stale.context["result"].window.first


def test_api_cursor_walk_and_count_flag(client, personas, many, monkeypatch):
    client.force_login(personas.admin)
    url = "/api/hazards/hazards/"
    exact = client.get(url, {"page_size": 4}).json()
    assert exact["count"] == 11 and exact["count_exact"] is True
    assert exact["next"] and "page=2" in exact["next"]

    monkeypatch.setattr(pagination, "COUNT_EXACT_UP_TO", 5)
    body = client.get(url, {"page_size": 4, "cursor": ""}).json()
    assert body["count_exact"] is False
    numbers = [row["number"] for row in body["results"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        numbers += [row["number"] for row in body["results"]]
    expected = list(Hazard.objects.order_by("-found_at", "-id").values_list("number", flat=True))
    assert numbers == expected
    last = client.get(body["last"]).json()
    assert [row["number"] for row in last["results"]] == expected[-4:]
    back = client.get(last["previous"]).json()
    assert [row["number"] for row in back["results"]] == expected[-8:-4]
    # Page numbers still answer above the threshold, without a count.
    deep = client.get(url, {"page_size": 4, "page": 3}).json()
    assert [row["number"] for row in deep["results"]] == expected[8:]
    assert deep["next"] is None
    assert client.get(url, {"cursor": "garbage"}).status_code == 400
