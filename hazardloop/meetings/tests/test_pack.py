"""The pack's figures equal counts made here by another route: plain Python over the hazards'
values, not the pack's GROUP BY queries."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hazardloop.hazards.models import Hazard
from hazardloop.meetings import pack
from hazardloop.meetings.rules import Period

from .conftest import at

pytestmark = pytest.mark.django_db

OPEN = {
    "found",
    "routed",
    "awaiting_plan",
    "plan_review",
    "rectifying",
    "awaiting_reinspection",
    "awaiting_resumption",
    "resumption_review",
    "under_enforcement",
}


def rows():
    return list(
        Hazard.objects.values(
            "pk",
            "found_at",
            "status",
            "legal_level",
            "provider__name",
            "member_unit__name",
            "enterprise__township__code",
            "enterprise__township__name",
            "enterprise__industry__code",
            "deadline",
            "reinspection_due",
            "resumption_due",
            "listed_supervision",
        )
    )


def is_overdue(row, today) -> bool:
    """A running clock past its date: the rectification deadline, the re-inspection or the
    resumption review (hazard-lifecycle.md, Deadlines)."""
    due = {
        "awaiting_plan": row["deadline"],
        "plan_review": row["deadline"],
        "rectifying": row["deadline"],
        "awaiting_reinspection": row["reinspection_due"],
        "resumption_review": row["resumption_due"],
    }.get(row["status"])
    return due is not None and due < today


def in_month(row, period: Period, district_code: str) -> bool:
    local = timezone.localtime(row["found_at"]).date()
    return (
        period.first_day <= local <= period.last_day
        and row["enterprise__township__code"].startswith(district_code)
        and row["status"] != "overturned"
    )


def test_findings_by_provider_township_industry_and_level_equal_independent_counts(scene):
    data, ids = pack.compute(scene.meeting)
    mine = [r for r in rows() if in_month(r, scene.period, scene.d.longan.code)]
    assert data["totals"]["findings"] == len(mine) == 4

    by_provider = Counter(r["provider__name"] or "（非服务机构排查）" for r in mine)
    assert {r["name"]: r["total"] for r in data["findings_by_provider"]} == dict(by_provider)
    majors = Counter(r["provider__name"] or "（非服务机构排查）" for r in mine if r["legal_level"] == "major")
    assert {r["name"]: r["major"] for r in data["findings_by_provider"] if r["major"]} == dict(majors)

    by_town = Counter(r["enterprise__township__name"] for r in mine)
    assert {r["name"]: r["total"] for r in data["findings_by_township"]} == dict(by_town)

    by_division = Counter(r["enterprise__industry__code"][:2] for r in mine)
    assert {r["code"]: r["total"] for r in data["findings_by_industry"]} == dict(by_division)
    assert {r["code"]: r["general"] + r["major"] for r in data["findings_by_industry"]} == dict(by_division)

    by_level = Counter(r["legal_level"] for r in mine)
    assert {r["key"]: r["total"] for r in data["findings_by_level"]} == {
        "general": by_level["general"],
        "major": by_level["major"],
    }
    # The overturned hazard and the neighbour district's are not in the month's findings.
    assert scene.h_wrong.pk not in ids
    assert scene.h_outside.pk not in ids
    assert scene.h_now.pk not in ids


def test_last_months_rectification_by_member_unit_equals_independent_counts(scene):
    data, _ids = pack.compute(scene.meeting)
    today = timezone.localdate()
    before = [r for r in rows() if in_month(r, scene.before, scene.d.longan.code) and r["member_unit__name"]]
    expected = {}
    for r in before:
        unit = expected.setdefault(r["member_unit__name"], Counter())
        unit["routed"] += 1
        unit["rectified"] += r["status"] in {
            "awaiting_reinspection",
            "awaiting_resumption",
            "resumption_review",
            "closed",
        }
        unit["closed"] += r["status"] == "closed"
        unit["overdue"] += is_overdue(r, today)
    got = {
        r["name"]: Counter({k: r[k] for k in ("routed", "rectified", "closed", "overdue") if r[k]})
        for r in data["rectification_by_unit"]
    }
    assert got == {name: +c for name, c in expected.items()}
    # The on-the-spot fix was never routed, so it is not among the routed hazards.
    assert sum(r["routed"] for r in data["rectification_by_unit"]) == 2


def test_overdue_and_listed_lists_equal_independent_selection(scene):
    data, ids = pack.compute(scene.meeting)
    today = timezone.localdate()
    district = [r for r in rows() if r["enterprise__township__code"].startswith(scene.d.longan.code)]
    overdue = {r["pk"] for r in district if is_overdue(r, today)}
    assert {r["id"] for r in data["overdue_hazards"]} == overdue == {scene.g_overdue.pk, scene.g_rectified.pk}
    listed = {
        r["pk"]
        for r in district
        if r["listed_supervision"] and r["status"] in OPEN and r["legal_level"] == "major"
    }
    assert {r["id"] for r in data["listed_hazards"]} == listed == {scene.h_major.pk}
    assert data["totals"]["overdue"] == len(overdue)
    assert set(ids) >= overdue | listed


def test_enforcement_section_counts_the_months_actions(scene):
    model = pack.enforcement_model()
    if model is None:
        data, _ids = pack.compute(scene.meeting)
        assert data["enforcement_actions"] == [] and data["totals"]["enforcement"] == 0
        return
    inside = scene.period.first_day + dt.timedelta(days=3)
    for n, (enterprise, day) in enumerate(
        [
            (scene.d.coal, inside),
            (scene.d.chem, inside),
            (scene.d.coal, scene.before.first_day),
            (scene.d.outsider, inside),
        ]
    ):
        model.objects.create(
            member_unit=scene.d.safety,
            enterprise=enterprise,
            kind="warning",
            facts="逾期未整改",
            document_number=f"安监罚〔2026〕{n + 1}号",
            decided_on=day,
            created_by=scene.p.bureau,
        )
    data, _ids = pack.compute(scene.meeting)
    assert data["totals"]["enforcement"] == 2
    assert sorted(r["document_number"] for r in data["enforcement_actions"]) == [
        "安监罚〔2026〕1号",
        "安监罚〔2026〕2号",
    ]
    assert data["enforcement_by_kind"] == [{"key": "warning", "name": "警告", "total": 2}]


def test_query_count_does_not_grow_with_the_number_of_hazards(scene, loop):
    with CaptureQueriesContext(connection) as first:
        pack.compute(scene.meeting)
    for day in range(10, 16):
        loop.register(found_at=at(scene.period.first_day + dt.timedelta(days=day)))
        loop.register(
            actor=scene.p.bureau,
            enterprise=scene.d.chem,
            source="department",
            found_at=at(scene.period.first_day + dt.timedelta(days=day)),
        )
    with CaptureQueriesContext(connection) as second:
        data, _ids = pack.compute(scene.meeting)
    assert data["totals"]["findings"] == 16
    assert len(second) == len(first)
