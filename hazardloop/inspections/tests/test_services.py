import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hazardloop.core.errors import Refused
from hazardloop.hazards.models import Hazard, HazardAttachment
from hazardloop.inspections import services
from hazardloop.inspections.choices import ChecklistStatus, InspectionStatus, ItemOutcome
from hazardloop.inspections.models import ChecklistTemplate, Inspection
from hazardloop.registry.models import ExpertConflict

from .conftest import finding_data, started

pytestmark = pytest.mark.django_db


def photo(name="现场.png"):
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


# --- checklists ---------------------------------------------------------------------------


def test_seed_checklists_exist_with_sources_and_major_criteria():
    coal = ChecklistTemplate.objects.get(code="coal").latest_published()
    items = list(coal.items.all())
    assert any(i.major_criterion and "应急管理部令第4号" in i.source and i.article == "第五条" for i in items)
    assert any("安全生产法" in i.source for i in items)  # the common sections are included
    assert ChecklistTemplate.objects.filter(code__in=["general", "mine", "hazchem", "trade"]).count() == 4


def test_checklist_is_chosen_by_industry(district):
    assert services.checklist_for(district.coal).template.code == "coal"
    assert services.checklist_for(district.chem).template.code == "hazchem"
    assert services.checklist_for(district.machine).template.code == "trade"


def test_inspection_keeps_its_checklist_version_after_a_new_one_is_published(personas, district, draft):
    template = draft.checklist_version.template
    old = draft.checklist_version
    new = services.create_checklist_draft(template, actor=personas.bureau)
    assert new.number == old.number + 1 and new.items.count() == old.items.count()
    item = new.items.first()
    services.save_checklist_item(
        new,
        services.ItemData(section="新增", text="新增检查项", source="测试依据", article="第一条"),
        actor=personas.bureau,
    )
    services.delete_checklist_item(item, actor=personas.bureau)
    services.publish_checklist_version(new, actor=personas.bureau)
    draft.refresh_from_db()
    assert draft.checklist_version_id == old.pk
    assert old.items.count() == new.items.count()  # one removed, one added; the old is untouched
    assert services.checklist_for(district.coal).pk == new.pk


def test_published_version_is_frozen(personas):
    version = ChecklistTemplate.objects.get(code="coal").latest_published()
    with pytest.raises(services.InspectionError, match="已发布"):
        services.save_checklist_item(
            version, services.ItemData(section="x", text="x", source="x"), actor=personas.bureau
        )
    with pytest.raises(Refused):
        services.create_checklist_draft(version.template, actor=personas.provider)
    assert version.status == ChecklistStatus.PUBLISHED


# --- team rules ---------------------------------------------------------------------------


def test_short_team_is_refused_in_chinese(personas, district, team):
    with pytest.raises(services.InspectionError, match="至少需要 3 名专家") as exc:
        services.create_inspection(
            actor=personas.provider,
            enterprise=district.coal,
            experts=[team.wang, team.zhang],
            leader=team.wang,
            started_at=started(),
        )
    assert "experts" in exc.value.errors
    assert not Inspection.objects.exists()


def test_short_team_is_recorded_as_deviation_when_allowed(personas, district, team, settings):
    settings.INSPECTION_ALLOW_TEAM_DEVIATION = True
    with pytest.raises(services.InspectionError, match="原因"):
        services.create_inspection(
            actor=personas.provider,
            enterprise=district.coal,
            experts=[team.wang, team.zhang],
            leader=team.wang,
            started_at=started(),
        )
    inspection = services.create_inspection(
        actor=personas.provider,
        enterprise=district.coal,
        experts=[team.wang, team.zhang],
        leader=team.wang,
        started_at=started(),
        deviation_reason="一名专家临时生病",
    )
    assert inspection.team_deviation and inspection.deviation_reason == "一名专家临时生病"


def test_conflicted_expert_is_refused_even_with_deviation_allowed(personas, district, team, settings):
    settings.INSPECTION_ALLOW_TEAM_DEVIATION = True
    assert ExpertConflict.objects.filter(expert=team.wang, enterprise=district.machine).exists()
    with pytest.raises(services.InspectionError, match="王工须回避"):
        services.create_inspection(
            actor=personas.provider,
            enterprise=district.machine,
            experts=[team.wang, team.qian],
            leader=team.qian,
            started_at=started(),
            deviation_reason="x",
        )


def test_missing_specialty_and_foreign_expert_are_refused(personas, district, team):
    with pytest.raises(services.InspectionError, match="“煤矿”专业"):
        services.create_inspection(
            actor=personas.provider,
            enterprise=district.coal,
            experts=[team.zhang, team.zhao, team.qian],
            leader=team.zhang,
            started_at=started(),
        )
    with pytest.raises(services.InspectionError, match="不属于本合同的服务机构"):
        services.create_inspection(
            actor=personas.provider,
            enterprise=district.coal,
            experts=[team.wang, team.zhang, district.other_expert],
            leader=team.wang,
            started_at=started(),
        )


def test_enterprise_outside_the_providers_contracts_is_not_found(personas, district, team):
    with pytest.raises(services.InspectionNotFound):
        services.create_inspection(
            actor=personas.provider,
            enterprise=district.chem,
            experts=[team.wang, team.zhang, team.zhao],
            leader=team.wang,
            started_at=started(),
        )


def test_required_team_comes_from_registry_rule(district):
    requirement = services.required_team(district.coal, district.contract)
    assert (requirement.size.minimum, requirement.size.maximum) == (3, 5)
    assert requirement.specialties == {"coal"}
    assert requirement.provider_id == district.provider.pk


# --- findings and submission --------------------------------------------------------------


def test_a_general_finding_on_a_criterion_item_is_registered_major(personas, draft, levels):
    """判定标准 items make the finding major by rule; the provider's "general" goes to the
    government to decide (the hazard is a suspected major, the provider's grade on record)."""
    item = draft.checklist_version.items.filter(major_criterion=True).first()
    services.add_finding(draft, finding_data(levels.general, item=item), actor=personas.provider)
    services.submit_inspection(draft, actor=personas.provider)
    hazard = Hazard.objects.get(inspection_id=draft.pk)
    assert (hazard.legal_level, hazard.criterion, hazard.grade_basis) == ("major", True, "suspected")
    assert hazard.events.get(name="register").data["reported_level"] == levels.general.code


def test_submit_registers_findings_as_hazards(personas, draft, levels):
    items = list(draft.checklist_version.items.all()[:3])
    services.record_item_results(
        draft,
        actor=personas.provider,
        results={items[0].pk: (ItemOutcome.CONFORMING, ""), items[1].pk: (ItemOutcome.NOT_APPLICABLE, "无")},
    )
    services.add_finding(
        draft, finding_data(levels.major, item=items[2]), actor=personas.provider, photos=[photo()]
    )
    services.add_finding(
        draft, finding_data(levels.general, title="配电箱无漏电保护"), actor=personas.provider
    )
    assert not Hazard.objects.exists()
    services.submit_inspection(draft, actor=personas.provider)
    draft.refresh_from_db()
    assert draft.status == InspectionStatus.SUBMITTED
    assert draft.report_number.startswith("PC-410506-")
    hazards = Hazard.objects.filter(inspection_id=draft.pk).order_by("pk")
    assert [h.legal_level for h in hazards] == ["major", "general"]
    # A provider's major is suspected until a department confirms it; listing is a later act.
    assert hazards[0].is_suspected_major and not hazards[0].listed_supervision
    assert hazards[0].found_at == draft.started_at
    assert hazards[0].legal_basis_article == "第十四条"
    assert HazardAttachment.objects.filter(hazard=hazards[0]).count() == 1
    assert draft.results.get(item=items[2]).outcome == ItemOutcome.NON_CONFORMING
    assert all(f.hazard_id for f in draft.findings.all())


def test_a_bad_finding_leaves_no_hazard_and_no_change(personas, draft, levels):
    services.add_finding(draft, finding_data(levels.general), actor=personas.provider)
    services.add_finding(draft, finding_data(levels.major, title="第二条"), actor=personas.provider)
    levels.major.active = False  # the district retired the level after the finding was noted
    levels.major.save()
    with pytest.raises(services.InspectionError, match="第2条发现"):
        services.submit_inspection(draft, actor=personas.provider)
    draft.refresh_from_db()
    assert draft.status == InspectionStatus.DRAFT and draft.report_number == ""
    assert not Hazard.objects.exists()
    assert not draft.findings.filter(hazard__isnull=False).exists()


def test_invalid_finding_and_photo_are_refused(personas, draft, levels):
    with pytest.raises(services.InspectionError) as exc:
        services.add_finding(
            draft,
            finding_data(levels.general, title=" ", description=""),
            actor=personas.provider,
            photos=[SimpleUploadedFile("x.png", b"not an image")],
        )
    assert {"title", "description", "photos"} <= set(exc.value.errors)
    assert not draft.findings.exists()


def test_submitted_inspection_cannot_be_changed(personas, draft, levels):
    services.submit_inspection(draft, actor=personas.provider)
    with pytest.raises(services.InspectionError, match="已提交"):
        services.add_finding(draft, finding_data(levels.general), actor=personas.provider)


def test_another_provider_cannot_touch_the_draft(personas, district, draft, levels):
    from conftest import make_user
    from hazardloop.accounts.choices import Role

    stranger = make_user("other_provider", Role.PROVIDER, provider=district.other_provider)
    with pytest.raises(services.InspectionNotFound):
        services.submit_inspection(draft, actor=stranger)


# --- acknowledgement ----------------------------------------------------------------------


def test_only_the_enterprise_itself_acknowledges(personas, draft):
    with pytest.raises(services.InspectionNotFound):  # a draft is not the enterprise's to see
        services.acknowledge_inspection(draft, actor=personas.enterprise)
    services.submit_inspection(draft, actor=personas.provider)
    with pytest.raises(Refused):
        services.acknowledge_inspection(draft, actor=personas.provider)
    with pytest.raises(services.InspectionNotFound):
        services.acknowledge_inspection(draft, actor=personas.outsider)
    services.acknowledge_inspection(draft, actor=personas.enterprise, note="已收到，将按期整改")
    draft.refresh_from_db()
    assert draft.status == InspectionStatus.ACKNOWLEDGED
    assert draft.acknowledged_by == personas.enterprise
    with pytest.raises(services.InspectionError, match="不能确认"):
        services.acknowledge_inspection(draft, actor=personas.enterprise)


def test_results_can_be_recorded_with_the_draft_and_bad_ones_refuse_it(personas, district, team):
    version = services.checklist_for(district.coal)
    item = version.items.first()
    kwargs = {
        "actor": personas.provider,
        "enterprise": district.coal,
        "experts": [team.wang, team.zhang, team.zhao],
        "leader": team.wang,
        "started_at": started(),
    }
    with pytest.raises(services.InspectionError, match="检查结果无效"):
        services.create_inspection(**kwargs, results={item.pk: ("maybe", "")})
    assert not Inspection.objects.exists()
    inspection = services.create_inspection(**kwargs, results={item.pk: (ItemOutcome.CONFORMING, "良好")})
    assert inspection.results.get().note == "良好"


@pytest.mark.parametrize(
    ("industry", "template"),
    [
        # By hand from GB/T 4754-2017 and 令10号 Art. 2: hazchem business takes the hazchem list.
        ("5265", "hazchem"),  # 机动车燃油零售 (fuel station)
        ("5266", "hazchem"),  # 机动车燃气零售
        ("5162", "hazchem"),  # 石油及制品批发
        ("5169", "hazchem"),  # 其他化工产品批发
        ("2614", "hazchem"),  # 有机化学原料制造
        ("5211", "trade"),  # 百货零售 stays 工贸 (商贸)
        ("5165", "trade"),  # 建材批发 stays 工贸
        ("3411", "trade"),  # 锅炉及辅助设备制造 (机械)
        ("0610", "coal"),  # 烟煤和无烟煤开采洗选
        ("8710", "general"),  # 广播: no special list
    ],
)
def test_fuel_stations_and_hazchem_traders_take_the_hazchem_list_not_order_10(industry, template):
    from hazardloop.registry.models import Enterprise, Industry
    from hazardloop.registry.services import load_industry_classification

    # The classes beyond the built-in ones, as the operator's copy of GB/T 4754-2017 holds them.
    load_industry_classification(
        [
            ("5266", "机动车燃气零售", "526"),
            ("5169", "其他化工产品批发", "516"),
            ("521", "综合零售", "52"),
            ("5211", "百货零售", "521"),
            ("5165", "建材批发", "516"),
            ("341", "锅炉及原动设备制造", "34"),
            ("3411", "锅炉及辅助设备制造", "341"),
            ("R", "文化、体育和娱乐业", ""),
            ("87", "广播、电视、电影和录音制作业", "R"),
            ("871", "广播", "87"),
            ("8710", "广播", "871"),
        ]
    )

    enterprise = Enterprise(industry=Industry.objects.get(code=industry))
    assert services.checklist_for(enterprise).template.code == template
