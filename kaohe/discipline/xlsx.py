"""The case sheet as xlsx: reading (every cell parsed and checked), the template, the export.

Reading goes through the org importer's sheet reader (kaohe.orgs.xlsx), so a case file is opened,
sniffed, size-checked and searched for its header exactly as an org or people file is, and every
error names the row as Excel shows it and the column. Checks that need the database (people,
orgs, scope, stored cases) are made in importing.py.
"""

import datetime
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kaohe.discipline.models import ENGINE_OPTION, OUTCOME_BY_OPTION, CaseStatus, DisciplineCase
from kaohe.orgs import id_numbers
from kaohe.orgs.crypto import mask_id_number
from kaohe.orgs.xlsx import Column, RowError, RowReader, Sheet, open_table
from kaohe.orgs.xlsx import TableRow as BaseRow
from kaohe.tables import table_xlsx

CASE_SHEET = "违纪案件"
CASE_COLUMNS = (
    Column("案件编号", "case_number", True, 18, gettext_lazy("案件编号，如 JC-2026-07。")),
    Column("处理部门", "department", True, 16, gettext_lazy("立案或处理的部门，如 市纪委监委、企业纪委。")),
    Column(
        "身份证号",
        "id_number",
        True,
        22,
        gettext_lazy(
            "当事人完整的 18 位身份证号，请用文本格式。按号码对应系统中的人员；"
            "案件编号、处理部门、身份证号都相同的已有记录会被更新，否则新增。"
        ),
    ),
    Column("姓名", "name", False, 10, gettext_lazy("可选，用于核对：须与身份证号对应人员的姓名一致。")),
    Column(
        "计入组织编码",
        "org",
        False,
        16,
        gettext_lazy(
            "案件计入考核的组织，须是当事人所在组织或其上级。留空：新增时为当事人所在组织，已有记录保持不变。"
        ),
    ),
    # Translators: the values stay in Chinese: the sheet only accepts them so.
    Column("处理结果", "outcome", True, 14, gettext_lazy("谈话提醒、批评教育、诫勉、警告等，见下拉列表。")),
    Column("处理日期", "decided_on", True, 12, gettext_lazy("日期，如 2026-03-15，不能晚于今天。")),
    Column("简要案情", "summary", False, 40),
)
_TEXT_COLUMNS = {"case_number", "id_number", "org"}
_MASKED = re.compile(r"[\dX]*\*+[\dX]*")


@dataclass
class CaseRow(BaseRow):
    case_number: str = ""
    department: str = ""
    id_number: str = ""
    name: str = ""
    org_code: str = ""
    outcome: str = ""
    decided_on: datetime.date | None = None
    summary: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.case_number, self.department, self.id_number)


def header_of(name: str) -> str:
    return next(c.header for c in CASE_COLUMNS if c.field == name)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _max_length(name: str) -> int | None:
    return getattr(DisciplineCase._meta.get_field(name), "max_length", None)


def read_cases(upload) -> tuple[Sheet[CaseRow] | None, list[RowError]]:
    table, errors = open_table(upload, CASE_SHEET, CASE_COLUMNS)
    if table is None:
        return None, errors
    outcomes = {_squash(option): value for option, value in OUTCOME_BY_OPTION.items()}
    rows: list[CaseRow] = []
    for number, values in table.rows:
        row = CaseRow(number)
        cells = RowReader(number, values, table.positions, CASE_COLUMNS, errors, row.bad)
        row.case_number = cells.text("case_number", required=True, max_length=_max_length("case_number"))
        row.department = cells.text("department", required=True, max_length=_max_length("department"))
        _read_id_number(cells, row)
        row.name = cells.text("name")
        row.org_code = cells.text("org")
        row.outcome = cells.choice("outcome", outcomes, list(OUTCOME_BY_OPTION))
        row.decided_on = cells.date("decided_on", required=True)
        if row.decided_on and row.decided_on > timezone.localdate():
            cells.error("decided_on", _("处理日期不能晚于今天"))
        row.summary = cells.text("summary")
        rows.append(row)
    _same_case_twice(rows, table.positions, errors)
    return Sheet(rows, frozenset(table.positions), _file_name(upload)), errors


def _read_id_number(cells: RowReader, row: CaseRow) -> None:
    value = cells.raw("id_number")
    if "id_number" in row.bad:
        return
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: the number as stored is no longer the person's.
        cells.error("id_number", _("身份证号被存成了数字，末几位已丢失：请把该列设为文本格式后重新填写"))
        return
    number = ("" if value is None else str(value)).replace(" ", "").upper()
    if not number:
        cells.error("id_number", _("不能为空"))
    elif _MASKED.fullmatch(number):
        cells.error("id_number", _("身份证号是脱敏值，无法对应人员：请填写完整的 18 位号码"))
    elif problem := id_numbers.problem(number):
        cells.error("id_number", problem)
    else:
        row.id_number = number


def _same_case_twice(rows: list[CaseRow], positions: dict[str, int], errors: list[RowError]) -> None:
    letter = get_column_letter(positions["case_number"] + 1)
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        if not all(row.key) or row.bad & {"case_number", "department", "id_number"}:
            continue
        if row.key in seen:
            errors.append(
                RowError(
                    row.row,
                    header_of("case_number"),
                    _("与第 %(row)s 行是同一当事人的同一案件（案件编号、处理部门、身份证号都相同）")
                    % {"row": seen[row.key]},
                    f"{letter}{row.row}",
                )
            )
            row.bad.add("case_number")
        else:
            seen[row.key] = row.row


def _file_name(upload) -> str:
    return (getattr(upload, "name", "") or "upload.xlsx").rsplit("/", 1)[-1]


# ---- the template ------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="B71C1C")  # the party red of the UI
_EXAMPLE_FONT = Font(italic=True, color="808080")
_LAST_ROW = 1048576
_EXAMPLE_NOTE = gettext_lazy("第 2 行是示例（灰色斜体），导入前请删除或改为真实数据。")


def case_template(org_code: str) -> bytes:
    """An empty case sheet: styled header with notes, a drop-down of outcomes, one example row."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(CASE_SHEET)
    sheet.freeze_panes = "A2"
    for index, column in enumerate(CASE_COLUMNS, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.field in _TEXT_COLUMNS:
            dimension.number_format = "@"
        elif column.field == "decided_on":
            dimension.number_format = "yyyy-mm-dd"
        if column.field == "outcome":
            letter = get_column_letter(index)
            options = DataValidation(
                type="list", formula1='"{}"'.format(",".join(ENGINE_OPTION.values())), allow_blank=True
            )
            options.add(f"{letter}2:{letter}{_LAST_ROW}")
            sheet.data_validations.append(options)
    header = []
    for index, column in enumerate(CASE_COLUMNS):
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        note = "\n".join(str(n) for n in (_EXAMPLE_NOTE if index == 0 else "", column.note) if n)
        if note:
            cell.comment = Comment(note, "kaohe", width=320, height=120)
        header.append(cell)
    sheet.append(header)
    example = [
        "JC-2026-01",
        _("企业纪委"),
        "",
        _("（示例）"),
        org_code,
        ENGINE_OPTION["talk_reminder"],
        datetime.date(2026, 3, 15),
        _("示例：未按规定报告个人有关事项"),
    ]
    cells = []
    for value in example:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = _EXAMPLE_FONT
        cells.append(cell)
    sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---- the export ----------------------------------------------------------------------------------

# Headers and values in Chinese whatever the UI language, like the import sheets.
EXPORT_COLUMNS = [
    ("案件编号", 18),
    ("处理部门", 16),
    ("姓名", 10),
    ("身份证号", 22),
    ("当事人所在组织", 28),
    ("计入组织编码", 16),
    ("计入组织", 28),
    ("处理结果", 14),
    ("第一种形态", 10),
    ("处理日期", 12),
    ("简要案情", 40),
    ("状态", 10),
    ("撤销原因", 30),
    ("录入人", 12),
    ("录入时间", 18),
]
_STATUS_TEXT = {CaseStatus.ACTIVE: "有效", CaseStatus.WITHDRAWN: "已撤销"}


def export_cases(cases: Iterable[DisciplineCase]) -> bytes:
    """The cases as a table (ID numbers masked). `cases` come with person, org and recorded_by."""

    def rows():
        for case in cases:
            yield [
                case.case_number,
                case.department,
                case.person.name,
                mask_id_number(case.person.id_number),
                case.person.org.name,
                case.org.code,
                case.org.name,
                ENGINE_OPTION[case.outcome],
                "是" if case.is_first_form else "否",
                case.decided_on,
                case.summary,
                _STATUS_TEXT[CaseStatus(case.status)],
                case.withdrawn_reason,
                str(case.recorded_by) if case.recorded_by else "",
                timezone.localtime(case.recorded_at).strftime("%Y-%m-%d %H:%M"),
            ]

    return table_xlsx(CASE_SHEET, EXPORT_COLUMNS, rows())
