"""A hazard found on a visit points at its inspection (a foreign key), and each page links to the
other only for users who may open it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from hazardloop.accounts import scoping
from hazardloop.hazards import services as hazard_services
from hazardloop.hazards.models import Hazard, HazardLevel
from hazardloop.inspections import services as inspection_services
from hazardloop.inspections.models import Inspection
from hazardloop.registry import services as registry_services

pytestmark = pytest.mark.django_db

PERSONAS = [
    "admin",
    "bureau",
    "leader",
    "safety_unit",
    "township",
    "provider",
    "expert",
    "enterprise",
    "outsider",
]


@pytest.fixture
def visit(personas, district):
    """A submitted visit to 龙泉煤业 with two findings, so two hazards, through the services."""
    make = registry_services.register_expert
    team = [
        district.expert,
        make(actor=district.admin, provider=district.provider, name="张工", specialties=["general"]),
        make(actor=district.admin, provider=district.provider, name="赵工", specialties=["fire"]),
    ]
    draft = inspection_services.create_inspection(
        actor=personas.provider,
        enterprise=district.coal,
        experts=team,
        leader=team[0],
        started_at=timezone.now() - dt.timedelta(hours=3),
        officer_name="刘干事",
        officer_unit="龙泉镇安监站",
    )
    for title in ("主扇风机无备用电源", "配电箱无漏电保护"):
        inspection_services.add_finding(
            draft,
            inspection_services.FindingData(
                level=HazardLevel.objects.get(code="general"),
                category="production",
                form="state",
                title=title,
                description="现场检查发现。",
                location="主井",
                legal_basis_law="《煤矿安全规程》",
                legal_basis_article="第十四条",
                suggested_measure="整改。",
                deadline=timezone.localdate() + dt.timedelta(days=30),
            ),
            actor=personas.provider,
        )
    return inspection_services.submit_inspection(draft, actor=personas.provider)


def test_hazards_of_a_visit_are_its_related_rows(visit):
    hazards = list(visit.hazards.order_by("number"))
    assert [h.title for h in hazards] == ["主扇风机无备用电源", "配电箱无漏电保护"]
    assert all(h.inspection == visit for h in hazards)
    with pytest.raises(ProtectedError):
        Inspection.objects.filter(pk=visit.pk).delete()


def test_register_refuses_a_visit_to_another_enterprise(visit, personas, district):
    with pytest.raises(hazard_services.HazardError) as refused:
        hazard_services.register_hazard(
            actor=personas.bureau,
            enterprise=district.machine,
            level=HazardLevel.objects.get(code="general"),
            category="production",
            form="state",
            title="某隐患",
            description="描述",
            inspection_id=visit.pk,
        )
    assert "inspection" in refused.value.errors


@pytest.mark.parametrize("persona", PERSONAS)
def test_hazard_page_links_the_visit_only_for_who_may_open_it(client, personas, visit, persona):
    user = getattr(personas, persona)
    hazard = visit.hazards.order_by("number").first()
    client.force_login(user)
    page = client.get(reverse("hazards:detail", args=[hazard.pk]))
    if not Hazard.objects.visible_to(user).filter(pk=hazard.pk).exists():
        assert page.status_code in {403, 404}
        return
    html = page.content.decode()
    link = reverse("inspections:detail", args=[visit.pk])
    may_open = scoping.can(user, "inspections.view") and (
        scoping.scope(Inspection.objects.filter(pk=visit.pk), user).exists()
    )
    assert (link in html) == may_open
    assert 'data-testid="hazard-inspection"' in html
    if may_open:
        assert client.get(link).status_code == 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_inspection_page_lists_the_visible_hazards(client, personas, visit, persona):
    user = getattr(personas, persona)
    client.force_login(user)
    page = client.get(reverse("inspections:detail", args=[visit.pk]))
    if page.status_code != 200:
        assert not scoping.scope(Inspection.objects.filter(pk=visit.pk), user).exists() or not scoping.can(
            user, "inspections.view"
        )
        return
    html = page.content.decode()
    shown = {h.pk for h in visit.hazards.all() if reverse("hazards:detail", args=[h.pk]) in html}
    visible = set(Hazard.objects.visible_to(user).filter(inspection=visit).values_list("pk", flat=True))
    if not scoping.can(user, "hazards.view"):
        visible = set()
    assert html.count('data-testid="inspection-hazard-row"') == len(visible)
    assert visible <= shown
