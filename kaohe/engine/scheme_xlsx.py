"""A scheme as the published xlsx table (评分细则表), and back to the identical scheme.

The workbook has one sheet per part of the scheme; the 说明 sheet describes them for the reader:

- 评分细则: the table people know, one row per node, parents before children. The node's title sits
  in the column of its level: 一级指标, 二级指标, (三级指标 …), 评分项 - a deeper tree gets more level
  columns, the last one is always 评分项. Then 分值, 评分细则 (the scoring wording), 考核方式,
  考核部门, 考核要求 (the requirement), 编码 (the stable code), 类别, 规则类型 (e.g.
  "定额次数（quota）"), 规则参数 (the rule's settings as a one-line YAML mapping:
  {fact: party_lectures, required: 4, amount: 0.5}), 否决条件 (a veto, the same way), 条款, 权重,
  计分方式, 不低于零.
- 方案 (code, title, year, version, total, tie-break, award actions, the assessor panel: method, trim,
  reason_above), 事实 (fact kinds; 考核组逐人评分 是 for a panel kind), 等次 (bands),
  等次名额 (quotas), 排名结果 (top / bottom N), 结果运用 (pay and actions per grade), 汇总口径 (named
  totals).

Cells holding a list or a mapping are one-line YAML ([好, 较好], {fact: x}). Numbers are numbers
(exact: read back through their shortest text, never through binary floats).

`read_xlsx` reports every bad cell by sheet, row and column (XlsxError), builds nothing on error,
then runs the engine's validation, whose problems name the node path.
"""

import io
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import TypeAdapter, ValidationError

from kaohe.engine import yaml_text
from kaohe.engine.errors import EngineError, SchemeError
from kaohe.engine.fact_kinds import FactKind
from kaohe.engine.points import format_rate, parse_rate, parse_thousandths, thousandths_decimal
from kaohe.engine.rules import RULE_KINDS, Rule
from kaohe.engine.scheme import Scheme, Veto
from kaohe.engine.validation import parse_scheme


class XlsxError(SchemeError):
    """A workbook that is not a scheme table; each problem names the sheet, row and column."""


MAX_PROBLEMS = 200

# -- names as the sheet shows them -----------------------------------------------------------------

RULE_LABELS: dict[str, str] = {
    "per_occurrence": "按次扣分",
    "ranged_deduction": "酌情扣分",
    "zeroing": "不得分情形",
    "count_tiers": "按次数分档扣分",
    "rate_steps": "按比率扣分",
    "completion_ratio": "按完成比例计分",
    "quota": "定额次数",
    "checklist": "按要素计分",
    "tiered_judgment": "按等次评价",
    "bonus": "加分",
    "discipline": "纪律处分扣分",
    "imported": "导入分值",
    "rank_points": "按排名计分",
    "ballot": "民主测评",
}
assert set(RULE_LABELS) == set(RULE_KINDS)

TYPE_LABELS: dict[str, str] = {
    "count": "次数",
    "rate": "比率",
    "flag": "是否",
    "judgment": "评价",
    "figure": "数值",
    "awards": "表彰",
    "cases": "案件",
    "findings": "认定问题",
    "checklist": "要素",
    "ballot": "测评票",
}
CATEGORIES = {"basic": "基本考核项", "bonus": "加分项", "veto": "否决项"}
COMPOSE = {"sum": "求和", "weighted": "加权", "product": "乘积"}
ROUNDING = {"down": "向下取整", "up": "向上取整", "nearest": "四舍五入"}
TIES = {"demote": "并列均降等", "keep": "并列均保留"}
YES, NO = "是", "否"

TABLE, HEADER, FACTS, BANDS, QUOTAS, RANKS, USES, TOTALS, README = (
    "评分细则",
    "方案",
    "事实",
    "等次",
    "等次名额",
    "排名结果",
    "结果运用",
    "汇总口径",
    "说明",
)
LEAF = "评分项"
NODE_COLUMNS = (
    "分值",
    "评分细则",
    "考核方式",
    "佐证材料",
    "考核部门",
    "考核要求",
    "编码",
    "类别",
    "规则类型",
    "规则参数",
    "否决条件",
    "条款",
    "权重",
    "计分方式",
    "不低于零",
)
IGNORED_COLUMNS = frozenset({"备注", "序号"})  # the reader's own notes; the printed table's numbering
HEADER_FIELDS = (  # (label, field)
    ("方案编码", "code"),
    ("方案名称", "title"),
    ("年度", "year"),
    ("版本", "version"),
    ("总分", "total_points"),
    ("同分排序依据（节点编码）", "tie_break"),
    ("评优类措施", "award_actions"),
    ("考核组计分方法", "panel.method"),
    ("去掉最高分、最低分各几个", "panel.trim"),
    ("自评分与考核组得分相差超过几分须说明理由", "panel.reason_above"),
)
PANEL_FIELDS = ("panel.method", "panel.trim", "panel.reason_above")  # the scheme's panel, one row each
PANEL_METHODS = {"mean": "平均", "trimmed_mean": "去掉最高分和最低分后平均"}
PANEL_COLUMN = "考核组逐人评分"
SHEET_COLUMNS: dict[str, tuple[str, ...]] = {
    HEADER: ("项目", "字段", "值"),
    FACTS: ("编码", "名称", "类型", "选项", "默认值", "来源", "取数", PANEL_COLUMN),
    BANDS: ("等次", "不低于", "高于", "不高于", "低于"),
    QUOTAS: ("等次", "比例上限", "取整", "并列"),
    RANKS: ("前N名", "后N名", "措施"),
    USES: ("等次", "薪酬系数", "措施"),
    TOTALS: ("编码", "名称", "含加分"),
}
_CN_DIGITS = "一二三四五六七八九十"


def level_name(level: int) -> str:
    """一级指标, 二级指标, …, 十级指标, 11级指标."""
    return f"{_CN_DIGITS[level - 1] if level <= 10 else level}级指标"


def level_names(depth: int) -> list[str]:
    """The level columns of a tree this deep: at least 一级指标 / 二级指标 / 评分项."""
    count = max(3, depth)
    return [level_name(k) for k in range(1, count)] + [LEAF]


def labelled(label: str, code: str) -> str:
    return f"{label}（{code}）"


# -- one-line YAML ---------------------------------------------------------------------------------


class _FlowDumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: _FlowDumper, value: Decimal) -> Any:
    text = format(abs(value) if value.is_zero() else value, "f")
    return dumper.represent_scalar("tag:yaml.org,2002:" + ("float" if "." in text else "int"), text)


_FlowDumper.add_representer(Decimal, _represent_decimal)
_FlowDumper.add_representer(tuple, lambda d, v: d.represent_list(list(v)))


def flow(value: Any) -> str:
    """One-line YAML: {fact: x, amount: 0.5}, [好, 较好], 0."""
    text: str = yaml.dump(
        value, Dumper=_FlowDumper, default_flow_style=True, allow_unicode=True, sort_keys=False, width=1 << 30
    )
    return text.removesuffix("\n...\n").removesuffix("\n")


# -- writing ---------------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="B22222")  # 党建红
_WRAP = Alignment(wrap_text=True, vertical="top")


def _number(value: Any) -> Any:
    """A Decimal as an Excel number: an int, or a float whose shortest text is the same decimal."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str):
        return value
    if isinstance(value, Decimal):
        return _number(value)
    return flow(value)


class _Sheet:
    def __init__(self, book: Workbook, title: str, columns: list[str], widths: dict[str, int]) -> None:
        self.sheet = book.create_sheet(title)
        self.columns = columns
        self.sheet.append(columns)
        for index, name in enumerate(columns, start=1):
            cell = self.sheet.cell(row=1, column=index)
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            self.sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, 12)
        self.sheet.freeze_panes = "A2"

    def append(self, values: dict[str, Any], where: str) -> None:
        row = self.sheet.max_row + 1
        for index, name in enumerate(self.columns, start=1):
            value = _cell_value(values.get(name))
            if value is None or value == "":
                continue
            cell = self.sheet.cell(row=row, column=index)
            try:
                cell.value = value
            except IllegalCharacterError:
                raise XlsxError(
                    [f"{where}: {name} holds a control character that xlsx cannot store: {value!r}"]
                ) from None
            if isinstance(value, str):
                cell.data_type = "s"  # text that starts with '=' stays text, never a formula
                cell.alignment = _WRAP


def _depth(nodes: list[dict[str, Any]]) -> int:
    return max((1 + _depth(n.get("children", [])) for n in nodes), default=0)


def _rows(nodes: list[dict[str, Any]], level: int) -> Iterator[tuple[int, dict[str, Any]]]:
    for node in nodes:
        yield level, node
        yield from _rows(node.get("children", []), level + 1)


def write_xlsx(scheme: Scheme) -> bytes:
    """The scheme as an xlsx workbook (bytes)."""
    data = scheme.model_dump(mode="python", exclude_defaults=True)
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    levels = level_names(_depth(data["nodes"]))
    widths = dict.fromkeys(levels, 16) | {
        "分值": 7,
        "评分细则": 48,
        "考核方式": 14,
        "佐证材料": 24,
        "考核部门": 14,
        "考核要求": 40,
        "编码": 30,
        "类别": 11,
        "规则类型": 20,
        "规则参数": 60,
        "否决条件": 40,
        "条款": 12,
        "权重": 8,
        "计分方式": 9,
        "不低于零": 9,
    }
    table = _Sheet(book, TABLE, [*levels, *NODE_COLUMNS], widths)
    for level, node in _rows(data["nodes"], 1):
        rule = dict(node.get("rule") or {})
        kind = rule.pop("kind", None)
        column = levels[level - 1] if level < len(levels) else LEAF
        table.append(
            {
                column: node["title"],
                "分值": node.get("points", Decimal(0)),
                "评分细则": node.get("scoring"),
                "考核要求": node.get("requirement"),
                "考核方式": node.get("evidence"),
                "佐证材料": "\n".join(node["materials"]) if node.get("materials") else None,
                "考核部门": node.get("department"),
                "编码": node["code"],
                "类别": CATEGORIES.get(node.get("category") or ""),
                "规则类型": labelled(RULE_LABELS[kind], kind) if kind else None,
                "规则参数": flow(rule) if rule else None,
                "否决条件": flow(node["veto"]) if node.get("veto") else None,
                "条款": node.get("clause"),
                "权重": node.get("weight"),
                "计分方式": COMPOSE[node["compose"]] if "compose" in node else None,
                "不低于零": NO if node.get("floor") is False else None,
            },
            f"node {node['code']}",
        )

    wide = {"值": 60, "项目": 24, "字段": 14, "名称": 36, "选项": 48, "来源": 24, "措施": 36, "类型": 14}
    header = _Sheet(book, HEADER, list(SHEET_COLUMNS[HEADER]), wide)
    grading, uses = data["grading"], data.get("uses", {})
    panel = data.get("panel", {})
    values = {
        **data,
        "tie_break": grading.get("tie_break"),
        "award_actions": uses.get("award_actions"),
        "panel.method": labelled(PANEL_METHODS[panel["method"]], panel["method"]) if panel else None,
        "panel.trim": panel.get("trim"),
        "panel.reason_above": panel.get("reason_above"),
    }
    for label, field in HEADER_FIELDS:
        header.append({"项目": label, "字段": field, "值": values.get(field)}, f"{HEADER} {field}")

    facts = _Sheet(book, FACTS, list(SHEET_COLUMNS[FACTS]), wide | {"编码": 30, PANEL_COLUMN: 10})
    for kind in data.get("facts", []):
        facts.append(
            {
                "编码": kind["code"],
                "名称": kind["title"],
                "类型": labelled(TYPE_LABELS[kind["type"]], kind["type"]),
                "选项": kind.get("options"),
                "默认值": flow(kind["default"]) if "default" in kind else None,
                "来源": kind.get("source"),
                "取数": kind.get("derive"),
                PANEL_COLUMN: YES if kind.get("panel") else None,
            },
            f"fact kind {kind['code']}",
        )
    bands = _Sheet(book, BANDS, list(SHEET_COLUMNS[BANDS]), {})
    names = {"at_least": "不低于", "above": "高于", "at_most": "不高于", "below": "低于"}
    for band in grading["bands"]:
        bands.append({"等次": band["grade"]} | {names[k]: v for k, v in band.items() if k in names}, "band")
    quotas = _Sheet(book, QUOTAS, list(SHEET_COLUMNS[QUOTAS]), {})
    for quota in grading.get("quotas", []):
        quotas.append(
            {
                "等次": quota["grade"],
                "比例上限": quota["at_most"],
                "取整": labelled(ROUNDING[quota["rounding"]], quota["rounding"]),
                "并列": labelled(TIES[quota["ties"]], quota["ties"]),
            },
            "quota",
        )
    ranks = _Sheet(book, RANKS, list(SHEET_COLUMNS[RANKS]), wide)
    for outcome in grading.get("rank_outcomes", []):
        ranks.append(
            {"前N名": outcome.get("top"), "后N名": outcome.get("bottom"), "措施": outcome["action"]}, "rank"
        )
    use_sheet = _Sheet(book, USES, list(SHEET_COLUMNS[USES]), wide)
    pay, actions = uses.get("pay", {}), uses.get("actions", {})
    for grade in [*pay, *(g for g in actions if g not in pay)]:
        use_sheet.append({"等次": grade, "薪酬系数": pay.get(grade), "措施": actions.get(grade)}, "use")
    totals = _Sheet(book, TOTALS, list(SHEET_COLUMNS[TOTALS]), wide)
    for total in uses.get("totals", []):
        totals.append(
            {
                "编码": total["code"],
                "名称": total["title"],
                "含加分": NO if total.get("include_bonus") is False else YES,
            },
            "total",
        )
    readme = _Sheet(book, README, ["说明"], {"说明": 110})
    for line in _readme(levels):
        readme.append({"说明": line}, README)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _readme(levels: list[str]) -> list[str]:
    kinds = "；".join(labelled(label, code) for code, label in RULE_LABELS.items())
    types = "；".join(labelled(label, code) for code, label in TYPE_LABELS.items())
    return [
        f"「{TABLE}」每行一个节点，上级在前、下级在后；名称写在其层级所在列（{' / '.join(levels)}），"
        f"层级更深时增加“三级指标”等列，最末一列总是“{LEAF}”。",
        "“编码”是节点的稳定编码，调整顺序、改名都不要改它；“分值”必须填写（否决项填0）。",
        "“评分细则”是公布的评分文字（如“每少1次扣0.2分”），“考核要求”是对被考核单位的要求；"
        "实际计分以“规则类型”“规则参数”为准。“序号”“备注”列可以有，导入时不读。",
        "“类别”：基本考核项 / 加分项 / 否决项，空白表示与上级相同；“计分方式”：求和（空白）/ 加权 / 乘积；"
        "“不低于零”为“否”表示该节点合计可以为负（如直接扣分项）。",
        f"“规则类型”可写中文名或英文代码：{kinds}。",
        "“规则参数”“否决条件”为单行 YAML：{键: 值, …}，列表写作 [甲, 乙]，例如 "
        "{fact: party_lectures, required: 4, amount: 0.5}；事实代码见「事实」表。",
        f"「事实」的“类型”：{types}；“选项”写作 [好, 较好, 一般, 较差]；"
        "“默认值”为单行 YAML，空白表示没有默认值。",
        f"「{HEADER}」按“字段”列读取；「{BANDS}」的界限按原文：不低于为含、低于为不含。",
        f"「{HEADER}」的考核组计分方法：{'；'.join(labelled(v, k) for k, v in PANEL_METHODS.items())}；"
        "去掉最高分、最低分各几个空白为1，评分人数不足时按平均计。"
        f"「{FACTS}」的“{PANEL_COLUMN}”为“是”的事实由考核组每人各给一个值，"
        "读取该事实的评分项按每人的值分别计分后取平均。",
        "导入时逐格检查，出错会指出工作表、行和列，全部无误后再按方案规则校验（指出节点路径）。本表不参与导入。",
    ]


def write_xlsx_file(scheme: Scheme, path: str | Path) -> None:
    try:
        Path(path).write_bytes(write_xlsx(scheme))
    except OSError as error:
        raise XlsxError([f"{path}: {error.strerror or error}"]) from None


# -- reading ---------------------------------------------------------------------------------------


class _Bad(Exception):
    """One cell's problem; the reader adds where it is."""


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(message)
        elif len(self.items) == MAX_PROBLEMS:
            self.items.append("... and more problems")


class _Row:
    """One row of a sheet, its cells by column name; reading a cell records its problem by place."""

    def __init__(self, sheet: str, number: int, cells: dict[str, tuple[int, Any]], problems: _Problems):
        self.sheet, self.number, self.cells, self.problems = sheet, number, cells, problems

    def where(self, column: str) -> str:
        index = self.cells[column][0] if column in self.cells else None
        letter = f" {get_column_letter(index)}" if index else ""
        return f"sheet '{self.sheet}', row {self.number}, column{letter} '{column}'"

    def raw(self, column: str) -> Any:
        value = self.cells.get(column, (0, None))[1]
        return None if isinstance(value, str) and not value.strip() else value

    def get(self, column: str, read: Callable[[Any], Any], default: Any = None) -> Any:
        """The cell read by `read`, `default` when blank; a problem is recorded and `default` given."""
        value = self.raw(column)
        if value is None:
            return default
        try:
            return read(value)
        except (_Bad, EngineError) as error:
            text = "; ".join(getattr(error, "problems", None) or [str(error)])
            self.problems.add(f"{self.where(column)}: {text}")
            return default

    def need(self, column: str, read: Callable[[Any], Any]) -> Any:
        if self.raw(column) is None:
            self.problems.add(f"{self.where(column)}: empty; it must be filled in")
            return None
        return self.get(column, read)

    def empty(self) -> bool:
        return all(self.raw(c) is None for c in self.cells)


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise _Bad(f"expected text, got {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(Decimal(repr(value)).normalize()) if value == value and abs(value) != float("inf") else ""
    if isinstance(value, datetime | date | time | timedelta):
        raise _Bad(f"expected text, got a date or time ({value})")
    raise _Bad(f"expected text, got {type(value).__name__}")


def _stripped(value: Any) -> str:
    return _text(value).strip()


def _points(value: Any) -> Decimal:
    if isinstance(value, datetime | date | time | timedelta):
        raise _Bad(f"expected a number, got a date or time ({value})")
    return thousandths_decimal(parse_thousandths(value, "the number"))


def _rate(value: Any) -> str:
    if isinstance(value, datetime | date | time | timedelta):
        raise _Bad(f"expected a rate such as 50%, got a date or time ({value})")
    return format_rate(parse_rate(value, "the rate"))


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Bad(f"expected a whole number, got {value!r}")
    text = _text(value).strip()
    if not re.fullmatch(r"[+-]?\d{1,9}", text):
        raise _Bad(f"expected a whole number, got {value!r}")
    return int(text)


def _yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).strip().lower()
    if text in (YES, "true", "yes", "1"):
        return True
    if text in (NO, "false", "no", "0"):
        return False
    raise _Bad(f"expected {YES} or {NO}, got {value!r}")


def _yaml(value: Any) -> Any:
    """A one-line YAML cell as data; a number typed into it is that number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _points(value) if isinstance(value, float) else value
    try:
        return yaml_text.parse(_text(value))
    except SchemeError as error:
        raise _Bad(f"not readable as one-line YAML ({'; '.join(error.problems)})") from None


def _yaml_of(type_: type, shape: str) -> Callable[[Any], Any]:
    def read(value: Any) -> Any:
        data = _yaml(value)
        if not isinstance(data, type_):
            raise _Bad(f"expected {shape}, got {value!r}")
        return data

    return read


_mapping = _yaml_of(dict, "a mapping such as {fact: x, amount: 0.5}")
_list = _yaml_of(list, "a list such as [好, 较好]")


def _lines(value: Any) -> list[str]:
    """One entry per line (or separated by ；), as people type a list into a cell."""
    return [part.strip() for part in re.split(r"[\n；;]", _text(value)) if part.strip()]


def _choice(names: dict[str, str], what: str) -> Callable[[Any], str]:
    """A code from its code, its label, or "label（code）"."""

    def read(value: Any) -> str:
        text = _stripped(value)
        found = re.fullmatch(r"(.*?)\s*[（(]\s*([\w]+)\s*[)）]", text)
        if found and found.group(2) in names:
            label, code = found.group(1), found.group(2)
            if label and label != names[code]:
                raise _Bad(f"'{label}' is not the name of {what} '{code}' ({names[code]})")
            return code
        for code, label in names.items():
            if text in (code, label):
                return code
        known = "; ".join(labelled(label, code) for code, label in names.items())
        raise _Bad(f"unknown {what} {text!r}; one of: {known}")

    return read


_RULE_ADAPTER: TypeAdapter[Any] = TypeAdapter(Rule)
_VETO_ADAPTER: TypeAdapter[Any] = TypeAdapter(Veto)
_FACT_ADAPTER: TypeAdapter[Any] = TypeAdapter(FactKind)


def _checked(adapter: TypeAdapter[Any], data: dict[str, Any]) -> dict[str, Any]:
    """`data` unchanged when the model reads it; else every field problem, by field."""
    try:
        adapter.validate_python(data)
    except ValidationError as error:
        problems = []
        for e in error.errors():
            loc = ".".join(str(part) for part in e["loc"] if part not in RULE_KINDS)
            problems.append(f"{loc}: {e['msg']}" if loc else e["msg"])
        raise _Bad("; ".join(problems)) from None
    return data


def _checker(adapter: TypeAdapter[Any], data: dict[str, Any]) -> Callable[[Any], dict[str, Any]]:
    """A cell reader that checks already built `data` against a model, reporting at the cell."""
    return lambda _: _checked(adapter, data)


def _sheet_rows(book: Any, name: str, columns: set[str] | None, problems: _Problems) -> list[_Row] | None:
    """The rows of a sheet by header name; `columns` are all required (None: checked by the caller)."""
    if name not in book.sheetnames:
        problems.add(
            f"sheet '{name}' is missing; the workbook has {', '.join(book.sheetnames) or 'no sheets'}"
        )
        return None
    sheet = book[name]
    if not isinstance(sheet, Worksheet):
        problems.add(f"sheet '{name}' is a chart, not a table")
        return None
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, ())
    names: dict[str, int] = {}
    for index, value in enumerate(header, start=1):
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        title = value.strip() if isinstance(value, str) else str(value)
        where = f"sheet '{name}', row 1, column {get_column_letter(index)}"
        if title in IGNORED_COLUMNS:
            continue
        if title in names:
            problems.add(f"{where}: column '{title}' appears twice")
        elif columns is not None and title not in columns:
            problems.add(f"{where}: unknown column '{title}'; the columns are {', '.join(sorted(columns))}")
        else:
            names[title] = index
    missing = [c for c in sorted(columns or ()) if c not in names]
    if missing:
        problems.add(f"sheet '{name}', row 1: missing column(s) {', '.join(missing)}")
        return None
    result = []
    for number, values in enumerate(rows, start=2):
        cells = {
            title: (index, values[index - 1] if index - 1 < len(values) else None)
            for title, index in names.items()
        }
        row = _Row(name, number, cells, problems)
        if not row.empty():
            result.append(row)
    return result


def _table(book: Any, problems: _Problems) -> list[dict[str, Any]]:
    if TABLE not in book.sheetnames:
        _sheet_rows(book, TABLE, set(), problems)
        return []
    first = (
        next(book[TABLE].iter_rows(max_row=1, values_only=True), ())
        if isinstance(book[TABLE], Worksheet)
        else ()
    )
    known_levels = {level_name(k): k for k in range(1, 51)} | {LEAF: 51}
    present = sorted(
        (known_levels[v.strip()], v.strip())
        for v in first
        if isinstance(v, str) and v.strip() in known_levels
    )
    levels = [name for _, name in present]
    if level_name(1) not in levels:
        levels.insert(0, level_name(1))  # reported missing below
    rows = _sheet_rows(book, TABLE, set(levels) | set(NODE_COLUMNS), problems)
    if rows is None:
        return []
    roots: list[dict[str, Any]] = []
    open_nodes: list[dict[str, Any]] = []  # the last node seen at each level
    for row in rows:
        titled = [(i, c) for i, c in enumerate(levels, start=1) if row.raw(c) is not None]
        if len(titled) != 1:
            shown = ", ".join(levels)
            problems.add(
                f"sheet '{TABLE}', row {row.number}: the title goes in exactly one of {shown}"
                + (f"; found {len(titled)}" if titled else "; all are empty")
            )
            open_nodes = []  # the rows after it cannot be placed reliably
            continue
        level, column = titled[0]
        if level > len(open_nodes) + 1:
            problems.add(
                f"{row.where(column)}: a level-{level} node needs a level-{level - 1} node in a row above it"
            )
            continue
        node = _node(row, column)
        if level == 1:
            roots.append(node)
        else:
            open_nodes[level - 2].setdefault("children", []).append(node)
        open_nodes = [*open_nodes[: level - 1], node]
    if not rows:
        problems.add(f"sheet '{TABLE}': no nodes")
    return roots


def _node(row: _Row, title_column: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "code": row.need("编码", _stripped),
        "title": row.get(title_column, _text),
        "points": row.need("分值", _points),
    }
    optional: list[tuple[str, str, Callable[[Any], Any]]] = [
        ("category", "类别", _choice({k: v for k, v in CATEGORIES.items()}, "category")),
        ("scoring", "评分细则", _text),
        ("requirement", "考核要求", _text),
        ("evidence", "考核方式", _text),
        ("materials", "佐证材料", _lines),
        ("department", "考核部门", _text),
        ("clause", "条款", _text),
        ("weight", "权重", _rate),
        ("compose", "计分方式", _choice(COMPOSE, "composition")),
        ("floor", "不低于零", _yes_no),
    ]
    for field, column, read in optional:
        value = row.get(column, read)
        if value is not None:
            node[field] = value
    before = len(row.problems.items)
    kind = row.get("规则类型", _choice(RULE_LABELS, "rule kind"))
    params = row.get("规则参数", _mapping)
    if len(row.problems.items) > before:
        pass  # the kind or the settings are unreadable, already reported
    elif kind is None and params is not None:
        row.problems.add(f"{row.where('规则类型')}: empty, but 规则参数 is given")
    elif kind is not None:
        if params is not None and "kind" in params:
            row.problems.add(f"{row.where('规则参数')}: 'kind' belongs in 规则类型, not here")
        else:
            rule = {"kind": kind, **(params or {})}
            node["rule"] = row.get("规则参数", lambda _: _checked(_RULE_ADAPTER, rule), rule)
    before = len(row.problems.items)
    veto = row.get("否决条件", _mapping)
    if veto is not None and len(row.problems.items) == before:
        node["veto"] = row.get("否决条件", lambda _: _checked(_VETO_ADAPTER, veto), veto)
    return node


def _header(book: Any, problems: _Problems) -> dict[str, Any]:
    rows = _sheet_rows(book, HEADER, set(SHEET_COLUMNS[HEADER]), problems)
    if rows is None:
        return {}
    readers: dict[str, Callable[[Any], Any]] = {
        "code": _stripped,
        "title": _text,
        "year": _whole,
        "version": _whole,
        "total_points": _points,
        "tie_break": _list,
        "award_actions": _list,
        "panel.method": _choice(PANEL_METHODS, "panel method"),
        "panel.trim": _whole,
        "panel.reason_above": _points,
    }
    required = ("code", "title", "year", "version", "total_points")
    values: dict[str, Any] = {}
    for row in rows:
        field = row.need("字段", _stripped)
        if field is None:
            continue
        if field not in readers:
            row.problems.add(
                f"{row.where('字段')}: unknown field {field!r}; the fields are {', '.join(readers)}"
            )
        elif field in values:
            row.problems.add(f"{row.where('字段')}: field {field!r} is given twice")
        else:
            read = row.need if field in required else row.get
            values[field] = read("值", readers[field])
    for field in required:
        if field not in values:
            problems.add(f"sheet '{HEADER}': no row for field '{field}'")
    return {k: v for k, v in values.items() if v is not None}


def _facts(book: Any, problems: _Problems) -> list[dict[str, Any]]:
    facts = []
    for row in _sheet_rows(book, FACTS, set(SHEET_COLUMNS[FACTS]), problems) or []:
        before = len(problems.items)
        kind: dict[str, Any] = {
            "code": row.need("编码", _stripped),
            "title": row.need("名称", _text),
            "type": row.need("类型", _choice(TYPE_LABELS, "fact type")),
        }
        for field, column, read in (
            ("options", "选项", _list),
            ("source", "来源", _text),
            ("derive", "取数", _stripped),
            ("panel", PANEL_COLUMN, _yes_no),
        ):
            value = row.get(column, read)
            if value is not None:
                kind[field] = value
        if row.raw("默认值") is not None:
            kind["default"] = row.get("默认值", _yaml)
        if len(problems.items) == before:  # a bad cell is reported once, by its own place
            kind = row.get("编码", _checker(_FACT_ADAPTER, kind), kind)
        facts.append(kind)
    return facts


def _grading(book: Any, problems: _Problems) -> dict[str, Any]:
    bands = []
    bounds = {"不低于": "at_least", "高于": "above", "不高于": "at_most", "低于": "below"}
    for row in _sheet_rows(book, BANDS, set(SHEET_COLUMNS[BANDS]), problems) or []:
        band = {"grade": row.need("等次", _stripped)}
        band |= {
            field: row.get(column, _points) for column, field in bounds.items() if row.raw(column) is not None
        }
        bands.append(band)
    quotas = [
        {
            "grade": row.need("等次", _stripped),
            "at_most": row.need("比例上限", _rate),
            "rounding": row.need("取整", _choice(ROUNDING, "rounding")),
            "ties": row.need("并列", _choice(TIES, "tie rule")),
        }
        for row in _sheet_rows(book, QUOTAS, set(SHEET_COLUMNS[QUOTAS]), problems) or []
    ]
    outcomes = []
    for row in _sheet_rows(book, RANKS, set(SHEET_COLUMNS[RANKS]), problems) or []:
        outcome = {
            "top": row.get("前N名", _whole),
            "bottom": row.get("后N名", _whole),
            "action": row.need("措施", _text),
        }
        outcomes.append({k: v for k, v in outcome.items() if v is not None})
    return {"bands": bands, "quotas": quotas, "rank_outcomes": outcomes}


def _uses(book: Any, problems: _Problems) -> dict[str, Any]:
    pay: dict[str, Any] = {}
    actions: dict[str, Any] = {}
    for row in _sheet_rows(book, USES, set(SHEET_COLUMNS[USES]), problems) or []:
        grade = row.need("等次", _stripped)
        if grade in pay or grade in actions:
            row.problems.add(f"{row.where('等次')}: grade {grade!r} is given twice")
            continue
        factor = row.get("薪酬系数", _points)
        listed = row.get("措施", _list)
        if factor is not None:
            pay[grade] = factor
        if listed is not None:
            actions[grade] = listed
    totals = [
        {
            "code": row.need("编码", _stripped),
            "title": row.need("名称", _text),
            "include_bonus": row.get("含加分", _yes_no, True),
        }
        for row in _sheet_rows(book, TOTALS, set(SHEET_COLUMNS[TOTALS]), problems) or []
    ]
    return {"pay": pay, "actions": actions, "totals": totals}


def read_xlsx(content: bytes) -> Scheme:
    """The scheme in an xlsx workbook; XlsxError lists every bad cell, then every validation problem."""
    try:
        book = load_workbook(io.BytesIO(content), data_only=True)
    except Exception as error:  # a corrupt or foreign file can fail anywhere inside openpyxl or zipfile
        raise XlsxError([f"not an xlsx workbook ({type(error).__name__}: {error})"]) from None
    problems = _Problems()
    nodes = _table(book, problems)
    data: dict[str, Any] = _header(book, problems)
    facts = _facts(book, problems)
    grading = _grading(book, problems)
    uses = _uses(book, problems)
    book.close()
    if problems.items:
        raise XlsxError(problems.items)
    tie_break, award_actions = data.pop("tie_break", []), data.pop("award_actions", [])
    panel = {field.removeprefix("panel."): data.pop(field) for field in PANEL_FIELDS if field in data}
    if panel:
        data["panel"] = panel
    data |= {
        "facts": facts,
        "nodes": nodes,
        "grading": grading | {"tie_break": tie_break},
        "uses": uses | {"award_actions": award_actions},
    }
    try:
        return parse_scheme(data)
    except SchemeError as error:
        raise XlsxError(error.problems) from None


def read_xlsx_file(path: str | Path) -> Scheme:
    try:
        content = Path(path).read_bytes()
    except OSError as error:
        raise XlsxError([f"{path}: {error.strerror or error}"]) from None
    try:
        return read_xlsx(content)
    except XlsxError as error:
        raise XlsxError([f"{path}: {p}" for p in error.problems]) from None
