"""The target responsibility letter (目标责任书) of one unit, built from the cycle's scheme:
the parties, the targets item by item with their points, the grading, and signature lines.
Word for signing and filing; PDF (WeasyPrint, embedded CJK fonts) for printing as is."""

import io

from django.template.loader import render_to_string
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from kaohe.cycles.models import Cycle, CycleUnit
from kaohe.engine.points import format_thousandths
from kaohe.engine.scheme import Node, Scheme

FONT = "宋体"  # the body face of official documents; Word substitutes where it is missing


def _leaves(node: Node, path: tuple[str, ...]) -> list[dict]:
    """The scoring items under `node`, titled by their path below the area."""
    if not node.children:
        return [
            {
                "title": "／".join((*path, node.title)),
                "points": format_thousandths(node.points),
                "requirement": node.requirement or node.scoring,
                "veto": node.veto.reason if node.veto else "",
            }
        ]
    return [item for child in node.children for item in _leaves(child, (*path, node.title))]


def targets(scheme: Scheme) -> list[dict]:
    """The areas of the scheme with their items: what the unit commits to, with points."""
    return [
        {
            "title": area.title,
            "points": format_thousandths(area.points),
            "category": area.category or "basic",
            "items": [item for child in area.children for item in _leaves(child, ())] or _leaves(area, ()),
        }
        for area in scheme.nodes
    ]


def context(cycle: Cycle, unit: CycleUnit) -> dict:
    scheme = cycle.scheme.scheme
    bands = []
    for band in scheme.grading.bands:
        parts = []
        if band.at_least is not None:
            parts.append(f"≥{format_thousandths(band.at_least)}")
        if band.above is not None:
            parts.append(f">{format_thousandths(band.above)}")
        if band.at_most is not None:
            parts.append(f"≤{format_thousandths(band.at_most)}")
        if band.below is not None:
            parts.append(f"<{format_thousandths(band.below)}")
        bands.append(f"{band.grade}（{'且'.join(parts)}分）")
    return {
        "title": f"{cycle.year}年度党建工作目标责任书",
        "issuer": cycle.owner.name,
        "unit": unit.org.name,
        "scheme": scheme.title,
        "total": format_thousandths(scheme.total_points),
        "areas": targets(scheme),
        "bands": "、".join(bands),
        "year": cycle.year,
    }


def _font(run, size: float | None = None, bold: bool = False) -> None:
    run.font.name = FONT
    run._element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    if size:
        run.font.size = Pt(size)
    run.bold = bold


def _paragraph(doc, text: str, *, size: float = 12, bold: bool = False, center: bool = False):
    p = doc.add_paragraph()
    _font(p.add_run(text), size, bold)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def letter_docx(cycle: Cycle, unit: CycleUnit) -> bytes:
    c = context(cycle, unit)
    doc = Document()
    _paragraph(doc, c["title"], size=22, bold=True, center=True)
    _paragraph(doc, f"甲方（考核单位）：{c['issuer']}")
    _paragraph(doc, f"乙方（责任单位）：{c['unit']}")
    _paragraph(
        doc,
        f"为落实全面从严治党主体责任，推动党建工作从软指标变为硬约束，依据《{c['scheme']}》，"
        f"经双方协商，签订本责任书。乙方对下列目标任务负责，{c['year']}年度考核满分{c['total']}分（加分项另计），"
        f"按以下等次评定：{c['bands']}。",
    )
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("类别与指标", "目标任务（考核要求）", "分值", "备注"), strict=True
    ):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), 10.5, True)
    for area in c["areas"]:
        row = table.add_row().cells
        row[0].text = ""
        _font(row[0].paragraphs[0].add_run(area["title"]), 10.5, True)
        row[2].text = ""
        _font(row[2].paragraphs[0].add_run(area["points"]), 10.5, True)
        for item in area["items"]:
            cells = table.add_row().cells
            for cell, text in zip(
                cells, (item["title"], item["requirement"], item["points"], item["veto"]), strict=True
            ):
                cell.text = ""
                _font(cell.paragraphs[0].add_run(text), 10.5)
    _paragraph(doc, "本责任书一式两份，甲乙双方各执一份，自签订之日起生效。")
    signatures = doc.add_table(rows=3, cols=2)
    lines = [
        ("甲方（盖章）：", "乙方（盖章）："),
        ("负责人（签字）：", "党组织书记（签字）："),
        ("日期：    年   月   日", "日期：    年   月   日"),
    ]
    for row, (left, right) in zip(signatures.rows, lines, strict=True):
        for cell, text in zip(row.cells, (left, right), strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(text), 12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def letter_pdf(cycle: Cycle, unit: CycleUnit) -> bytes:
    from weasyprint import HTML  # a heavy import, needed only here

    html = render_to_string("cycles/letter_pdf.html", context(cycle, unit))
    return HTML(string=html).write_pdf()
