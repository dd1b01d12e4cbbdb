"""Explanations: for one unit, every item's points and each gain and loss with its rule, the facts
and their sources, and the grade with the rule that decided it.

The entries are flat and signed: the items' starting points, every line of every rule, and every
adjustment of an inner node (a cap, a floor). A weighted or product node starts from its full points
and has one entry per part, the part's weighted contribution against full marks (or its factor and
what it cost), with the facts of the part. The entries add up exactly to the total. The parts' own
entries, on the parts' own scales, are kept apart as `inner`: they show how a part came to its score
but are not added (the composing node's entries count them, at their weight).
"""

from dataclasses import dataclass
from typing import Any

from kaohe.engine.facts import Cycle, Unit
from kaohe.engine.points import format_points
from kaohe.engine.reference import score_cycle
from kaohe.engine.results import CycleResult, FactUse, GradeStep, NodeScore, UnitResult
from kaohe.engine.scheme import Scheme

fp = format_points


@dataclass(frozen=True)
class Entry:
    code: str  # the node the amount belongs to
    path: tuple[str, ...]
    amount: int  # signed thousandths
    text: str
    rule: str
    facts: tuple[FactUse, ...] = ()


@dataclass(frozen=True)
class Explanation:
    scheme_code: str
    scheme_version: int
    unit: Unit
    result: UnitResult
    entries: tuple[Entry, ...]  # add up exactly to the total
    inner: tuple[Entry, ...] = ()  # inside weighted and product nodes, on the parts' own scales

    @property
    def items(self) -> list[NodeScore]:
        return list(self.result.nodes.values())

    @property
    def steps(self) -> list[GradeStep]:
        return self.result.steps


def explain(cycle_result: CycleResult, unit: str) -> Explanation:
    result = cycle_result.unit(unit)
    entries: list[Entry] = []
    inner: list[Entry] = []
    folded = folded_nodes(result)
    for node in result.nodes.values():
        into = inner if node.code in folded else entries
        if node.base:
            into.append(Entry(node.code, node.path, node.base, f"本项分值{fp(node.base)}分", "base"))
        into += [
            Entry(node.code, node.path, line.amount, line.text, line.rule, line.facts) for line in node.lines
        ]
    return Explanation(
        cycle_result.scheme_code,
        cycle_result.scheme_version,
        result.unit,
        result,
        tuple(entries),
        tuple(inner),
    )


def folded_nodes(result: UnitResult) -> set[str]:
    """The nodes inside weighted and product nodes: their scores count only through the composing
    node's lines, at their weight or as a factor (nodes come parents first)."""
    folded: set[str] = set()
    for node in result.nodes.values():
        if not node.counted_children or node.code in folded:
            folded.update(node.children)
    return folded


def explain_unit(scheme: Scheme, cycle: Cycle, unit: str) -> Explanation:
    """Scores the whole cycle (ranks, quotas and rank points need the peers) and explains one unit."""
    cycle.unit(unit)  # an unknown unit is a FactError naming it
    return explain(score_cycle(scheme, cycle), unit)


def _signed(amount: int) -> str:
    return f"+{fp(amount)}" if amount > 0 else fp(amount)


def _facts_text(uses: tuple[FactUse, ...]) -> list[str]:
    lines = []
    for use in uses:
        source = f"（来源：{'；'.join(use.sources)}）" if use.sources else ""
        lines.append(f"依据：{use.title} = {use.value}{source}")
    return lines


def render_text(explanation: Explanation) -> str:
    """The explanation as plain text, item by item, for a person to read or print."""
    result = explanation.result
    unit = explanation.unit
    name = f" {unit.name}" if unit.name else ""
    group = f"（{unit.group}）" if unit.group else ""
    out = [
        f"单位：{unit.code}{name}{group}",
        f"方案：{explanation.scheme_code} 第{explanation.scheme_version}版",
        "",
    ]
    folded = folded_nodes(result)
    for node in result.nodes.values():
        pad = "  " * (len(node.path) - 1)
        if node.category == "veto":
            continue
        note = "（按权重或系数计入上级，见上级各行）" if node.code in folded else ""
        out.append(f"{pad}{node.title}：{fp(node.score)} / {fp(node.points)}{note}")
        if node.base:
            out.append(f"{pad}    {_signed(node.base)}  本项分值")
        shown: set[FactUse] = set()  # a fact several lines rely on is shown once per item
        for line in node.lines:
            out.append(f"{pad}    {_signed(line.amount)}  {line.text}")
            out += [
                f"{pad}          {text}"
                for text in _facts_text(tuple(u for u in line.facts if u not in shown))
            ]
            shown.update(line.facts)
    out.append("")
    out.append(f"基本分：{fp(result.basic)}  加分：{fp(result.bonus)}  总分：{fp(result.total)}")
    for code, value in result.totals.items():
        out.append(f"{code}：{fp(value)}")
    out.append(f"等次：{result.grade}")
    for step in result.steps:
        out.append(f"    {step.text}")
        out += [f"          {text}" for text in _facts_text(step.facts)]
    out.append(f"排名：本组{result.group_size}个单位中第{result.rank}名")
    if not result.awards_eligible:
        out.append("评先评优资格：取消")
    if result.pay is not None:
        out.append(f"薪酬系数：{fp(result.pay)}")
    if result.actions:
        out.append(f"结果运用：{'、'.join(result.actions)}")
    if result.withheld:
        out.append(f"因取消评先评优资格不予：{'、'.join(result.withheld)}")
    return "\n".join(out) + "\n"


def _uses_json(uses: tuple[FactUse, ...]) -> list[dict[str, Any]]:
    return [{"kind": u.kind, "title": u.title, "value": u.value, "sources": list(u.sources)} for u in uses]


def _entries_json(entries: tuple[Entry, ...]) -> list[dict[str, Any]]:
    return [
        {
            "code": e.code,
            "path": list(e.path),
            "amount": fp(e.amount),
            "text": e.text,
            "rule": e.rule,
            "facts": _uses_json(e.facts),
        }
        for e in entries
    ]


def to_json(explanation: Explanation) -> dict[str, Any]:
    """The explanation as JSON-ready data; amounts are exact decimal strings."""
    result = explanation.result
    return {
        "scheme": {"code": explanation.scheme_code, "version": explanation.scheme_version},
        "unit": {
            "code": explanation.unit.code,
            "name": explanation.unit.name,
            "group": explanation.unit.group,
        },
        "items": [
            {
                "code": n.code,
                "path": list(n.path),
                "category": n.category,
                "points": fp(n.points),
                "score": fp(n.score),
            }
            for n in result.nodes.values()
        ],
        "entries": _entries_json(explanation.entries),
        "inner": _entries_json(explanation.inner),
        "basic": fp(result.basic),
        "bonus": fp(result.bonus),
        "total": fp(result.total),
        "totals": {code: fp(value) for code, value in result.totals.items()},
        "band_grade": result.band_grade,
        "grade": result.grade,
        "steps": [
            {"kind": s.kind, "grade": s.grade, "text": s.text, "node": s.node, "facts": _uses_json(s.facts)}
            for s in result.steps
        ],
        "rank": result.rank,
        "group_size": result.group_size,
        "awards_eligible": result.awards_eligible,
        "pay": fp(result.pay) if result.pay is not None else None,
        "actions": result.actions,
        "withheld": result.withheld,
    }
