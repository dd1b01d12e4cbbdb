"""The register of a consultation round (征求意见采纳情况汇总表) as xlsx and docx, and the statement
that reports on it (采纳情况说明). Every number shown comes from queries.statistics over the same
rows as the register, so the table and the statement cannot disagree."""

import io
from collections import defaultdict
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from kaohe.consultation.models import Disposition, Round
from kaohe.consultation.queries import RegisterRow, Statistics, register_rows, statistics
from kaohe.exports import word

# Column widths in Excel characters; the Word table shares them out of the landscape line.
WIDTHS = (6, 16, 10, 9, 14, 10, 40, 30, 9, 30)


def headers() -> tuple[str, ...]:
    return (
        _("序号"),
        _("提出人"),
        _("单位类别"),
        _("渠道"),
        _("条款/指标"),
        _("议题"),
        _("意见建议"),
        _("建议修改为"),
        _("处理意见"),
        _("理由"),
    )


def register_title(round_: Round) -> str:
    return _("《%(title)s》征求意见采纳情况汇总表") % {"title": round_.draft.title}


def statement_title(round_: Round) -> str:
    return _("关于《%(title)s》征求意见采纳情况的说明") % {"title": round_.draft.title}


def submitter_cell(row: RegisterRow) -> str:
    """The name, with the organisation it speaks for; just 匿名 for a hidden participant."""
    if row.org in ("", row.submitter):
        return row.submitter
    return f"{row.submitter}（{row.org}）"


def cells(row: RegisterRow) -> tuple:
    return (
        row.number,
        submitter_cell(row),
        row.org_category,
        row.channel,
        row.target,
        row.topic,
        row.text,
        row.proposed,
        row.disposition,
        row.reason,
    )


def chinese_date(day: date | datetime) -> str:
    if isinstance(day, datetime):
        day = timezone.localtime(day).date()
    return f"{day.year}年{day.month}月{day.day}日"


# -- xlsx --------------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def register_xlsx(round_: Round, *, reveal: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("采纳情况汇总表")
    columns = len(WIDTHS)
    sheet.append([register_title(round_)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = _CENTRE
    sheet.row_dimensions[1].height = 32
    sheet.append(list(headers()))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.alignment, cell.border = _CENTRE, _BOX
    for row in register_rows(round_, reveal=reveal):
        sheet.append(list(cells(row)))
        for cell in sheet[sheet.max_row]:
            cell.alignment, cell.border = _WRAP, _BOX
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    # Printed: the title and the header on every page, landscape A4, as wide as the page.
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- docx --------------------------------------------------------------------------------------------


def _a4(doc, *, landscape: bool) -> None:
    # python-docx's blank document is US Letter; what is filed here is printed on A4.
    section = doc.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15 if landscape else 25))


def _repeat_header(table) -> None:
    """The header row is printed again at the top of every page the table runs onto."""
    properties = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)


def _share_widths(table, widths: tuple[int, ...], line: int) -> None:
    total = sum(widths)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = int(line * width / total)


def register_docx(round_: Round, *, reveal: bool) -> bytes:
    doc = word.new_document()
    _a4(doc, landscape=True)
    word.paragraph(doc, register_title(round_), 16, bold=True, align="center")
    table = word.table(doc, headers(), [cells(row) for row in register_rows(round_, reveal=reveal)], 9)
    table.autofit = False
    _repeat_header(table)
    _share_widths(table, WIDTHS, Mm(297 - 30))
    return word.to_bytes(doc)


# -- the statement -------------------------------------------------------------------------------------


def _opening(round_: Round, stats: Statistics) -> list[str]:
    participants = list(round_.participants.all())
    responded = [p for p in participants if p.responded_at is not None]
    silent = sum(1 for p in responded if p.no_comment)
    orgs = len({p.org_id for p in participants})
    asked = _(
        "%(organiser)s于%(opened)s将《%(title)s》（征求意见稿）印发%(orgs)d家单位%(people)d人征求意见，"
        "截至%(deadline)s，%(responded)d人反馈意见（其中%(silent)d人表示无意见）。"
    ) % {
        "organiser": round_.organiser.name,
        "opened": chinese_date(round_.created_at),
        "title": round_.draft.title,
        "orgs": orgs,
        "people": len(participants),
        # "as of" when the round closed (early or at its deadline), or today while it is open
        "deadline": chinese_date(round_.closed_at or min(round_.deadline, timezone.now())),
        "responded": len(responded),
        "silent": silent,
    }
    symposia = list(round_.symposia.prefetch_related("attendees"))
    if symposia:
        speakers = sum(1 for s in symposia for a in s.attendees.all() if a.speaking_order is not None)
        asked += _("先后召开座谈会%(n)d次（%(dates)s），%(speakers)d人发言。") % {
            "n": len(symposia),
            "dates": "、".join(chinese_date(s.held_on) for s in symposia),
            "speakers": speakers,
        }
    channels = "，".join(
        _("%(channel)s%(n)d条") % {"channel": name, "n": n} for name, n, _a in stats.by_channel
    )
    counted = "、".join(
        _("%(label)s%(n)d条") % {"label": label, "n": n}
        for label, n in stats.by_disposition.items()
        if label != str(Disposition.PENDING.label)
    )
    received = _(
        "共收到意见建议%(total)d条（%(channels)s），已逐条研究处理%(answered)d条，其中%(counted)s，"
        "采纳率%(rate)s（采纳和部分采纳的条数占已处理意见中除已有规定以外的比例）。"
    ) % {
        "total": stats.total,
        "channels": channels,
        "answered": stats.answered,
        "counted": counted,
        "rate": stats.adoption_rate,
    }
    pending = stats.total - stats.answered
    if pending:
        received += _("尚有%(n)d条待处理。") % {"n": pending}
    return [asked, received]


def _rejections(rows: list[RegisterRow]) -> list[str]:
    """One paragraph per reason given for not adopting, with the suggestions it answered."""
    by_reason: dict[str, list[RegisterRow]] = defaultdict(list)
    for row in rows:
        if row.suggestion.disposition == Disposition.REJECTED:
            by_reason[row.reason].append(row)
    return [
        _("关于%(targets)s的意见（序号%(numbers)s，共%(n)d条）未予采纳。理由：%(reason)s")
        % {
            "targets": "、".join(dict.fromkeys(r.target for r in group)),
            "numbers": "、".join(str(r.number) for r in group),
            "n": len(group),
            "reason": reason,
        }
        for reason, group in by_reason.items()
    ]


def statement_docx(round_: Round) -> bytes:
    # The statement is the organiser's report, published: anonymity kept, answers shown.
    rows = register_rows(round_, reveal=False, answers=True)
    stats = statistics(rows)
    doc = word.new_document()
    _a4(doc, landscape=False)
    word.paragraph(doc, statement_title(round_), 16, bold=True, align="center")
    for text in _opening(round_, stats):
        word.paragraph(doc, text)
    counted, adopted = _("条数"), _("采纳（含部分采纳）")
    word.paragraph(doc, _("一、按处理意见统计"), bold=True)
    word.table(
        doc,
        (_("处理意见"), counted),
        [
            (label, n)
            for label, n in stats.by_disposition.items()
            if n or label != str(Disposition.PENDING.label)
        ]
        + [(_("合计"), stats.total)],
    )
    sections = (
        (_("二、按议题统计"), _("议题"), stats.by_topic),
        (_("三、按条款和指标统计"), _("条款/指标"), stats.by_target),
        (_("四、按渠道统计"), _("渠道"), stats.by_channel),
    )
    for heading, what, tallies in sections:
        word.paragraph(doc, heading, bold=True)
        word.table(doc, (what, counted, adopted), tallies)
    rejections = _rejections(rows)
    if rejections:
        word.paragraph(doc, _("五、未予采纳的主要情况"), bold=True)
        for text in rejections:
            word.paragraph(doc, text)
    return word.to_bytes(doc)
