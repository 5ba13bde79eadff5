"""The access matrix's own small world, built through the real services.

It starts from the root `district` and `personas` fixtures (two townships of 龙安区, a
neighbouring district's enterprise, a provider serving township A, member units for safety, fire
and police) and adds, each by the service that creates it in production:

  contract_b        a second service contract: township B (马投涧镇) with the other provider,
                    covering 马投涧化工 and 马投涧纺织
  hazard_coal       a general production hazard at 龙泉煤业 (township A), reported by the expert,
                    routed to 区应急管理局 and given a rectification notice (notice_coal)
  hazard_machine    a general production hazard at 龙泉机械厂 (township A), reported by the
                    provider; the expert has a declared conflict with that factory
  hazard_chem_fire  a fire hazard at 马投涧化工 (township B), reported by the bureau, routed to
                    区消防救援大队
  tender_a          a draft tender of township A
  milestone_a       a payment milestone of contract_a
  meeting           the joint meeting of 龙安区 for last month

Nothing is swallowed: if a service refuses, the test that asked for the world fails there, so a
broken builder cannot silently thin the walk.
"""

from __future__ import annotations

import datetime as dt
import io
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from hazardloop.hazards import services as hazard_services
from hazardloop.hazards.choices import HazardForm
from hazardloop.hazards.models import HazardLevel
from hazardloop.inspections.models import ChecklistItem, ChecklistTemplate, ChecklistVersion
from hazardloop.meetings import services as meeting_services
from hazardloop.procurement import services as procurement_services
from hazardloop.registry.choices import HazardCategory


def _photo(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 60, 30)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), "image/jpeg")


def _hazard(actor, enterprise, title, category=HazardCategory.PRODUCTION):
    return hazard_services.register_hazard(
        actor=actor,
        enterprise=enterprise,
        level=HazardLevel.objects.get(code="general"),
        category=category,
        form=HazardForm.UNSAFE_STATE,
        title=title,
        description="现场检查发现",
        legal_basis_law="安全生产法",
        legal_basis_article="第四十一条",
        photos=[_photo(f"{title}.jpg")],
    )


def build(personas, district) -> SimpleNamespace:
    d, p = district, personas
    today = timezone.localdate()
    year = today.year

    contract_b = procurement_services.record_service_contract(
        actor=p.bureau,
        number="LA-2026-002",
        title="马投涧镇隐患排查服务",
        township=d.town_b,
        provider=d.other_provider,
        start_date=dt.date(year, 1, 1),
        end_date=dt.date(year, 12, 31),
        price=90000,
        enterprises=[d.chem, d.textile],
    )
    milestone_a = procurement_services.add_payment_milestone(
        d.contract, actor=p.township, name="首期款", due_date=dt.date(year, 6, 30), share=30
    )
    tender_a = procurement_services.create_tender(
        actor=p.township,
        number=f"LA-ZB-{year + 1}-01",
        title="龙泉镇下年度隐患排查服务",
        township=d.town_a,
        enterprises=[d.coal, d.machine],
        budget=150000,
        requirements="按合同标准开展排查和复查",
        service_start=dt.date(year + 1, 1, 1),
        service_end=dt.date(year + 1, 12, 31),
        closing_date=today + dt.timedelta(days=20),
    )

    hazard_coal = _hazard(p.expert, d.coal, "配电柜前未铺设绝缘垫")
    notice_coal = hazard_services.issue_notice(
        hazard_coal,
        actor=p.safety_unit,
        version=hazard_coal.version,
        requirements="立即整改",
        deadline=today + dt.timedelta(days=60),
    )
    hazard_coal.refresh_from_db()
    hazard_machine = _hazard(p.provider, d.machine, "车床防护罩缺失")
    hazard_chem_fire = _hazard(p.bureau, d.chem, "消防通道堆放杂物", HazardCategory.FIRE)

    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    meeting = meeting_services.schedule_meeting(
        actor=p.bureau,
        district=d.longan,
        year=last_month.year,
        month=last_month.month,
        scheduled_at=timezone.now() + dt.timedelta(days=3),
        place="区政府三楼会议室",
        convener=p.leader,
    )

    version = ChecklistVersion.objects.order_by("pk").first()
    return SimpleNamespace(
        contract_a=d.contract,
        contract_b=contract_b,
        milestone_a=milestone_a,
        tender_a=tender_a,
        hazard_coal=hazard_coal,
        notice_coal=notice_coal,
        attachment_coal=hazard_coal.attachments.order_by("pk").first(),
        hazard_machine=hazard_machine,
        hazard_chem_fire=hazard_chem_fire,
        meeting=meeting,
        checklist_version=version,
        checklist_item=ChecklistItem.objects.filter(version=version).order_by("pk").first(),
        checklist_template=ChecklistTemplate.objects.order_by("pk").first(),
        coal=d.coal,
        machine=d.machine,
        chem=d.chem,
        textile=d.textile,
        outsider=d.outsider,
        provider=d.provider,
        other_provider=d.other_provider,
        expert=d.expert,
        other_expert=d.other_expert,
        safety=d.safety,
        fire=d.fire,
        police=d.police,
        town_a=d.town_a,
        industry=d.coal.industry,
    )
