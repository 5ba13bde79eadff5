"""Choice sets of the registry. Labels are Chinese through gettext; values are stable English."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    DISTRICT = "district", _("区县")
    TOWNSHIP = "township", _("乡镇街道")


class TownshipKind(models.TextChoices):
    STREET = "street", _("街道办事处")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    OTHER = "other", _("其他")


class SizeClass(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class EnterpriseStatus(models.TextChoices):
    ACTIVE = "active", _("在营")
    SUSPENDED = "suspended", _("停产")
    CLOSED = "closed", _("关闭")


class Specialty(models.TextChoices):
    """Expert specialties, matched against what an enterprise's industry needs."""

    COAL = "coal", _("煤矿")
    NON_COAL = "non_coal", _("非煤矿山")
    HAZCHEM = "hazchem", _("危险化学品")
    METALLURGY = "metallurgy", _("冶金有色")
    MACHINERY = "machinery", _("机械")
    TEXTILES = "textiles", _("纺织轻工")
    BUILDING_MATERIALS = "building", _("建材")
    ELECTRICAL = "electrical", _("电气")
    FIRE = "fire", _("消防")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备")
    DUST = "dust", _("粉尘防爆")
    GENERAL = "general", _("综合安全管理")


class HazardCategory(models.TextChoices):
    """What a hazard is about; member-unit duties and routing rules key on it."""

    PRODUCTION = "production", _("生产安全")
    FIRE = "fire", _("消防安全")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备")
    EXPLOSIVES = "explosives", _("民用爆炸物品")
    HAZCHEM = "hazchem", _("危险化学品")
    OCCUPATIONAL_HEALTH = "occupational_health", _("职业健康")
    ELECTRICAL = "electrical", _("用电安全")
    TRAFFIC = "traffic", _("道路交通")


class MemberUnitKind(models.TextChoices):
    """Since the 2018 reform the district's safety regulator is the 应急管理局 (which also
    houses the 安委会办公室); occupational health went to 卫生健康 and 质检 into 市场监管."""

    SAFETY = "safety", _("应急管理")
    POLICE = "police", _("公安")
    FIRE = "fire", _("消防救援")
    MARKET = "market", _("市场监管")
    HEALTH = "health", _("卫生健康")
    INDUSTRY = "industry", _("行业主管部门")
    OTHER = "other", _("其他")


class CertificateKind(models.TextChoices):
    REGISTERED_SAFETY_ENGINEER = "rse", _("注册安全工程师")
    SAFETY_ASSESSOR = "assessor", _("安全评价师")
    FIRE_ENGINEER = "fire_engineer", _("注册消防工程师")
    TITLE = "title", _("专业技术职称")
    SPECIAL_OPERATION = "special_operation", _("特种作业操作证")
    OTHER = "other", _("其他")


class ProviderStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    SUSPENDED = "suspended", _("暂停")
    REVOKED = "revoked", _("取消资格")


class ImportKind(models.TextChoices):
    ENTERPRISES = "enterprises", _("企业名录")
    EXPERTS = "experts", _("专家名录")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    VALIDATING = "validating", _("校验中")
    WRITING = "writing", _("写入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("未导入")

    @classmethod
    def running(cls) -> frozenset[str]:
        return frozenset({cls.PENDING, cls.VALIDATING, cls.WRITING})
