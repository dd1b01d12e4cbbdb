"""The target responsibility letter (目标责任书) of one unit, built from the cycle's scheme:
the parties, the targets item by item with their points, the grading, and signature lines.
Word for signing and filing; PDF (WeasyPrint, embedded CJK fonts) for printing as is."""

from django.template.loader import render_to_string

from kaohe.cycles.models import Cycle, CycleUnit
from kaohe.engine.points import format_thousandths
from kaohe.engine.scheme import Node, Scheme
from kaohe.exports import word


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


def letter_docx(cycle: Cycle, unit: CycleUnit) -> bytes:
    c = context(cycle, unit)
    doc = word.new_document()
    word.paragraph(doc, c["title"], 22, bold=True, align="center")
    word.paragraph(doc, f"甲方（考核单位）：{c['issuer']}")
    word.paragraph(doc, f"乙方（责任单位）：{c['unit']}")
    word.paragraph(
        doc,
        f"为落实全面从严治党主体责任，推动党建工作从软指标变为硬约束，依据《{c['scheme']}》，"
        f"经双方协商，签订本责任书。乙方对下列目标任务负责，{c['year']}年度考核满分{c['total']}分（加分项另计），"
        f"按以下等次评定：{c['bands']}。",
    )
    targets_table = word.table(doc, ("类别与指标", "目标任务（考核要求）", "分值", "备注"))
    for area in c["areas"]:
        word.row(targets_table, (area["title"], "", area["points"], ""), bold=True)
        for item in area["items"]:
            word.row(targets_table, (item["title"], item["requirement"], item["points"], item["veto"]))
    word.paragraph(doc, "本责任书一式两份，甲乙双方各执一份，自签订之日起生效。")
    signatures = [
        ("甲方（盖章）：", "乙方（盖章）："),
        ("负责人（签字）：", "党组织书记（签字）："),
        ("日期：    年   月   日", "日期：    年   月   日"),
    ]
    word.table(doc, (), signatures, 12, grid=False)
    return word.to_bytes(doc)


def letter_pdf(cycle: Cycle, unit: CycleUnit) -> bytes:
    from weasyprint import HTML  # a heavy import, needed only here

    html = render_to_string("cycles/letter_pdf.html", context(cycle, unit))
    return HTML(string=html).write_pdf()
