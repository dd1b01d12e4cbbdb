"""The feedback report (考核情况反馈) of one unit: score, grade, rank, every lost point with its
reason, and the unit's rectification items - Word for filing, PDF for reading as is."""

from django.template.loader import render_to_string

from kaohe.cycles.models import Cycle, CycleUnit, RectificationItem, UnitResult
from kaohe.cycles.results import explanation, grade_basis, lost_points
from kaohe.engine.points import format_thousandths
from kaohe.exports import word


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
        "steps": grade_basis(result.steps, cycle.scheme.scheme),
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


def feedback_docx(data: dict) -> bytes:
    doc = word.new_document()
    word.paragraph(doc, data["title"], 18, bold=True, align="center")
    word.paragraph(doc, f"{data['unit']}：")
    among = f"在{data['group']}中" if data["group"] else ""
    word.paragraph(
        doc,
        f"经考核，你单位{data['cycle']}得分{data['total']}分（基本分{data['basic']}分，加分{data['bonus']}分），"
        f"等次为“{data['grade']}”，{among}排名第{data['rank']}。等次依据：{'；'.join(data['steps'])}。",
    )
    word.paragraph(doc, "一、失分情况", bold=True)
    lost = [(i["item"], i["points"], i["score"], i["lost"], "；".join(i["reasons"])) for i in data["lost"]]
    word.table(doc, ("评分项", "分值", "得分", "失分", "原因"), lost or [("无失分", "", "", "", "")])
    word.paragraph(doc, "二、整改要求", bold=True)
    items = [
        (r["problem"], r["measure"], r["owner"], r["deadline"], r["status"]) for r in data["rectification"]
    ]
    word.table(doc, ("问题", "整改措施", "责任人", "期限", "状态"), items or [("无", "", "", "", "")])
    word.paragraph(doc, data["owner"], align="right")
    return word.to_bytes(doc)


def feedback_pdf(data: dict) -> bytes:
    from weasyprint import HTML  # a heavy import, needed only here

    return HTML(string=render_to_string("cycles/feedback_pdf.html", data)).write_pdf()
