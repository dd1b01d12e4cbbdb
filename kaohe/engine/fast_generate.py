"""Random facts straight into arrays, and a scheme of any number of scoring items: for benchmarks.

`random_columns` draws the same kinds of values as generate.py (around a quota's required count,
inside a ranged deduction's range, rare events rare) with NumPy, so a million units with their
awards and cases are made in seconds without a Python object per fact. `synthetic_scheme` builds a
valid scheme with `leaves` scoring items that cycles through every rule kind and every composition.
"""

from typing import Any

import numpy as np

from kaohe.engine import rules as r
from kaohe.engine.exact_arrays import Array, segment_sum
from kaohe.engine.fact_kinds import FactKind
from kaohe.engine.fast_facts import Column, FactColumns, NumberedCodes, PanelColumn, Ragged
from kaohe.engine.generate import GROUPS, rules_reading
from kaohe.engine.points import format_points
from kaohe.engine.scheme import Scheme
from kaohe.engine.validation import parse_scheme

# -- facts -----------------------------------------------------------------------------------------


def _choice(rng: np.random.Generator, values: list[int], weights: list[int], size: int) -> Array:
    p = np.array(weights, dtype=float)  # the shares of a random draw, never a score
    return np.array(values, dtype=np.int64)[rng.choice(len(values), size=size, p=p / p.sum())]


def _first(readers: list[object], kind: type) -> Any:
    return next((x for x in readers if isinstance(x, kind)), None)


def _counts(rng: np.random.Generator, readers: list[object], n: int) -> Array:
    quota = _first(readers, r.Quota)
    if quota is not None:
        short = _choice(rng, [0, 1, 2, 3, 5], [70, 16, 8, 4, 2], n)
        return np.maximum(quota.required - short, 0) + _choice(rng, [0, 1], [3, 1], n)
    if _first(readers, r.Condition) is not None and _first(readers, r.CountTiers) is None:
        return _choice(rng, [0, 1, 2], [92, 6, 2], n)
    return _choice(rng, [0, 1, 2, 3, 4, 6], [72, 14, 7, 4, 2, 1], n)


def _rates(rng: np.random.Generator, n: int) -> Array:
    edges = _choice(rng, [600_000, 800_000, 900_000, 1_000_000], [1, 1, 1, 1], n)
    high = rng.integers(900, 1001, n) * 1000
    low = rng.integers(550, 900, n) * 1000
    pick = rng.random(n)
    return np.where(pick < 0.1, edges, np.where(pick < 0.775, high, low)).astype(np.int64)


def _figures(rng: np.random.Generator, readers: list[object], n: int) -> Array:
    imported = _first(readers, r.Imported)
    ratio = _first(readers, r.CompletionRatio)
    if imported is not None and imported.mode == "deduct":
        return _choice(rng, [0, 100, 200, 500], [70, 15, 10, 5], n)
    if imported is not None:
        return rng.integers(700, 1001, n, dtype=np.int64) * 100
    if ratio is not None and ratio.target is not None:
        return ratio.target * rng.integers(60, 121, n, dtype=np.int64) // 100
    if _first(readers, r.RankPoints) is not None:
        return rng.integers(0, 5001, n, dtype=np.int64) * 100
    return rng.integers(10, 31, n, dtype=np.int64) * 1000


def _offsets(lengths: Array) -> Array:
    return np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)


def _column(rng: np.random.Generator, kind: FactKind, readers: list[object], n: int) -> Array | Ragged:
    k = len(kind.options)
    if kind.type == "count":
        return _counts(rng, readers, n)
    if kind.type == "rate":
        return _rates(rng, n)
    if kind.type == "flag":
        return rng.random(n) < 0.04
    if kind.type == "judgment":
        return _choice(rng, list(range(k)), ([40, 35, 20, 5] + [5] * k)[:k], n)
    if kind.type == "figure":
        return _figures(rng, readers, n)
    if kind.type == "checklist":
        return rng.random((n, k)) < 0.85
    if kind.type == "ballot":
        votes = rng.integers(20, 81, n)
        shares = np.concatenate(
            (rng.integers(10, 60, (n, k - 1)), rng.integers(0, 4, (n, 1))), axis=1
        ).astype(np.int64)
        if k == 1:
            shares[:, 0] = 1
        tally = votes[:, None] * shares // shares.sum(axis=1)[:, None]
        tally[:, 0] += votes - tally.sum(axis=1)
        return tally
    if kind.type == "awards":
        lengths = _choice(rng, [0, 1, 2], [70, 22, 8], n)
        return Ragged(_offsets(lengths), rng.integers(0, k, int(lengths.sum()), dtype=np.int64))
    if kind.type == "cases":
        cases = _choice(rng, [0, 1, 2], [75, 18, 7], n)
        again = rng.random(int(cases.sum())) < 0.3  # the same case handled again by the same department
        per_case = 1 + again.astype(np.int64)
        keys = np.repeat(np.arange(len(per_case), dtype=np.int64), per_case)
        lengths = segment_sum(per_case, _offsets(cases))  # entries per unit
        return Ragged(_offsets(lengths), rng.integers(0, k, len(keys), dtype=np.int64), keys)
    ranged = _first(readers, r.RangedDeduction)
    low, high = (ranged.min_per_case, ranged.max_per_case) if ranged is not None else (0, 1000)
    lengths = _choice(rng, [0, 1, 2, 3], [60, 25, 10, 5], n)
    steps = (high - low) // 500 + 1
    return Ragged(_offsets(lengths), low + 500 * rng.integers(0, steps, int(lengths.sum()), dtype=np.int64))


def random_columns(
    scheme: Scheme, units: int, *, seed: int = 0, groups: tuple[str, ...] = GROUPS
) -> FactColumns:
    """`units` units in random peer groups, with a value of every fact kind the scheme reads."""
    rng = np.random.default_rng(seed)
    readers = rules_reading(scheme)
    kinds = scheme.fact_kinds()
    panel = any(kinds[code].panel for code in scheme.reads())
    # 3 to 5 assessors per unit, the same for every panel kind of the unit
    sizes = rng.integers(3, PANEL_SLOTS + 1, units) if panel else np.zeros(units, dtype=np.int64)
    columns: dict[str, Column] = {}
    for code in scheme.reads():
        kind, reading = kinds[code], readers.get(code, [])
        if kind.panel:
            who = np.where(np.arange(PANEL_SLOTS) < sizes[:, None], np.arange(PANEL_SLOTS), -1)
            slots = tuple(_column(rng, kind, reading, units) for _ in range(PANEL_SLOTS))
            columns[code] = PanelColumn(who.astype(np.int64), slots)
        else:
            columns[code] = _column(rng, kind, reading, units)
    return FactColumns(
        [kinds[code] for code in columns],
        columns,
        units=NumberedCodes(units),
        group=rng.integers(0, max(len(groups), 1), units, dtype=np.int64),
        groups=groups or ("",),
        assessors=[f"考核员{n + 1}" for n in range(PANEL_SLOTS)] if panel else (),
    )


PANEL_SLOTS = 5


# -- a scheme of any size --------------------------------------------------------------------------

BASIC_KINDS = (
    "per_occurrence",
    "quota",
    "rate_steps",
    "count_tiers",
    "ranged_deduction",
    "zeroing",
    "completion_ratio",
    "tiered_judgment",
    "checklist",
    "discipline",
    "imported_deduct",
    "imported_score",
    "rank_points",
    "ballot",
)
FOUR = ["好", "较好", "一般", "差"]


class _Facts:
    def __init__(self, panel: bool = False) -> None:
        self.kinds: list[dict[str, Any]] = []
        self.panel = panel  # what the assessors judge (judgments, checklists, findings) is per assessor

    def new(self, type_: str, options: list[str] | None = None, default: Any = None) -> str:
        code = f"f{len(self.kinds) + 1:03d}"
        kind: dict[str, Any] = {"code": code, "title": f"事实{len(self.kinds) + 1}", "type": type_}
        if options:
            kind["options"] = options
        if default is not None:
            kind["default"] = default
        if self.panel and type_ in ("judgment", "checklist", "findings"):
            kind["panel"] = True
        self.kinds.append(kind)
        return code


def _rule(kind: str, p: int, facts: _Facts, number: int) -> dict[str, Any]:
    """A rule of `kind` for an item worth p thousandths (p ≥ 100)."""
    pts = format_points
    if kind == "per_occurrence":
        charges = [
            {"fact": facts.new("count"), "amount": pts(max(p // 4, 1)), "label": "缺席"},
            {"fact": facts.new("count"), "amount": pts(max(p // 10, 1)), "label": "迟到"},
        ]
        return {"kind": kind, "charges": charges}
    if kind == "quota":
        return {"kind": kind, "fact": facts.new("count"), "required": 4, "amount": pts(max(p // 4, 1))}
    if kind == "rate_steps":
        partial = ("count", "ignore", "prorate")[number % 3]
        return {
            "kind": kind,
            "fact": facts.new("rate"),
            "threshold": "90%",
            "step": "10%",
            "amount": pts(max(p // 3, 1)),
            "partial": partial,
        }
    if kind == "count_tiers":
        tiers = [
            {"at_least": 1, "deduct": pts(max(p // 3, 1))},
            {"at_least": 2, "deduct": pts(max(2 * p // 3, 1))},
            {"at_least": 3, "zero": True},
        ]
        return {"kind": kind, "fact": facts.new("count"), "tiers": tiers}
    if kind == "ranged_deduction":
        return {
            "kind": kind,
            "fact": facts.new("findings"),
            "min_per_case": "0.5",
            "max_per_case": "2",
            "cap": pts(p),
        }
    if kind == "zeroing":
        otherwise = _rule("quota", p, facts, number)
        return {"kind": kind, "when": [{"fact": facts.new("flag")}], "otherwise": otherwise}
    if kind == "completion_ratio":
        if number % 2:
            return {"kind": kind, "fact": facts.new("figure"), "target_fact": facts.new("figure")}
        return {"kind": kind, "fact": facts.new("figure"), "target": "20"}
    if kind == "tiered_judgment":
        tiers = [
            {"grade": g, "points": pts(p * share // 10)} for g, share in zip(FOUR, (10, 8, 6, 0), strict=True)
        ]
        return {"kind": kind, "fact": facts.new("judgment", FOUR), "tiers": tiers}
    if kind == "checklist":
        a, b = p // 4, p // 2
        items = [
            {"option": "议程", "points": pts(a)},
            {"option": "决议", "points": pts(b)},
            {"option": "记录", "points": pts(p - a - b)},
        ]
        return {"kind": kind, "fact": facts.new("checklist", ["议程", "决议", "记录"]), "items": items}
    if kind == "discipline":
        outcomes = ["诫勉", "警告", "严重警告", "撤职"]
        schedule = [{"outcome": o, "deduct": d} for o, d in zip(outcomes, (1, 3, 5, 8), strict=True)]
        return {"kind": kind, "fact": facts.new("cases", outcomes), "schedule": schedule, "dedup": True}
    if kind == "imported_deduct":
        return {"kind": "imported", "fact": facts.new("figure"), "factor": 10, "mode": "deduct"}
    if kind == "imported_score":
        return {"kind": "imported", "fact": facts.new("figure"), "factor": pts(p // 100), "mode": "score"}
    if kind == "rank_points":
        return {"kind": kind, "fact": facts.new("figure")}
    if kind == "ballot":
        values = {"好": 100, "较好": 80, "一般": 60, "差": 40}
        return {"kind": kind, "fact": facts.new("ballot", FOUR), "values": values}
    levels = ["国家级", "省级", "市级"]
    worth = [{"level": lv, "points": pts(p * s // 3)} for lv, s in zip(levels, (3, 2, 1), strict=True)]
    return {
        "kind": "bonus",
        "fact": facts.new("awards", levels),
        "levels": worth,
        "highest_only": number % 2 == 0,
    }


def synthetic_scheme(leaves: int = 50, areas: int = 8, *, panel: bool = False) -> Scheme:
    """A valid 100-point scheme with `leaves` scoring items (at least 6): every rule kind in turn,
    areas that sum, a weighted and a product part, a capped bonus section, vetoes that force, cap
    and withhold awards, four bands, a quota with a tie-break, rank outcomes and result uses.
    With `panel`, the judgments, checklists and findings are given per assessor, and the items
    reading them take the trimmed mean of the assessors' scores."""
    if leaves < 6:
        raise ValueError("a synthetic scheme needs at least 6 scoring items")
    facts = _Facts(panel)
    bonus_count = max(1, leaves // 16)
    basic = leaves - bonus_count
    areas = max(1, min(areas, basic // 3))
    shares = [100_000 // basic + (1 if i < 100_000 % basic else 0) for i in range(basic)]

    def item(i: int, points: int) -> dict[str, Any]:
        rule = _rule(BASIC_KINDS[i % len(BASIC_KINDS)], points, facts, i)
        return {
            "code": f"item{i + 1:03d}",
            "title": f"评分项{i + 1}",
            "points": format_points(points),
            "rule": rule,
        }

    nodes: list[dict[str, Any]] = []
    first = 0
    for a in range(areas):
        count = basic // areas + (1 if a < basic % areas else 0)
        numbers = list(range(first, first + count))
        first += count
        children = []
        if a in (1, 2) and count >= 3:  # a weighted part (raters 40/60) and a product part (双乘数)
            parts = [item(i, 100_000) for i in numbers[:2]]
            if a == 1:
                for part, weight in zip(parts, ("40%", "60%"), strict=True):
                    part["weight"] = weight
            children.append(
                {
                    "code": f"part{a + 1}",
                    "title": f"组合{a + 1}",
                    "points": format_points(sum(shares[i] for i in numbers[:2])),
                    "compose": "weighted" if a == 1 else "product",
                    "children": parts,
                }
            )
            numbers = numbers[2:]
        children += [item(i, shares[i]) for i in numbers]
        area_points = sum(shares[first - count : first])
        nodes.append(
            {
                "code": f"area{a + 1}",
                "title": f"一级指标{a + 1}",
                "points": format_points(area_points),
                "children": children,
            }
        )
    bonus_items = [
        {
            "code": f"bonus{b + 1}",
            "title": f"加分{b + 1}",
            "points": "2",
            "rule": _rule("bonus" if b % 2 == 0 else "imported_score", 2000, facts, b),
        }
        for b in range(bonus_count)
    ]
    bonus_cap = format_points(min(3000, 2000 * bonus_count))  # the section caps all bonuses
    nodes.append(
        {
            "code": "bonus",
            "title": "加分项",
            "points": bonus_cap,
            "category": "bonus",
            "children": bonus_items,
        }
    )
    vetoes = [
        ("force", "差", {"fact": facts.new("flag")}),
        ("cap", "较好", {"fact": facts.new("flag")}),
        ("no_awards", True, {"fact": facts.new("count"), "at_least": 1}),
    ]
    nodes.append(
        {
            "code": "veto",
            "title": "否决项",
            "category": "veto",
            "children": [
                {
                    "code": f"veto{v + 1}",
                    "title": f"否决{v + 1}",
                    "veto": {"when": [when], what: value, "reason": f"否决理由{v + 1}"},
                }
                for v, (what, value, when) in enumerate(vetoes)
            ],
        }
    )
    data: dict[str, Any] = {
        "code": f"synthetic-{leaves}",
        "title": f"合成方案（{leaves}个评分项）",
        "year": 2026,
        "version": 1,
        "total_points": 100,
        "facts": facts.kinds,
        "nodes": nodes,
        "grading": {
            "bands": [
                {"grade": "好", "at_least": 90},
                {"grade": "较好", "at_least": 80, "below": 90},
                {"grade": "一般", "at_least": 60, "below": 80},
                {"grade": "差", "below": 60},
            ],
            "quotas": [{"grade": "好", "at_most": "1%", "rounding": "down", "ties": "keep"}],
            "tie_break": ["area1"],
            "rank_outcomes": [{"top": 3, "action": "通报表扬"}, {"bottom": 3, "action": "约谈"}],
        },
        "uses": {
            "pay": {"好": "1.1", "较好": 1, "一般": "0.9", "差": "0.8"},
            "actions": {"好": ["通报表扬"], "差": ["约谈", "整改"]},
            "award_actions": ["通报表扬"],
            "totals": [{"code": "no-bonus", "title": "不含加分", "include_bonus": False}],
        },
    }
    if panel:
        data["panel"] = {"method": "trimmed_mean", "trim": 1}
    return parse_scheme(data)
