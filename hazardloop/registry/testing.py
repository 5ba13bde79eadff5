"""Builders for tests and demo data: rows made the way the services make them."""

from __future__ import annotations

import itertools

from hazardloop.registry import rules
from hazardloop.registry.choices import RegionLevel
from hazardloop.registry.models import Industry, Region

_serial = itertools.count(1)


def next_credit_code(division: str = "410506", *, authority: str = "9", entity_type: str = "1") -> str:
    """A valid, never-repeated 统一社会信用代码 (synthetic: MA + serial)."""
    n = next(_serial)
    body = f"MA{n:06d}"
    return rules.make_uscc(authority, entity_type, division, body)


def region(code: str, name: str, parent: Region | None = None) -> Region:
    level = rules.region_level_for_code(code)
    kind = rules.township_kind(code) if level == RegionLevel.TOWNSHIP else ""
    obj, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "kind": kind, "parent": parent}
    )
    return obj


def industry(code: str) -> Industry:
    return Industry.objects.get(code=code)
