"""The 发展党员 workbook: read cell by cell (no database) and written as export and template.

The layout is the paper 发展党员工作台账: one row per candidate with the date of each of the 25
steps across ("发展党员" sheet), and an optional "环节备注" sheet with one row per step note (a 会议记录
number, a reason). A case is named by its branch's code, the candidate's name and the start date.
Opening the file and reading cells reuse the org importer's reader, as the other ledger sheets do.
"""

import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from kaohe.ledgers.models import RecruitmentCase
from kaohe.ledgers.recruitment import STEP_BY_CODE, STEPS
from kaohe.ledgers.xlsx import SheetError, on_sheet, sheet_names
from kaohe.orgs import xlsx as org_xlsx
from kaohe.orgs.xlsx import Column, RowError

CASE_SHEET = "发展党员"
NOTE_SHEET = "环节备注"
SHEETS = (CASE_SHEET, NOTE_SHEET)
MAX_NAME = RecruitmentCase._meta.get_field("candidate_name").max_length
MAX_NOTE = 200


def _step_header(number: int, name) -> str:
    # The Chinese name whatever the language: the sheet's headers are fixed words (no spaces, which
    # the reader strips from headers).
    with translation.override(None):
        return f"{number}.{name}"


def step_columns() -> tuple[Column, ...]:
    return tuple(Column(_step_header(s.number, s.name), s.code, False, 12) for s in STEPS)


CASE_FIELDS = (
    Column("党支部编码", "org", True, 14, gettext_lazy("档案所在党支部的编码（组织架构中可查）。")),
    Column("党支部", "org_name", False, 24, gettext_lazy("导出时附上，便于阅读；导入时不读取。")),
    Column(
        "姓名",
        "candidate_name",
        True,
        10,
        gettext_lazy("同一党支部、姓名、开始日期的档案已存在时更新它，否则新建档案。"),
    ),
    Column("开始日期", "started_on", True, 12, gettext_lazy("一般为递交入党申请书的日期。")),
    Column(
        "终止日期", "ended_on", False, 12, gettext_lazy("未被批准、转出或本人放弃的填写；留空表示进行中。")
    ),
    Column("终止原因", "end_note", False, 20),
)
NOTE_COLUMNS = (
    Column("党支部编码", "org", True, 14),
    Column("姓名", "candidate_name", True, 10),
    Column("开始日期", "started_on", True, 12),
    Column("环节", "step", True, 24, gettext_lazy("环节序号或名称，如 2 或“2.党组织派人谈话”。")),
    Column("备注", "note", True, 40, gettext_lazy("该环节的备注；留空表示清除。须同时有完成日期。")),
)
STEP_NOTE = gettext_lazy(
    "各环节列填写完成日期；留空表示尚未完成（已有的日期会被清除）。删除某一列则不改动该环节。"
)


def case_columns() -> tuple[Column, ...]:
    return CASE_FIELDS + step_columns()


def columns_of(sheet: str) -> tuple[Column, ...]:
    return case_columns() if sheet == CASE_SHEET else NOTE_COLUMNS


def sort_errors(errors: list[SheetError]) -> list[SheetError]:
    orders = {s: {c.header: i for i, c in enumerate(columns_of(s))} for s in SHEETS}

    def key(e: SheetError):
        sheet = SHEETS.index(e.sheet) if e.sheet in SHEETS else -1
        return (sheet, e.row or 0, orders.get(e.sheet, {}).get(e.column, -1))

    return sorted(errors, key=key)


Key = tuple[str, str, datetime.date]  # branch code, candidate's name, start date


@dataclass
class _CaseRef:
    """A row of either sheet: the case it is of, by its key, and the cells found wrong."""

    row: int
    org_code: str = ""
    candidate_name: str = ""
    started_on: datetime.date | None = None
    bad: set[str] = field(default_factory=set)

    @property
    def key(self) -> Key | None:
        if self.bad & {"org", "candidate_name", "started_on"} or self.started_on is None:
            return None
        return (self.org_code, self.candidate_name, self.started_on)


@dataclass
class CaseRow(_CaseRef):
    ended_on: datetime.date | None = None
    end_note: str = ""
    steps: dict[str, datetime.date | None] = field(default_factory=dict)  # the columns the file has


@dataclass
class NoteRow(_CaseRef):
    step: str = ""
    note: str = ""


@dataclass
class Book:
    cases: list[CaseRow]
    notes: list[NoteRow] | None  # None: the file has no 环节备注 sheet
    fields: frozenset[str]  # the 发展党员 columns the file has
    file_name: str


# ---- reading ------------------------------------------------------------------------------------


def _step_lookup() -> dict[str, str]:
    """Text → step code: "2", "2.党组织派人谈话", the name when only one step has it, the code."""
    with translation.override(None):
        names = [str(s.name) for s in STEPS]
    lookup = {s.code: s.code for s in STEPS}
    for step, name in zip(STEPS, names, strict=True):
        if names.count(name) == 1:
            lookup[name] = step.code
    return lookup


def _step(cells: org_xlsx.RowReader) -> str:
    text = re.sub(r"\s+", "", cells.text("step", required=True))
    if not text or "step" in cells.bad:
        return ""
    numbered = re.match(r"^(\d{1,2})(?:[.、．]|$)", text)
    if numbered and 1 <= int(numbered[1]) <= len(STEPS):
        return STEPS[int(numbered[1]) - 1].code
    code = _step_lookup().get(text)
    if code is None:
        cells.error(
            "step",
            _("“%(value)s”不是发展党员的环节：请填写环节序号 1-25，如“2.党组织派人谈话”") % {"value": text},
        )
        return ""
    return code


def _read_cases(upload, errors: list[SheetError]) -> tuple[list[CaseRow] | None, frozenset[str]]:
    columns = case_columns()
    table, problems = org_xlsx.open_table(upload, CASE_SHEET, columns)
    if table is None:
        # A file-wide problem (too big, not xlsx, damaged) is on no sheet.
        errors.extend(
            SheetError(CASE_SHEET if e.row else "", e.row, e.column, e.message, e.cell) for e in problems
        )
        return None, frozenset()
    row_errors: list[RowError] = []
    rows = []
    present_steps = [s.code for s in STEPS if s.code in table.positions]
    for number, values in table.rows:
        row = CaseRow(number)
        cells = org_xlsx.RowReader(number, values, table.positions, columns, row_errors, row.bad)
        row.org_code = cells.text("org", required=True)
        row.candidate_name = cells.text("candidate_name", required=True, max_length=MAX_NAME)
        row.started_on = cells.date("started_on", required=True)
        row.ended_on = cells.date("ended_on")
        row.end_note = cells.text("end_note", max_length=MAX_NOTE)
        for code in present_steps:
            row.steps[code] = cells.date(code)
        rows.append(row)
    errors.extend(on_sheet(CASE_SHEET, row_errors))
    return rows, frozenset(table.positions)


def _read_notes(upload, errors: list[SheetError]) -> list[NoteRow] | None:
    table, problems = org_xlsx.open_table(upload, NOTE_SHEET, NOTE_COLUMNS)
    if table is None:
        errors.extend(on_sheet(NOTE_SHEET, problems))
        return None
    row_errors: list[RowError] = []
    rows = []
    for number, values in table.rows:
        row = NoteRow(number)
        cells = org_xlsx.RowReader(number, values, table.positions, NOTE_COLUMNS, row_errors, row.bad)
        row.org_code = cells.text("org", required=True)
        row.candidate_name = cells.text("candidate_name", required=True, max_length=MAX_NAME)
        row.started_on = cells.date("started_on", required=True)
        row.step = _step(cells)
        if not row.step:
            row.bad.add("step")
        row.note = cells.text("note", max_length=MAX_NOTE)
        rows.append(row)
    errors.extend(on_sheet(NOTE_SHEET, row_errors))
    return rows


def read_book(upload) -> tuple[Book | None, list[SheetError]]:
    """The rows of both sheets and every cell error; None when the file cannot be read at all."""
    file_name = (getattr(upload, "name", "") or "upload.xlsx").rsplit("/", 1)[-1]
    names = sheet_names(upload)
    if names is not None and CASE_SHEET not in names:
        found = "、".join(f"“{n}”" for n in names)
        message = _("找不到名为“发展党员”的工作表（请用导出的文件或导入模板）；文件中的工作表：%(found)s")
        return None, [SheetError("", None, "", message % {"found": found})]
    errors: list[SheetError] = []
    cases, fields = _read_cases(upload, errors)
    if cases is None:
        return None, errors
    notes = None
    if names is not None and NOTE_SHEET in names:
        notes = _read_notes(upload, errors)
        if notes is None:
            return None, errors
    return Book(cases, notes, fields, file_name), errors


# ---- writing ------------------------------------------------------------------------------------

_EXAMPLE_NOTE = gettext_lazy("示例行（灰色斜体）导入前请删除或改为真实数据。")
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="B71C1C")  # the party red of the UI
_EXAMPLE_FONT = Font(italic=True, color="808080")


class _Writer:
    """A streaming sheet with the party-red header, its notes, widths and date formats."""

    def __init__(
        self, book: Workbook, title: str, columns: Iterable[Column], extra: Iterable[tuple[str, int]] = ()
    ):
        self.sheet = book.create_sheet(title)
        self.sheet.freeze_panes = "D2" if title == CASE_SHEET else "A2"
        header = []
        specs = [(c.header, c.width, c.note) for c in columns] + [(h, w, "") for h, w in extra]
        for index, (text, width, note) in enumerate(specs, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
            cell = WriteOnlyCell(self.sheet, value=text)
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            if note:
                cell.comment = Comment(str(note), "kaohe", width=320, height=100)
            header.append(cell)
        self.sheet.append(header)

    def append(self, values: list) -> None:
        self.sheet.append([_cell(self.sheet, v) for v in values])


def _cell(sheet, value):
    # Control characters make an invalid file; they can only have come from a bad paste.
    clean = ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
    cell = WriteOnlyCell(sheet, value=clean)
    if isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


@dataclass(frozen=True)
class ExportCase:
    case: RecruitmentCase  # with its org
    dates: dict[str, datetime.date]
    notes: dict[str, str]
    stage: str  # what the list page shows: current stage, count of breaches
    problems: list[str]


def build(cases: Iterable[ExportCase]) -> tuple[bytes, int]:
    """The workbook of the given cases (both sheets) and the number of cases written."""
    book = Workbook(write_only=True)
    columns = case_columns()
    first = CASE_FIELDS[0]
    heads = (Column(first.header, first.field, first.required, first.width, STEP_NOTE), *columns[1:])
    main = _Writer(book, CASE_SHEET, heads, [("当前阶段", 16), ("程序问题", 60)])
    noted = _Writer(book, NOTE_SHEET, NOTE_COLUMNS)
    count = 0
    for item in cases:
        case = item.case
        main.append(
            [case.org.code, case.org.name, case.candidate_name, case.started_on, case.ended_on, case.end_note]
            + [item.dates.get(s.code) for s in STEPS]
            + [item.stage, "；".join(item.problems)]
        )
        for step in STEPS:
            if item.notes.get(step.code):
                label = _step_header(step.number, step.name)
                noted.append(
                    [case.org.code, case.candidate_name, case.started_on, label, item.notes[step.code]]
                )
        count += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count


def template(org_code: str) -> bytes:
    """Both sheets with one example candidate at `org_code` (gray: to delete before importing)."""
    book = Workbook(write_only=True)
    main = _Writer(book, CASE_SHEET, case_columns())
    notes = _Writer(book, NOTE_SHEET, NOTE_COLUMNS)
    start = datetime.date(2025, 3, 3)
    example = [org_code, "", _("王芳（示例）"), start, None, ""]
    example += [
        start if s.code == "apply" else datetime.date(2025, 3, 20) if s.code == "talk" else None
        for s in STEPS
    ]
    for writer, values in (
        (main, example),
        (
            notes,
            [
                org_code,
                _("王芳（示例）"),
                start,
                _step_header(2, STEP_BY_CODE["talk"].name),
                _("支部书记谈话"),
            ],
        ),
    ):
        cells = [_cell(writer.sheet, v) for v in values]
        for cell in cells:
            cell.font = _EXAMPLE_FONT
        cells[0].comment = Comment(str(_EXAMPLE_NOTE), "kaohe", width=240, height=60)
        writer.sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
