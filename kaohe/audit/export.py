"""The audit log as xlsx, for reviews that happen outside the system (等保 evidence)."""

import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill

from kaohe.audit.models import AuditEntry, canonical

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="B71C1C")


def _text(value) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", canonical(value)) if value is not None else ""


def build_entries(entries: Iterable[AuditEntry]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("审计日志"))
    sheet.freeze_panes = "A2"
    headers = [
        _("序号"),
        _("时间"),
        _("操作人"),
        _("来源 IP"),
        _("操作"),
        _("对象类型"),
        _("对象"),
        _("原值"),
        _("新值"),
        _("哈希"),
    ]
    for letter, width in zip("ABCDEFGHIJ", (8, 20, 14, 15, 20, 18, 30, 40, 40, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    header = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        header.append(cell)
    sheet.append(header)
    for e in entries:
        at = timezone.localtime(e.at).replace(tzinfo=None)  # Excel has no time zones
        sheet.append(
            [
                e.seq,
                at,
                e.actor_name,
                e.ip or "",
                e.action,
                e.target_type,
                e.target_repr,
                _text(e.old),
                _text(e.new),
                e.hash,
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
