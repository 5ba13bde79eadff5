"""The registry: regions, industries, enterprises, providers, experts and member units."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hazardloop.core.fields import EncryptedCharField
from hazardloop.core.models import TimeStampedModel
from hazardloop.core.querysets import ScopedQuerySet

from . import rules
from .choices import (
    CertificateKind,
    EnterpriseStatus,
    HazardCategory,
    ImportKind,
    ImportStatus,
    MemberUnitKind,
    ProviderStatus,
    RegionLevel,
    SizeClass,
    Specialty,
    TownshipKind,
)


class Region(models.Model):
    """An administrative division (GB/T 2260 for province to district, NBS 9-digit codes for
    townships and street offices). Validity dates let a merged or renamed unit keep its history."""

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=RegionLevel.choices, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=TownshipKind.choices, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("启用日期"), null=True, blank=True)
    valid_to = models.DateField(_("停用日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Industry(models.Model):
    """A GB/T 4754-2017 category: section letter, 2-digit division, 3-digit group or 4-digit class."""

    code = models.CharField(_("行业代码"), max_length=4, unique=True)
    name = models.CharField(_("行业名称"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    specialty = models.CharField(
        _("所需专业"),
        max_length=32,
        choices=Specialty.choices,
        default=Specialty.GENERAL,
        help_text=_("检查该行业企业时专家组中至少一人须具备的专业"),
    )

    class Meta:
        verbose_name = _("国民经济行业")
        verbose_name_plural = _("国民经济行业")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def division(self) -> str:
        return self.code[:2] if self.code[:1].isdigit() else ""


class EnterpriseQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status=EnterpriseStatus.ACTIVE)

    def high_risk(self):
        return self.filter(high_risk=True)


class Enterprise(TimeStampedModel):
    """An inspected unit, keyed by its 统一社会信用代码. `high_risk` is the effective flag: computed
    from industry and special items unless the bureau overrides it."""

    name = models.CharField(_("企业名称"), max_length=200, db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    township = models.ForeignKey(
        Region,
        verbose_name=_("所属乡镇街道"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        limit_choices_to={"level": RegionLevel.TOWNSHIP},
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("行业"), on_delete=models.PROTECT, related_name="enterprises"
    )
    employees = models.PositiveIntegerField(_("从业人员"), default=0)
    revenue_10k = models.PositiveIntegerField(_("营业收入（万元）"), default=0)
    size = models.CharField(_("企业规模"), max_length=8, choices=SizeClass.choices, db_index=True)
    hazchem_licence = models.BooleanField(_("持有危化品许可"), default=False)
    dust_explosion = models.BooleanField(_("涉爆粉尘"), default=False)
    ammonia_refrigeration = models.BooleanField(_("涉氨制冷"), default=False)
    confined_space = models.BooleanField(_("有限空间作业"), default=False)
    molten_metal = models.BooleanField(_("涉高温熔融金属"), default=False)
    high_risk_override = models.BooleanField(
        _("高危认定（人工）"), null=True, blank=True, help_text=_("留空则按行业和特殊作业自动认定")
    )
    high_risk = models.BooleanField(_("高危企业"), default=False, db_index=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=EnterpriseStatus.choices,
        default=EnterpriseStatus.ACTIVE,
        db_index=True,
    )
    address = models.CharField(_("地址"), max_length=255, blank=True)
    longitude = models.DecimalField(
        _("经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    latitude = models.DecimalField(
        _("纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=64, blank=True)
    principal = models.CharField(_("主要负责人"), max_length=64, blank=True)
    safety_contact = models.CharField(_("安全管理联系人"), max_length=64, blank=True)
    safety_contact_phone = EncryptedCharField(_("联系电话"), max_length=32, blank=True)
    established = models.DateField(_("成立日期"), null=True, blank=True)

    # Grows by one with every saved edit; an edit made from an older copy is refused (409), so
    # two clerks editing one record at once cannot silently overwrite each other (ADR 0035).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["township", "name"], name="enterprise_township_name"),
            models.Index(fields=["industry", "name"], name="enterprise_industry_name"),
            models.Index(fields=["high_risk", "size"], name="enterprise_risk_size"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
                name="enterprise_credit_code_charset",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def special_items(self) -> bool:
        return self.dust_explosion or self.ammonia_refrigeration or self.confined_space or self.molten_metal

    def computed_high_risk(self) -> bool:
        # Machinery and textiles count as high-risk only when a special item applies (domain.md §5.4).
        return rules.is_high_risk(
            self.industry.code,
            hazchem_licence=self.hazchem_licence,
            dust_explosion=self.dust_explosion,
            ammonia_refrigeration=self.ammonia_refrigeration,
            molten_metal=self.molten_metal,
            confined_space=self.confined_space,
        )

    @property
    def team_size(self) -> rules.TeamSize:
        return rules.required_team_size(self.size, self.high_risk)


class Provider(TimeStampedModel):
    """A third-party safety service firm (承接主体)."""

    name = models.CharField(_("机构名称"), max_length=200, unique=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ProviderStatus.choices, default=ProviderStatus.ACTIVE
    )
    qualifications = models.TextField(_("资质"), blank=True)
    equipment = models.TextField(_("检测装备"), blank=True)
    office_area_m2 = models.PositiveIntegerField(_("办公场所面积（㎡）"), default=0)
    staff_count = models.PositiveIntegerField(_("从业人员"), default=0)
    address = models.CharField(_("地址"), max_length=255, blank=True)
    contact = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), max_length=32, blank=True)
    major_violation_date = models.DateField(_("最近重大违法记录日期"), null=True, blank=True)
    # Grows by one with every saved edit; an edit made from an older copy is refused (409), so
    # two clerks editing one record at once cannot silently overwrite each other (ADR 0035).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务机构")
        verbose_name_plural = _("服务机构")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ExpertQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(active=True)


class Expert(TimeStampedModel):
    """An expert of a provider: specialties, certificates and the enterprises they must not inspect."""

    provider = models.ForeignKey(
        Provider, verbose_name=_("所属机构"), on_delete=models.PROTECT, related_name="experts"
    )
    name = models.CharField(_("姓名"), max_length=64, db_index=True)
    # Encrypted at rest (core/fields.py); the id number deterministically, because imports
    # match experts by it and it is unique.
    id_number = EncryptedCharField(_("身份证号"), max_length=18, blank=True, deterministic=True)
    phone = EncryptedCharField(_("手机号"), max_length=32, blank=True)
    title = models.CharField(_("职称"), max_length=64, blank=True)
    full_time = models.BooleanField(_("专职"), default=True)
    active = models.BooleanField(_("在岗"), default=True, db_index=True)
    # Where the expert sets out from for a visit (home area or the firm's local office): the
    # year planner counts the distance from here to each enterprise (ADR 0017).
    base_address = models.CharField(_("常驻地点"), max_length=255, blank=True)
    base_longitude = models.DecimalField(
        _("常驻地经度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    base_latitude = models.DecimalField(
        _("常驻地纬度"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    conflicts = models.ManyToManyField(
        Enterprise,
        verbose_name=_("回避企业"),
        through="ExpertConflict",
        related_name="conflicted_experts",
        blank=True,
    )

    # Grows by one with every saved edit; an edit made from an older copy is refused (409), so
    # two clerks editing one record at once cannot silently overwrite each other (ADR 0035).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    objects = ExpertQuerySet.as_manager()

    class Meta:
        verbose_name = _("专家")
        verbose_name_plural = _("专家")
        ordering = ["provider", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"], condition=~Q(id_number=""), name="expert_unique_id_number"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def specialties(self) -> list[str]:
        # Reads the prefetched rows when a list page asked for them, so no query per expert.
        return sorted(row.specialty for row in self.specialty_rows.all())

    def specialty_labels(self) -> list[str]:
        labels = dict(Specialty.choices)
        return [str(labels.get(s, s)) for s in self.specialties]

    @property
    def base(self) -> tuple[float, float] | None:
        """(latitude, longitude) of the base, or None when not recorded."""
        if self.base_latitude is None or self.base_longitude is None:
            return None
        return float(self.base_latitude), float(self.base_longitude)


class ExpertSpecialty(models.Model):
    """One specialty of an expert; a row each so that lists can filter and planning can match."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="specialty_rows")
    specialty = models.CharField(_("专业"), max_length=32, choices=Specialty.choices, db_index=True)

    class Meta:
        verbose_name = _("专家专业")
        verbose_name_plural = _("专家专业")
        constraints = [
            models.UniqueConstraint(fields=["expert", "specialty"], name="expert_specialty_unique")
        ]

    def __str__(self) -> str:
        return self.get_specialty_display()


class ExpertCertificate(models.Model):
    """A certificate an expert holds; an expired one does not count towards entry conditions."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(_("证书类别"), max_length=32, choices=CertificateKind.choices)
    number = models.CharField(_("证书编号"), max_length=64)
    issued = models.DateField(_("发证日期"), null=True, blank=True)
    expires = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("专家证书")
        verbose_name_plural = _("专家证书")
        constraints = [models.UniqueConstraint(fields=["kind", "number"], name="certificate_unique_number")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"


class ExpertConflict(models.Model):
    """An enterprise an expert must not inspect (a former employer, a relative, a consulting client)."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflict_rows")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="expert_conflict_rows")
    reason = models.CharField(_("回避原因"), max_length=200)

    class Meta:
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        constraints = [models.UniqueConstraint(fields=["expert", "enterprise"], name="conflict_unique_pair")]

    def __str__(self) -> str:
        return f"{self.expert} ↔ {self.enterprise}"


class MemberUnit(models.Model):
    """A member unit of the joint meeting (安监, 公安, 消防, 市场监管, …) in one district."""

    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=MemberUnitKind.choices)
    # The unit that houses the district's 安全生产委员会办公室 (the 应急管理局 since 2018): it
    # convenes the member units and keeps the joint meeting's records.
    committee_office = models.BooleanField(_("安委会办公室所在单位"), default=False)
    district = models.ForeignKey(
        Region,
        verbose_name=_("所属区县"),
        on_delete=models.PROTECT,
        related_name="member_units",
        limit_choices_to={"level": RegionLevel.DISTRICT},
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        ordering = ["district", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="member_unit_unique_name")]

    def __str__(self) -> str:
        return self.name


class MemberUnitDuty(models.Model):
    """What a member unit answers for: enterprises whose industry code starts with
    `industry_prefix` (blank: every industry) and hazards of `hazard_category` (blank: every one).
    Routing rules (the closed-loop issue) build on these."""

    member_unit = models.ForeignKey(MemberUnit, on_delete=models.CASCADE, related_name="duties")
    industry_prefix = models.CharField(_("行业代码前缀"), max_length=4, blank=True)
    hazard_category = models.CharField(
        _("隐患类别"), max_length=32, choices=HazardCategory.choices, blank=True
    )

    class Meta:
        verbose_name = _("成员单位职责")
        verbose_name_plural = _("成员单位职责")
        constraints = [
            models.UniqueConstraint(
                fields=["member_unit", "industry_prefix", "hazard_category"], name="duty_unique"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.member_unit}: {self.industry_prefix or '*'} / {self.get_hazard_category_display() or '*'}"
        )


# --- imports ------------------------------------------------------------------------------------


class ImportJobQuerySet(ScopedQuerySet):
    def running(self):
        return self.filter(status__in=ImportStatus.running())


class ImportJob(models.Model):
    """One uploaded Excel file and what became of it. The whole file is checked before anything
    is written; `errors` lists every problem found (row as Excel numbers it, column, message),
    and a file with any problem writes nothing. Progress fields let the page poll a long run."""

    kind = models.CharField(_("导入类型"), max_length=16, choices=ImportKind.choices)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING, db_index=True
    )
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已校验行数"), default=0)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    unchanged_count = models.PositiveIntegerField(_("未变化"), default=0)
    error_count = models.PositiveIntegerField(_("问题数"), default=0)
    errors = models.JSONField(_("问题清单"), default=list, blank=True)
    message = models.CharField(_("说明"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["actor", "-created_at"], name="importjob_actor_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_name}"

    @property
    def is_running(self) -> bool:
        return self.status in ImportStatus.running()

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)
