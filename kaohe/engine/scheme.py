"""A scoring scheme: a tree of indicators with rules, the grading, and the uses of the results.

The scheme is data (pydantic, frozen). Its canonical text form is YAML (text_form.py); its checks
beyond field types are in validation.py.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kaohe.engine.fact_kinds import FactKind
from kaohe.engine.fields import Code, Factor, Points, PositiveCount, Rate
from kaohe.engine.rules import Condition, FactRead, Rule

Category = Literal["basic", "bonus", "veto"]  # 基本考核项 / 加分项 / 否决项


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Veto(_Model):
    """一票否决; 不得评为"好"等次; 定为三类支部; 取消评先资格: when any condition holds, the grade is
    forced or capped, or the unit loses award eligibility - the score is left as it is."""

    when: tuple[Condition, ...] = Field(min_length=1)
    force: str | None = None  # the grade is set to this one; never raised to it (a veto only lowers)
    cap: str | None = None  # the grade is at best this one
    no_awards: bool = False  # 取消评先评优资格
    reason: str = Field(min_length=1)


class Node(_Model):
    code: Code
    title: str = Field(min_length=1)
    points: Points = 0  # 分值: the most the node can score
    category: Category | None = None  # inherited from the parent when not given; basic at the top
    requirement: str = ""  # 考核要求: what the unit must do
    # 评分细则: the scoring wording as published (每少1次扣0.2分); the rule is its exact form.
    scoring: str = ""
    evidence: str = ""  # 考核方式: 查阅资料 / 看记录 / 座谈走访
    # 佐证材料: what a unit uploads for this item (会议记录, 学习计划); an item with none needs no upload.
    materials: tuple[str, ...] = ()
    department: str = ""  # 考核部门
    clause: str = ""  # the article of the measures it comes from
    weight: Rate | None = None  # its share when the parent composes "weighted"
    compose: Literal["sum", "weighted", "product"] = "sum"
    floor: bool = True  # a sum never goes below 0 (a 直接扣分 section turns this off)
    rule: Rule | None = None
    veto: Veto | None = None
    children: tuple["Node", ...] = ()


class Band(_Model):
    """A grade's score range, bounds exactly as written: at_least 90 is ≥ 90, below 90 is < 90."""

    grade: str = Field(min_length=1)
    at_least: Points | None = None
    above: Points | None = None
    at_most: Points | None = None
    below: Points | None = None

    def lower(self) -> tuple[int, bool] | None:
        """(bound, inclusive) or None when unbounded below."""
        if self.at_least is not None:
            return (self.at_least, True)
        if self.above is not None:
            return (self.above, False)
        return None

    def upper(self) -> tuple[int, bool] | None:
        if self.at_most is not None:
            return (self.at_most, True)
        if self.below is not None:
            return (self.below, False)
        return None

    def contains(self, score: int) -> bool:
        lower, upper = self.lower(), self.upper()
        if lower is not None and (score < lower[0] or (score == lower[0] and not lower[1])):
            return False
        return not (upper is not None and (score > upper[0] or (score == upper[0] and not upper[1])))


class GradeQuota(_Model):
    """ "好" ≤ x% of the peer group. Units over the quota, lowest ranked first, go down one grade.
    Units still tied at the limit after the tie-break are all demoted or all kept, as declared."""

    grade: str
    at_most: Rate
    # Both must be declared: how a share of the group becomes a number of units, and what happens
    # to units still tied at the limit. The measures differ, so the engine assumes neither.
    rounding: Literal["down", "up", "nearest"]
    ties: Literal["demote", "keep"]


class RankOutcome(_Model):
    """前6名通报表扬; 后2名约谈: an action for the top or bottom N of each peer group."""

    top: PositiveCount | None = None
    bottom: PositiveCount | None = None
    action: str = Field(min_length=1)


class Grading(_Model):
    # Best grade first: the order says which grade is better, for caps and quotas.
    bands: tuple[Band, ...] = Field(min_length=1)
    quotas: tuple[GradeQuota, ...] = ()
    # Node codes whose scores break ties of the total, in order; units still tied share a rank.
    tie_break: tuple[Code, ...] = ()
    rank_outcomes: tuple[RankOutcome, ...] = ()

    def grades(self) -> list[str]:
        return [band.grade for band in self.bands]


class NamedTotal(_Model):
    """A total handed to another system: 计入经济责任制考核 不含附加分 (include_bonus: false)."""

    code: Code
    title: str = Field(min_length=1)
    include_bonus: bool = True


class Uses(_Model):
    pay: dict[str, Factor] = {}  # grade -> pay coefficient of the leadership (薪酬系数)
    actions: dict[str, tuple[str, ...]] = {}  # grade -> 通报表扬 / 约谈 / 整改 ...
    # Actions that are awards (通报表扬, 评先评优): a unit that lost award eligibility to a veto
    # does not receive them, whether they come from its grade or from its rank.
    award_actions: tuple[str, ...] = ()
    totals: tuple[NamedTotal, ...] = ()


class Panel(_Model):
    """考核组: each assessor of the panel scores the panel items on their own (a fact kind marked
    `panel` holds one value per assessor), and an item's score is the mean of their scores, or the
    mean without the `trim` highest and `trim` lowest when there are at least 2·trim + 1 of them
    (with fewer, the plain mean)."""

    method: Literal["mean", "trimmed_mean"]  # declared, never assumed: the measures differ
    trim: PositiveCount = 1  # for trimmed_mean: this many highest and this many lowest are dropped
    # An assessor gives a reason when a unit's self-score and the panel's item score differ by more
    # than this. The engine only carries it; the web app asks for the reason.
    reason_above: Points | None = None


class Scheme(_Model):
    code: Code
    title: str = Field(min_length=1)
    year: int = Field(ge=1949, le=2999)
    version: PositiveCount
    total_points: Points  # 百分制: the points of the basic items together
    panel: Panel | None = None  # how the assessors' own scores of a panel item become its score
    facts: tuple[FactKind, ...] = ()
    nodes: tuple[Node, ...] = Field(min_length=1)
    grading: Grading
    uses: Uses = Uses()

    def walk(self) -> Iterator["Place"]:
        """Every node, parents before children, with its path and effective category."""

        def visit(nodes: tuple[Node, ...], path: tuple[str, ...], parent: "Place | None") -> Iterator[Place]:
            for node in nodes:
                category = node.category or (parent.category if parent else "basic")
                place = Place(node, (*path, node.title), category, parent)
                yield place
                yield from visit(node.children, place.path, place)

        return visit(self.nodes, (), None)

    def fact_kinds(self) -> dict[str, FactKind]:
        return {kind.code: kind for kind in self.facts}

    def panel_reads(self) -> dict[str, tuple[str, ...]]:
        """The scoring items whose rule reads a panel fact kind: node code -> those kinds, in the
        order the rule reads them. Such an item is scored once per assessor."""
        panel = {kind.code for kind in self.facts if kind.panel}
        found: dict[str, tuple[str, ...]] = {}
        if not panel:
            return found
        for place in self.walk():
            rule = place.node.rule
            if rule is not None and not place.node.children:
                codes = tuple(dict.fromkeys(r.code for r in rule.reads() if r.code in panel))
                if codes:
                    found[place.node.code] = codes
        return found

    def reads(self) -> dict[str, FactRead]:
        """Every fact kind some rule or veto reads, by code."""
        reads: dict[str, FactRead] = {}
        for place in self.walk():
            if place.node.rule is not None:
                reads.update((r.code, r) for r in place.node.rule.reads())
            if place.node.veto is not None:
                reads.update((c.fact, c.read()) for c in place.node.veto.when)
        return reads


@dataclass(frozen=True)
class Place:
    node: Node
    path: tuple[str, ...]  # titles from the first level down: 组织建设 / 三会一课 / 党课
    category: Category
    parent: "Place | None"

    @property
    def path_text(self) -> str:
        return "/".join(self.path)
