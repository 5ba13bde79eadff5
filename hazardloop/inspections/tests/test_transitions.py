"""Every step of an inspection and of a checklist version tried by every persona, written out by
hand: the firm's own users (provider, its expert) record and submit a draft, the inspected
enterprise acknowledges the submitted report, the administrator and the bureau edit and publish
a checklist draft. Everyone else is refused (404 where the record is not theirs to see, 403
where it is) and nothing is written; a step in a state that does not open it is refused too.
The pages offer exactly the allowed steps."""

from __future__ import annotations

import pytest

from hazardloop.audit.models import AuditEvent
from hazardloop.core.errors import NotVisible, Refused
from hazardloop.core.workflows import offered
from hazardloop.inspections import services
from hazardloop.inspections.choices import ChecklistStatus, InspectionStatus
from hazardloop.inspections.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistVersion,
    Finding,
    Inspection,
)

from .conftest import finding_data, started

pytestmark = pytest.mark.django_db
I = InspectionStatus  # noqa: E741

PERSONAS = [
    "admin",
    "bureau",
    "leader",
    "safety_unit",
    "police",
    "fire",
    "township",
    "provider",
    "expert",
    "enterprise",
    "outsider",
]

# Who may take each step, by hand (DESIGN.md; decision 0009): the firm that made the visit
# (its office user and its expert on the team) records and submits; the inspected enterprise
# acknowledges; the district's reference data (checklists) is the administrator's and bureau's.
STEPS = {
    "record": (I.DRAFT, frozenset({"provider", "expert"}), I.DRAFT),
    "submit": (I.DRAFT, frozenset({"provider", "expert"}), I.SUBMITTED),
    "acknowledge": (I.SUBMITTED, frozenset({"enterprise"}), I.ACKNOWLEDGED),
}


@pytest.fixture
def new_draft(personas, district, team):
    def _new() -> Inspection:
        return services.create_inspection(
            actor=personas.provider,
            enterprise=district.coal,
            experts=[team.wang, team.zhang, team.zhao],
            leader=team.wang,
            started_at=started(),
        )

    return _new


def act(name, inspection, user, levels):
    if name == "record":
        return services.add_finding(inspection, finding_data(levels.general), actor=user)
    if name == "submit":
        return services.submit_inspection(inspection, actor=user)
    return services.acknowledge_inspection(inspection, actor=user, note="已收到")


def bring(inspection, state, personas):
    if state in (I.SUBMITTED, I.ACKNOWLEDGED):
        services.submit_inspection(inspection, actor=personas.provider)
    if state == I.ACKNOWLEDGED:
        services.acknowledge_inspection(inspection, actor=personas.enterprise)
    return Inspection.objects.get(pk=inspection.pk)


def snapshot(inspection) -> tuple:
    i = Inspection.objects.get(pk=inspection.pk)
    return (
        i.status,
        i.report_number,
        i.submitted_at,
        i.acknowledged_at,
        Finding.objects.filter(inspection=i).count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("name", list(STEPS))
def test_each_persona_may_take_exactly_the_inspection_steps_in_the_table(name, personas, new_draft, levels):
    start, allowed, to_state = STEPS[name]
    target = bring(new_draft(), start, personas)
    for persona in PERSONAS:
        user = getattr(personas, persona)
        if persona in allowed:
            mine = bring(new_draft(), start, personas)  # a record of its own, as a step may move it
            act(name, mine, user, levels)
            assert Inspection.objects.get(pk=mine.pk).status == to_state, persona
            continue
        before = snapshot(target)
        with pytest.raises((NotVisible, Refused)) as refusal:
            act(name, Inspection.objects.get(pk=target.pk), user, levels)
        assert refusal.value.message, persona
        assert snapshot(target) == before, persona


# The states each step is open in, by hand.
OPEN_IN = {"record": {I.DRAFT}, "submit": {I.DRAFT}, "acknowledge": {I.SUBMITTED}}


@pytest.mark.parametrize("name", list(STEPS))
@pytest.mark.parametrize("state", [I.DRAFT, I.SUBMITTED, I.ACKNOWLEDGED])
def test_an_inspection_step_outside_its_states_is_refused(name, state, personas, new_draft, levels):
    if state in OPEN_IN[name]:
        return
    inspection = bring(new_draft(), state, personas)
    user = getattr(personas, sorted(STEPS[name][1])[0])
    before = snapshot(inspection)
    if name == "acknowledge" and state == I.DRAFT:
        # A draft is the firm's working copy: the enterprise does not even see it (404).
        with pytest.raises(NotVisible):
            act(name, inspection, user, levels)
        assert snapshot(inspection) == before
        return
    with pytest.raises(services.InspectionError) as refusal:
        act(name, inspection, user, levels)
    assert not isinstance(refusal.value, (Refused, NotVisible))
    assert snapshot(inspection) == before


@pytest.mark.parametrize("state", [I.DRAFT, I.SUBMITTED, I.ACKNOWLEDGED])
def test_the_visit_page_offers_exactly_the_steps_the_table_allows(state, personas, new_draft, client):
    inspection = bring(new_draft(), state, personas)
    for persona in PERSONAS:
        expected = {n for n, (s, allowed, _to) in STEPS.items() if s == state and persona in allowed}
        assert offered(inspection, getattr(personas, persona)) == expected, persona
    client.force_login(personas.provider)
    page = client.get(f"/inspections/{inspection.pk}/").content.decode()
    assert ('data-testid="submit"' in page) == (state == I.DRAFT)


# --- checklists --------------------------------------------------------------------------------

EDITORS = frozenset({"admin", "bureau"})


def item(text="检查井下避难硐室") -> services.ItemData:
    return services.ItemData(section="应急", text=text, source="《煤矿安全规程》")


@pytest.fixture
def checklist_draft(personas):
    template = ChecklistTemplate.objects.order_by("pk").first()
    return services.create_checklist_draft(template, actor=personas.bureau)


def version_snapshot(version) -> tuple:
    v = ChecklistVersion.objects.get(pk=version.pk)
    return (
        v.status,
        v.published_at,
        ChecklistItem.objects.filter(version=v).count(),
        AuditEvent.objects.count(),
    )


def test_only_the_editors_change_and_publish_a_checklist_draft(personas, checklist_draft):
    for persona in sorted(set(PERSONAS) - EDITORS):
        user = getattr(personas, persona)
        before = version_snapshot(checklist_draft)
        with pytest.raises(Refused):
            services.save_checklist_item(checklist_draft, item(), actor=user)
        with pytest.raises(Refused):
            services.publish_checklist_version(checklist_draft, actor=user)
        assert version_snapshot(checklist_draft) == before, persona
        assert offered(checklist_draft, user) == set(), persona
    assert offered(checklist_draft, personas.admin) == {"edit", "publish"}
    services.save_checklist_item(checklist_draft, item(), actor=personas.admin)
    services.publish_checklist_version(checklist_draft, actor=personas.bureau)
    published = ChecklistVersion.objects.get(pk=checklist_draft.pk)
    assert published.status == ChecklistStatus.PUBLISHED
    # Published is frozen: the editors are refused too (a state refusal, not a role one).
    assert offered(published, personas.bureau) == set()
    before = version_snapshot(published)
    with pytest.raises(services.InspectionError, match="不能修改") as refusal:
        services.save_checklist_item(published, item("另一项"), actor=personas.bureau)
    assert not isinstance(refusal.value, Refused)
    with pytest.raises(services.InspectionError):
        services.publish_checklist_version(published, actor=personas.bureau)
    assert version_snapshot(published) == before
