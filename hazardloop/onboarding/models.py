"""Activation codes: how an enterprise without an account gets one (decision 0060)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hazardloop.core.fields import EncryptedCharField


class ActivationCodeQuerySet(models.QuerySet):
    def visible_to(self, user):
        from hazardloop.accounts.scoping import scope

        return scope(self, user)

    def live(self, now=None):
        """Not used, not withdrawn, not expired: the codes that can still open an account."""
        now = now or timezone.now()
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class ActivationCode(models.Model):
    """A one-time code that lets an enterprise's safety manager create the enterprise's account.

    Printed on the rectification notice (with a QR code) and sent to the enterprise's contact by
    SMS or e-mail. The digest finds and checks a typed code; the text itself is kept encrypted
    only so that a notice printed again shows the same code."""

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="activation_codes",
    )
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    code = EncryptedCharField(_("激活码"), max_length=32)
    issued_at = models.DateTimeField(_("发放时间"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发放人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.CharField(_("发放原因"), max_length=120, blank=True)
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("开通的账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    objects = ActivationCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业激活码")
        verbose_name_plural = _("企业激活码")
        ordering = ["-issued_at", "-pk"]
        indexes = [models.Index(fields=["enterprise", "used_at", "revoked_at"], name="activation_live")]
        constraints = [
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(revoked_at__isnull=True),
                name="activation_used_or_revoked_not_both",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.issued_at:%Y-%m-%d}"

    @property
    def state(self) -> str:
        if self.used_at:
            return "used"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "live"
