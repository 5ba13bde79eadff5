"""Hazards in every state, built by calling the real services with the root personas.

The standard hazard is a provider finding at 龙泉煤业 (coal, township A), reported by the
expert persona, routed by the member-unit duties to 区应急管理局 (the `safety_unit` persona)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from hazardloop.hazards import services
from hazardloop.hazards.choices import AssessedBy, EnforcementReason, HazardForm, Verdict
from hazardloop.hazards.models import Hazard, HazardLevel
from hazardloop.registry.choices import HazardCategory

CJK = re.compile(r"[\u4e00-\u9fff]")
_files = itertools.count(1)


def image_bytes(fmt: str = "JPEG", size=(8, 6), colour=(200, 60, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def photo(name: str = "photo.jpg"):
    """A small real upload, fresh each time (an upload is consumed when stored): a JPEG, or a
    PDF when the name says so."""
    if name.endswith(".pdf"):
        return SimpleUploadedFile(f"{next(_files)}-{name}", PDF_BYTES, "application/pdf")
    return SimpleUploadedFile(f"{next(_files)}-{name}", image_bytes(), "image/jpeg")


def far_deadline(days: int = 60) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


PLAN = {
    "goal_and_tasks": "消除主斜井提升系统重大隐患",
    "methods_and_measures": "更换制动系统，加装二级制动",
    "funds_and_materials": "专项资金已列入年度预算",
    "responsible_body_and_people": "机电科，科长张三",
    "time_limit_and_requirements": "60日内完成并组织验收",
    "safety_and_emergency": "停用期间设警戒，修订提升事故应急预案",
}


class Loop:
    """Builders for each state. Every step is a real service call by the persona who does it."""

    def __init__(self, personas, district):
        self.p = personas
        self.d = district
        self.general = HazardLevel.objects.get(code="general")
        self.major = HazardLevel.objects.get(code="major")

    @staticmethod
    def fresh(hazard: Hazard) -> Hazard:
        return Hazard.objects.get(pk=hazard.pk)

    def register(
        self, *, major=False, actor=None, enterprise=None, category=HazardCategory.PRODUCTION, **extra
    ):
        return services.register_hazard(
            actor=actor or self.p.expert,
            enterprise=enterprise or self.d.coal,
            level=self.major if major else self.general,
            category=category,
            form=HazardForm.UNSAFE_STATE,
            title=extra.pop("title", "主斜井提升机制动闸瓦磨损超限" if major else "配电柜前未铺设绝缘垫"),
            description=extra.pop("description", "现场检查发现"),
            legal_basis_law=extra.pop("legal_basis_law", "煤矿安全规程"),
            legal_basis_article=extra.pop("legal_basis_article", "第四百二十九条"),
            photos=extra.pop("photos", [photo("before.jpg")]),
            **extra,
        )

    def found(self, **kw):
        """A general hazard held in `found` by the feedback gate."""
        with override_settings(HAZARD_FEEDBACK_GATE_GENERAL=True):
            return self.fresh(self.register(**kw))

    def routed(self, **kw):
        return self.fresh(self.register(**kw))

    def suspected(self, **kw):
        """A major hazard reported by the expert: routed, waiting for a department's 认定."""
        return self.routed(major=True, **kw)

    def confirmed(self, **kw):
        hazard = self.suspected(**kw)
        services.confirm_major(hazard, actor=self.p.safety_unit, version=hazard.version)
        return self.fresh(hazard)

    def noticed(self, *, major=False, halt=False, deadline=None, **kw):
        hazard = self.confirmed(**kw) if major else self.routed(**kw)
        services.issue_notice(
            hazard,
            actor=self.p.safety_unit,
            version=hazard.version,
            requirements="立即整改",
            deadline=deadline or far_deadline(),
            halt=halt,
        )
        return self.fresh(hazard)

    def awaiting_plan(self, **kw):
        return self.noticed(major=True, **kw)

    def plan_review(self, **kw):
        hazard = self.awaiting_plan(**kw)
        services.submit_plan(hazard, actor=self.p.enterprise, version=hazard.version, **PLAN)
        return self.fresh(hazard)

    def rectifying(self, *, major=False, **kw):
        if not major:
            return self.noticed(**kw)
        hazard = self.plan_review(**kw)
        services.approve_plan(hazard, actor=self.p.safety_unit, version=hazard.version)
        return self.fresh(hazard)

    def with_extension_request(self, **kw):
        hazard = self.rectifying(**kw)
        services.request_extension(
            hazard,
            actor=self.p.enterprise,
            version=hazard.version,
            requested_deadline=hazard.deadline + dt.timedelta(days=30),
            reason="设备到货延迟",
        )
        return self.fresh(hazard)

    def rectify(self, hazard):
        services.submit_rectification(
            hazard,
            actor=self.p.enterprise,
            version=hazard.version,
            measures="已铺设绝缘垫",
            responsible_person="李四",
            completed_on=timezone.localdate(),
            cost="350.00",
            evidence=[photo("after.jpg")],
        )
        return self.fresh(hazard)

    def awaiting_reinspection(self, **kw):
        return self.rectify(self.rectifying(**kw))

    def reinspect(self, hazard, verdict=Verdict.PASSED, actor=None, **kw):
        services.record_reinspection(
            hazard,
            actor=actor or self.p.expert,
            version=hazard.version,
            verdict=verdict,
            findings=kw.pop("findings", "" if verdict == Verdict.PASSED else "绝缘垫规格不符"),
            **kw,
        )
        return self.fresh(hazard)

    def awaiting_acceptance(self, **kw):
        """A major hazard (no halt) whose rectification the provider found done."""
        return self.reinspect(self.awaiting_reinspection(major=True, **kw))

    def listed(self, **kw):
        hazard = self.confirmed(**kw)
        services.list_major(
            hazard,
            actor=self.p.bureau,
            version=hazard.version,
            level="district",
            supervising_unit=hazard.member_unit,
            deadline=far_deadline(90),
            requirements="按期完成治理，报区安委办验收",
        )
        return self.fresh(hazard)

    def awaiting_resumption(self):
        return self.reinspect(self.awaiting_reinspection(major=True, halt=True))

    def resumption_review(self):
        hazard = self.awaiting_resumption()
        services.apply_resumption(
            hazard,
            actor=self.p.enterprise,
            version=hazard.version,
            assessed_by=AssessedBy.FIRM,
            assessment_summary="评价机构评估合格，具备复产条件",
            evidence=[photo("assessment.pdf")],
        )
        return self.fresh(hazard)

    def under_enforcement(self, **kw):
        hazard = self.rectifying(**kw)
        services.start_enforcement(
            hazard,
            actor=self.p.safety_unit,
            version=hazard.version,
            reason=EnforcementReason.REFUSED,
            note="企业拒不整改，立案调查",
        )
        return self.fresh(hazard)


@pytest.fixture
def loop(personas, district):
    return Loop(personas, district)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
