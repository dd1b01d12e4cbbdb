"""Appending to the audit log. Every action function calls `record` inside its transaction."""

from collections.abc import Sequence

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from kaohe.audit.context import current_ip
from kaohe.audit.models import GENESIS, AuditEntry, AuditHead


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    """The named fields of `obj` as plain values, for the old / new columns."""
    out = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = str(value)
        out[name] = value
    return out


def changed(old: dict, new: dict) -> tuple[dict, dict]:
    """Only the fields that differ, so an entry shows what the action actually changed."""
    keys = [k for k in new if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in keys}, {k: new[k] for k in keys}


def record(
    actor,
    action: str,
    target: models.Model | None = None,
    *,
    old: dict | None = None,
    new: dict | None = None,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
    org_path: str = "",
) -> AuditEntry:
    details = {
        "target_type": target_type,
        "target_id": target_id,
        "target_repr": target_repr,
        "org_path": org_path,
    }
    return record_many(actor, action, [(target, old, new)], **details)[0]


def record_many(
    actor,
    action: str,
    changes: Sequence[tuple[models.Model | None, dict | None, dict | None]],
    *,
    target_type: str = "",
    target_id: str = "",
    target_repr: str = "",
    org_path: str = "",
) -> list[AuditEntry]:
    """One entry per (target, old, new), chained in order; a bulk write (an import of thousands of
    people) locks the chain's head once and inserts its entries in batches."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the action's transaction")
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1, defaults={"hash": GENESIS})
    now, ip = timezone.now(), current_ip.get()
    entries = []
    for target, old, new in changes:
        entry = AuditEntry(
            seq=head.seq + 1,
            at=now,
            actor=actor if actor is not None and actor.pk else None,
            actor_name=(actor.username if actor is not None else "system"),
            action=action,
            target_type=target_type or (target._meta.label_lower if target is not None else ""),
            target_id=target_id or (_target_id(target) if target is not None else ""),
            target_repr=target_repr or (str(target)[:200] if target is not None else ""),
            org_path=org_path or (_org_path_of(target) if target is not None else ""),
            old=old,
            new=new,
            ip=ip,
            prev_hash=head.hash,
        )
        entry.hash = entry.compute_hash()
        entries.append(entry)
        head.seq, head.hash = entry.seq, entry.hash
    AuditEntry.objects.bulk_create(entries, batch_size=1000)
    head.save(update_fields=["seq", "hash"])
    return entries


def _target_id(target: models.Model) -> str:
    # A public id is unique where a code may not be (every version of a scheme shares its code).
    return str(getattr(target, "public_id", None) or getattr(target, "code", None) or target.pk)


def _org_path_of(target: models.Model) -> str:
    path = getattr(target, "path", None)
    if isinstance(path, str):
        return path
    for attr in ("org", "owner", "cycle", "user"):
        related = getattr(target, attr, None)
        if related is not None and related is not target:
            return _org_path_of(related)
    return ""


def write_anchor() -> tuple[int, str] | None:
    """Append the chain's current head to the anchor file, outside the database it vouches for.

    Run from cron (`kaohe audit anchor`): a later `kaohe audit verify` then notices rows cut off
    the end or a chain rebuilt after the anchor, which the chain alone cannot show.
    """
    head = AuditHead.objects.filter(id=1).first()
    if head is None or head.seq == 0:
        return None
    path = settings.AUDIT_ANCHOR_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(f"{head.seq} {head.hash} {timezone.now().isoformat()}\n")
    return head.seq, head.hash
