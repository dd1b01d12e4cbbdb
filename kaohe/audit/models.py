"""The append-only audit log, chained by hash so that an edited or deleted row is detected."""

import hashlib
import hmac
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS = "0" * 64


def canonical(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class AppendOnly(Exception):
    pass


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(unique=True, editable=False)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_name = models.CharField(_("操作人"), max_length=150)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=40, db_index=True)
    target_id = models.CharField(_("对象"), max_length=64, db_index=True)
    target_repr = models.CharField(_("对象名称"), max_length=200)
    # Path of the org the target belongs to, so that a scoped audit admin sees only their subtree.
    org_path = models.CharField(max_length=255, blank=True, db_index=True)
    old = models.JSONField(_("原值"), null=True, encoder=DjangoJSONEncoder)
    new = models.JSONField(_("新值"), null=True, encoder=DjangoJSONEncoder)
    ip = models.GenericIPAddressField(_("来源 IP"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries are never deleted")

    @property
    def old_items(self) -> list[tuple[str, str]]:
        return _items(self.old)

    @property
    def new_items(self) -> list[tuple[str, str]]:
        return _items(self.new)

    @property
    def action_label(self) -> str:
        from kaohe.audit.labels import action_label

        return action_label(self.action)

    def payload(self) -> dict:
        """What the hash covers: every field a reader relies on."""
        return {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "target_repr": self.target_repr,
            "org_path": self.org_path,
            "old": self.old,
            "new": self.new,
            "ip": self.ip,
        }

    def compute_hash(self) -> str:
        # Round-trip old/new through JSON so the hash is the same before and after storage.
        body = json.loads(canonical(self.payload()))
        message = (self.prev_hash + canonical(body)).encode()
        # Keyed: someone who can write to the database but lacks the key cannot re-forge the chain.
        return hmac.new(settings.AUDIT_KEY.encode(), message, hashlib.sha256).hexdigest()


def _items(values) -> list[tuple[str, str]]:
    """Old or new values as (field, text) pairs for reading; nested values stay compact JSON."""
    if values is None:
        return []
    if not isinstance(values, dict):
        return [("", str(values))]
    return [(k, v if isinstance(v, str) else canonical(v)) for k, v in values.items()]


class AuditHead(models.Model):
    """One row: the chain's last hash and length. Locking it serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"
