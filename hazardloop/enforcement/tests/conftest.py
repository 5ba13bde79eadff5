"""Enforcement fixtures: the hazards app's own state builders (real services) plus a helper that
records an action with sensible defaults per kind."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from hazardloop.enforcement import services
from hazardloop.enforcement.choices import ActionKind
from hazardloop.hazards.tests.conftest import Loop

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def loop(personas, district):
    return Loop(personas, district)


def fields_for(kind: str, **overrides) -> dict:
    today = timezone.localdate()
    fields = {
        "facts": "企业未按期整改重大事故隐患",
        "document_number": f"（龙应急）罚〔2026〕{next(_numbers)}号",
        "decided_on": today,
        "legal_basis_law": "中华人民共和国安全生产法",
        "legal_basis_article": "第一百零二条",
    }
    if kind in {ActionKind.FINE, ActionKind.DAILY_PENALTY}:
        fields["unit_fine_amount"] = "30000"
    if kind == ActionKind.DAILY_PENALTY:
        fields["daily_amount"] = "30000"
        fields["daily_start"] = today
    if kind in {ActionKind.ORDER_RECTIFY_BY_DEADLINE, ActionKind.HALT_FOR_RECTIFICATION}:
        fields["deadline"] = today + dt.timedelta(days=30)
    fields.update(overrides)
    return fields


@pytest.fixture
def record(personas, district):
    """record(kind=..., hazards=[...], actor=..., **fields) with valid defaults."""

    def _record(
        kind=ActionKind.FINE,
        *,
        actor=None,
        member_unit=None,
        enterprise=None,
        hazards=(),
        reason="",
        **overrides,
    ):
        return services.record_enforcement_action(
            actor=actor or personas.safety_unit,
            member_unit=member_unit or district.safety,
            enterprise=enterprise or district.coal,
            kind=kind,
            hazards=hazards,
            reason=reason,
            **fields_for(kind, **overrides),
        )

    return _record


CJK_RE = __import__("re").compile(r"[\u4e00-\u9fff]")
