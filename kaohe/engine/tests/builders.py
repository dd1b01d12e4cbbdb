"""Small schemes and cycles for tests, built from plain data as a YAML file would give it."""

from collections.abc import Mapping, Sequence
from typing import Any

from kaohe.engine.facts import Fact, Unit, build_cycle
from kaohe.engine.reference import score_cycle
from kaohe.engine.results import CycleResult, NodeScore
from kaohe.engine.scheme import Scheme
from kaohe.engine.validation import parse_scheme

PASS_FAIL = [{"grade": "合格", "at_least": 0}, {"grade": "不合格", "below": 0}]
FOUR_GRADES = [
    {"grade": "好", "at_least": 90},
    {"grade": "较好", "at_least": 80, "below": 90},
    {"grade": "一般", "at_least": 60, "below": 80},
    {"grade": "差", "below": 60},
]


def scheme_data(
    items: list[dict[str, Any]],
    facts: Sequence[Mapping[str, Any]],
    *,
    points: str = "10",
    extra_nodes: tuple[dict[str, Any], ...] = (),
    grading: dict[str, Any] | None = None,
    uses: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A scheme with one first-level area 组织建设 holding `items`, plus `extra_nodes` at the top."""
    data: dict[str, Any] = {
        "code": "test",
        "title": "测试方案",
        "year": 2026,
        "version": 1,
        "total_points": points,
        "facts": [dict(f) for f in facts],
        "nodes": [{"code": "area", "title": "组织建设", "points": points, "children": items}, *extra_nodes],
        "grading": grading or {"bands": PASS_FAIL},
    }
    if uses is not None:
        data["uses"] = uses
    return data


def item(
    rule: dict[str, Any], points: str = "10", code: str = "item", title: str = "三会一课"
) -> dict[str, Any]:
    return {"code": code, "title": title, "points": points, "rule": rule}


def one_item(rule: dict[str, Any], facts: Sequence[Mapping[str, Any]], points: str = "10") -> Scheme:
    return parse_scheme(scheme_data([item(rule, points)], facts, points=points))


def score(
    scheme: Scheme, values: Mapping[str, Mapping[str, object]], groups: Mapping[str, str] | None = None
) -> CycleResult:
    """Scores `values` (unit -> kind -> value as written) with `scheme`."""
    units = [Unit(code, group=(groups or {}).get(code, "")) for code in values]
    facts = [
        Fact(unit, kind, value, f"记录/{unit}/{kind}")
        for unit, row in values.items()
        for kind, value in row.items()
    ]
    return score_cycle(scheme, build_cycle(scheme, facts, units))


def score_item(
    rule: dict[str, Any], facts: Sequence[Mapping[str, Any]], values: Mapping[str, object], points: str = "10"
) -> NodeScore:
    """The item's score for one unit with `values` (kind -> value as written)."""
    return score(one_item(rule, facts, points), {"U1": values}).units[0].nodes["item"]
