"""The results workbook of a cycle: one sheet of totals and grades, one of item scores."""

import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from kaohe.cycles.models import Cycle
from kaohe.cycles.results import current_results
from kaohe.engine.points import format_thousandths

_BOLD = Font(bold=True)
_HEADER = PatternFill("solid", fgColor="F2DCDB")


def points(thousandths: int | None) -> Decimal | None:
    # Exact, and a number in Excel: 4 rather than 4.000.
    return None if thousandths is None else Decimal(thousandths).scaleb(-3).normalize() + 0


def _header(sheet, titles: list[str]) -> None:
    sheet.append(titles)
    for cell in sheet[1]:
        cell.font, cell.fill = _BOLD, _HEADER
    sheet.freeze_panes = "C2"


def results_workbook(cycle: Cycle, units=None) -> bytes:
    rows = current_results(cycle, units)
    scheme = cycle.scheme.scheme
    book = Workbook()
    summary = book.active
    summary.title = "考核结果"
    _header(
        summary,
        [
            "单位编码",
            "单位名称",
            "同类分组",
            "总分",
            "基本分",
            "加分",
            "按分数等次",
            "等次",
            "排名",
            "同组单位数",
            "薪酬系数",
            "结果运用",
            "等次依据",
        ],
    )
    for r in rows:
        summary.append(
            [
                r.unit.org.code,
                r.unit.org.name,
                r.unit.group,
                points(r.total),
                points(r.basic),
                points(r.bonus),
                r.band_grade,
                r.grade,
                r.rank,
                r.group_size,
                points(r.pay),
                "、".join(r.actions),  # rank outcomes included, withheld awards not
                "；".join(step["text"] for step in r.steps),
            ]
        )
    items = book.create_sheet("逐项得分")
    leaves = [
        (place.node.code, place.node.title, place.node.points)
        for place in scheme.walk()
        if not place.node.children
    ]
    _header(
        items,
        ["单位编码", "单位名称"] + [f"{title}（{format_thousandths(full)}）" for _, title, full in leaves],
    )
    for r in rows:
        items.append(
            [r.unit.org.code, r.unit.org.name] + [points(r.scores.get(code)) for code, _, _ in leaves]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
