"""What scoring produces: scores per node with the lines that explain them, grades with the steps
that decided them, ranks and result uses. Both evaluators produce these; explain.py renders them.
"""

from dataclasses import dataclass, field

from kaohe.engine.facts import Unit


@dataclass(frozen=True)
class FactUse:
    """A fact a line relied on: its kind, the value as shown, and the records it came from."""

    kind: str
    title: str
    value: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Line:
    """One gain (amount > 0) or loss (amount < 0) in thousandths, with its rule and facts."""

    amount: int
    text: str
    rule: str  # the rule kind, or the composition (sum, weighted, product) of an inner node
    facts: tuple[FactUse, ...] = ()


@dataclass(frozen=True)
class NodeScore:
    """score == base + sum(line amounts) + sum(children's scores) when compose is "sum", exactly.

    A weighted or product node folds its parts in: its base is its full points, and its lines
    give each part's weighted contribution (or factor) against full marks, so its children's scores
    (on their own scales) are not added. `counted_children` says which case holds.
    """

    code: str
    title: str
    path: tuple[str, ...]
    category: str
    points: int
    score: int
    base: int  # a deduction rule starts from the item's points; gains start from 0
    lines: tuple[Line, ...]
    children: tuple[str, ...]
    compose: str = "sum"  # sum, weighted or product (an item is "sum")

    @property
    def counted_children(self) -> bool:
        """Whether the children's scores add to this node's (a sum node), or are folded in."""
        return self.compose == "sum"


@dataclass(frozen=True)
class GradeStep:
    kind: str  # band, cap, force, no_awards, quota
    grade: str | None  # the grade after this step (None for no_awards)
    text: str
    node: str | None = None  # the veto node, when a veto decided it
    facts: tuple[FactUse, ...] = ()


@dataclass
class UnitResult:
    unit: Unit
    nodes: dict[str, NodeScore]  # every node by code, parents before children
    total: int
    basic: int
    bonus: int
    totals: dict[str, int]  # the scheme's named totals (e.g. without bonus)
    band_grade: str
    grade: str
    steps: list[GradeStep]
    awards_eligible: bool = True
    rank: int = 0  # within the peer group, 1 = best; tied units share a rank
    rank_from_bottom: int = 0
    group_size: int = 0
    outcomes: list[str] = field(default_factory=list)  # from rank outcomes: 通报表扬, 约谈
    pay: int | None = None  # the pay coefficient in thousandths
    actions: list[str] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # award actions a veto took away


@dataclass
class CycleResult:
    scheme_code: str
    scheme_version: int  # a result is pinned to the scheme version that produced it
    units: list[UnitResult]

    def unit(self, code: str) -> UnitResult:
        for result in self.units:
            if result.unit.code == code:
                return result
        raise KeyError(code)
