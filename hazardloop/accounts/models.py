"""Users and their place in the district. Visibility is decided in scoping.py, not here."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .choices import LINK_FIELDS, ROLE_LINK, Role


def _role_link_constraint() -> Q:
    """Exactly the link a role needs is set; every other link is empty."""
    condition = Q()
    for role, link in ROLE_LINK.items():
        clause = Q(role=role)
        for field in LINK_FIELDS:
            clause &= Q(**{f"{field}__isnull": field != link})
        condition |= clause
    return condition


class HazardLoopUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person with one role and the organisation that role belongs to."""

    display_name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("手机号"), max_length=32, blank=True)
    role = models.CharField(
        _("角色"), max_length=16, choices=Role.choices, default=Role.ENTERPRISE, db_index=True
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("所属区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    member_unit = models.ForeignKey(
        "registry.MemberUnit",
        verbose_name=_("成员单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    provider = models.ForeignKey(
        "registry.Provider",
        verbose_name=_("服务机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    expert = models.OneToOneField(
        "registry.Expert",
        verbose_name=_("专家"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="user",
    )
    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    password_changed_at = models.DateTimeField(_("密码修改时间"), default=timezone.now)

    objects = HazardLoopUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(condition=_role_link_constraint(), name="user_role_matches_link")
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()
        # Read by accounts.tokens.on_user_saved: the user's API tokens end with the old password.
        self._password_was_set = True

    @property
    def organisation(self):
        """The organisation the role acts for, for display."""
        link = ROLE_LINK.get(Role(self.role))
        return getattr(self, link) if link else None

    @property
    def organisation_name(self) -> str:
        org = self.organisation
        if org is None:
            return str(_("系统"))
        if self.role == Role.BUREAU:
            return gettext("%(region)s应急管理局") % {"region": org.name}
        if self.role == Role.LEADER:
            return gettext("%(region)s人民政府") % {"region": org.name}
        if self.role == Role.EXPERT:
            # An expert acts for the firm that employs them, not as an organisation of their own.
            return str(org.provider)
        return str(org)


class TokenEndReason(models.TextChoices):
    """Why a token stopped working; shown on the token list and kept in the audit event."""

    USER = "user", _("本人撤销")
    ADMIN = "admin", _("管理员撤销")
    PASSWORD_CHANGED = "password_changed", _("密码已修改")
    PASSWORD_EXPIRED = "password_expired", _("密码已过期")
    DEACTIVATED = "deactivated", _("账号已停用")
    EXPIRED = "expired", _("令牌已到期")
    SUPERSEDED = "superseded", _("超过令牌数量上限，最早的令牌被替换")


class ApiToken(models.Model):
    """An API access token. Only a SHA-256 digest of the key is stored: a database dump or
    backup gives nobody a working token. Every token has an end (API_TOKEN_LIFETIME_DAYS) and
    stops at once when revoked; the authentication class (accounts/tokens.py) also refuses a
    token issued before the user's last password change, whatever this row says."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("用途"), max_length=64, blank=True)
    digest = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    # The first characters of the key, so that a user can tell their tokens apart.
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("签发时间"), default=timezone.now)
    expires_at = models.DateTimeField(_("到期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("撤销原因"), max_length=20, choices=TokenEndReason.choices, blank=True
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "revoked_at"], name="api_token_user_live")]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}".strip()

    def is_live(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())
