"""The audit log as xlsx, for reviews that happen outside the system (等保 evidence)."""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.audit.models import AuditEntry, canonical
from kaohe.tables import table_xlsx


def _text(value) -> str:
    return canonical(value) if value is not None else ""


def build_entries(entries: Iterable[AuditEntry]) -> bytes:
    columns = [
        (_("序号"), 8),
        (_("时间"), 20),
        (_("操作人"), 14),
        (_("来源 IP"), 15),
        (_("操作"), 20),
        (_("对象类型"), 18),
        (_("对象"), 30),
        (_("原值"), 40),
        (_("新值"), 40),
        (_("哈希"), 20),
    ]
    rows = (
        # Excel has no time zones: local time, as the page shows it.
        [
            e.seq,
            timezone.localtime(e.at).replace(tzinfo=None),
            e.actor_name,
            e.ip or "",
            e.action,
            e.target_type,
            e.target_repr,
            _text(e.old),
            _text(e.new),
            e.hash,
        ]
        for e in entries
    )
    return table_xlsx(_("审计日志"), columns, rows)
