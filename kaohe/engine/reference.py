"""The reference evaluator: the executable specification of scoring.

Short and plain on purpose; speed is the fast evaluator's job, and it must agree with this one
exactly. Each rule kind has a small scorer class whose `evaluate` returns the item's base and the
lines of gains and losses; the item's score is always base + the lines, so every explanation sums
to the score by construction. A sum node adds its children and explains any cap or floor as a line
of its own; a weighted or product node starts from its full points and explains each part by what
it cost at its weight, or as a factor (with one 折算尾差 line when the rounding needs it).
An item reading a panel kind is scored once per assessor and explained by one line giving each
assessor's score and their mean (or trimmed mean). Grades, ranks and quotas over the cycle are in
grading.py.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from kaohe.engine import rules as r
from kaohe.engine.errors import FactError
from kaohe.engine.fact_kinds import FactKind
from kaohe.engine.facts import (
    Award,
    Case,
    Cell,
    Cycle,
    Finding,
    PanelValues,
    Unit,
    assessor_mismatches,
    describe,
)
from kaohe.engine.grading import grade_cycle
from kaohe.engine.points import RATE_SCALE, format_points, format_rate, round_fraction, round_half_up
from kaohe.engine.results import CycleResult, FactUse, Line, NodeScore, UnitResult
from kaohe.engine.scheme import Node, Panel, Place, Scheme
from kaohe.engine.validation import check

fp = format_points


@dataclass(frozen=True)
class Outcome:
    base: int
    lines: list[Line]


class UnitFacts:
    """The facts of one unit, and what its peer group's facts tell (the best value of a figure).

    For one `assessor` of the panel, each panel kind shows that assessor's value (or the kind's
    default standing in), and the facts used name the assessor; other kinds are the unit's own.
    """

    def __init__(
        self,
        unit: Unit,
        cycle: Cycle,
        kinds: dict[str, FactKind],
        best: Callable[[str, str], int],
        assessor: str | None = None,
    ):
        self.unit = unit
        self.cycle = cycle
        self.kinds = kinds
        self._best = best
        self.assessor = assessor

    def for_assessor(self, assessor: str) -> "UnitFacts":
        return UnitFacts(self.unit, self.cycle, self.kinds, self._best, assessor)

    def panel(self, kind: str) -> PanelValues | None:
        """The assessors' values of a panel kind; None when its default stands in (or not a panel)."""
        value = self.cycle.cell(self.unit.code, kind).value
        return value if isinstance(value, PanelValues) else None

    def cell(self, kind: str) -> Cell:
        cell = self.cycle.cell(self.unit.code, kind)
        if self.assessor is not None and isinstance(cell.value, PanelValues):
            panel = cell.value
            return Cell(panel.value(self.assessor), panel.sources_of(self.assessor) or cell.sources)
        return cell

    def value(self, kind: str) -> Any:
        return self.cell(kind).value

    def count(self, kind: str) -> int:
        """A count, or the number of entries of a list kind."""
        value = self.value(kind)
        return len(value) if isinstance(value, tuple) else int(value)

    def best(self, kind: str) -> int:
        return self._best(kind, self.unit.group)

    def title(self, kind: str) -> str:
        return self.kinds[kind].title

    def use(self, kind: str, shown: str | None = None, sources: Sequence[str] | None = None) -> FactUse:
        cell = self.cell(kind)
        if sources is None:
            entries = cell.value if isinstance(cell.value, tuple) else ()
            sources = [e.source for e in entries if e.source] or list(cell.sources)
        value = describe(self.kinds[kind], cell.value) if shown is None else shown
        if self.assessor is not None and self.panel(kind) is not None:
            value = f"{self.assessor}：{value}"
        return FactUse(kind, self.title(kind), value, tuple(s for s in sources if s))


# -- shared pieces ---------------------------------------------------------------------------------


def _deductions(rule: r._Deduction, points: int, losses: list[Line]) -> Outcome:
    """Start from the item's points, take the losses, then the rule's cap and floor."""
    lines = [line for line in losses if line.amount]
    taken = -sum(line.amount for line in lines)
    if rule.cap is not None and taken > rule.cap:
        lines.append(Line(taken - rule.cap, f"本项最多扣{fp(rule.cap)}分", rule.kind))
    score = points + sum(line.amount for line in lines)
    if rule.floor and score < 0:
        lines.append(Line(-score, "扣完为止", rule.kind))
    return Outcome(points, lines)


def _gains(kind: str, points: int, gains: list[Line]) -> Outcome:
    """Start from 0, add the gains, at most the item's points."""
    lines = list(gains)
    total = sum(line.amount for line in lines)
    if total > points:
        lines.append(Line(points - total, f"以本项分值{fp(points)}分为限", kind))
    return Outcome(0, lines)


def condition_holds(condition: r.Condition, facts: UnitFacts) -> bool:
    kind = facts.kinds[condition.fact]
    value = facts.value(condition.fact)
    if kind.type == "flag":
        return bool(value)
    if kind.type == "rate":
        return condition.below is not None and value < condition.below
    if kind.type == "judgment":
        return value in condition.grades
    return facts.count(condition.fact) >= (condition.at_least or 1)


# -- one scorer per rule kind ----------------------------------------------------------------------


class PerOccurrenceScorer:
    def evaluate(self, rule: r.PerOccurrence, points: int, facts: UnitFacts) -> Outcome:
        losses = []
        for charge in rule.charges:
            n = facts.count(charge.fact)
            label = charge.label or facts.title(charge.fact)
            text = f"{label}{n}次，每次扣{fp(charge.amount)}分"
            losses.append(Line(-n * charge.amount, text, rule.kind, (facts.use(charge.fact),)))
        return _deductions(rule, points, losses)


class RangedDeductionScorer:
    def problems(self, rule: r.RangedDeduction, facts: UnitFacts) -> list[str]:
        findings: tuple[Finding, ...] = facts.value(rule.fact)
        span = f"{fp(rule.min_per_case)}-{fp(rule.max_per_case)}"
        return [
            f"case {f.case}: {fp(f.points)} is outside the range {span}"
            for f in findings
            if not rule.min_per_case <= f.points <= rule.max_per_case
        ]

    def evaluate(self, rule: r.RangedDeduction, points: int, facts: UnitFacts) -> Outcome:
        findings: tuple[Finding, ...] = facts.value(rule.fact)
        span = f"（每例{fp(rule.min_per_case)}-{fp(rule.max_per_case)}分）"
        losses = [
            Line(
                -f.points,
                f"{f.case}{'：' + f.note if f.note else ''}，扣{fp(f.points)}分{span}",
                rule.kind,
                (facts.use(rule.fact, f"{f.case} {fp(f.points)}", [f.source]),),
            )
            for f in findings
        ]
        return _deductions(rule, points, losses)


class ZeroingScorer:
    def evaluate(self, rule: r.Zeroing, points: int, facts: UnitFacts) -> Outcome:
        met = [c for c in rule.when if condition_holds(c, facts)]
        if met:
            reasons = "；".join(f"{facts.title(c.fact)}：{facts.use(c.fact).value}" for c in met)
            uses = tuple(facts.use(c.fact) for c in met)
            return Outcome(
                points, [Line(-points, f"{reasons}，本项不得分", rule.kind, uses)] if points else []
            )
        if rule.otherwise is not None:
            return evaluate_rule(rule.otherwise, points, facts)
        return Outcome(points, [])


class CountTiersScorer:
    def evaluate(self, rule: r.CountTiers, points: int, facts: UnitFacts) -> Outcome:
        n = facts.count(rule.fact)
        reached = [tier for tier in rule.tiers if n >= tier.at_least]
        if not reached:
            return _deductions(rule, points, [])
        tier = reached[-1]
        amount = points if tier.zero else (tier.deduct or 0)
        verdict = "不得分" if tier.zero else f"扣{fp(amount)}分"
        text = f"{facts.title(rule.fact)}{n}次，按“{tier.at_least}次及以上”一档{verdict}"
        return _deductions(rule, points, [Line(-amount, text, rule.kind, (facts.use(rule.fact),))])


class RateStepsScorer:
    def evaluate(self, rule: r.RateSteps, points: int, facts: UnitFacts) -> Outcome:
        rate: int = facts.value(rule.fact)
        if rate >= rule.threshold:
            return _deductions(rule, points, [])
        shortfall = rule.threshold - rate
        if rule.partial == "prorate":
            amount = round_half_up(rule.amount * shortfall, rule.step)
            steps = f"{format_rate(shortfall)}÷{format_rate(rule.step)}"
        else:
            whole, part = divmod(shortfall, rule.step)
            count = whole + (1 if part and rule.partial == "count" else 0)
            amount = count * rule.amount
            steps = f"{count}档"
        text = (
            f"{facts.title(rule.fact)}{format_rate(rate)}，低于{format_rate(rule.threshold)}，"
            f"每低{format_rate(rule.step)}扣{fp(rule.amount)}分，计{steps}"
        )
        return _deductions(rule, points, [Line(-amount, text, rule.kind, (facts.use(rule.fact),))])


class CompletionRatioScorer:
    def _target(self, rule: r.CompletionRatio, facts: UnitFacts) -> int | None:
        if rule.target_fact is not None:
            return int(facts.value(rule.target_fact))
        return rule.target

    def problems(self, rule: r.CompletionRatio, facts: UnitFacts) -> list[str]:
        target = self._target(rule, facts)
        if target is not None and target <= 0:
            return [f"the target {rule.target_fact} is {fp(target)}; a target must be above zero"]
        return []

    def evaluate(self, rule: r.CompletionRatio, points: int, facts: UnitFacts) -> Outcome:
        value: int = facts.value(rule.fact)
        target = self._target(rule, facts)
        uses = [facts.use(rule.fact)]
        if target is None:  # a rate is its own ratio
            ratio = Fraction(value, RATE_SCALE)
            shown = format_rate(value)
        else:
            ratio = Fraction(value, target)
            shown = f"完成{fp(value)}，目标{fp(target)}"
            if rule.target_fact is not None:
                uses.append(facts.use(rule.target_fact))
        note = "，超过目标按目标计" if ratio > 1 else ("，低于0按0计" if ratio < 0 else "")
        ratio = min(max(ratio, Fraction(0)), Fraction(1))
        score = round_fraction(points * ratio)
        text = f"{facts.title(rule.fact)}：{shown}{note}，按完成比例得{fp(score)}分"
        return Outcome(0, [Line(score, text, rule.kind, tuple(uses))])


class QuotaScorer:
    def evaluate(self, rule: r.Quota, points: int, facts: UnitFacts) -> Outcome:
        held = facts.count(rule.fact)
        missing = max(rule.required - held, 0)
        text = (
            f"{facts.title(rule.fact)}：应{rule.required}次，实{held}次，"
            f"少{missing}次，每少1次扣{fp(rule.amount)}分"
        )
        return _deductions(
            rule, points, [Line(-missing * rule.amount, text, rule.kind, (facts.use(rule.fact),))]
        )


class ChecklistScorer:
    def evaluate(self, rule: r.Checklist, points: int, facts: UnitFacts) -> Outcome:
        present: frozenset[str] = facts.value(rule.fact)
        use = (facts.use(rule.fact),)
        lines = [
            Line(item.points, f"{item.option}：有，得{fp(item.points)}分", rule.kind, use)
            if item.option in present
            else Line(0, f"{item.option}：缺，该项{fp(item.points)}分不得", rule.kind, use)
            for item in rule.items
        ]
        return _gains(rule.kind, points, lines)


class TieredJudgmentScorer:
    def evaluate(self, rule: r.TieredJudgment, points: int, facts: UnitFacts) -> Outcome:
        grade: str = facts.value(rule.fact)
        earned = next(t.points for t in rule.tiers if t.grade == grade)
        text = f"{facts.title(rule.fact)}评定为“{grade}”，得{fp(earned)}分"
        return Outcome(0, [Line(earned, text, rule.kind, (facts.use(rule.fact),))])


class BonusScorer:
    def evaluate(self, rule: r.Bonus, points: int, facts: UnitFacts) -> Outcome:
        awards: tuple[Award, ...] = facts.value(rule.fact)
        worth = {level.level: level.points for level in rule.levels}
        counted = list(awards)
        if rule.highest_only and awards:
            counted = [max(awards, key=lambda a: worth[a.level])]  # the first of the highest wins
        lines = [
            Line(
                worth[a.level],
                f"{a.title or facts.title(rule.fact)}（{a.level}），加{fp(worth[a.level])}分",
                rule.kind,
                (facts.use(rule.fact, f"{a.title} {a.level}".strip(), [a.source]),),
            )
            for a in counted
        ]
        if len(counted) < len(awards):
            lines.append(Line(0, f"另有{len(awards) - len(counted)}项表彰，取最高级别不累计", rule.kind))
        return _gains(rule.kind, points, lines)


class DisciplineScorer:
    def evaluate(self, rule: r.Discipline, points: int, facts: UnitFacts) -> Outcome:
        cases: tuple[Case, ...] = facts.value(rule.fact)
        deduct = {o.outcome: o.deduct for o in rule.schedule}
        groups: dict[tuple[str, ...], list[Case]] = {}
        for number, case in enumerate(cases):
            key = (case.case, case.department) if rule.dedup else (str(number),)
            groups.setdefault(key, []).append(case)
        losses = []
        for same in groups.values():
            heaviest = max(same, key=lambda c: deduct[c.outcome])  # the first of the heaviest wins
            amount = deduct[heaviest.outcome]
            text = f"案件{heaviest.case}（{heaviest.department}）：{heaviest.outcome}，扣{fp(amount)}分"
            if len(same) > 1:
                text += f"；同一案件同一部门不累计，另{len(same) - 1}条记录未计"
            uses = tuple(
                facts.use(rule.fact, f"{c.case} {c.department} {c.outcome}", [c.source]) for c in same
            )
            losses.append(Line(-amount, text, rule.kind, uses))
        return _deductions(rule, points, losses)


class ImportedScorer:
    def problems(self, rule: r.Imported, facts: UnitFacts) -> list[str]:
        value: int = facts.value(rule.fact)
        if rule.mode == "deduct" and value < 0:
            return [f"an imported deduction cannot be negative, got {fp(value)}"]
        return []

    def evaluate(self, rule: r.Imported, points: int, facts: UnitFacts) -> Outcome:
        value: int = facts.value(rule.fact)
        amount = round_half_up(value * rule.factor, 1000)
        use = (facts.use(rule.fact),)
        if rule.mode == "deduct":
            text = f"{facts.title(rule.fact)}{fp(value)}分，按{fp(rule.factor)}倍扣{fp(amount)}分"
            return _deductions(rule, points, [Line(-amount, text, rule.kind, use)])
        lines = [
            Line(
                amount,
                f"{facts.title(rule.fact)}{fp(value)}×{fp(rule.factor)}，得{fp(amount)}分",
                rule.kind,
                use,
            )
        ]
        if amount < 0:
            lines.append(Line(-amount, "最低为0分", rule.kind))
        return _gains(rule.kind, points, lines)


class RankPointsScorer:
    def evaluate(self, rule: r.RankPoints, points: int, facts: UnitFacts) -> Outcome:
        value: int = facts.value(rule.fact)
        best = facts.best(rule.fact)
        title = facts.title(rule.fact)
        if value <= 0 or best <= 0:
            text = f"{title}{fp(value)}，不大于0，不得分"
            return Outcome(0, [Line(0, text, rule.kind, (facts.use(rule.fact),))])
        score = round_half_up(points * value, best)
        text = f"{title}{fp(value)}，本组第1名{fp(best)}，按与第1名的比例得{fp(score)}分"
        return Outcome(0, [Line(score, text, rule.kind, (facts.use(rule.fact),))])


class BallotScorer:
    def evaluate(self, rule: r.Ballot, points: int, facts: UnitFacts) -> Outcome:
        tally: dict[str, int] = facts.value(rule.fact)
        votes = sum(tally.values())
        weighted = sum(n * rule.values[option] for option, n in tally.items())
        score = round_half_up(points * weighted, votes * rule.full)
        mean = round_half_up(weighted, votes)
        text = (
            f"{facts.title(rule.fact)}{votes}票，平均{fp(mean)}分（满分{fp(rule.full)}），折合{fp(score)}分"
        )
        return Outcome(0, [Line(score, text, rule.kind, (facts.use(rule.fact),))])


SCORERS: dict[type, Any] = {
    r.PerOccurrence: PerOccurrenceScorer(),
    r.RangedDeduction: RangedDeductionScorer(),
    r.Zeroing: ZeroingScorer(),
    r.CountTiers: CountTiersScorer(),
    r.RateSteps: RateStepsScorer(),
    r.CompletionRatio: CompletionRatioScorer(),
    r.Quota: QuotaScorer(),
    r.Checklist: ChecklistScorer(),
    r.TieredJudgment: TieredJudgmentScorer(),
    r.Bonus: BonusScorer(),
    r.Discipline: DisciplineScorer(),
    r.Imported: ImportedScorer(),
    r.RankPoints: RankPointsScorer(),
    r.Ballot: BallotScorer(),
}


def evaluate_rule(rule: Any, points: int, facts: UnitFacts) -> Outcome:
    outcome: Outcome = SCORERS[type(rule)].evaluate(rule, points, facts)
    return outcome


def rule_problems(rule: Any, facts: UnitFacts) -> list[str]:
    scorer = SCORERS[type(rule)]
    found: list[str] = scorer.problems(rule, facts) if hasattr(scorer, "problems") else []
    if isinstance(rule, r.Zeroing) and rule.otherwise is not None:
        found += rule_problems(rule.otherwise, facts)
    return found


# -- panel items -----------------------------------------------------------------------------------


def rule_base(rule: Any, points: int) -> int:
    """Where a rule's score starts: a deduction from the item's points, a gain from 0."""
    if isinstance(rule, r.Zeroing):
        return rule_base(rule.otherwise, points) if rule.otherwise is not None else points
    if isinstance(rule, r.Imported):
        return points if rule.mode == "deduct" else 0
    return points if isinstance(rule, r._Deduction) else 0


def panel_assessors(facts: UnitFacts, kinds: Sequence[str]) -> tuple[str, ...]:
    """The assessors who scored a panel item: those of its first panel kind that has values (its
    other panel kinds have the same ones: checked); none when every default stands in."""
    for kind in kinds:
        panel = facts.panel(kind)
        if panel is not None:
            return panel.assessors()
    return ()


def panel_mismatches(facts: UnitFacts, kinds: Sequence[str]) -> list[str]:
    """Assessors who gave a value of one of an item's panel kinds but not of another."""
    return assessor_mismatches(
        [(kind, panel.assessors()) for kind in kinds if (panel := facts.panel(kind)) is not None]
    )


def combine_scores(panel: Panel, scores: Sequence[int]) -> tuple[int, str]:
    """The item's score from the assessors' scores, rounded once (四舍五入), and how it was taken."""
    n = len(scores)
    if panel.method == "trimmed_mean":
        t = panel.trim
        if n >= 2 * t + 1:
            kept = sorted(scores)[t : n - t]
            dropped = "去掉最高分和最低分" if t == 1 else f"去掉{t}个最高分和{t}个最低分"
            return round_half_up(sum(kept), len(kept)), f"{dropped}后平均"
        return round_half_up(sum(scores), n), f"不足{2 * t + 1}人，不去掉最高分和最低分，平均"
    return round_half_up(sum(scores), n), "平均"


def _panel_outcome(panel: Panel, rule: Any, points: int, facts: UnitFacts, kinds: Sequence[str]) -> Outcome:
    """A panel item: the rule once per assessor, then the mean (or trimmed mean) as one line."""
    assessors = panel_assessors(facts, kinds)
    if not assessors:  # every panel kind's default stands in: one score, as for any item
        return evaluate_rule(rule, points, facts)
    scores = []
    uses: dict[FactUse, None] = {}
    for assessor in assessors:
        own = facts.for_assessor(assessor)
        outcome = evaluate_rule(rule, points, own)
        scores.append(outcome.base + sum(line.amount for line in outcome.lines))
        relied = {use: None for line in outcome.lines for use in line.facts}
        # facts a line did not name (no loss, a condition not met) were relied on all the same
        named = {use.kind for use in relied}
        relied.update((own.use(read.code), None) for read in rule.reads() if read.code not in named)
        uses.update(relied)
    combined, how = combine_scores(panel, scores)
    base = rule_base(rule, points)
    listed = "、".join(f"{a} {fp(s)}分" for a, s in zip(assessors, scores, strict=True))
    text = f"评分组{len(scores)}人评分：{listed}，{how}{fp(combined)}分"
    return Outcome(base, [Line(combined - base, text, rule.kind, tuple(uses))])


# -- the tree --------------------------------------------------------------------------------------


def score_tree(scheme: Scheme, facts: UnitFacts) -> dict[str, NodeScore]:
    scores: dict[str, NodeScore] = {}
    panel_reads = scheme.panel_reads()

    def leaf(node: Node) -> Outcome:
        if node.rule is None:
            return Outcome(0, [])
        if node.code in panel_reads:
            assert scheme.panel is not None  # validated: a panel kind needs the scheme's panel
            return _panel_outcome(scheme.panel, node.rule, node.points, facts, panel_reads[node.code])
        return evaluate_rule(node.rule, node.points, facts)

    def visit(place: Place) -> int:
        node = place.node
        child_places = _children(place)
        if not child_places:
            outcome = leaf(node)
            lines = outcome.lines
            score = outcome.base + sum(line.amount for line in lines)
            scores[node.code] = _node_score(place, score, outcome.base, lines)
            return score
        scores[node.code] = _node_score(place, 0, 0, [])  # keeps parents before children
        child_scores = [(p.node, visit(p)) for p in child_places]
        if node.compose == "sum":
            lines = _composition_lines(node, child_scores)
            score = sum(s for _, s in child_scores) + sum(line.amount for line in lines)
            scores[node.code] = _node_score(place, score, 0, lines)
        else:  # the parts are folded into the node's lines: it starts from its full points
            lines = _folded_lines(node, child_scores, scores)
            score = node.points + sum(line.amount for line in lines)
            scores[node.code] = _node_score(place, score, node.points, lines)
        return score

    for node in scheme.nodes:
        visit(Place(node, (node.title,), node.category or "basic", None))
    return scores


def _children(place: Place) -> list[Place]:
    return [
        Place(child, (*place.path, child.title), child.category or place.category, place)
        for child in place.node.children
    ]


def _node_score(place: Place, score: int, base: int, lines: list[Line]) -> NodeScore:
    node = place.node
    return NodeScore(
        node.code,
        node.title,
        place.path,
        place.category,
        node.points,
        score,
        base,
        tuple(lines),
        tuple(c.code for c in node.children),
        node.compose if node.children else "sum",
    )


def _composition_lines(node: Node, children: list[tuple[Node, int]]) -> list[Line]:
    """The lines of a sum node: its cap and floor, on top of its children's scores."""
    subtotal = sum(score for _, score in children)
    lines = []
    if subtotal > node.points:
        text = f"小计{fp(subtotal)}分，超过本项分值，按{fp(node.points)}分计"
        lines.append(Line(node.points - subtotal, text, "sum"))
    if node.floor and subtotal < 0:
        lines.append(Line(-subtotal, "扣完为止", "sum"))
    return lines


def _subtree_facts(code: str, scores: dict[str, NodeScore]) -> tuple[FactUse, ...]:
    """Every fact the lines of a node and its descendants relied on, each once, in order."""
    found: dict[FactUse, None] = {}
    pending = [code]
    while pending:
        node = scores[pending.pop(0)]
        for line in node.lines:
            found.update(dict.fromkeys(line.facts))
        pending += node.children
    return tuple(found)


def _folded_lines(node: Node, children: list[tuple[Node, int]], scores: dict[str, NodeScore]) -> list[Line]:
    """The lines of a weighted or product node, starting from its full points (the node's base).

    The parts' own scores are on their own scales and are not added; each part appears as what it
    cost at its weight (weighted) or as its factor (product). The node's score is the reference's
    one rounding of the exact composition; any difference between that and the per-part amounts
    (each rounded on its own) is one explicit 折算尾差 line, so the lines add up exactly.
    """
    lines = []
    if node.compose == "weighted":
        exact = Fraction(0)
        for child, score in children:
            share = Fraction(node.points * (child.weight or 0), RATE_SCALE)
            part = share * Fraction(score, child.points)
            exact += part
            got, full = round_fraction(part), round_fraction(share)
            text = (
                f"{child.title} 权重{format_rate(child.weight or 0)}：得 {fp(score)}/{fp(child.points)}"
                f" → 折合 {fp(got)}/{fp(full)}（{_signed(got - full)}）"
            )
            lines.append(Line(got - full, text, "weighted", _subtree_facts(child.code, scores)))
    else:
        exact = Fraction(node.points)
        for child, score in children:
            before = round_fraction(exact)
            exact *= Fraction(max(score, 0), child.points)
            after = round_fraction(exact)
            ratio = Fraction(max(score, 0), child.points)
            shown = format_ratio(ratio)
            text = (
                f"乘以{child.title}系数 {shown}（得 {fp(score)}/{fp(child.points)}）："
                f"{fp(before)} → {fp(after)}（{_signed(after - before)}）"
            )
            lines.append(Line(after - before, text, "product", _subtree_facts(child.code, scores)))
    result = round_fraction(exact)
    tail = result - node.points - sum(line.amount for line in lines)
    if tail:
        text = f"折算尾差：各部分分别取整后合计与整体折算{fp(result)}分相差{_signed(tail)}分"
        lines.append(Line(tail, text, node.compose))
    if node.floor and result < 0:  # a part without floor may be negative; the whole stops at 0
        lines.append(Line(-result, "扣完为止", node.compose))
    return lines


def _signed(amount: int) -> str:
    return f"+{fp(amount)}" if amount > 0 else fp(amount)


def format_ratio(ratio: Fraction) -> str:
    """A factor to four decimals, marked ≈ when that is not exact."""
    shown = round_half_up(ratio.numerator * 10_000, ratio.denominator)
    text = f"{shown // 10_000}.{shown % 10_000:04d}".rstrip("0").rstrip(".")
    return text if Fraction(shown, 10_000) == ratio else f"≈{text}"


# -- the cycle -------------------------------------------------------------------------------------


def _best_values(cycle: Cycle) -> Callable[[str, str], int]:
    """The best value of each figure kind in each peer group, for rank points."""
    cache: dict[tuple[str, str], int] = {}

    def best(kind: str, group: str) -> int:
        if (kind, group) not in cache:
            cells = cycle.columns[kind]
            values = [cells[u.code].value for u in cycle.units if u.group == group]
            cache[(kind, group)] = max(v for v in values if isinstance(v, int))
        return cache[(kind, group)]

    return best


def unit_facts(scheme: Scheme, cycle: Cycle) -> list[UnitFacts]:
    kinds = scheme.fact_kinds()
    best = _best_values(cycle)
    return [UnitFacts(unit, cycle, kinds, best) for unit in cycle.units]


def check_cycle(scheme: Scheme, cycle: Cycle) -> None:
    """A valid scheme, a fact for every unit and kind it reads, and no fact a rule cannot use (a
    finding outside its range, a negative imported deduction): otherwise every problem is raised."""
    check(scheme)
    problems = [
        f"unit {unit.code}, kind {code}: no fact (was the cycle built for another scheme?)"
        for code in scheme.reads()
        for unit in cycle.units
        if unit.code not in cycle.columns.get(code, {})
    ]
    if problems:
        raise FactError(problems)
    panel_reads = scheme.panel_reads()
    everyone = unit_facts(scheme, cycle)
    for facts in everyone if panel_reads else ():
        for place in scheme.walk():
            for message in panel_mismatches(facts, panel_reads.get(place.node.code, ())):
                problems.append(f"unit {facts.unit.code}, item {place.path_text}: {message}")
    if problems:
        raise FactError(problems)
    for facts in everyone:
        for place in scheme.walk():
            if place.node.rule is None:
                continue
            where = f"unit {facts.unit.code}, item {place.path_text}"
            assessors = panel_assessors(facts, panel_reads.get(place.node.code, ()))
            for assessor in assessors:  # each assessor's values, as the rule reads them
                for message in rule_problems(place.node.rule, facts.for_assessor(assessor)):
                    problems.append(f"{where}: assessor {assessor}: {message}")
            if not assessors:
                problems += [f"{where}: {message}" for message in rule_problems(place.node.rule, facts)]
    if problems:
        raise FactError(problems)


def score_unit(scheme: Scheme, facts: UnitFacts) -> UnitResult:
    """A unit's node scores and totals; grades come later, from the whole cycle (grading.py)."""
    nodes = score_tree(scheme, facts)
    tops = [nodes[n.code] for n in scheme.nodes]
    basic = sum(n.score for n in tops if n.category == "basic")
    bonus = sum(n.score for n in tops if n.category == "bonus")
    total = basic + bonus
    totals = {t.code: total if t.include_bonus else basic for t in scheme.uses.totals}
    return UnitResult(facts.unit, nodes, total, basic, bonus, totals, band_grade="", grade="", steps=[])


def vetoes_met(scheme: Scheme, facts: UnitFacts) -> list[tuple[Place, list[FactUse]]]:
    met = []
    for place in scheme.walk():
        veto = place.node.veto
        if veto is not None:
            held = [c for c in veto.when if condition_holds(c, facts)]
            if held:
                met.append((place, [facts.use(c.fact) for c in held]))
    return met


def score_cycle(scheme: Scheme, cycle: Cycle) -> CycleResult:
    """Every unit of the cycle: scores, totals, grades with their steps, ranks and result uses."""
    check_cycle(scheme, cycle)
    results = []
    vetoes = []
    for facts in unit_facts(scheme, cycle):
        results.append(score_unit(scheme, facts))
        vetoes.append(vetoes_met(scheme, facts))
    grade_cycle(scheme, results, vetoes)
    return CycleResult(scheme.code, scheme.version, results)
