from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.IntegerChoices):
    """Numbered audit event types. The numbers are stored and hashed, so they never change
    meaning once released; retire a type by leaving its number unused.

    Blocks of one hundred per concern, so that later apps take the next free number in their
    block (or a new block from 700 up) without renumbering anything:
    1xx authentication and accounts, 2xx records, 3xx workflow, 4xx data exchange,
    5xx personal data, 6xx the audit log itself and system operations.
    """

    LOGIN_SUCCEEDED = 100, _("登录成功")
    LOGIN_FAILED = 101, _("登录失败")
    LOGOUT = 102, _("退出登录")
    PASSWORD_CHANGED = 103, _("修改密码")
    TOKEN_ISSUED = 104, _("签发接口令牌")
    TOKEN_REVOKED = 105, _("撤销接口令牌")
    PASSWORD_RESET_REQUESTED = 106, _("申请重置密码")

    RECORD_CREATED = 200, _("新建记录")
    RECORD_UPDATED = 201, _("修改记录")
    RECORD_DELETED = 202, _("删除记录")

    STATE_TRANSITION = 300, _("状态变更")

    EXPORT = 400, _("导出数据")
    IMPORT = 401, _("导入数据")

    PERSONAL_DATA_VIEWED = 500, _("查看未脱敏个人信息")

    AUDIT_PURGED = 600, _("清理过期审计日志")
    BACKUP_CREATED = 601, _("创建备份")
    BACKUP_RESTORED = 602, _("从备份恢复")


class BreakKind(models.TextChoices):
    """What verification found wrong at the first broken link of the chain."""

    GAP = "gap", _("序号不连续")
    PREV_HASH = "prev_hash", _("前序哈希不符")
    HASH = "hash", _("内容哈希不符")
    TAIL = "tail", _("链尾与链头表不符")
    CHECKPOINT = "checkpoint", _("与外部检查点不符")
