"""The audit log: an append-only, hash-chained list of events. Rows are written only by
`services.record_event`; the guards below make the ORM refuse to change or remove them, and on
PostgreSQL a trigger (migration 0002) refuses it in the database as well."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import rules
from .choices import EventType


class AuditImmutableError(Exception):
    """Someone tried to change or delete an audit row through the ORM."""


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk writes would bypass both the hash and the model guard, so they are refused too."""

    def update(self, **kwargs):
        raise AuditImmutableError(f"{self.model.__name__} rows cannot be updated")

    def delete(self):
        raise AuditImmutableError(f"{self.model.__name__} rows cannot be deleted")

    def bulk_create(self, *args, **kwargs):
        raise AuditImmutableError(
            f"{self.model.__name__} rows are appended only by audit.services, which hashes each"
        )

    def bulk_update(self, *args, **kwargs):
        raise AuditImmutableError(f"{self.model.__name__} rows cannot be updated")

    def visible_to(self, user):
        from hazardloop.accounts import scoping

        return scoping.scope(self, user)


class AppendOnlyModel(models.Model):
    """Insert once, never update, never delete."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutableError(f"{type(self).__name__} rows cannot be updated")
        # The primary key is set by the writer, so a plain save would try an UPDATE first.
        kwargs["force_insert"] = True
        kwargs.pop("force_update", None)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError(f"{type(self).__name__} rows cannot be deleted")


class AuditEvent(AppendOnlyModel):
    """One thing that happened: who, when, what kind, to which record, with what data, from which
    address. `hash` covers every other column and the previous row's hash, so editing,
    removing or reordering rows breaks the chain where it was done."""

    seq = models.PositiveBigIntegerField(_("序号"), primary_key=True)
    timestamp = models.DateTimeField(_("时间"), db_index=True)
    # PROTECT: the actor id is part of the hash, so a user who has acted cannot be deleted
    # (deactivate instead); SET_NULL would silently break the chain.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        db_index=False,  # led by the (actor, timestamp) index below
    )
    # The name as it was at the time, so that renaming the user later does not rewrite history.
    actor_display = models.CharField(_("操作人名称"), max_length=200, blank=True)
    event_type = models.PositiveSmallIntegerField(_("事件类型"), choices=EventType.choices)
    target_type = models.ForeignKey(
        ContentType,
        verbose_name=_("对象类型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # led by the (target_type, target_id) index below
    )
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    prev_hash = models.CharField(_("前序哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["seq"]
        constraints = [
            models.CheckConstraint(condition=Q(seq__gte=1), name="audit_event_seq_positive"),
        ]
        indexes = [
            models.Index(fields=["actor", "timestamp"], name="audit_event_actor_time"),
            models.Index(fields=["event_type", "timestamp"], name="audit_event_type_time"),
            models.Index(fields=["target_type", "target_id"], name="audit_event_target"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.get_event_type_display()} {self.actor_display}".strip()

    def chain_fields(self) -> dict:
        """The hashed form of this row, rebuilt from what is stored."""
        target_type = None
        if self.target_type_id is not None:
            ct = ContentType.objects.get_for_id(self.target_type_id)
            target_type = f"{ct.app_label}.{ct.model}"
        return rules.chain_fields(
            seq=self.seq,
            timestamp=self.timestamp,
            actor_id=self.actor_id,
            actor_display=self.actor_display,
            event_type=self.event_type,
            target_type=target_type,
            target_id=self.target_id,
            target_repr=self.target_repr,
            data=self.data,
            ip_address=self.ip_address,
            prev_hash=self.prev_hash,
        )

    def chain_record(self) -> rules.ChainRecord:
        return rules.ChainRecord(
            seq=self.seq, prev_hash=self.prev_hash, hash=self.hash, fields=self.chain_fields()
        )


class AuditChainHead(models.Model):
    """The single row naming the last appended event. Appenders lock it (SELECT … FOR UPDATE), so
    two writers cannot both take the same next number and fork the chain; verification compares
    it with the last row so that deleting the newest rows is noticed."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(_("最后序号"), default=0)
    hash = models.CharField(_("最后哈希"), max_length=64, default=rules.GENESIS_HASH)

    class Meta:
        verbose_name = _("审计链头")
        verbose_name_plural = _("审计链头")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="audit_chain_head_single_row")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class AuditAnchor(AppendOnlyModel):
    """Where the chain now starts after a retention purge: the sequence number and hash of the
    last purged row. Verification begins here instead of at the genesis; the newest anchor
    counts, the older ones remain as the history of purges."""

    seq = models.PositiveBigIntegerField(_("最后清理序号"), primary_key=True)
    hash = models.CharField(_("最后清理哈希"), max_length=64)
    cutoff = models.DateTimeField(_("清理截止时间"))
    purged_count = models.PositiveBigIntegerField(_("清理条数"))
    created_at = models.DateTimeField(_("清理时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审计链锚点")
        verbose_name_plural = _("审计链锚点")
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
