"""The published bulletin (结果通报): grades and ranks of every assessed unit, as a page and as
a Word document laid out for filing."""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from kaohe.cycles.models import Cycle
from kaohe.cycles.results import current_results
from kaohe.engine.points import format_thousandths


def bulletin_rows(cycle: Cycle) -> list[dict]:
    rows = sorted(current_results(cycle), key=lambda r: (r.unit.group, r.rank, r.unit.org.code))
    return [
        {
            "group": r.unit.group,
            "rank": r.rank,
            "unit": r.unit.org.name,
            "total": format_thousandths(r.total),
            "grade": r.grade,
            "uses": "、".join(r.actions),
        }
        for r in rows
    ]


def _run(paragraph, text: str, size: float, bold: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.name = "宋体"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    run.font.size = Pt(size)
    run.bold = bold


def bulletin_docx(cycle: Cycle) -> bytes:
    rows = bulletin_rows(cycle)
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, f"关于{cycle.name}结果的通报", 18, True)
    intro = doc.add_paragraph()
    _run(
        intro,
        f"根据《{cycle.scheme.title}》，经自查自评、考核组评分、结果反馈与申诉复核，{cycle.owner.name}"
        f"审核确定了{cycle.year}年度考核结果，现予通报。",
        12,
    )
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("类别", "名次", "单位", "得分", "等次"), strict=True):
        cell.text = ""
        _run(cell.paragraphs[0], text, 11, True)
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(
            cells,
            (row["group"] or "—", str(row["rank"]), row["unit"], row["total"], row["grade"]),
            strict=True,
        ):
            cell.text = ""
            _run(cell.paragraphs[0], text, 11)
    closing = doc.add_paragraph()
    _run(closing, f"{cycle.owner.name}", 12)
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if cycle.published_at:
        day = doc.add_paragraph()
        day.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(day, f"{cycle.published_at:%Y年%-m月%-d日}", 12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
