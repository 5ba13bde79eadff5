"""Users and their place in the district. Visibility is decided in scoping.py, not here."""

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
            return gettext("%(region)s安全生产监督管理局") % {"region": org.name}
        if self.role == Role.LEADER:
            return gettext("%(region)s人民政府") % {"region": org.name}
        if self.role == Role.EXPERT:
            # An expert acts for the firm that employs them, not as an organisation of their own.
            return str(org.provider)
        return str(org)
