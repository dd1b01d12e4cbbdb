"""The feedback report (考核情况反馈) of one unit: score, grade, rank, every lost point with its
reason, and the unit's rectification items - Word for filing, PDF for reading as is."""

import io

from django.template.loader import render_to_string
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from kaohe.cycles.models import Cycle, CycleUnit, RectificationItem, UnitResult
from kaohe.cycles.results import explanation, lost_points
from kaohe.engine.points import format_thousandths

FONT = "宋体"


def report(cycle: Cycle, unit: CycleUnit, result: UnitResult) -> dict:
    """What the report says, in the words both formats print."""
    assert cycle.current_run is not None
    explained = explanation(cycle, cycle.current_run, unit)
    lost = [
        {
            "item": "／".join(item["node"].path),
            "points": format_thousandths(item["node"].points),
            "score": format_thousandths(item["node"].score),
            "lost": format_thousandths(item["lost"]),
            "reasons": [line.text for line in item["lines"]] or ["见评分细则"],
        }
        for item in lost_points(explained)
    ]
    items = RectificationItem.objects.filter(unit=unit).order_by("deadline", "pk")
    return {
        "title": f"{cycle.name}情况反馈",
        "cycle": cycle.name,
        "owner": cycle.owner.name,
        "unit": unit.org.name,
        "total": format_thousandths(result.total),
        "basic": format_thousandths(result.basic),
        "bonus": format_thousandths(result.bonus),
        "grade": result.grade,
        "rank": f"{result.rank}/{result.group_size}",
        "group": unit.group,
        "steps": [step["text"] for step in result.steps],
        "lost": lost,
        "rectification": [
            {
                "problem": i.problem,
                "measure": i.measure or "（待制定）",
                "owner": i.owner_name or "",
                "deadline": i.deadline.isoformat(),
                "status": i.get_status_display(),
            }
            for i in items
        ],
    }


def _run(paragraph, text: str, size: float = 11, bold: bool = False) -> None:
    run = paragraph.add_run(text)
    run.font.name = FONT
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    run.font.size = Pt(size)
    run.bold = bold


def _table(doc, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        _run(cell.paragraphs[0], text, 10.5, True)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = ""
            _run(cell.paragraphs[0], text, 10.5)


def feedback_docx(data: dict) -> bytes:
    doc = Document()
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, data["title"], 18, True)
    _run(doc.add_paragraph(), f"{data['unit']}：", 12)
    among = f"在{data['group']}中" if data["group"] else ""
    _run(
        doc.add_paragraph(),
        f"经考核，你单位{data['cycle']}得分{data['total']}分（基本分{data['basic']}分，加分{data['bonus']}分），"
        f"等次为“{data['grade']}”，{among}排名第{data['rank']}。等次依据：{'；'.join(data['steps'])}。",
        12,
    )
    _run(doc.add_paragraph(), "一、失分情况", 12, True)
    _table(
        doc,
        ("评分项", "分值", "得分", "失分", "原因"),
        [(i["item"], i["points"], i["score"], i["lost"], "；".join(i["reasons"])) for i in data["lost"]]
        or [("无失分", "", "", "", "")],
    )
    _run(doc.add_paragraph(), "二、整改要求", 12, True)
    _table(
        doc,
        ("问题", "整改措施", "责任人", "期限", "状态"),
        [(r["problem"], r["measure"], r["owner"], r["deadline"], r["status"]) for r in data["rectification"]]
        or [("无", "", "", "", "")],
    )
    closing = doc.add_paragraph()
    closing.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(closing, data["owner"], 12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def feedback_pdf(data: dict) -> bytes:
    from weasyprint import HTML  # a heavy import, needed only here

    return HTML(string=render_to_string("cycles/feedback_pdf.html", data)).write_pdf()
