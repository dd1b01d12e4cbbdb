"""The ledger workbook: a 会议 sheet and a 党费 sheet, read cell by cell (no database) and written as
an import template.

Opening the file, finding the header and reading text and dates reuse the org importer's reader
(kaohe/orgs/xlsx.py), so both importers refuse the same bad files with the same words.
"""

import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kaohe.ledgers.models import Meeting, MeetingKind
from kaohe.orgs import id_numbers
from kaohe.orgs import xlsx as org_xlsx
from kaohe.orgs.xlsx import Column, RowError

MEETING_SHEET = "会议"
DUES_SHEET = "党费"
SHEETS = (MEETING_SHEET, DUES_SHEET)

MEETING_COLUMNS = (
    Column("组织编码", "org", True, 16, gettext_lazy("召开会议的组织的编码（组织架构中可查）。")),
    # Translators: the values stay in Chinese: the sheet only accepts them so.
    Column(
        "类型",
        "kind",
        True,
        14,
        gettext_lazy(
            "支部党员大会、支委会、党小组会、党课、主题党日、组织生活会、民主评议党员、第一议题学习。"
        ),
    ),
    Column("日期", "held_on", True, 12, gettext_lazy("会议召开日期，如 2026-03-15。")),
    Column(
        "主题",
        "title",
        True,
        30,
        gettext_lazy("同一组织、类型、日期、主题的会议已存在时更新它，否则新增。"),
    ),
    Column("应到人数", "expected", True, 10),
    Column("实到人数", "present", True, 10, gettext_lazy("不能多于应到人数。")),
    Column("议程", "agenda", False, 30),
    Column("会议记录", "minutes", False, 50),
)
DUES_COLUMNS = (
    Column("姓名", "name", False, 10, gettext_lazy("可选，用于核对：须与身份证号对应的人员姓名一致。")),
    Column("身份证号", "id_number", True, 22, gettext_lazy("18 位完整号码，请用文本格式；按它对应人员。")),
    Column("月份", "month", True, 10, gettext_lazy("如 2026-03。")),
    Column("应缴金额", "due", True, 10, gettext_lazy("元，最多两位小数。")),
    Column("实缴金额", "paid", True, 10, gettext_lazy("元，最多两位小数；未缴填 0。")),
    Column("缴纳日期", "paid_on", False, 12),
)
COLUMNS = {MEETING_SHEET: MEETING_COLUMNS, DUES_SHEET: DUES_COLUMNS}

# Words people write for a kind besides its label.
_KIND_SYNONYMS = {
    "党员大会": MeetingKind.BRANCH_ASSEMBLY,
    "支部委员会": MeetingKind.COMMITTEE_MEETING,
    "支委会议": MeetingKind.COMMITTEE_MEETING,
    "第一议题": MeetingKind.FIRST_TOPIC,
    "民主评议": MeetingKind.MEMBER_REVIEW,
}


@dataclass(frozen=True)
class SheetError:
    sheet: str  # "" for the file as a whole
    row: int | None
    column: str
    message: str
    cell: str = ""


def on_sheet(sheet: str, errors: list[RowError]) -> list[SheetError]:
    return [SheetError(sheet, e.row, e.column, e.message, e.cell) for e in errors]


def sort_errors(errors: list[SheetError]) -> list[SheetError]:
    def key(e: SheetError):
        order = {c.header: i for i, c in enumerate(COLUMNS.get(e.sheet, ()))}
        sheet = SHEETS.index(e.sheet) if e.sheet in SHEETS else -1
        return (sheet, e.row or 0, order.get(e.column, -1))

    return sorted(errors, key=key)


@dataclass
class MeetingRow:
    row: int
    org_code: str = ""
    kind: str = ""
    held_on: datetime.date | None = None
    title: str = ""
    expected: int | None = None
    present: int | None = None
    agenda: str = ""
    minutes: str = ""
    bad: set[str] = field(default_factory=set)


@dataclass
class DuesRow:
    row: int
    name: str = ""
    id_number: str = ""
    month: datetime.date | None = None
    due: Decimal | None = None
    paid: Decimal | None = None
    paid_on: datetime.date | None = None
    bad: set[str] = field(default_factory=set)


@dataclass
class Book:
    meetings: list[MeetingRow] | None  # None when the file has no 会议 sheet
    dues: list[DuesRow] | None
    file_name: str
    meeting_fields: frozenset[str] = frozenset()  # the 会议 columns the file has


# ---- cells ----------------------------------------------------------------------------------------


def _integer(cells, name: str) -> int | None:
    value = cells.raw(name)
    if name in cells.bad:
        return None
    text = org_xlsx.cell_text(value)
    if not text:
        cells.error(name, _("不能为空"))
        return None
    if isinstance(value, bool) or not re.fullmatch(r"\d+", text):
        cells.error(name, _("“%(value)s”不是人数：请填写非负整数") % {"value": text})
        return None
    return int(text)


def _amount(cells, name: str) -> Decimal | None:
    value = cells.raw(name)
    if name in cells.bad:
        return None
    if isinstance(value, float):
        value = repr(value)  # the shortest text that is this float: 12.35, not 12.3499999…
    text = re.sub(r"[\s,，元¥￥]", "", org_xlsx.cell_text(value))
    if not text:
        cells.error(name, _("不能为空（未缴请填 0）"))
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        cells.error(name, _("“%(value)s”不是金额：请填写数字，如 25.50") % {"value": text})
        return None
    if amount < 0:
        cells.error(name, _("金额不能为负数"))
        return None
    if amount != amount.quantize(Decimal("0.01")):
        cells.error(name, _("金额“%(value)s”超过两位小数（分）") % {"value": text})
        return None
    return amount


def _month(cells, name: str) -> datetime.date | None:
    value = cells.raw(name)
    if name in cells.bad:
        return None
    if isinstance(value, datetime.datetime | datetime.date):
        # Excel turns a typed 2026-03 into the date 2026-03-01.
        day = value.date() if isinstance(value, datetime.datetime) else value
        return day.replace(day=1)
    text = re.sub(r"\s+", "", org_xlsx.cell_text(value))
    if not text:
        cells.error(name, _("不能为空"))
        return None
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?", text) or re.fullmatch(r"(\d{4})(\d{2})", text)
    if match and 1900 <= int(match[1]) <= 2100 and 1 <= int(match[2]) <= 12:
        return datetime.date(int(match[1]), int(match[2]), 1)
    cells.error(name, _("“%(value)s”不是月份，请写成 2026-03 的形式") % {"value": text})
    return None


def _id_number(cells, row: DuesRow) -> None:
    value = cells.raw("id_number")
    if isinstance(value, int | float) and not isinstance(value, bool):
        cells.error("id_number", _("身份证号被存成了数字，末几位已丢失：请把该列设为文本格式后重新填写"))
        return
    number = org_xlsx.cell_text(value).replace(" ", "").upper()
    if "id_number" in row.bad:
        return
    if not number:
        cells.error("id_number", _("不能为空"))
    elif "*" in number:
        cells.error("id_number", _("身份证号是脱敏值，无法对应人员：请填写完整的 18 位号码"))
    elif problem := id_numbers.problem(number):
        cells.error("id_number", problem)
    else:
        row.id_number = number


# ---- reading --------------------------------------------------------------------------------------


def sheet_names(upload) -> list[str] | None:
    """The workbook's sheet names, or None if it cannot be opened (the reader then says why)."""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.MAX_UPLOAD_BYTES:
        return None
    try:
        upload.seek(0)
        if upload.read(2) != b"PK":
            return None
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            if (
                sum(i.file_size for i in archive.infolist())
                > settings.MAX_UPLOAD_BYTES * org_xlsx.MAX_UNPACKED_RATIO
            ):
                return None
        upload.seek(0)
        book = load_workbook(upload, read_only=True)
        try:
            return [name.strip() for name in book.sheetnames]
        finally:
            book.close()
    except org_xlsx.DAMAGED_FILE_ERRORS:
        return None
    finally:
        upload.seek(0)


def read_book(upload) -> tuple[Book | None, list[SheetError]]:
    file_name = (getattr(upload, "name", "") or "upload.xlsx").rsplit("/", 1)[-1]
    names = sheet_names(upload)
    if names is None:
        # Let the shared reader name the problem (too big, not xlsx, damaged).
        _table, problems = org_xlsx.open_table(upload, MEETING_SHEET, MEETING_COLUMNS)
        return None, on_sheet("", problems)
    present = [s for s in SHEETS if s in names]
    if not present:
        found = "、".join(f"“{n}”" for n in names)
        return None, [
            SheetError(
                "",
                None,
                "",
                _("找不到名为“会议”或“党费”的工作表（请用导入模板）；文件中的工作表：%(found)s")
                % {"found": found},
            )
        ]
    errors: list[SheetError] = []
    book = Book(None, None, file_name)
    if MEETING_SHEET in present:
        book.meetings, book.meeting_fields = _read_meetings(upload, errors)
    if DUES_SHEET in present:
        book.dues = _read_dues(upload, errors)
    if (MEETING_SHEET in present and book.meetings is None) or (DUES_SHEET in present and book.dues is None):
        return None, errors
    return book, errors


def _read_meetings(upload, errors: list[SheetError]) -> tuple[list[MeetingRow] | None, frozenset[str]]:
    table, problems = org_xlsx.open_table(upload, MEETING_SHEET, MEETING_COLUMNS)
    if table is None:
        errors.extend(on_sheet(MEETING_SHEET, problems))
        return None, frozenset()
    kinds = org_xlsx.choice_lookup(MeetingKind) | _KIND_SYNONYMS
    labels = list(org_xlsx.choice_labels(MeetingKind))
    row_errors: list[RowError] = []
    rows = []
    for number, values in table.rows:
        row = MeetingRow(number)
        cells = org_xlsx.RowReader(number, values, table.positions, MEETING_COLUMNS, row_errors, row.bad)
        row.org_code = cells.text("org", required=True)
        row.kind = cells.choice("kind", kinds, labels)
        row.held_on = cells.date("held_on", required=True)
        row.title = cells.text("title", required=True, max_length=Meeting._meta.get_field("title").max_length)
        row.expected = _integer(cells, "expected")
        row.present = _integer(cells, "present")
        row.agenda = cells.text("agenda")
        row.minutes = cells.text("minutes")
        rows.append(row)
    errors.extend(on_sheet(MEETING_SHEET, row_errors))
    return rows, frozenset(table.positions)


def _read_dues(upload, errors: list[SheetError]) -> list[DuesRow] | None:
    table, problems = org_xlsx.open_table(upload, DUES_SHEET, DUES_COLUMNS)
    if table is None:
        errors.extend(on_sheet(DUES_SHEET, problems))
        return None
    row_errors: list[RowError] = []
    rows = []
    for number, values in table.rows:
        row = DuesRow(number)
        cells = org_xlsx.RowReader(number, values, table.positions, DUES_COLUMNS, row_errors, row.bad)
        row.name = cells.text("name")
        _id_number(cells, row)
        row.month = _month(cells, "month")
        row.due = _amount(cells, "due")
        row.paid = _amount(cells, "paid")
        row.paid_on = cells.date("paid_on")
        rows.append(row)
    errors.extend(on_sheet(DUES_SHEET, row_errors))
    return rows


# ---- the template -----------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="B71C1C")  # the party red of the UI
_EXAMPLE_FONT = Font(italic=True, color="808080")
_EXAMPLE_NOTE = gettext_lazy(
    "第 2 行是示例（灰色斜体），导入前请删除或改为真实数据。不导入的工作表可以删除。"
)
_TEXT_FIELDS = {"org", "id_number", "month"}
_EXAMPLE_ID = "11010519850615001" + id_numbers.check_digit("11010519850615001")


def _sheet(book: Workbook, title: str, columns: tuple[Column, ...], example: list) -> None:
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        note = "\n".join(str(n) for n in (_EXAMPLE_NOTE if index == 1 else "", column.note) if n)
        if note:
            cell.comment = Comment(note, "kaohe", width=320, height=120)
        example_cell = sheet.cell(row=2, column=index, value=example[index - 1])
        example_cell.font = _EXAMPLE_FONT
        if column.field in _TEXT_FIELDS:
            example_cell.number_format = "@"
        if column.field == "kind":
            kinds = ",".join(org_xlsx.choice_labels(MeetingKind))
            validation = DataValidation(type="list", formula1=f'"{kinds}"', allow_blank=True)
            validation.add(f"{letter}2:{letter}10000")
            sheet.add_data_validation(validation)


def template(org_code: str) -> bytes:
    """The import workbook with one example row per sheet, the meeting at the org `org_code`."""
    book = Workbook()
    book.remove(book.active)
    _sheet(
        book,
        MEETING_SHEET,
        MEETING_COLUMNS,
        [
            org_code,
            org_xlsx.choice_label(MeetingKind, MeetingKind.THEME_DAY),
            datetime.date(2026, 3, 15),
            _("学习贯彻全会精神（示例）"),
            25,
            23,
            _("1. 集中学习；2. 交流发言"),
            _("会议由支部书记主持……"),
        ],
    )
    _sheet(
        book,
        DUES_SHEET,
        DUES_COLUMNS,
        [
            _("李明（示例）"),
            _EXAMPLE_ID,
            "2026-03",
            Decimal("25.00"),
            Decimal("25.00"),
            datetime.date(2026, 3, 10),
        ],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
