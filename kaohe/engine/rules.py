"""The rule kinds a scoring item can carry: one small pydantic model per kind of DOMAIN.md §4.

A rule is data. It names the fact kinds it reads (`reads`) and knows the static problems of its
own settings (`problems`); how it scores lives in reference.py, one scorer per kind.
"""

from abc import abstractmethod
from collections.abc import Mapping
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field

from kaohe.engine.fact_kinds import FactKind
from kaohe.engine.fields import Code, Factor, Figure, Points, PositiveCount, Rate
from kaohe.engine.points import format_points

COUNTABLE = frozenset({"count", "awards", "cases", "findings"})  # a list counts its entries


class FactRead(NamedTuple):
    code: str
    types: frozenset[str]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _options_problems(
    what: str, given: list[str], kinds: Mapping[str, FactKind], fact: str, *, complete: bool
) -> list[str]:
    """Options a rule names must be the fact kind's; `complete` asks for every option."""
    kind = kinds.get(fact)
    if kind is None:
        return []
    problems = [f"{what} '{name}' is not an option of fact kind '{fact}'" for name in given]
    problems = [p for p, name in zip(problems, given, strict=True) if name not in kind.options]
    seen: set[str] = set()
    for name in given:
        if name in seen:
            problems.append(f"{what} '{name}' is given twice")
        seen.add(name)
    if complete:
        problems += [
            f"option '{option}' of fact kind '{fact}' has no {what} in the rule"
            for option in kind.options
            if option not in seen
        ]
    return problems


class Condition(_Model):
    """A condition on one fact: a flag is set, a count reaches `at_least`, a rate is `below`, a
    judgment is one of `grades`. Used by zeroing rules and by vetoes."""

    fact: Code
    at_least: PositiveCount | None = None
    below: Rate | None = None
    grades: tuple[str, ...] = ()

    def read(self) -> FactRead:
        return FactRead(self.fact, frozenset({"flag", "rate", "judgment"} | COUNTABLE))

    def problems(self, kinds: Mapping[str, FactKind]) -> list[str]:
        kind = kinds.get(self.fact)
        if kind is None:
            return []
        wanted = {"rate": "below", "judgment": "grades"}.get(
            kind.type, "at_least" if kind.type in COUNTABLE else ""
        )
        given = {
            name
            for name, value in (("at_least", self.at_least), ("below", self.below), ("grades", self.grades))
            if value not in (None, ())
        }
        problems = [
            f"condition on {kind.type} fact '{self.fact}' cannot use '{name}'"
            for name in sorted(given - {wanted})
        ]
        if wanted in ("below", "grades") and wanted not in given:
            problems.append(f"condition on {kind.type} fact '{self.fact}' needs '{wanted}'")
        if self.grades:
            problems += _options_problems("grade", list(self.grades), kinds, self.fact, complete=False)
        return problems


class _Rule(_Model):
    kind: str  # each kind narrows this to its own literal, the union's discriminator

    @abstractmethod
    def reads(self) -> list[FactRead]:
        """The facts this rule reads: every rule kind declares its own."""

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        return []

    def may_go_negative(self) -> bool:
        return False


class _Deduction(_Rule):
    """Rules that start from the item's points and take some away."""

    cap: Points | None = None  # 最多扣 X 分: the most this rule may take in all
    floor: bool = True  # 扣完为止: the item never goes below 0

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        if self.cap is not None and self.cap < 0:
            return [f"cap {format_points(self.cap)} is below zero"]
        return []

    def may_go_negative(self) -> bool:
        return not self.floor


def _positive(name: str, value: int) -> list[str]:
    return [] if value > 0 else [f"{name} must be above zero, got {format_points(value)}"]


class Charge(_Model):
    fact: Code
    amount: Points
    label: str = ""


class PerOccurrence(_Deduction):
    """每少1次扣0.2分; 每例扣3分: each charge takes count × amount."""

    kind: Literal["per_occurrence"]
    charges: tuple[Charge, ...] = Field(min_length=1)

    def reads(self) -> list[FactRead]:
        return [FactRead(c.fact, COUNTABLE) for c in self.charges]

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        problems = super().problems(points, kinds)
        for charge in self.charges:
            problems += _positive(f"amount for '{charge.fact}'", charge.amount)
        return problems


class RangedDeduction(_Deduction):
    """每例扣1-2分; 视情节扣4-8分; 酌情扣分: the assessor picks an amount within the range per case;
    a picked amount outside the range is an error in the facts, never clamped."""

    kind: Literal["ranged_deduction"]
    fact: Code
    min_per_case: Points = 0
    max_per_case: Points

    def reads(self) -> list[FactRead]:
        return [FactRead(self.fact, frozenset({"findings"}))]

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        problems = super().problems(points, kinds)
        if self.min_per_case < 0:
            problems.append(f"min_per_case {format_points(self.min_per_case)} is below zero")
        if self.max_per_case < self.min_per_case:
            problems.append(
                f"max_per_case {format_points(self.max_per_case)} is below "
                f"min_per_case {format_points(self.min_per_case)}"
            )
        if self.max_per_case == 0:
            problems.append("max_per_case must be above zero")
        return problems


class Zeroing(_Rule):
    """未建立…不得分; 凡出现一例，本项不得分: any condition met sets the item to 0; otherwise the
    item scores by the `otherwise` rule, or gets its full points."""

    kind: Literal["zeroing"]
    when: tuple[Condition, ...] = Field(min_length=1)
    otherwise: "Rule | None" = None

    def reads(self) -> list[FactRead]:
        return [c.read() for c in self.when] + (self.otherwise.reads() if self.otherwise else [])

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        problems = [p for c in self.when for p in c.problems(kinds)]
        if self.otherwise is not None:
            problems += [f"otherwise: {p}" for p in self.otherwise.problems(points, kinds)]
        return problems

    def may_go_negative(self) -> bool:
        return self.otherwise is not None and self.otherwise.may_go_negative()


class Tier(_Model):
    at_least: PositiveCount
    deduct: Points | None = None
    zero: bool = False  # 不得分


class CountTiers(_Deduction):
    """无故缺席一次扣3分，两次扣5分，三次及以上不得分: the highest tier reached applies."""

    kind: Literal["count_tiers"]
    fact: Code
    tiers: tuple[Tier, ...] = Field(min_length=1)

    def reads(self) -> list[FactRead]:
        return [FactRead(self.fact, COUNTABLE)]

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        problems = super().problems(points, kinds)
        previous_count, previous_deduct = 0, 0
        for tier in self.tiers:
            if (tier.deduct is None) == (not tier.zero):
                problems.append(f"tier at {tier.at_least}: give either 'deduct' or 'zero: true'")
            if tier.at_least <= previous_count:
                problems.append(f"tier at {tier.at_least} must come after a tier at {previous_count}")
            deduct = points if tier.zero else (tier.deduct or 0)
            if tier.deduct is not None:
                problems += _positive(f"tier at {tier.at_least} deduct", tier.deduct)
            if deduct < previous_deduct:
                problems.append(f"tier at {tier.at_least} takes less than the tier before it")
            previous_count, previous_deduct = tier.at_least, deduct
        return problems


class RateSteps(_Deduction):
    """出勤率90%以下，每低10%扣1分: `amount` per `step` below `threshold`. A part step counts as a
    whole one ("count"), is dropped ("ignore") or is taken in proportion ("prorate")."""

    kind: Literal["rate_steps"]
    fact: Code
    threshold: Rate
    step: Rate
    amount: Points
    partial: Literal["count", "ignore", "prorate"] = "count"

    def reads(self) -> list[FactRead]:
        return [FactRead(self.fact, frozenset({"rate"}))]

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        problems = super().problems(points, kinds) + _positive("amount", self.amount)
        if self.step == 0:
            problems.append("step must be above zero")
        if self.threshold == 0:
            problems.append("threshold must be above zero")
        return problems


class CompletionRatio(_Rule):
    """按完成值占目标值比重计分: points × completion / target, at most the item's points. A rate
    fact is its own ratio; a figure is divided by `target` or by the `target_fact` figure."""

    kind: Literal["completion_ratio"]
    fact: Code
    target: Figure | None = None
    target_fact: Code | None = None

    def reads(self) -> list[FactRead]:
        reads = [FactRead(self.fact, frozenset({"figure", "rate"}))]
        if self.target_fact:
            reads.append(FactRead(self.target_fact, frozenset({"figure"})))
        return reads

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        kind = kinds.get(self.fact)
        has_target = (self.target is not None) + (self.target_fact is not None)
        if kind is not None and kind.type == "rate" and has_target:
            return ["a rate is its own ratio: give no target"]
        if kind is not None and kind.type == "figure" and has_target != 1:
            return ["a figure needs exactly one of 'target' and 'target_fact'"]
        if self.target is not None and self.target <= 0:
            return [f"target must be above zero, got {format_points(self.target)}"]
        return []


class Quota(_Deduction):
    """党课一年4次，少一次扣0.5分: (required − held) × amount when fewer were held."""

    kind: Literal["quota"]
    fact: Code
    required: PositiveCount
    amount: Points

    def reads(self) -> list[FactRead]:
        return [FactRead(self.fact, COUNTABLE)]

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        return super().problems(points, kinds) + _positive("amount", self.amount)


class ChecklistItem(_Model):
    option: str
    points: Points


class Checklist(_Rule):
    """议程0.5 + 决议1 + 记录0.5: points for each item present, at most the item's points."""

    kind: Literal["checklist"]
    fact: Code
    items: tuple[ChecklistItem, ...] = Field(min_length=1)

    def reads(self) -> list[FactRead]:
        return [FactRead(self.fact, frozenset({"checklist"}))]

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        problems = _options_problems("item", [i.option for i in self.items], kinds, self.fact, complete=False)
        for item in self.items:
            problems += _positive(f"points of '{item.option}'", item.points)
        reachable = sum(i.points for i in self.items)
        if reachable < points:
            given, own = format_points(reachable), format_points(points)
            problems.append(f"the items give at most {given}, less than the item's {own}")
        return problems


class GradePoints(_Model):
    grade: str
    points: Points


class TieredJudgment(_Rule):
    """好X分、较好Y分、一般Z分、较差不得分: the assessor's judgment picks the points."""

    kind: Literal["tiered_judgment"]
    fact: Code
    tiers: tuple[GradePoints, ...] = Field(min_length=1)

    def reads(self) -> list[FactRead]:
        return [FactRead(self.fact, frozenset({"judgment"}))]

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        problems = _options_problems("grade", [t.grade for t in self.tiers], kinds, self.fact, complete=True)
        for tier in self.tiers:
            if not 0 <= tier.points <= points:
                given, own = format_points(tier.points), format_points(points)
                problems.append(f"grade '{tier.grade}' gives {given}, outside 0..{own}")
        return problems


class LevelPoints(_Model):
    level: str
    points: Points


class Bonus(_Rule):
    """受表彰加1-3分，取最高级别不累计: points per award level; only the highest award counts when
    `highest_only`; the item's points cap it and the bonus section's points cap all bonuses."""

    kind: Literal["bonus"]
    fact: Code
    levels: tuple[LevelPoints, ...] = Field(min_length=1)
    highest_only: bool = True

    def reads(self) -> list[FactRead]:
        return [FactRead(self.fact, frozenset({"awards"}))]

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        problems = _options_problems(
            "level", [lv.level for lv in self.levels], kinds, self.fact, complete=True
        )
        for level in self.levels:
            if not 0 <= level.points <= points:
                problems.append(
                    f"level '{level.level}' gives {format_points(level.points)}, "
                    f"outside 0..{format_points(points)}"
                )
        return problems


class OutcomeDeduction(_Model):
    outcome: str
    deduct: Points


class Discipline(_Deduction):
    """诫勉 −1; 警告 −3; ...; 同一案件同一部门不累计: per case by its outcome; with `dedup` the
    same case handled by the same department counts once, at its heaviest outcome."""

    kind: Literal["discipline"]
    fact: Code
    schedule: tuple[OutcomeDeduction, ...] = Field(min_length=1)
    dedup: bool = True

    def reads(self) -> list[FactRead]:
        return [FactRead(self.fact, frozenset({"cases"}))]

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        problems = super().problems(points, kinds)
        problems += _options_problems(
            "deduction", [o.outcome for o in self.schedule], kinds, self.fact, complete=True
        )
        problems += [
            f"deduction for '{o.outcome}' is below zero: {format_points(o.deduct)}"
            for o in self.schedule
            if o.deduct < 0
        ]
        return problems


class Imported(_Deduction):
    """平台扣分按10倍扣分 (mode deduct); 经营绩效得分 (mode score): an external figure × factor."""

    kind: Literal["imported"]
    fact: Code
    factor: Factor = 1000
    mode: Literal["deduct", "score"]

    def reads(self) -> list[FactRead]:
        return [FactRead(self.fact, frozenset({"figure"}))]

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        problems = super().problems(points, kinds) + _positive("factor", self.factor)
        if self.mode == "score" and ({"cap", "floor"} & self.model_fields_set):
            problems.append("cap and floor apply to mode deduct only")
        return problems

    def may_go_negative(self) -> bool:
        return self.mode == "deduct" and not self.floor


class RankPoints(_Rule):
    """第1名得6分，其余按与第1名的比例得分: the best value in the peer group gets the item's
    points, others points × value / best; a value ≤ 0 gets 0."""

    kind: Literal["rank_points"]
    fact: Code

    def reads(self) -> list[FactRead]:
        return [FactRead(self.fact, frozenset({"figure"}))]


class Ballot(_Rule):
    """民主测评 好100、较好80、一般60、差40: the mean of the votes' values, scaled from `full`
    to the item's points."""

    kind: Literal["ballot"]
    fact: Code
    values: dict[str, Points]
    full: Points = 100_000

    def reads(self) -> list[FactRead]:
        return [FactRead(self.fact, frozenset({"ballot"}))]

    def problems(self, points: int, kinds: Mapping[str, FactKind]) -> list[str]:
        problems = _options_problems("value", list(self.values), kinds, self.fact, complete=True)
        problems += _positive("full", self.full)
        problems += [
            f"value of '{option}' {format_points(value)} is outside 0..{format_points(self.full)}"
            for option, value in self.values.items()
            if not 0 <= value <= self.full
        ]
        return problems


Rule = Annotated[
    PerOccurrence
    | RangedDeduction
    | Zeroing
    | CountTiers
    | RateSteps
    | CompletionRatio
    | Quota
    | Checklist
    | TieredJudgment
    | Bonus
    | Discipline
    | Imported
    | RankPoints
    | Ballot,
    Field(discriminator="kind"),
]

RULE_KINDS: tuple[str, ...] = (
    "per_occurrence",
    "ranged_deduction",
    "zeroing",
    "count_tiers",
    "rate_steps",
    "completion_ratio",
    "quota",
    "checklist",
    "tiered_judgment",
    "bonus",
    "discipline",
    "imported",
    "rank_points",
    "ballot",
)

Zeroing.model_rebuild()
