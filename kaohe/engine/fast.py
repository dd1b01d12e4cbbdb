"""The fast evaluator: every unit of a cycle at once, with NumPy int64 arrays of thousandths.

It loops over the nodes of the scheme, never over units: each rule kind scores one column of
facts for all units (list kinds through CSR offsets and np.*.reduceat), each inner node composes
its children's arrays, and fast_grading.py grades, ranks and applies quotas over the arrays.
Wherever the reference evaluator divides (rate steps in proportion, completion ratios, rank
points, ballots, imported factors, weighted and product compositions) this one makes the same
single division of exact integers and rounds half away from zero the same way (exact_arrays.py),
so its results are identical to the reference's, not close: the property tests in
tests/test_fast_agrees.py compare them on random schemes and facts. An item reading a panel kind
is scored once per assessor slot and each unit's slots are combined (mean or trimmed mean) with the
reference's one rounding.

It gives no texts: explanations come from the reference evaluator, per unit, on demand. For
comparison and for callers that want objects, `FastResult.outcome(i)` gives one unit's decisions
(every node's score, totals, grade with its steps, rank, uses) and `outcome_of` gives the same from
a reference UnitResult.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import lcm, prod
from typing import Any

import numpy as np

from kaohe.engine import rules as r
from kaohe.engine.errors import FactError
from kaohe.engine.exact_arrays import (
    Array,
    Int,
    fits,
    round_div,
    round_div_nonnegative,
    segment_max,
    segment_sum,
    wide,
    within,
)
from kaohe.engine.fact_kinds import FactKind
from kaohe.engine.facts import MAX_PROBLEMS, Cycle, assessor_mismatches
from kaohe.engine.fast_facts import FactBlock, FactColumns, columns_from_cycle
from kaohe.engine.fast_grading import (
    CAP,
    DECIDED,
    FORCE,
    QUOTA,
    Grades,
    grade_arrays,
    uses_of_key,
)
from kaohe.engine.grading import band_grade, force_text
from kaohe.engine.points import RATE_SCALE, format_points, format_rate
from kaohe.engine.results import GradeStep, UnitResult
from kaohe.engine.scheme import Node, Place, Scheme
from kaohe.engine.validation import check

fp = format_points


@dataclass(frozen=True, eq=False)
class Scored:
    """A node's scores for all units, and bounds low ≤ score ≤ high known before computing them
    (they decide whether int64 is wide enough for what comes next)."""

    values: Array
    low: int
    high: int

    @property
    def bound(self) -> int:
        return max(abs(self.low), abs(self.high))


class Context:
    def __init__(
        self, scheme: Scheme, facts: FactBlock, panel_reads: dict[str, tuple[str, ...]] | None = None
    ) -> None:
        self.scheme = scheme
        self.facts = facts
        self.kinds: dict[str, FactKind] = scheme.fact_kinds()
        self.size = facts.size
        # the panel items (scored once per assessor slot) and the panel kinds each reads
        self.panel_reads = scheme.panel_reads() if panel_reads is None else panel_reads

    def slot(self, slot: int) -> "Context":
        """The same units as the assessors in `slot` gave their values of the panel kinds."""
        return Context(self.scheme, self.facts.slot(slot), self.panel_reads)

    def full(self, value: int) -> Array:
        dtype = np.int64 if fits(abs(value)) else object
        return np.full(self.size, value, dtype=dtype)

    def option(self, code: str) -> dict[str, int]:
        return {option: number for number, option in enumerate(self.kinds[code].options)}


# -- shared pieces ---------------------------------------------------------------------------------


def _deductions(rule: r._Deduction, points: int, taken: Int, most: int, ctx: Context) -> Scored:
    """points − taken (taken ≥ 0, at most `most`), then the rule's cap and floor."""
    if isinstance(taken, int):
        taken = ctx.full(taken)
    if rule.cap is not None and most > rule.cap:
        taken = np.minimum(taken, rule.cap)
        most = rule.cap
    (taken,) = within(points + most, taken)
    score = np.subtract(points, taken)
    if not rule.floor:
        return Scored(score, points - most, points)
    if most > points:
        np.maximum(score, 0, out=score)
    return Scored(score, 0, points)


def _gains(points: int, total: Array, most: int) -> Scored:
    """0 + the gains (≥ 0, at most `most`), at most the item's points."""
    if most > points:
        total = np.minimum(total, points)
    return Scored(total, 0, points)


def condition_holds(condition: r.Condition, ctx: Context) -> Array:
    kind = ctx.kinds[condition.fact]
    if kind.type == "flag":
        return ctx.facts.dense(condition.fact)
    if kind.type == "rate":
        if condition.below is None:
            return np.zeros(ctx.size, dtype=bool)
        return ctx.facts.dense(condition.fact) < condition.below
    if kind.type == "judgment":
        table = np.array([option in condition.grades for option in kind.options], dtype=bool)
        return table[ctx.facts.dense(condition.fact)]
    return ctx.facts.count(condition.fact) >= (condition.at_least or 1)


def _table(values: dict[int, int], size: int) -> Array:
    """A lookup table index -> amount (0 where not given), int64 or Python ints."""
    table = np.zeros(size, dtype=np.int64 if fits(max(values.values(), default=0)) else object)
    for index, amount in values.items():
        table[index] = amount
    return table


# -- one scorer per rule kind ----------------------------------------------------------------------


def _per_occurrence(rule: r.PerOccurrence, points: int, ctx: Context) -> Scored:
    most = sum(ctx.facts.bound(c.fact) * c.amount for c in rule.charges)
    taken: Int = 0
    for charge in rule.charges:
        (count,) = within(points + most, ctx.facts.count(charge.fact))
        taken = taken + count * charge.amount
    return _deductions(rule, points, taken, most, ctx)


def _ranged_deduction(rule: r.RangedDeduction, points: int, ctx: Context) -> Scored:
    ragged = ctx.facts.ragged(rule.fact)
    most = ctx.facts.bound(rule.fact) * ctx.facts.entries_bound(rule.fact)
    (values,) = within(points + most, ragged.values)
    return _deductions(rule, points, segment_sum(values, ragged.offsets), most, ctx)


def _zeroing(rule: r.Zeroing, points: int, ctx: Context) -> Scored:
    met = condition_holds(rule.when[0], ctx)
    for condition in rule.when[1:]:
        met = met | condition_holds(condition, ctx)
    if rule.otherwise is None:
        return Scored(np.where(met, 0, ctx.full(points)), 0, max(points, 0))
    otherwise = score_rule(rule.otherwise, points, ctx)
    return Scored(np.where(met, 0, otherwise.values), min(otherwise.low, 0), max(otherwise.high, 0))


def _count_tiers(rule: r.CountTiers, points: int, ctx: Context) -> Scored:
    count = ctx.facts.count(rule.fact)
    amounts = [points if tier.zero else (tier.deduct or 0) for tier in rule.tiers]
    top = max(tier.at_least for tier in rule.tiers)
    most = max([0, *amounts])
    if top <= 4096:  # a table by count, the last tier reached overwriting the earlier ones
        table = np.zeros(top + 1, dtype=np.int64 if fits(most) else object)
        for tier, amount in zip(rule.tiers, amounts, strict=True):
            table[tier.at_least :] = amount
        taken = table[np.minimum(count, top)]
    else:
        taken = ctx.full(0)
        for tier, amount in zip(rule.tiers, amounts, strict=True):
            taken = np.where(count >= tier.at_least, amount, taken)
    return _deductions(rule, points, taken, most, ctx)


def _rate_steps(rule: r.RateSteps, points: int, ctx: Context) -> Scored:
    shortfall = np.maximum(rule.threshold - ctx.facts.dense(rule.fact), 0)  # 0 at or above threshold
    if rule.partial == "prorate":
        most = rule.amount * rule.threshold // rule.step + 1
        (shortfall,) = within(rule.amount * rule.threshold + rule.step + points, shortfall)
        taken = round_div_nonnegative(shortfall * rule.amount, rule.step)
    else:
        if rule.partial == "count":
            steps = (shortfall + (rule.step - 1)) // rule.step  # a part step counts as a whole one
        else:
            steps = shortfall // rule.step
        most = -(-rule.threshold // rule.step) * rule.amount
        (steps,) = within(most + points, steps)
        taken = steps * rule.amount
    return _deductions(rule, points, taken, most, ctx)


def _completion_ratio(rule: r.CompletionRatio, points: int, ctx: Context) -> Scored:
    value = ctx.facts.dense(rule.fact)
    target: Int
    if rule.target_fact is not None:
        target = ctx.facts.dense(rule.target_fact)  # above zero: checked first
        largest = ctx.facts.bound(rule.target_fact)
    elif rule.target is not None:
        target, largest = rule.target, rule.target
    else:  # a rate is its own ratio
        target, largest = RATE_SCALE, RATE_SCALE
    done = np.minimum(np.maximum(value, 0), target)  # the ratio is taken within [0, 1]
    (done, target) = within(points * largest * 2 + largest, done, target)
    return Scored(round_div_nonnegative(done * points, target), 0, points)


def _quota(rule: r.Quota, points: int, ctx: Context) -> Scored:
    most = rule.required * rule.amount
    missing = np.maximum(rule.required - ctx.facts.count(rule.fact), 0)
    (missing,) = within(most + points, missing)
    return _deductions(rule, points, missing * rule.amount, most, ctx)


def _checklist(rule: r.Checklist, points: int, ctx: Context) -> Scored:
    present = ctx.facts.dense(rule.fact)
    index = ctx.option(rule.fact)
    most = sum(item.points for item in rule.items)
    total: Int = 0
    for item in rule.items:
        (column,) = within(most, present[:, index[item.option]].astype(np.int64))
        total = total + column * item.points
    if isinstance(total, int):
        total = ctx.full(total)
    return _gains(points, total, most)


def _tiered_judgment(rule: r.TieredJudgment, points: int, ctx: Context) -> Scored:
    index = ctx.option(rule.fact)
    table = _table({index[t.grade]: t.points for t in rule.tiers}, len(index))
    return Scored(table[ctx.facts.dense(rule.fact)], 0, points)


def _bonus(rule: r.Bonus, points: int, ctx: Context) -> Scored:
    ragged = ctx.facts.ragged(rule.fact)
    index = ctx.option(rule.fact)
    worth = _table({index[level.level]: level.points for level in rule.levels}, len(index))
    entries = worth[ragged.values]
    largest = max(level.points for level in rule.levels)
    if rule.highest_only:
        return _gains(points, segment_max(entries, ragged.offsets), largest)
    most = ctx.facts.bound(rule.fact) * largest
    (entries,) = within(most, entries)
    return _gains(points, segment_sum(entries, ragged.offsets), most)


def _discipline(rule: r.Discipline, points: int, ctx: Context) -> Scored:
    ragged = ctx.facts.ragged(rule.fact)
    index = ctx.option(rule.fact)
    deduct = _table({index[o.outcome]: o.deduct for o in rule.schedule}, len(index))
    most = ctx.facts.bound(rule.fact) * max(o.deduct for o in rule.schedule)
    (entries,) = within(most + points, deduct[ragged.values])
    if rule.dedup:  # the same case by the same department counts once, at its heaviest outcome
        order, starts, unit_offsets = ctx.facts.case_groups(rule.fact)
        grouped = entries if order is None else entries[order]
        heaviest = np.maximum.reduceat(grouped, starts) if starts.size else entries[:0]
        taken = segment_sum(heaviest, unit_offsets)
    else:
        taken = segment_sum(entries, ragged.offsets)
    return _deductions(rule, points, taken, most, ctx)


def _imported(rule: r.Imported, points: int, ctx: Context) -> Scored:
    largest = ctx.facts.bound(rule.fact) * rule.factor
    (value,) = within(2 * largest + 1000 + points, ctx.facts.dense(rule.fact))
    amount = round_div(value * rule.factor, 1000)
    if rule.mode == "deduct":  # the figure is ≥ 0: checked first
        return _deductions(rule, points, amount, largest // 1000 + 1, ctx)
    return _gains(points, np.maximum(amount, 0), largest // 1000 + 1)


def _rank_points(rule: r.RankPoints, points: int, ctx: Context) -> Scored:
    value = np.maximum(ctx.facts.dense(rule.fact), 0)  # a value ≤ 0 gets 0
    best = np.maximum(ctx.facts.best_in_group(rule.fact), 1)  # a best ≤ 0 leaves every value at 0
    largest = ctx.facts.bound(rule.fact)
    best_of_all = int(ctx.facts.whole.best_by_group(rule.fact).max(initial=0))  # may be another block's
    (value, best) = within(2 * points * largest + 2 * best_of_all, value, best)
    return Scored(round_div_nonnegative(value * points, best), 0, points)


def _ballot(rule: r.Ballot, points: int, ctx: Context) -> Scored:
    tally = ctx.facts.dense(rule.fact)
    votes = ctx.facts.ballot_votes(rule.fact)
    values = [rule.values[option] for option in ctx.kinds[rule.fact].options]
    largest = ctx.facts.votes_bound(rule.fact) * rule.full
    if not fits(2 * points * largest + largest):
        tally, votes = wide(tally), wide(votes)
    weighted = tally[:, 0] * values[0]
    for option in range(1, len(values)):  # option by option: faster than a matrix product of ints
        weighted = weighted + tally[:, option] * values[option]
    return Scored(round_div_nonnegative(weighted * points, votes * rule.full), 0, points)


SCORERS: dict[type, Callable[[Any, int, Context], Scored]] = {
    r.PerOccurrence: _per_occurrence,
    r.RangedDeduction: _ranged_deduction,
    r.Zeroing: _zeroing,
    r.CountTiers: _count_tiers,
    r.RateSteps: _rate_steps,
    r.CompletionRatio: _completion_ratio,
    r.Quota: _quota,
    r.Checklist: _checklist,
    r.TieredJudgment: _tiered_judgment,
    r.Bonus: _bonus,
    r.Discipline: _discipline,
    r.Imported: _imported,
    r.RankPoints: _rank_points,
    r.Ballot: _ballot,
}


def score_rule(rule: Any, points: int, ctx: Context) -> Scored:
    return SCORERS[type(rule)](rule, points, ctx)


# -- panel items -----------------------------------------------------------------------------------


def panel_sizes(kinds: tuple[str, ...], ctx: Context) -> Array:
    """How many assessors scored a panel item, per unit (1 when every default stands in)."""
    counts = [ctx.facts.panel_counts(code) for code in kinds]
    largest = counts[0] if len(counts) == 1 else np.maximum.reduce(counts)
    return np.maximum(largest, 1)


def panel_slots(kinds: tuple[str, ...], ctx: Context) -> Array:
    """Who scored a panel item in each slot, per unit: an index into the assessors, -1 for none
    (the item's panel kinds that have values have the same assessors: checked first)."""
    whos = [ctx.facts.panel_who(code) for code in kinds]
    width = max(who.shape[1] for who in whos)
    slots = np.full((ctx.size, width), -1, dtype=np.int64)
    for who in whos:
        np.maximum(slots[:, : who.shape[1]], who, out=slots[:, : who.shape[1]])
    return slots


def _panel_item(rule: Any, points: int, kinds: tuple[str, ...], ctx: Context) -> Scored:
    """The rule scored once per assessor slot, then each unit's slots combined as the scheme says."""
    panel = ctx.scheme.panel
    assert panel is not None  # validated: a panel kind needs the scheme's panel
    sizes = panel_sizes(kinds, ctx)
    width = int(sizes.max()) if sizes.size else 1
    scored = [score_rule(rule, points, ctx.slot(j)) for j in range(width)]
    if width == 1:
        return scored[0]  # one score per unit: the mean of one is itself
    low, high = min(s.low for s in scored), max(s.high for s in scored)
    bound = (max(abs(low), abs(high)) + 1) * width  # a sum of slots, and the sentinel past the highest
    values = within(2 * bound + 2 * width, *(s.values for s in scored))
    # slot by slot, over contiguous arrays: each unit's sum of its assessors' scores
    total = values[0]
    for j in range(1, width):
        total = total + np.where(sizes > j, values[j], 0)
    trim = panel.trim
    if panel.method == "mean" or width < 2 * trim + 1:
        return Scored(round_div(total, sizes), low, high)
    kept = sizes >= 2 * trim + 1  # with fewer assessors, the plain mean
    if trim == 1:  # the lowest and the highest score, slot 0 being always present
        lowest, highest = values[0], values[0]
        for j in range(1, width):
            lowest = np.where(sizes > j, np.minimum(lowest, values[j]), lowest)
            highest = np.where(sizes > j, np.maximum(highest, values[j]), highest)
        dropped = lowest + highest
    else:  # each unit's scores sorted, absent slots last; the trim lowest and trim highest
        present = np.arange(width) < sizes[:, None]
        matrix = np.where(present, np.stack(values, axis=1), high + 1)
        matrix.sort(axis=1)
        running = np.zeros((ctx.size, width + 1), dtype=matrix.dtype)
        np.cumsum(np.where(present, matrix, 0), axis=1, out=running[:, 1:])
        ends = np.stack([sizes - trim, sizes], axis=1)
        above = np.take_along_axis(running, ends, axis=1)
        dropped = running[:, trim] + above[:, 1] - above[:, 0]
    total = np.where(kept, total - dropped, total)
    return Scored(round_div(total, np.where(kept, sizes - 2 * trim, sizes)), low, high)


# -- the tree --------------------------------------------------------------------------------------


def _compose(node: Node, children: list[tuple[Node, Scored]], ctx: Context) -> Scored:
    if node.compose == "sum":
        low = sum(s.low for _, s in children)
        high = sum(s.high for _, s in children)
        arrays = within(max(abs(low), abs(high)), *(s.values for _, s in children))
        subtotal = arrays[0] + arrays[1] if len(arrays) > 1 else arrays[0].copy()
        for array in arrays[2:]:
            np.add(subtotal, array, out=subtotal)
        if high > node.points:
            np.minimum(subtotal, node.points, out=subtotal)
            high, low = node.points, min(low, node.points)
        if node.floor and low < 0:
            np.maximum(subtotal, 0, out=subtotal)
            low = 0
        return Scored(subtotal, low, high)
    if node.compose == "weighted":
        # Σ points·weight/RATE_SCALE · score/child points, over one common denominator.
        shares = [Fraction(node.points * (c.weight or 0), RATE_SCALE * c.points) for c, _ in children]
        denominator = lcm(*(share.denominator for share in shares))
        factors = [share.numerator * (denominator // share.denominator) for share in shares]
        low = sum(f * s.low for f, (_, s) in zip(factors, children, strict=True))
        high = sum(f * s.high for f, (_, s) in zip(factors, children, strict=True))
        largest = sum(f * max(s.bound, 1) for f, (_, s) in zip(factors, children, strict=True))
        arrays = within(2 * largest + denominator, *(s.values for _, s in children))
        numerator: Int = 0
        for factor, array in zip(factors, arrays, strict=True):
            if factor:
                numerator = numerator + array * factor
        if isinstance(numerator, int):
            numerator = ctx.full(numerator)
        result = round_div(numerator, denominator)
        low, high = low // denominator - 1, high // denominator + 1
        if node.floor and low < 0:
            result = np.maximum(result, 0)
            low = 0
        return Scored(result, low, high)
    # product: points × Π max(score, 0) / child points
    share = Fraction(node.points, prod(c.points for c, _ in children))
    high = share.numerator * prod(max(s.high, 1) for _, s in children)
    arrays = within(2 * high + share.denominator, *(np.maximum(s.values, 0) for _, s in children))
    product: Int = share.numerator
    for array in arrays:
        product = array * product
    if isinstance(product, int):
        product = ctx.full(product)
    return Scored(round_div_nonnegative(product, share.denominator), 0, high // share.denominator + 1)


def _score_tree(scheme: Scheme, ctx: Context) -> tuple[dict[str, Scored], list[tuple[Place, Array]]]:
    scores: dict[str, Scored] = {}
    vetoes: list[tuple[Place, Array]] = []

    def visit(place: Place) -> Scored:
        node = place.node
        if node.veto is not None:
            met = condition_holds(node.veto.when[0], ctx)
            for condition in node.veto.when[1:]:
                met = met | condition_holds(condition, ctx)
            vetoes.append((place, met))
        if node.children:
            children = [
                (
                    child,
                    visit(Place(child, (*place.path, child.title), child.category or place.category, place)),
                )
                for child in node.children
            ]
            scored = _compose(node, children, ctx)
        elif node.rule is not None:
            kinds = ctx.panel_reads.get(node.code)
            if kinds is None:
                scored = score_rule(node.rule, node.points, ctx)
            else:
                scored = _panel_item(node.rule, node.points, kinds, ctx)
        else:  # a veto item: no points
            scored = Scored(ctx.full(0), 0, 0)
        scores[node.code] = scored
        return scored

    for node in scheme.nodes:
        visit(Place(node, (node.title,), node.category or "basic", None))
    return {p.node.code: scores[p.node.code] for p in scheme.walk()}, vetoes  # parents first


# -- checks ----------------------------------------------------------------------------------------


def _rule_problems(rule: Any, ctx: Context) -> list[tuple[Array, Callable[[int], str]]]:
    """Facts a rule cannot use, as (units, message for a unit row) - the reference's problems."""
    found: list[tuple[Array, Callable[[int], str]]] = []
    if isinstance(rule, r.Zeroing) and rule.otherwise is not None:
        found += _rule_problems(rule.otherwise, ctx)
    if isinstance(rule, r.RangedDeduction):
        ragged = ctx.facts.ragged(rule.fact)
        outside = (ragged.values < rule.min_per_case) | (ragged.values > rule.max_per_case)
        if outside.any():
            span = f"{fp(rule.min_per_case)}-{fp(rule.max_per_case)}"
            units = np.zeros(ctx.size, dtype=bool)
            units[ctx.facts.entry_units(rule.fact)[outside]] = True

            def findings(row: int, ragged: Any = ragged, span: str = span, rule: Any = rule) -> str:
                start, end = int(ragged.offsets[row]), int(ragged.offsets[row + 1])
                return "; ".join(
                    f"finding {j + 1}: {fp(int(v))} is outside the range {span}"
                    for j, v in enumerate(ragged.values[start:end])
                    if not rule.min_per_case <= v <= rule.max_per_case
                )

            found.append((units, findings))
    if isinstance(rule, r.CompletionRatio) and rule.target_fact is not None:
        target = ctx.facts.dense(rule.target_fact)
        name = rule.target_fact

        def not_positive(row: int, target: Array = target, name: str = name) -> str:
            return f"the target {name} is {fp(int(target[row]))}; a target must be above zero"

        found.append((target <= 0, not_positive))
    if isinstance(rule, r.Imported) and rule.mode == "deduct":
        value = ctx.facts.dense(rule.fact)

        def negative(row: int, value: Array = value) -> str:
            return f"an imported deduction cannot be negative, got {fp(int(value[row]))}"

        found.append((value < 0, negative))
    return found


def check_facts(scheme: Scheme, facts: FactColumns) -> None:
    """What reference.check_cycle checks: a valid scheme, a column of the scheme's kind for every
    fact it reads, and no fact a rule cannot use; otherwise a FactError naming unit and item."""
    check(scheme)
    kinds = scheme.fact_kinds()
    problems = [
        f"kind {code}: no column (were the facts built for another scheme?)"
        for code in scheme.reads()
        if code not in facts.columns
    ]
    problems += [
        f"kind {code}: the columns hold another kind than the scheme declares"
        for code in scheme.reads()
        if code in facts.columns and facts.kinds[code] != kinds[code]
    ]
    if problems:
        raise FactError(problems)
    ctx = Context(scheme, facts.block(0, facts.size))
    mismatches = _panel_mismatches(scheme, facts, ctx)
    _raise_found(facts, mismatches, len(mismatches))
    found: list[tuple[int, int, int, str]] = []  # (unit row, place, slot, message): reference order
    count = 0
    for number, place in enumerate(scheme.walk()):
        if place.node.rule is None:
            continue
        where = f"item {place.path_text}: "
        panel_kinds = ctx.panel_reads.get(place.node.code)
        if panel_kinds is None:
            for units, message in _rule_problems(place.node.rule, ctx):
                rows = np.flatnonzero(units)
                count += len(rows)
                found += [(int(row), number, 0, where + message(int(row))) for row in rows[:MAX_PROBLEMS]]
            continue
        sizes, slots = panel_sizes(panel_kinds, ctx), panel_slots(panel_kinds, ctx)
        for j in range(int(sizes.max()) if sizes.size else 0):  # each assessor's values
            for units, message in _rule_problems(place.node.rule, ctx.slot(j)):
                rows = np.flatnonzero(units & (sizes > j))
                count += len(rows)
                for row in rows[:MAX_PROBLEMS]:
                    who = int(slots[row, j])
                    assessor = f"assessor {facts.assessors[who]}: " if who >= 0 else ""
                    found.append((int(row), number, j, where + assessor + message(int(row))))
    _raise_found(facts, found, count)


def _raise_found(facts: FactColumns, found: list[tuple[int, int, int, str]], count: int) -> None:
    """The problems found (of `count` in all), in the reference's order (unit, item, assessor)."""
    if found:
        found.sort(key=lambda f: f[:3])
        tail = [f"... and {count - MAX_PROBLEMS} more problems"] if count > MAX_PROBLEMS else []
        raise FactError([f"unit {facts.units[f[0]]}, {f[3]}" for f in found[:MAX_PROBLEMS]] + tail)


def _panel_mismatches(scheme: Scheme, facts: FactColumns, ctx: Context) -> list[tuple[int, int, int, str]]:
    """Assessors who gave a value of one of an item's panel kinds but not of another, as the
    reference names them."""
    found: list[tuple[int, int, int, str]] = []
    for number, place in enumerate(scheme.walk()):
        kinds = ctx.panel_reads.get(place.node.code, ())
        if len(kinds) < 2:
            continue
        whos = [ctx.facts.panel_who(code) for code in kinds]
        width = max(who.shape[1] for who in whos)
        padded = [np.pad(who, ((0, 0), (0, width - who.shape[1])), constant_values=-1) for who in whos]
        first = np.full((ctx.size, width), -1, dtype=np.int64)  # the first kind with values, per unit
        bad = np.zeros(ctx.size, dtype=bool)
        for who in padded:
            given = who[:, 0] >= 0
            unset = first[:, 0] < 0
            bad |= given & ~unset & (who != first).any(axis=1)
            first[given & unset] = who[given & unset]
        for row in np.flatnonzero(bad):
            given_kinds = [
                (code, [facts.assessors[a] for a in who[row] if a >= 0])
                for code, who in zip(kinds, padded, strict=True)
                if who[row, 0] >= 0
            ]
            found += [
                (int(row), number, 0, f"item {place.path_text}: {message}")
                for message in assessor_mismatches(given_kinds)
            ]
    return found


# -- the cycle -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitOutcome:
    """One unit's decisions, without the explanation texts of the items: both evaluators' results
    come to this form (FastResult.outcome, outcome_of), so that they compare exactly."""

    unit: str
    group: str
    scores: dict[str, int]  # every node, parents before children
    total: int
    basic: int
    bonus: int
    totals: dict[str, int]
    band_grade: str
    grade: str
    steps: tuple[GradeStep, ...]  # as the reference's, without the facts each step relied on
    awards_eligible: bool
    rank: int
    rank_from_bottom: int
    group_size: int
    outcomes: tuple[str, ...]
    pay: int | None
    actions: tuple[str, ...]
    withheld: tuple[str, ...]


def outcome_of(result: UnitResult) -> UnitOutcome:
    """A reference UnitResult in the comparable form."""
    return UnitOutcome(
        unit=result.unit.code,
        group=result.unit.group,
        scores={code: node.score for code, node in result.nodes.items()},
        total=result.total,
        basic=result.basic,
        bonus=result.bonus,
        totals=dict(result.totals),
        band_grade=result.band_grade,
        grade=result.grade,
        steps=tuple(GradeStep(s.kind, s.grade, s.text, s.node) for s in result.steps),
        awards_eligible=result.awards_eligible,
        rank=result.rank,
        rank_from_bottom=result.rank_from_bottom,
        group_size=result.group_size,
        outcomes=tuple(result.outcomes),
        pay=result.pay,
        actions=tuple(result.actions),
        withheld=tuple(result.withheld),
    )


@dataclass(eq=False)
class FastResult:
    """Every unit's results as arrays, one entry per unit in the order of the facts."""

    scheme: Scheme
    facts: FactColumns
    scores: dict[str, Array]  # every node's scores, parents before children
    basic: Array
    bonus: Array
    total: Array
    totals: dict[str, Array]  # the scheme's named totals
    grades: Grades  # band and final grade (indices into the bands), why, ranks, uses

    @property
    def grade_names(self) -> list[str]:
        return self.scheme.grading.grades()

    def decided(self, row: int) -> tuple[str, str | None]:
        """What decided a unit's grade: band, cap, force (and the veto node) or quota."""
        node = int(self.grades.decided_node[row])
        place = self.grades.vetoes[node][0] if node >= 0 else None
        return DECIDED[int(self.grades.decided_by[row])], place.node.code if place else None

    def uses(self, row: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """A unit's actions and the award actions withheld from it."""
        return uses_of_key(self.scheme, int(self.grades.uses[row]))

    def steps(self, row: int) -> tuple[GradeStep, ...]:
        """The steps that decided a unit's grade, with the texts grading.py gives them."""
        grades = self.grade_names
        order_of = {grade: number for number, grade in enumerate(grades)}
        grade, band_step = band_grade(self.scheme, int(self.total[row]))
        steps = [GradeStep(band_step.kind, band_step.grade, band_step.text)]
        forced: tuple[str, Place] | None = None
        for place, met in self.grades.vetoes:
            if not met[row]:
                continue
            veto = place.node.veto
            assert veto is not None
            code = place.node.code
            if veto.cap is not None and order_of[veto.cap] > order_of[grade]:
                grade = veto.cap
                steps.append(GradeStep("cap", grade, f"{veto.reason}：最高评为“{grade}”", code))
            elif veto.cap is not None:
                text = f"{veto.reason}：最高评为“{veto.cap}”（已不高于此等次）"
                steps.append(GradeStep("cap", grade, text, code))
            if veto.force is not None and (forced is None or order_of[veto.force] > order_of[forced[0]]):
                forced = (veto.force, place)
            if veto.no_awards:
                steps.append(GradeStep("no_awards", None, f"{veto.reason}：取消评先评优资格", code))
        if forced is not None:
            force, place = forced
            assert place.node.veto is not None
            if order_of[force] >= order_of[grade]:
                grade = force
            steps.append(
                GradeStep("force", grade, force_text(place.node.veto.reason, force, grade), place.node.code)
            )
        segment = int(self.grades.segment[row])
        size = int(self.grades.segment_size[segment])
        for round_ in self.grades.quotas:
            if not round_.demoted[row]:
                continue
            quota, lower = round_.quota, grades[round_.lower]
            text = (
                f"“{quota.grade}”等次不超过本组的{format_rate(quota.at_most)}"
                f"（{size}个单位中至多{int(round_.allowed[segment])}个），"
                f"本单位按总分及并列规则排在限额之外，调为“{lower}”"
            )
            if round_.tied[row]:
                text += "；与限额内单位并列，按规定一并调整"
            steps.append(GradeStep("quota", lower, text))
        return tuple(steps)

    def outcome(self, row: int) -> UnitOutcome:
        grades = self.grade_names
        g = self.grades
        actions, withheld = self.uses(row)
        unit = self.facts.unit(row)
        return UnitOutcome(
            unit=unit.code,
            group=unit.group,
            scores={code: int(values[row]) for code, values in self.scores.items()},
            total=int(self.total[row]),
            basic=int(self.basic[row]),
            bonus=int(self.bonus[row]),
            totals={code: int(values[row]) for code, values in self.totals.items()},
            band_grade=grades[int(g.band[row])],
            grade=grades[int(g.grade[row])],
            steps=self.steps(row),
            awards_eligible=bool(g.awards_eligible[row]),
            rank=int(g.rank[row]),
            rank_from_bottom=int(g.rank_from_bottom[row]),
            group_size=int(g.group_size[row]),
            outcomes=tuple(
                o.action
                for o, gets in zip(self.scheme.grading.rank_outcomes, g.outcomes, strict=True)
                if gets[row]
            ),
            pay=int(g.pay[row]) if g.has_pay[row] else None,
            actions=actions,
            withheld=withheld,
        )

    def outcomes(self, rows: Sequence[int] | None = None) -> list[UnitOutcome]:
        return [self.outcome(row) for row in (range(self.facts.size) if rows is None else rows)]


def _put(outputs: dict[str, Array], key: str, values: Array, start: int, size: int) -> None:
    """Writes a block's values into the array over all units (Python ints if any block needs them)."""
    out = outputs.get(key)
    if out is None or (values.dtype == object and out.dtype != object):
        fresh = np.empty(size, dtype=values.dtype)
        if out is not None:
            fresh[:start] = out[:start]
        outputs[key] = out = fresh
    out[start : start + len(values)] = values


BLOCK = 1 << 15  # units scored together: their intermediate arrays stay in the processor's cache


def score_facts(
    scheme: Scheme, facts: FactColumns, *, checked: bool = False, block: int = BLOCK
) -> FastResult:
    """Every unit: node scores, totals, grades with what decided them, ranks and result uses.

    `checked` skips check_facts for facts already checked against this scheme. The tree is scored
    `block` units at a time into arrays over all units; grading then works on the whole cycle.
    """
    if not checked:
        check_facts(scheme, facts)
    n = facts.size
    tops = [(node.code, node.category or "basic") for node in scheme.nodes]
    scores: dict[str, Array] = {}  # every node's scores over all units, filled block by block
    met: dict[str, Array] = {}  # whether each veto holds
    sums: dict[str, Array] = {}
    places: list[Place] = []
    for start in range(0, max(n, 1), block):
        stop = min(n, start + block)
        ctx = Context(scheme, facts.block(start, stop))
        scored, vetoes = _score_tree(scheme, ctx)
        parts = [[scored[code] for code, c in tops if c == category] for category in ("basic", "bonus")]
        bound = sum(s.bound for s in parts[0] + parts[1])
        block_sums: list[Int] = []
        for members in parts:
            arrays = within(bound, *(s.values for s in members))
            part: Int = arrays[0] if arrays else ctx.full(0)
            for array in arrays[1:]:
                part = part + array
            block_sums.append(part)
        block_sums.append(block_sums[0] + block_sums[1])
        for code, s in scored.items():
            _put(scores, code, s.values, start, n)
        for place, holds in vetoes:
            _put(met, place.node.code, holds, start, n)
        for name, values in zip(("basic", "bonus", "total"), block_sums, strict=True):
            _put(sums, name, values, start, n)
        places = [place for place, _ in vetoes]
    basic, bonus, total = sums["basic"], sums["bonus"], sums["total"]
    totals = {t.code: total if t.include_bonus else basic for t in scheme.uses.totals}
    tie_break = [scores[code] for code in scheme.grading.tie_break]
    vetoes_met = [(place, met[place.node.code]) for place in places]
    grades = grade_arrays(scheme, total, tie_break, facts.group, vetoes_met)
    return FastResult(scheme, facts, scores, basic, bonus, total, totals, grades)


def score_cycle_fast(scheme: Scheme, cycle: Cycle) -> FastResult:
    """A cycle as the reference evaluator takes it, scored by the fast evaluator."""
    return score_facts(scheme, columns_from_cycle(scheme, cycle))


__all__ = [
    "CAP",
    "FORCE",
    "QUOTA",
    "FastResult",
    "UnitOutcome",
    "check_facts",
    "outcome_of",
    "score_cycle_fast",
    "score_facts",
]
