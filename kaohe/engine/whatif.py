"""What if: two versions of a scheme scored on the same facts, unit by unit.

Both versions are scored by the fast evaluator (equal to the reference to the thousandth, which the
property tests prove), each on its own, so a what-if says exactly what `kaohe score` would say for
either, and a province-sized what-if stays quick. Per unit: old and new total, grade, rank within
its peer group, pay and actions, the deltas, and the nodes whose scores differ (by stable code,
largest change first; nodes only one version has are marked added or removed). Changes to the
grading (bands, quotas, tie-break, rank outcomes, vetoes) and to the result uses are listed with
the scheme's changes, and a unit whose grade, pay or actions change for such a reason says which.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from kaohe.engine.errors import FactError
from kaohe.engine.facts import Fact, Unit, build_cycle
from kaohe.engine.fast import FastResult, score_facts
from kaohe.engine.fast_facts import columns_from_cycle
from kaohe.engine.grading import band_text
from kaohe.engine.points import format_points, format_rate
from kaohe.engine.scheme import Band, GradeQuota, Panel, Scheme, Veto

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
    old_pay: int | None = None  # the pay coefficient in thousandths; None: the grade has none
    new_pay: int | None = None
    old_actions: tuple[str, ...] = ()
    new_actions: tuple[str, ...] = ()
    # Why the grade, pay or actions changed where the changed nodes do not say it: a changed
    # band, quota, veto, rank outcome or result use ("等次区间调整：好 ≥90 → ≥88").
    reasons: tuple[str, ...] = ()

    @property
    def delta(self) -> int:
        return self.new_total - self.old_total

    @property
    def rank_shift(self) -> int:
        """Places gained: 2 means from 5th to 3rd."""
        return self.old_rank - self.new_rank

    @property
    def changed(self) -> bool:
        return bool(
            self.delta
            or self.rank_shift
            or self.old_grade != self.new_grade
            or self.nodes
            or self.old_pay != self.new_pay
            or self.old_actions != self.new_actions
        )


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
    grading_changes: tuple[str, ...] = ()  # panel, bands, quotas, tie-break, rank outcomes, vetoes, uses

    def by_rank_shift(self) -> list[UnitChange]:
        """Largest rank shift first, then changed grades, then the largest change of the total, then
        any other change (pay, actions); unchanged units last; ties keep the cycle's order."""
        return sorted(
            self.units,
            key=lambda u: (-abs(u.rank_shift), u.old_grade == u.new_grade, -abs(u.delta), not u.changed),
        )

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


def _scores(scheme: Scheme, facts: Sequence[Fact], units: Sequence[Unit]) -> FastResult:
    """Every unit scored by the fast evaluator; row i is units[i] (build_cycle keeps their order)."""
    kinds = scheme.fact_kinds()
    cycle = build_cycle(scheme, [f for f in facts if f.kind in kinds], units)
    return score_facts(scheme, columns_from_cycle(scheme, cycle))


def _titles(scheme: Scheme) -> dict[str, str]:
    return {p.node.code: p.node.title for p in scheme.walk()}


def _node_changes(old: FastResult, new: FastResult, size: int) -> list[tuple[NodeChange, ...]]:
    """Per unit, the nodes whose scores differ: compared a node at a time over all units."""
    per_unit: list[list[NodeChange]] = [[] for _ in range(size)]
    old_titles, new_titles = _titles(old.scheme), _titles(new.scheme)
    for code, after in new.scores.items():
        before = old.scores.get(code)
        if before is None:
            for row in np.flatnonzero(after != 0).tolist():
                per_unit[row].append(NodeChange(code, new_titles[code], ADDED, None, int(after[row])))
            continue
        for row in np.flatnonzero(before != after).tolist():
            per_unit[row].append(
                NodeChange(code, new_titles[code], CHANGED, int(before[row]), int(after[row]))
            )
    for code, before in old.scores.items():
        if code not in new.scores:
            for row in np.flatnonzero(before != 0).tolist():
                per_unit[row].append(NodeChange(code, old_titles[code], REMOVED, int(before[row]), None))
    order = {code: i for i, code in enumerate([*new.scores, *old.scores])}
    return [tuple(sorted(changes, key=lambda c: (-abs(c.delta), order[c.code]))) for changes in per_unit]


def scheme_changes(old: Scheme, new: Scheme) -> tuple[SchemeChange, ...]:
    """The nodes whose own definition differs (children aside), added or removed, by stable code."""

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


# -- grading and result uses ----------------------------------------------------------------------

ROUNDING_TEXT = {"down": "向下取整", "up": "向上取整", "nearest": "四舍五入"}
TIES_TEXT = {"demote": "并列一并调整", "keep": "并列一并保留"}


def _quota_text(quota: GradeQuota | None) -> str:
    if quota is None:
        return "无"
    return f"≤{format_rate(quota.at_most)}（{ROUNDING_TEXT[quota.rounding]}，{TIES_TEXT[quota.ties]}）"


def _band_texts(scheme: Scheme) -> dict[str, str]:
    return {band.grade: band_text(band) for band in scheme.grading.bands}


def _veto_text(veto: Veto | None) -> str:
    if veto is None:
        return "无"
    parts = [f"定为“{veto.force}”"] if veto.force is not None else []
    parts += [f"最高评为“{veto.cap}”"] if veto.cap is not None else []
    parts += ["取消评先评优资格"] if veto.no_awards else []
    return f"{veto.reason}：{'、'.join(parts)}"


def _vetoes(scheme: Scheme) -> dict[str, tuple[str, Veto]]:
    return {p.node.code: (p.node.title, p.node.veto) for p in scheme.walk() if p.node.veto is not None}


def _pair(before: str, after: str) -> str:
    return f"{before} → {after}"


def _keyed(label: str, before: dict[str, str], after: dict[str, str]) -> list[str]:
    """One line per key whose text differs: 等次区间 好：≥90 → ≥88."""
    return [
        f"{label} {key}：{_pair(before.get(key, '无'), after.get(key, '无'))}"
        for key in dict.fromkeys([*after, *before])
        if before.get(key) != after.get(key)
    ]


def _outcomes_text(scheme: Scheme) -> str:
    parts = []
    for outcome in scheme.grading.rank_outcomes:
        where = [f"前{outcome.top}名"] if outcome.top is not None else []
        where += [f"后{outcome.bottom}名"] if outcome.bottom is not None else []
        parts.append(f"{'、'.join(where)} {outcome.action}")
    return "；".join(parts) or "无"


def _panel_text(panel: Panel | None) -> str:
    if panel is None:
        return "无"
    if panel.method == "mean":
        return "平均"
    return f"去掉最高分和最低分各{panel.trim}个后平均（不足{2 * panel.trim + 1}人时平均）"


def _grading_changes(old: Scheme, new: Scheme) -> tuple[str, ...]:
    """The grading, the combining of assessors' scores and the result uses that differ, one line
    each, as a person reads them."""
    changes = []
    if _panel_text(old.panel) != _panel_text(new.panel):
        changes.append(f"考核组计分：{_pair(_panel_text(old.panel), _panel_text(new.panel))}")
    changes += _keyed("等次区间", _band_texts(old), _band_texts(new))
    if old.grading.grades() != new.grading.grades():
        changes.append(f"等次顺序：{_pair('、'.join(old.grading.grades()), '、'.join(new.grading.grades()))}")
    quotas = [{q.grade: _quota_text(q) for q in s.grading.quotas} for s in (old, new)]
    changes += _keyed("等次名额", *quotas)
    if old.grading.tie_break != new.grading.tie_break:
        tie = ["、".join(s.grading.tie_break) or "无" for s in (old, new)]
        changes.append(f"并列排序：{_pair(*tie)}")
    if old.grading.rank_outcomes != new.grading.rank_outcomes:
        changes.append(f"排名结果：{_pair(_outcomes_text(old), _outcomes_text(new))}")
    vetoes = [{code: _veto_text(veto) for code, (_, veto) in _vetoes(s).items()} for s in (old, new)]
    changes += _keyed("否决项", *vetoes)
    pay = [{g: format_points(f) for g, f in s.uses.pay.items()} for s in (old, new)]
    changes += _keyed("薪酬系数", *pay)
    actions = [{g: "、".join(a) or "无" for g, a in s.uses.actions.items()} for s in (old, new)]
    changes += _keyed("结果运用", *actions)
    if old.uses.award_actions != new.uses.award_actions:
        awards = ["、".join(s.uses.award_actions) or "无" for s in (old, new)]
        changes.append(f"评先评优类结果：{_pair(*awards)}")
    if old.uses.totals != new.uses.totals:
        totals = ["、".join(t.title for t in s.uses.totals) or "无" for s in (old, new)]
        changes.append(f"汇总口径：{_pair(*totals)}")
    return tuple(changes)


def _band_of(bands: Sequence[Band], total: int) -> str:
    return next((b.grade for b in bands if b.contains(total)), bands[-1].grade)


class _Reasons:
    """Why a unit's grade, pay or actions changed where its changed nodes do not say it."""

    def __init__(self, old: FastResult, new: FastResult) -> None:
        self.old, self.new = old, new
        before, after = _band_texts(old.scheme), _band_texts(new.scheme)
        self.bands = {g: (before.get(g, "无"), after.get(g, "无")) for g in [*after, *before]}
        old_vetoes, new_vetoes = _vetoes(old.scheme), _vetoes(new.scheme)
        self.vetoes: list[tuple[str, str, str, np.ndarray | None, np.ndarray | None]] = []
        old_met = {place.node.code: met for place, met in old.grades.vetoes}
        new_met = {place.node.code: met for place, met in new.grades.vetoes}
        for code in dict.fromkeys([*new_vetoes, *old_vetoes]):
            title, _ = new_vetoes.get(code) or old_vetoes[code]
            was, now = old_vetoes.get(code, (title, None))[1], new_vetoes.get(code, (title, None))[1]
            if was != now:
                text = f"否决项调整：{title}（{_pair(_veto_text(was), _veto_text(now))}）"
                self.vetoes.append((code, title, text, old_met.get(code), new_met.get(code)))
        self.quotas = [{r.quota.grade: r for r in result.grades.quotas} for result in (old, new)]
        self.uses = [
            line
            for line in _grading_changes(old.scheme, new.scheme)
            if line.startswith(("结果运用", "评先评优类结果", "排名结果"))
        ]

    def of(self, row: int, change: UnitChange) -> tuple[str, ...]:
        if (
            change.old_grade == change.new_grade
            and change.old_pay == change.new_pay
            and change.old_actions == change.new_actions
        ):
            return ()
        reasons = []
        old_band = _band_of(self.old.scheme.grading.bands, change.new_total)
        new_band = _band_of(self.new.scheme.grading.bands, change.new_total)
        if old_band != new_band:
            moved = [
                f"{g} {_pair(*self.bands[g])}"
                for g in dict.fromkeys([old_band, new_band])
                if self.bands[g][0] != self.bands[g][1]
            ]
            moved = moved or [
                f"{g} {_pair(*texts)}" for g, texts in self.bands.items() if texts[0] != texts[1]
            ]
            reasons.append(f"等次区间调整：{'；'.join(moved)}")
        for _, _, text, old_met, new_met in self.vetoes:
            if (old_met is not None and old_met[row]) or (new_met is not None and new_met[row]):
                reasons.append(text)
        old_quotas, new_quotas = self.quotas
        for grade in dict.fromkeys([*new_quotas, *old_quotas]):
            was, now = old_quotas.get(grade), new_quotas.get(grade)
            demoted_before = was is not None and bool(was.demoted[row])
            demoted_after = now is not None and bool(now.demoted[row])
            was_quota, now_quota = (r.quota if r is not None else None for r in (was, now))
            if was_quota != now_quota and (demoted_before or demoted_after):
                reasons.append(
                    f"等次名额调整：“{grade}” {_pair(_quota_text(was_quota), _quota_text(now_quota))}"
                )
            elif demoted_before != demoted_after and not change.nodes:
                side = "限额之外，调低一等" if demoted_after else "限额之内，不再调低"
                reasons.append(f"“{grade}”等次名额：本组其他单位得分或排名变化，本单位排在{side}")
        if change.old_grade == change.new_grade and change.old_pay != change.new_pay:
            pay = [format_points(p) if p is not None else "无" for p in (change.old_pay, change.new_pay)]
            reasons.append(f"薪酬系数调整：“{change.new_grade}” {_pair(*pay)}")
        if change.old_grade == change.new_grade and change.old_actions != change.new_actions:
            reasons += [f"{line}" for line in self.uses if line not in reasons]
        if not reasons and not change.nodes and change.old_grade != change.new_grade:
            reasons.append("等次评定调整（见方案改动）")
        return tuple(reasons)


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
    nodes = _node_changes(before, after, len(units))
    old_grades, new_grades = old.grading.grades(), new.grading.grades()
    reasons = _Reasons(before, after)
    actions: dict[tuple[int, int], tuple[str, ...]] = {}  # (side, use key) -> actions

    def actions_of(side: int, result: FastResult, row: int) -> tuple[str, ...]:
        key = (side, int(result.grades.uses[row]))
        if key not in actions:
            actions[key] = result.uses(row)[0]
        return actions[key]

    changes = []
    for row, unit in enumerate(units):
        o, n = before.grades, after.grades
        change = UnitChange(
            unit,
            int(before.total[row]),
            int(after.total[row]),
            old_grades[int(o.grade[row])],
            new_grades[int(n.grade[row])],
            int(o.rank[row]),
            int(n.rank[row]),
            int(n.group_size[row]),
            nodes[row],
            int(o.pay[row]) if o.has_pay[row] else None,
            int(n.pay[row]) if n.has_pay[row] else None,
            actions_of(0, before, row),
            actions_of(1, after, row),
        )
        why = reasons.of(row, change)
        if why:
            change = replace(change, reasons=why)
        changes.append(change)
    return WhatIf(old, new, tuple(changes), scheme_changes(old, new), _grading_changes(old, new))


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


def _cause(node: NodeChange) -> str:
    status = "" if node.status == CHANGED else f"({STATUS_TEXT[node.status]})"
    return f"{node.title}{status} {_signed(node.delta)}"


def render_text(whatif: WhatIf, unit: str | None = None, top: int = 3) -> str:
    old, new = whatif.old, whatif.new
    out = [f"方案对比：{old.code} v{old.version} → {new.code} v{new.version}，{len(whatif.units)} 个单位\n"]
    if whatif.scheme_changes:
        out.append("方案改动：\n")
        for definition in whatif.scheme_changes:
            fields = f"（{', '.join(definition.fields)}）" if definition.fields else ""
            out.append(f"  {STATUS_TEXT[definition.status]} {definition.code} {definition.title}{fields}\n")
    if whatif.grading_changes:
        if not whatif.scheme_changes:
            out.append("方案改动：\n")
        out.extend(f"  {line}\n" for line in whatif.grading_changes)
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
            [
                *(_cause(c) for c in change.nodes[:top]),
                *change.reasons,
            ]
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
        if change.reasons:
            out.append(f"\n{change.unit.code} 的等次及结果运用变化原因：\n")
            out.extend(f"  {reason}\n" for reason in change.reasons)
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
    "old_pay",
    "new_pay",
    "old_actions",
    "new_actions",
    "reasons",
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
        tail = [
            _points_or_blank(change.old_pay),
            _points_or_blank(change.new_pay),
            "、".join(change.old_actions),
            "、".join(change.new_actions),
            "；".join(change.reasons),
        ]
        for node in change.nodes or (None,):
            if node is None:
                writer.writerow([*head, "", "", "", "", "", "", *tail])
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
                        *tail,
                    ]
                )
    return out.getvalue()
