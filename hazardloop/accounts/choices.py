from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The parties of DESIGN.md. Each role names the one organisation link it needs."""

    ADMIN = "admin", _("系统管理员")
    BUREAU = "bureau", _("区安监局")
    LEADER = "leader", _("区分管领导")
    MEMBER_UNIT = "member_unit", _("成员单位")
    TOWNSHIP = "township", _("乡镇/街道")
    PROVIDER = "provider", _("服务机构")
    EXPERT = "expert", _("专家")
    ENTERPRISE = "enterprise", _("企业")


# The organisation link each role must carry (and no other).
ROLE_LINK = {
    Role.ADMIN: None,
    Role.BUREAU: "region",
    Role.LEADER: "region",
    Role.MEMBER_UNIT: "member_unit",
    Role.TOWNSHIP: "region",
    Role.PROVIDER: "provider",
    Role.EXPERT: "expert",
    Role.ENTERPRISE: "enterprise",
}
LINK_FIELDS = ("region", "member_unit", "provider", "expert", "enterprise")
