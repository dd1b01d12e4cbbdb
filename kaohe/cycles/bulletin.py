"""The published bulletin (结果通报): grades and ranks of every assessed unit, as a page and as
a Word document laid out for filing."""

from kaohe.cycles.models import Cycle
from kaohe.cycles.results import current_results
from kaohe.engine.points import format_thousandths
from kaohe.exports import word


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


def bulletin_docx(cycle: Cycle) -> bytes:
    doc = word.new_document()
    word.paragraph(doc, f"关于{cycle.name}结果的通报", 18, bold=True, align="center")
    word.paragraph(
        doc,
        f"根据《{cycle.scheme.title}》，经自查自评、考核组评分、结果反馈与申诉复核，{cycle.owner.name}"
        f"审核确定了{cycle.year}年度考核结果，现予通报。",
    )
    rows = [(r["group"] or "—", r["rank"], r["unit"], r["total"], r["grade"]) for r in bulletin_rows(cycle)]
    word.table(doc, ("类别", "名次", "单位", "得分", "等次"), rows, 11)
    word.paragraph(doc, cycle.owner.name, align="right")
    if cycle.published_at:
        word.paragraph(doc, f"{cycle.published_at:%Y年%-m月%-d日}", align="right")
    return word.to_bytes(doc)
