"""The hazards' demo step drives hazards through the loop with the real services."""

import pytest
from PIL import Image

from hazardloop.core.demo import DemoContext
from hazardloop.hazards.demo import build_hazard_loop
from hazardloop.hazards.models import Hazard, HazardAttachment, RectificationNotice

pytestmark = pytest.mark.django_db


def test_demo_step_plays_the_loop(personas):
    logs = []
    build_hazard_loop(DemoContext(log=logs.append))
    statuses = set(Hazard.objects.values_list("status", flat=True))
    assert {"closed", "found"} <= statuses
    assert len(statuses) >= 4
    assert RectificationNotice.objects.exists()
    closed = Hazard.objects.filter(closure="reinspection").first()
    assert closed is not None
    assert closed.rectifications.exists() and closed.reinspections.filter(verdict="passed").exists()
    photo = HazardAttachment.objects.filter(hazard=closed, kind="after").first()
    with photo.file.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG"
    # Every action happened in the past, in order along each hazard's timeline.
    for hazard in Hazard.objects.all()[:20]:
        moments = list(hazard.events.order_by("seq").values_list("at", flat=True))
        assert moments == sorted(moments)
    assert any("隐患闭环" in line for line in logs)


def test_demo_majors_are_confirmed_listed_and_closed_by_the_government(personas):
    """The seeded loop's majors follow the government acts: confirmed (or graded general) by a
    department before any notice; no major closed or de-listed by a provider or an expert."""
    build_hazard_loop(DemoContext(log=lambda line: None))
    majors = Hazard.objects.filter(legal_level="major")
    assert majors.exists()
    assert not majors.filter(closure="reinspection").exists()
    government = {"bureau", "member_unit"}
    for hazard in majors.exclude(status__in=["found", "routed"]):
        assert hazard.grade_basis == "government"
    for hazard in Hazard.objects.filter(legal_level="major", status="closed"):
        closing = hazard.events.filter(to_state="closed").get()
        assert closing.actor.role in government
        assert closing.name in {"accept_rectification", "pass_resumption_review"}
    for hazard in Hazard.objects.exclude(delisted_at=None):
        delisting = hazard.listings.get(delisted_at=hazard.delisted_at)
        assert delisting.delisted_by.role in government
