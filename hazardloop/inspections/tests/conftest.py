"""Fixtures for the inspections tests: a full team for the provider and a draft inspection, all
built through the real services."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from hazardloop.hazards.models import HazardLevel
from hazardloop.registry import services as registry_services

from .. import services


@pytest.fixture
def team(personas, district):
    """The provider's experts: 王工 (coal, machinery; conflicted with 龙泉机械厂) from the root
    fixture, plus three more."""
    admin = district.admin
    make = registry_services.register_expert
    return SimpleNamespace(
        wang=district.expert,
        zhang=make(actor=admin, provider=district.provider, name="张工", specialties=["general"]),
        zhao=make(actor=admin, provider=district.provider, name="赵工", specialties=["fire"]),
        qian=make(actor=admin, provider=district.provider, name="钱工", specialties=["machinery"]),
    )


@pytest.fixture
def levels(db):
    return SimpleNamespace(
        general=HazardLevel.objects.get(code="general"), major=HazardLevel.objects.get(code="major")
    )


def started(hours: int = 3) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


@pytest.fixture
def draft(personas, district, team):
    """A draft inspection of 龙泉煤业 (high-risk: three to five experts, one a coal specialist)."""
    return services.create_inspection(
        actor=personas.provider,
        enterprise=district.coal,
        experts=[team.wang, team.zhang, team.zhao],
        leader=team.wang,
        started_at=started(),
        officer_name="刘干事",
        officer_unit="龙泉镇安监站",
    )


def finding_data(level, **overrides) -> services.FindingData:
    values = {
        "level": level,
        "category": "production",
        "form": "state",
        "title": "主扇风机无备用电源",
        "description": "主要通风机房仅一路供电，未设备用电源。",
        "location": "主井通风机房",
        "legal_basis_law": "《煤矿重大事故隐患判定标准》",
        "legal_basis_article": "第十四条",
        "suggested_measure": "增设第二回路电源。",
        "deadline": timezone.localdate() + dt.timedelta(days=30),
    }
    values.update(overrides)
    return services.FindingData(**values)
