"""Choice sets of enforcement records (处理); who may do what is in `access.py`.

Values are stable English (stored and audited); labels are Chinese through gettext."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionKind(models.TextChoices):
    """What the department did (domain.md §4, Work Safety Law 2021 article numbers)."""

    ORDER_RECTIFY_BY_DEADLINE = "order_rectify", _("责令限期整改")
    ORDER_IMMEDIATE_REMOVAL = "order_immediate", _("责令立即排除")
    ORDER_WITHDRAW_HALT = "order_withdraw_halt", _("责令撤人/暂时停产停业/停止使用")
    WARNING = "warning", _("警告")
    FINE = "fine", _("罚款")
    CONFISCATION = "confiscation", _("没收违法所得")
    HALT_FOR_RECTIFICATION = "halt_rectification", _("责令停产停业整顿")
    LICENCE = "licence", _("暂扣/吊销许可证")
    SEAL_OR_SEIZE = "seal_seize", _("查封/扣押")
    CUT_SUPPLY = "cut_supply", _("停止供电/民爆供应")
    DAILY_PENALTY = "daily_penalty", _("按日连续处罚")
    PROPOSE_CLOSURE = "propose_closure", _("提请关闭")
    TRANSFER_DEPARTMENT = "transfer_department", _("移送有关部门")
    TRANSFER_JUDICIAL = "transfer_judicial", _("移送司法机关")
    LISTED_SUPERVISION = "listed_supervision", _("挂牌督办")
    INTERVIEW = "interview", _("约谈")
    BLACKLIST = "blacklist", _("纳入违法/失信信息库")


class ActionStatus(models.TextChoices):
    IN_FORCE = "in_force", _("执行中")
    FULFILLED = "fulfilled", _("已履行")
    REVOKED = "revoked", _("已撤销")
