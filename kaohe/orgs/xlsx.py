"""The org and people sheets as xlsx: reading (parse and check every cell) and writing. No database.

Reading returns the parsed rows and a list of RowError, each naming the row as Excel shows it and
the column header, so a person can fix the whole file in one pass. Checks that need the database
(parents, scope, existing records) are made in importing.py.

Exports mask phone and ID numbers; on import a masked value means "leave unchanged".
"""

import datetime
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation

from kaohe.orgs import id_numbers
from kaohe.orgs.models import Gender, MemberStatus, OrgKind, OrgUnit, Person, person_date_problems
from kaohe.orgs.text import garbled, simplified

ORG_SHEET = "组织"
PEOPLE_SHEET = "人员"
# A real xlsx unpacks to a few times its size; far more than this is a zip bomb.
MAX_UNPACKED_RATIO = 50
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is common in hand-made sheets
# What openpyxl and zipfile raise for a damaged file: broken XML (SyntaxError), bad CRC or deflate
# data, missing parts (KeyError), values it cannot interpret.
DAMAGED_FILE_ERRORS = (
    SyntaxError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    OSError,
    InvalidFileException,
)


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool  # the column must be present; whether its cells may be blank is checked per cell
    width: int
    note: str | Promise = ""  # shown as the header cell's comment in exports and templates (lazy)


ORG_COLUMNS = (
    Column(
        "编码",
        "code",
        True,
        16,
        gettext_lazy("组织的唯一编码。已存在的编码会更新该组织，新的编码会新建组织。"),
    ),
    Column("名称", "name", True, 36),
    Column("简称", "short_name", False, 16),
    Column(
        "类型",
        "kind",
        True,
        16,
        # Translators: the values stay in Chinese: the sheet only accepts them so.
        gettext_lazy("企业党委、二级党委、党总支、党支部、党小组，见下拉列表。"),
    ),
    Column(
        "上级编码",
        "parent",
        True,
        16,
        gettext_lazy(
            "上级组织的编码，可以是系统中已有的组织，也可以是本文件中的组织（顺序不限）。只有工委可留空。"
        ),
    ),
    Column("书记", "secretary", False, 10),
    Column("成立日期", "active_from", True, 12, gettext_lazy("日期，如 2024-07-01。")),
    Column("撤销日期", "active_to", False, 12, gettext_lazy("留空表示仍在运行。")),
)
PEOPLE_COLUMNS = (
    Column("姓名", "name", True, 12),
    # Translators: the values stay in Chinese: the sheet only accepts them so.
    Column("性别", "gender", True, 8, gettext_lazy("男 或 女。")),
    Column("所在组织编码", "org", True, 16),
    # Translators: the values stay in Chinese: the sheet only accepts them so.
    Column("人员类别", "status", True, 12, gettext_lazy("正式党员、预备党员或工作人员。")),
    Column("出生日期", "birth_date", False, 12),
    Column("入党日期", "join_date", False, 12),
    Column("职务", "position", False, 16),
    Column(
        "手机号",
        "phone",
        False,
        15,
        gettext_lazy("导出时已脱敏（如 138****1111）。导入时脱敏值或空白表示保持不变。"),
    ),
    Column(
        "身份证号",
        "id_number",
        False,
        22,
        gettext_lazy(
            "18 位，请用文本格式。导出时已脱敏。导入时：完整号码用于匹配已有人员；"
            "脱敏值按姓名和号码匹配已有人员且号码不变；空白则新增人员"
            "（同一组织中同名且没有身份证号的人员视为同一人）。"
        ),
    ),
)
# Columns Excel must keep as text: long digit strings turned into numbers lose their last digits.
TEXT_COLUMNS = {"code", "parent", "org", "phone", "id_number"}
DATE_COLUMNS = {"active_from", "active_to", "birth_date", "join_date"}


@dataclass(frozen=True)
class RowError:
    row: int | None  # as Excel shows it; None for the file as a whole
    column: str  # the column header, "" for the file or the whole row
    message: str  # in the language active when the file was read
    cell: str = ""  # e.g. "B5", when one cell is at fault


@dataclass
class TableRow:
    row: int  # as Excel shows it
    bad: set[str] = field(default_factory=set, kw_only=True)  # fields whose cell has an error


@dataclass
class OrgRow(TableRow):
    code: str = ""
    name: str = ""
    short_name: str = ""
    kind: str = ""
    parent_code: str = ""
    secretary: str = ""
    active_from: datetime.date | None = None
    active_to: datetime.date | None = None


@dataclass
class PersonRow(TableRow):
    name: str = ""
    gender: str = ""
    org_code: str = ""
    status: str = ""
    birth_date: datetime.date | None = None
    join_date: datetime.date | None = None
    position: str = ""
    phone: str | None = None  # None: keep what is stored (blank or masked cell)
    id_number: str = ""  # the full number in upper case, a masked value, or ""
    id_masked: bool = False


@dataclass
class Sheet[R]:
    rows: list[R]
    fields: frozenset[str]  # the layout fields whose columns the file has; absent ones stay unchanged
    file_name: str


def column_of(columns: tuple[Column, ...], name: str) -> str:
    return next(c.header for c in columns if c.field == name)


def _join(items: Iterable[str]) -> str:
    """Items of a list inside a message: 甲、乙、丙 in Chinese."""
    return pgettext("separator between items of a list", "、").join(items)


def sort_errors(errors: Iterable[RowError], columns: tuple[Column, ...]) -> list[RowError]:
    order = {c.header: i for i, c in enumerate(columns)}
    return sorted(errors, key=lambda e: (e.row or 0, order.get(e.column, -1)))


# ---- choices, by their Chinese labels (the sheets are Chinese whatever the UI language) ----------


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def choice_labels(choices) -> dict[str, str]:
    """Chinese label → value for a TextChoices class."""
    with translation.override("zh-hans"):
        return {str(c.label): c.value for c in choices}


def choice_lookup(choices) -> dict[str, str]:
    """Every accepted spelling (label, parts of a "a / b" label, code value) → value."""
    accepted: dict[str, str] = {}
    for label, value in choice_labels(choices).items():
        accepted[_squash(label)] = value
        for part in label.split("/"):
            accepted.setdefault(_squash(part), value)
        accepted[value] = value
    return accepted


def choice_label(choices, value: str) -> str:
    return next(label for label, v in choice_labels(choices).items() if v == value)


# ---- cell values ---------------------------------------------------------------------------------

_PHONE = re.compile(r"1\d{10}")
_ID_NUMBER = re.compile(r"\d{17}[\dX]")
_MASKED = re.compile(r"[\dX]*\*+[\dX]*")
_CODE = re.compile(r"[^\s/]+")  # codes appear in URLs


def _as_date(value) -> datetime.date:
    """A date from a date cell, an Excel serial, 20240701, or text such as 2024-7-1 / 2024年7月1日."""
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    elif isinstance(value, bool):
        raise ValueError(value)
    elif isinstance(value, int | float):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            day = _as_date(str(int(value)))
        elif 1 <= value < 2958466:  # a date cell formatted as a number
            day = from_excel(value).date()
        else:
            raise ValueError(value)
    else:
        text = re.sub(r"\s+", "", str(value)).rstrip("日号")
        text = re.sub(r"[年月/.]", "-", text)
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or re.fullmatch(
            r"(\d{4})(\d{2})(\d{2})", text
        )
        if not match:
            raise ValueError(value)
        day = datetime.date(*(int(g) for g in match.groups()))
    if not 1900 <= day.year <= 2100:
        raise ValueError(value)
    return day


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


class RowReader:
    """Reads the cells of one row, recording an error per bad cell."""

    def __init__(
        self,
        row: int,
        values: list,
        positions: dict[str, int],
        columns: tuple[Column, ...],
        errors: list[RowError],
        bad: set[str],
    ):
        self.row, self.values, self.positions, self.errors, self.bad = row, values, positions, errors, bad
        self.headers = {c.field: c.header for c in columns}

    def cell(self, name: str) -> str:
        return f"{get_column_letter(self.positions[name] + 1)}{self.row}"

    def error(self, name: str, message: str) -> None:
        self.bad.add(name)
        self.errors.append(
            RowError(self.row, self.headers[name], message, self.cell(name) if name in self.positions else "")
        )

    def raw(self, name: str):
        """The cell's value, or None when the column is absent or the text is unusable."""
        if name not in self.positions:
            return None
        value = self.values[self.positions[name]]
        if not isinstance(value, str):
            return value
        text = value.strip()
        is_garbled, fixed = garbled(text)
        if is_garbled:
            if fixed:
                message = _(
                    "文字疑似乱码（可能是“%(fixed)s”）：请用 Excel 打开原文件，另存为 .xlsx 后重新上传"
                    "（文本文件请先以 UTF-8 编码保存）"
                ) % {"fixed": fixed}
            else:
                message = _(
                    "文字疑似乱码：请用 Excel 打开原文件，另存为 .xlsx 后重新上传"
                    "（文本文件请先以 UTF-8 编码保存）"
                )
            self.error(name, message)
            return None
        simple = simplified(text)
        if simple != text:
            self.error(
                name,
                _("单元格 %(cell)s 的“%(text)s”含繁体字，请改为简体：“%(simple)s”")
                % {"cell": self.cell(name), "text": text, "simple": simple},
            )
            return None
        return text

    def text(self, name: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.raw(name)
        if name in self.bad:
            return ""
        text = cell_text(value)
        if required and not text:
            self.error(name, _("不能为空"))
        elif max_length is not None and len(text) > max_length:
            self.error(
                name,
                _("不能超过 %(limit)s 个字（现有 %(count)s 个）") % {"limit": max_length, "count": len(text)},
            )
        return text

    def date(self, name: str, *, required: bool = False) -> datetime.date | None:
        value = self.raw(name)
        if name in self.bad:
            return None
        if value is None or value == "":
            if required:
                self.error(name, _("不能为空"))
            return None
        try:
            return _as_date(value)
        except ValueError:
            self.error(
                name, _("“%(value)s”不是有效日期，请写成 2024-07-01 的形式") % {"value": cell_text(value)}
            )
            return None

    def choice(self, name: str, accepted: dict[str, str], labels: Iterable[str]) -> str:
        text = self.text(name, required=True)
        if not text or name in self.bad:
            return ""
        value = accepted.get(_squash(text))
        if value is None:
            self.error(
                name, _("“%(value)s”无效，应为：%(choices)s") % {"value": text, "choices": _join(labels)}
            )
            return ""
        return value


def _max_length(model, name: str) -> int | None:
    return model._meta.get_field(name).max_length


# ---- opening the file and finding the table ------------------------------------------------------


@dataclass
class _Table:
    header_row: int
    positions: dict[str, int]  # field → 0-based column index
    rows: list[tuple[int, list]]  # (Excel row number, values by column index)


def _file_error(message: str) -> list[RowError]:
    return [RowError(None, "", message)]


def _sniff_non_zip(head: bytes, name: str) -> str:
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _("这是旧版 .xls 文件或加了密码的 Excel 文件：请用 Excel 另存为 .xlsx（不设密码）后上传")
    looks_text = b"\x00" not in head and (b"," in head or b"\t" in head or b"\n" in head)
    if name.lower().endswith((".csv", ".txt")) or looks_text:
        return _("这是 CSV 或文本文件：请用 Excel 打开后另存为 .xlsx 格式再上传")
    return _("不是 Excel（.xlsx）文件，请上传 .xlsx 格式的文件")


def open_table(upload, sheet_name: str, columns: tuple[Column, ...]) -> tuple[_Table | None, list[RowError]]:
    size = getattr(upload, "size", None)
    limit_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
    if size is not None and size > settings.MAX_UPLOAD_BYTES:
        return None, _file_error(_("文件太大：上限为 %(mb)s MB，请分批导入") % {"mb": limit_mb})
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if not head:
        return None, _file_error(_("文件是空的"))
    if not head.startswith(b"PK"):
        return None, _file_error(_sniff_non_zip(head, getattr(upload, "name", "") or ""))
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None, _file_error(_("文件已损坏，无法作为 Excel 文件打开；请用 Excel 重新另存为 .xlsx 后上传"))
    if unpacked > settings.MAX_UPLOAD_BYTES * MAX_UNPACKED_RATIO:
        return None, _file_error(_("文件解压后异常巨大，已拒绝；请用 Excel 重新另存为 .xlsx 后上传"))
    upload.seek(0)
    try:
        book = load_workbook(upload, read_only=True, data_only=True)
    except DAMAGED_FILE_ERRORS:
        return None, _file_error(_("文件已损坏或不是 Excel 工作簿；请用 Excel 重新另存为 .xlsx 后上传"))
    try:
        return _read_table(book, sheet_name, columns)
    except (
        DAMAGED_FILE_ERRORS
    ):  # the sheet's XML is parsed lazily, so damage may show only while reading rows
        return None, _file_error(_("工作表内容已损坏，无法读取；请用 Excel 重新另存为 .xlsx 后上传"))
    finally:
        book.close()


def _header_text(value) -> str:
    return re.sub(r"[\s*＊]", "", cell_text(value))


def _read_table(book, sheet_name: str, columns: tuple[Column, ...]) -> tuple[_Table | None, list[RowError]]:
    names = {name.strip(): name for name in book.sheetnames}
    if sheet_name not in names:
        found = _join(f"“{n}”" for n in book.sheetnames) or pgettext("no sheets", "无")
        return None, _file_error(
            _("找不到名为“%(sheet)s”的工作表；文件中的工作表：%(found)s")
            % {"sheet": sheet_name, "found": found}
        )
    sheet = book[names[sheet_name]]
    limit = settings.MAX_IMPORT_ROWS
    # The dimension is in the sheet's first bytes: refuse a huge sheet before reading a row of it.
    declared = sheet.max_row
    if declared is not None and declared - 1 > limit:
        return None, _file_error(
            _("工作表有 %(rows)s 行数据，超过上限 %(limit)s 行；请分批导入")
            % {"rows": declared - 1, "limit": limit}
        )
    # Then ignore the dimension: some programs write a wrong one, and rows beyond it would be lost.
    sheet.reset_dimensions()

    by_header = {c.header: c for c in columns}
    header_row, positions, errors = 0, {}, []
    rows: list[tuple[int, list]] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if not header_row:
            headers = [_header_text(v) for v in values]
            if not any(h in by_header for h in headers):
                if number >= HEADER_SEARCH_ROWS:
                    break
                continue
            header_row = number
            for index, header in enumerate(headers):
                if header not in by_header:
                    continue
                name = by_header[header].field
                if name in positions:
                    errors.append(
                        RowError(number, header, _("表头中“%(header)s”出现了不止一次") % {"header": header})
                    )
                positions[name] = index
            continue
        if number - header_row > limit:
            return None, _file_error(_("工作表数据超过上限 %(limit)s 行；请分批导入") % {"limit": limit})
        picked = [values[i] if i < len(values) else None for i in range(max(positions.values()) + 1)]
        if any(cell_text(picked[i]) for i in positions.values()):
            rows.append((number, picked))
    missing = [c.header for c in columns if c.required and c.field not in positions]
    if missing:
        if header_row:
            message = _("第 %(row)s 行表头缺少必需的列：%(columns)s") % {
                "row": header_row,
                "columns": _join(missing),
            }
        else:
            message = _("表头缺少必需的列：%(columns)s") % {"columns": _join(missing)}
        errors.append(RowError(header_row or 1, "", message))
    if errors:
        return None, errors
    return _Table(header_row, positions, rows), []


# ---- the two layouts: reading ---------------------------------------------------------------------


def _duplicates[R: TableRow](
    rows: list[R],
    key: Callable[[R], str],
    name: str,
    columns: tuple[Column, ...],
    table: _Table,
    errors: list[RowError],
) -> None:
    header = column_of(columns, name)
    letter = get_column_letter(table.positions[name] + 1) if name in table.positions else ""
    seen: dict[str, int] = {}
    for r in rows:
        k = key(r)
        if not k:
            continue
        if k in seen:
            message = _("%(column)s“%(value)s”与第 %(row)s 行重复") % {
                "column": header,
                "value": k,
                "row": seen[k],
            }
            errors.append(RowError(r.row, header, message, f"{letter}{r.row}"))
            r.bad.add(name)
        else:
            seen[k] = r.row


def read_orgs(upload) -> tuple[Sheet[OrgRow] | None, list[RowError]]:
    table, errors = open_table(upload, ORG_SHEET, ORG_COLUMNS)
    if table is None:
        return None, errors
    kinds = choice_lookup(OrgKind)
    kind_labels = list(choice_labels(OrgKind))
    rows = []
    for number, values in table.rows:
        row = OrgRow(number)
        cells = RowReader(number, values, table.positions, ORG_COLUMNS, errors, row.bad)
        row.code = cells.text("code", required=True, max_length=_max_length(OrgUnit, "code"))
        if row.code and "code" not in row.bad and not _CODE.fullmatch(row.code):
            cells.error("code", _("编码不能包含空格或“/”"))
            row.code = ""
        row.name = cells.text("name", required=True, max_length=_max_length(OrgUnit, "name"))
        row.short_name = cells.text("short_name", max_length=_max_length(OrgUnit, "short_name"))
        row.kind = cells.choice("kind", kinds, kind_labels)
        row.parent_code = cells.text("parent")
        row.secretary = cells.text("secretary", max_length=_max_length(OrgUnit, "secretary"))
        row.active_from = cells.date("active_from", required=True)
        row.active_to = cells.date("active_to")
        if row.active_from and row.active_to and row.active_to <= row.active_from:
            cells.error("active_to", _("撤销日期必须晚于成立日期"))
        rows.append(row)
    _duplicates(rows, lambda r: r.code, "code", ORG_COLUMNS, table, errors)
    return Sheet(rows, frozenset(table.positions), _file_name(upload)), errors


def read_people(upload) -> tuple[Sheet[PersonRow] | None, list[RowError]]:
    table, errors = open_table(upload, PEOPLE_SHEET, PEOPLE_COLUMNS)
    if table is None:
        return None, errors
    genders, statuses = choice_lookup(Gender), choice_lookup(MemberStatus)
    gender_labels, status_labels = list(choice_labels(Gender)), list(choice_labels(MemberStatus))
    today = timezone.localdate()
    rows = []
    for number, values in table.rows:
        row = PersonRow(number)
        cells = RowReader(number, values, table.positions, PEOPLE_COLUMNS, errors, row.bad)
        row.name = cells.text("name", required=True, max_length=_max_length(Person, "name"))
        row.gender = cells.choice("gender", genders, gender_labels)
        row.org_code = cells.text("org", required=True)
        row.status = cells.choice("status", statuses, status_labels)
        row.birth_date = cells.date("birth_date")
        row.join_date = cells.date("join_date")
        for field_name, problem in person_date_problems(row.birth_date, row.join_date, today).items():
            cells.error(field_name, problem)
        row.position = cells.text("position", max_length=_max_length(Person, "position"))
        _read_phone(cells, row)
        _read_id_number(cells, row)
        rows.append(row)
    unmasked = [r for r in rows if not r.id_masked]
    _duplicates(unmasked, lambda r: r.id_number, "id_number", PEOPLE_COLUMNS, table, errors)
    return Sheet(rows, frozenset(table.positions), _file_name(upload)), errors


def _read_phone(cells: RowReader, row: PersonRow) -> None:
    phone = re.sub(r"[\s-]", "", cells.text("phone"))
    if not phone or "phone" in row.bad or _MASKED.fullmatch(phone):
        return
    if _PHONE.fullmatch(phone):
        row.phone = phone
    else:
        cells.error("phone", _("“%(value)s”不是有效手机号：应为 11 位数字，以 1 开头") % {"value": phone})


def _read_id_number(cells: RowReader, row: PersonRow) -> None:
    value = cells.raw("id_number")
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: the number as stored is no longer the person's.
        cells.error("id_number", _("身份证号被存成了数字，末几位已丢失：请把该列设为文本格式后重新填写"))
        return
    number = cell_text(value).replace(" ", "").upper()
    if not number or "id_number" in row.bad:
        return
    if _MASKED.fullmatch(number):
        row.id_number, row.id_masked = number, True
        return
    problem = id_numbers.problem(number)
    if problem:
        cells.error("id_number", problem)
    else:
        row.id_number = number


def _file_name(upload) -> str:
    return (getattr(upload, "name", "") or "upload.xlsx").rsplit("/", 1)[-1]


# ---- writing ---------------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="B71C1C")  # the party red of the UI
_HEADER_BORDER = Border(bottom=Side(style="thin", color="7F0000"))
_EXAMPLE_FONT = Font(italic=True, color="808080")
_LAST_ROW = 1048576


def _clean(value):
    # Control characters make an invalid file; they can only have come from a bad paste anyway.
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


class _Writer:
    """One sheet in a streaming workbook: styled header, widths, frozen header, drop-down lists."""

    def __init__(self, title: str, columns: tuple[Column, ...], *, first_note: str | Promise = ""):
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title)
        self.columns = columns
        self.sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            dimension = self.sheet.column_dimensions[get_column_letter(index)]
            dimension.width = column.width
            if column.field in TEXT_COLUMNS:
                dimension.number_format = "@"
            elif column.field in DATE_COLUMNS:
                dimension.number_format = "yyyy-mm-dd"
        self._drop_downs()
        header = []
        for index, column in enumerate(columns):
            cell = WriteOnlyCell(self.sheet, value=column.header)
            cell.font, cell.fill, cell.border = _HEADER_FONT, _HEADER_FILL, _HEADER_BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center")
            note = "\n".join(str(n) for n in (first_note if index == 0 else "", column.note) if n)
            if note:
                cell.comment = Comment(note, "kaohe", width=320, height=120)
            header.append(cell)
        self.sheet.append(header)

    def _drop_downs(self) -> None:
        lists = {
            "kind": choice_labels(OrgKind),
            "gender": choice_labels(Gender),
            "status": choice_labels(MemberStatus),
        }
        for index, column in enumerate(self.columns, start=1):
            if column.field in lists:
                letter = get_column_letter(index)
                validation = DataValidation(
                    type="list", formula1='"{}"'.format(",".join(lists[column.field])), allow_blank=True
                )
                validation.add(f"{letter}2:{letter}{_LAST_ROW}")
                self.sheet.data_validations.append(validation)

    def append(self, values: list, *, example: bool = False) -> None:
        values = [_clean(v) for v in values]
        if example:
            cells = []
            for v in values:
                cell = WriteOnlyCell(self.sheet, value=v)
                cell.font = _EXAMPLE_FONT
                cells.append(cell)
            self.sheet.append(cells)
        else:
            self.sheet.append(values)

    def save(self) -> bytes:
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def _org_values(org: OrgUnit) -> list:
    return [
        org.code,
        org.name,
        org.short_name,
        choice_label(OrgKind, org.kind),
        org.parent.code if org.parent else "",
        org.secretary,
        org.active_from,
        org.active_to,
    ]


def build_orgs(orgs: Iterable[OrgUnit], *, with_secretaries: bool = True) -> bytes:
    """The org sheet. `orgs` should come with their parent (select_related) and in path order.
    Without `with_secretaries` (a reader who may not see people) the 书记 column stays empty."""
    writer = _Writer(ORG_SHEET, ORG_COLUMNS)
    for org in orgs:
        values = _org_values(org)
        if not with_secretaries:
            values[5] = ""
        writer.append(values)
    return writer.save()


def _person_values(person: Person) -> list:
    return [
        person.name,
        choice_label(Gender, person.gender),
        person.org.code,
        choice_label(MemberStatus, person.status),
        person.birth_date,
        person.join_date,
        person.position,
        person.phone_masked,
        person.id_number_masked,
    ]


def build_people(people: Iterable[Person]) -> bytes:
    """The people sheet, phone and ID numbers masked. `people` should come with their org."""
    writer = _Writer(PEOPLE_SHEET, PEOPLE_COLUMNS)
    for person in people:
        writer.append(_person_values(person))
    return writer.save()


_EXAMPLE_NOTE = gettext_lazy("第 2 行是示例（灰色斜体），导入前请删除或改为真实数据。")


def org_template(parent_code: str) -> bytes:
    """An empty org sheet with one example row: a branch under `parent_code`."""
    writer = _Writer(ORG_SHEET, ORG_COLUMNS, first_note=_EXAMPLE_NOTE)
    writer.append(
        [
            f"{parent_code}-X01",
            _("第一党支部（示例）"),
            _("一支部"),
            choice_label(OrgKind, OrgKind.BRANCH),
            parent_code,
            "张三",
            datetime.date(2024, 7, 1),
            None,
        ],
        example=True,
    )
    return writer.save()


def people_template(org_code: str) -> bytes:
    """An empty people sheet with one example row in the org `org_code`."""
    writer = _Writer(PEOPLE_SHEET, PEOPLE_COLUMNS, first_note=_EXAMPLE_NOTE)
    writer.append(
        [
            _("李明（示例）"),
            choice_label(Gender, Gender.MALE),
            org_code,
            choice_label(MemberStatus, MemberStatus.FULL),
            datetime.date(1985, 6, 15),
            datetime.date(2010, 7, 1),
            _("支部委员"),
            "13800138000",
            "",
        ],
        example=True,
    )
    return writer.save()
