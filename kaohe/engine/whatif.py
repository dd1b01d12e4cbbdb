"""What if: two versions of a scheme scored on the same facts, unit by unit.

Both versions are scored by the reference evaluator, each on its own, so a what-if says exactly what
`kaohe score` would say for either. Per unit: old and new total, grade and rank within its peer
group, the deltas, and the nodes whose scores differ (by stable code, largest change first; nodes
only one version has are marked added or removed).
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from kaohe.engine.errors import FactError
from kaohe.engine.facts import Fact, Unit, build_cycle
from kaohe.engine.points import format_points
from kaohe.engine.reference import score_cycle
from kaohe.engine.results import UnitResult
from kaohe.engine.scheme import Scheme

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"
STATUS_TEXT = {CHANGED: "变化", ADDED: "新增", REMOVED: "删除"}


@dataclass(frozen=True)
class NodeChange:
    code: str
    title: str  # the new version's title when the node is in both
    status: str  # changed, added, removed
    old: int | None  # thousandths; None when the old version has no such node
    new: int | None

    @property
    def delta(self) -> int:
        return (self.new or 0) - (self.old or 0)


@dataclass(frozen=True)
class UnitChange:
    unit: Unit
    old_total: int
    new_total: int
    old_grade: str
    new_grade: str
    old_rank: int
    new_rank: int
    group_size: int
    nodes: tuple[NodeChange, ...]  # largest absolute change first

    @property
    def delta(self) -> int:
        return self.new_total - self.old_total

    @property
    def rank_shift(self) -> int:
        """Places gained: 2 means from 5th to 3rd."""
        return self.old_rank - self.new_rank

    @property
    def changed(self) -> bool:
        return bool(self.delta or self.rank_shift or self.old_grade != self.new_grade or self.nodes)


@dataclass(frozen=True)
class SchemeChange:
    """A node whose definition differs between the versions (rule, points, title ...)."""

    code: str
    title: str
    status: str  # changed, added, removed
    fields: tuple[str, ...]  # for a changed node: which of its own fields differ


@dataclass(frozen=True)
class WhatIf:
    old: Scheme
    new: Scheme
    units: tuple[UnitChange, ...]  # in the cycle's order
    scheme_changes: tuple[SchemeChange, ...]

    def by_rank_shift(self) -> list[UnitChange]:
        """Largest rank shift first, then the largest change of the total; ties keep the cycle's order."""
        return sorted(self.units, key=lambda u: (-abs(u.rank_shift), -abs(u.delta)))

    def unit(self, code: str) -> UnitChange:
        for change in self.units:
            if change.unit.code == code:
                return change
        raise FactError([f"unknown unit '{code}'"])


def _missing_kinds(scheme: Scheme, facts: Sequence[Fact], units: Sequence[Unit], label: str) -> list[str]:
    """The fact kinds `scheme` reads, without a default, that some unit has no fact of."""
    kinds = scheme.fact_kinds()
    have: dict[str, set[str]] = {}
    for fact in facts:
        have.setdefault(fact.kind, set()).add(fact.unit)
    codes = {u.code for u in units}
    missing = [
        f"{code} ({kinds[code].title}): "
        f"{len(codes - have.get(code, set()))} of {len(codes)} units have no fact"
        for code in scheme.reads()
        if code in kinds and kinds[code].default is None and codes - have.get(code, set())
    ]
    if not missing:
        return []
    return [
        f"the {label} scheme ({scheme.code} v{scheme.version}) needs fact kinds the facts lack; "
        "add them to the facts or declare a default in the scheme:",
        *(f"  {m}" for m in missing),
    ]


def _scores(scheme: Scheme, facts: Sequence[Fact], units: Sequence[Unit]) -> dict[str, UnitResult]:
    kinds = scheme.fact_kinds()
    cycle = build_cycle(scheme, [f for f in facts if f.kind in kinds], units)
    return {result.unit.code: result for result in score_cycle(scheme, cycle).units}


def _node_changes(old: UnitResult, new: UnitResult) -> tuple[NodeChange, ...]:
    changes = []
    for code, after in new.nodes.items():
        before = old.nodes.get(code)
        if before is None:
            if after.score:
                changes.append(NodeChange(code, after.title, ADDED, None, after.score))
        elif before.score != after.score:
            changes.append(NodeChange(code, after.title, CHANGED, before.score, after.score))
    for code, before in old.nodes.items():
        if code not in new.nodes and before.score:
            changes.append(NodeChange(code, before.title, REMOVED, before.score, None))
    order = {code: i for i, code in enumerate([*new.nodes, *old.nodes])}
    return tuple(sorted(changes, key=lambda c: (-abs(c.delta), order[c.code])))


def _scheme_changes(old: Scheme, new: Scheme) -> tuple[SchemeChange, ...]:
    def own(scheme: Scheme) -> dict[str, tuple[str, dict[str, object]]]:
        return {
            p.node.code: (p.node.title, p.node.model_dump(exclude={"children"}, exclude_defaults=True))
            for p in scheme.walk()
        }

    before, after = own(old), own(new)
    changes = []
    for code, (title, fields) in after.items():
        if code not in before:
            changes.append(SchemeChange(code, title, ADDED, ()))
            continue
        previous = before[code][1]
        differ = tuple(k for k in dict.fromkeys([*previous, *fields]) if previous.get(k) != fields.get(k))
        if differ:
            changes.append(SchemeChange(code, title, CHANGED, differ))
    changes += [
        SchemeChange(code, title, REMOVED, ()) for code, (title, _) in before.items() if code not in after
    ]
    return tuple(changes)


def compare(old: Scheme, new: Scheme, facts: Sequence[Fact], units: Sequence[Unit] | None = None) -> WhatIf:
    """Both versions scored on the same facts; FactError names the fact kinds a version lacks."""
    if units is None:
        units = list({f.unit: Unit(f.unit) for f in facts if f.unit}.values())
    known = set(old.fact_kinds()) | set(new.fact_kinds())
    unknown = sorted({f.kind for f in facts} - known)
    problems = [f"fact kind '{k}' is declared by neither scheme" for k in unknown]
    problems += _missing_kinds(old, facts, units, "old") + _missing_kinds(new, facts, units, "new")
    if problems:
        raise FactError(problems)
    before, after = _scores(old, facts, units), _scores(new, facts, units)
    changes = []
    for unit in units:
        o, n = before[unit.code], after[unit.code]
        changes.append(
            UnitChange(
                n.unit,
                o.total,
                n.total,
                o.grade,
                n.grade,
                o.rank,
                n.rank,
                n.group_size,
                _node_changes(o, n),
            )
        )
    return WhatIf(old, new, tuple(changes), _scheme_changes(old, new))


# -- output ----------------------------------------------------------------------------------------


def _signed(amount: int) -> str:
    return ("+" if amount > 0 else "") + format_points(amount)


def _points_or_blank(amount: int | None) -> str:
    return "" if amount is None else format_points(amount)


def _width(text: str) -> int:
    """Display width: a Chinese character takes two columns."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in text)


def _table(rows: list[list[str]]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def render_text(whatif: WhatIf, unit: str | None = None, top: int = 3) -> str:
    old, new = whatif.old, whatif.new
    out = [f"方案对比：{old.code} v{old.version} → {new.code} v{new.version}，{len(whatif.units)} 个单位\n"]
    if whatif.scheme_changes:
        out.append("方案改动：\n")
        for definition in whatif.scheme_changes:
            fields = f"（{', '.join(definition.fields)}）" if definition.fields else ""
            out.append(f"  {STATUS_TEXT[definition.status]} {definition.code} {definition.title}{fields}\n")
    units = [whatif.unit(unit)] if unit is not None else whatif.by_rank_shift()
    if not any(u.changed for u in units):
        out.append("无变化：各单位得分、等次、排名均相同。\n")
        if unit is None:
            return "".join(out)
    rows = [
        [
            "单位",
            "名称",
            "组",
            "原总分",
            "新总分",
            "变化",
            "原等次",
            "新等次",
            "原排名",
            "新排名",
            "名次变化",
            "主要原因",
        ]
    ]
    for change in units:
        causes = "；".join(
            f"{c.title}{'(' + STATUS_TEXT[c.status] + ')' if c.status != CHANGED else ''} {_signed(c.delta)}"
            for c in change.nodes[:top]
        )
        rows.append(
            [
                change.unit.code,
                change.unit.name,
                change.unit.group,
                format_points(change.old_total),
                format_points(change.new_total),
                _signed(change.delta),
                change.old_grade,
                change.new_grade,
                f"{change.old_rank}/{change.group_size}",
                f"{change.new_rank}/{change.group_size}",
                f"{change.rank_shift:+d}" if change.rank_shift else "0",
                causes,
            ]
        )
    out.append(_table(rows))
    if unit is not None:
        change = units[0]
        out.append(f"\n{change.unit.code} 的节点变化（按变化绝对值）：\n")
        detail = [["编码", "节点", "状态", "原得分", "新得分", "变化"]]
        detail += [
            [
                c.code,
                c.title,
                STATUS_TEXT[c.status],
                _points_or_blank(c.old),
                _points_or_blank(c.new),
                _signed(c.delta),
            ]
            for c in change.nodes
        ]
        out.append(_table(detail) if change.nodes else "  无\n")
    return "".join(out)


CSV_COLUMNS = (
    "unit",
    "name",
    "group",
    "old_total",
    "new_total",
    "delta",
    "old_grade",
    "new_grade",
    "old_rank",
    "new_rank",
    "group_size",
    "rank_shift",
    "node_code",
    "node_title",
    "node_status",
    "node_old",
    "node_new",
    "node_delta",
)


def changes_csv(whatif: WhatIf, unit: str | None = None) -> str:
    """One row per unit and changed node (a unit without changed nodes has one row, node columns empty)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    units = [whatif.unit(unit)] if unit is not None else whatif.by_rank_shift()
    for change in units:
        head = [
            change.unit.code,
            change.unit.name,
            change.unit.group,
            format_points(change.old_total),
            format_points(change.new_total),
            format_points(change.delta),
            change.old_grade,
            change.new_grade,
            change.old_rank,
            change.new_rank,
            change.group_size,
            change.rank_shift,
        ]
        for node in change.nodes or (None,):
            if node is None:
                writer.writerow([*head, "", "", "", "", "", ""])
            else:
                writer.writerow(
                    [
                        *head,
                        node.code,
                        node.title,
                        node.status,
                        _points_or_blank(node.old),
                        _points_or_blank(node.new),
                        format_points(node.delta),
                    ]
                )
    return out.getvalue()
