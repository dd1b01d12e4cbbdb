"""Hypothesis strategies: random valid schemes (every rule kind, any depth, every composition) and
random valid facts for them. Shared by the property tests of this evaluator and of faster ones.
"""

import json
from typing import Any

from hypothesis import strategies as st

from kaohe.engine import rules
from kaohe.engine.facts import Fact, Unit
from kaohe.engine.points import format_points, format_rate
from kaohe.engine.scheme import Scheme
from kaohe.engine.validation import parse_scheme

GRADES = ["好", "较好", "一般", "差"]
OPTIONS = ["甲", "乙", "丙", "丁"]

amounts = st.integers(min_value=1, max_value=5000)  # thousandths: 0.001 .. 5
rates = st.integers(min_value=0, max_value=1000).map(lambda n: n * 1000)  # whole permille


# What a panel kind may take as its default: a value every rule reading it accepts.
PANEL_DEFAULTS: dict[str, Any] = {
    "count": 0,
    "flag": "否",
    "rate": "100%",
    "checklist": [],
    "awards": [],
    "cases": [],
    "findings": [],
}
ASSESSORS = ["考核员1", "考核员2", "考核员3", "考核员10", "组长"]  # natural order: 考核员3 before 考核员10


class Facts:
    """The fact kinds a generated scheme declares, one new kind per read. When the scheme has a
    panel, any kind but a ballot may be a panel kind (not one a veto or rank points read)."""

    def __init__(self, draw: st.DrawFn | None = None, *, panel: bool = False) -> None:
        self.kinds: list[dict[str, Any]] = []
        self.draw = draw
        self.panel = panel

    def new(self, type_: str, *, options: list[str] | None = None, panel: bool = True) -> str:
        code = f"f{len(self.kinds)}"
        kind: dict[str, Any] = {"code": code, "title": f"事实{len(self.kinds)}", "type": type_}
        if options:
            kind["options"] = options
        if self.panel and panel and type_ != "ballot" and self.draw is not None and self.draw(st.booleans()):
            kind["panel"] = True
            default = options[0] if type_ == "judgment" and options else PANEL_DEFAULTS.get(type_)
            if default is not None and self.draw(st.booleans()):
                kind["default"] = default
        self.kinds.append(kind)
        return code


def _p(thousandths: int) -> str:
    return format_points(thousandths)


@st.composite
def deductions(draw: st.DrawFn, points: int) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    if draw(st.booleans()):
        limits["cap"] = _p(draw(st.integers(min_value=0, max_value=points + 2000)))
    if draw(st.integers(min_value=0, max_value=7)) == 0:
        limits["floor"] = False
    return limits


@st.composite
def condition(draw: st.DrawFn, facts: Facts, *, veto: bool = False) -> dict[str, Any]:
    """A condition of a zeroing rule (on any kind) or of a veto (never on a panel kind)."""
    choice = draw(st.sampled_from(["flag", "count", "rate", "judgment"]))
    panel = not veto
    if choice == "flag":
        return {"fact": facts.new("flag", panel=panel)}
    if choice == "count":
        at_least = draw(st.integers(min_value=1, max_value=3))
        return {"fact": facts.new("count", panel=panel), "at_least": at_least}
    if choice == "rate":
        return {"fact": facts.new("rate", panel=panel), "below": format_rate(draw(rates))}
    options = OPTIONS[: draw(st.integers(min_value=2, max_value=4))]
    grades = draw(st.lists(st.sampled_from(options), min_size=1, max_size=2, unique=True))
    return {"fact": facts.new("judgment", options=options, panel=panel), "grades": grades}


@st.composite
def rule(
    draw: st.DrawFn, points: int, facts: Facts, *, bonus: bool = False, nested: bool = False
) -> dict[str, Any]:
    """A valid rule for an item worth `points` thousandths, declaring the facts it reads."""
    if bonus:
        kind = draw(
            st.sampled_from(["bonus", "checklist", "tiered_judgment", "imported_score", "rank_points"])
        )
    else:
        kinds = [
            "per_occurrence",
            "ranged_deduction",
            "count_tiers",
            "rate_steps",
            "completion_ratio",
            "quota",
            "checklist",
            "tiered_judgment",
            "bonus",
            "discipline",
            "imported_score",
            "imported_deduct",
            "rank_points",
            "ballot",
        ]
        kind = draw(st.sampled_from(kinds if nested else [*kinds, "zeroing"]))
    options = OPTIONS[: draw(st.integers(min_value=1, max_value=4))]
    if kind == "per_occurrence":
        charges = [
            {"fact": facts.new("count"), "amount": _p(draw(amounts))}
            for _ in range(draw(st.integers(min_value=1, max_value=3)))
        ]
        return {"kind": kind, **draw(deductions(points)), "charges": charges}
    if kind == "ranged_deduction":
        low = draw(st.integers(min_value=0, max_value=2000))
        high = draw(st.integers(min_value=max(low, 1), max_value=low + 3000))
        fact = facts.new("findings")
        return {
            "kind": kind,
            **draw(deductions(points)),
            "fact": fact,
            "min_per_case": _p(low),
            "max_per_case": _p(high),
        }
    if kind == "zeroing":
        when = [draw(condition(facts)) for _ in range(draw(st.integers(min_value=1, max_value=2)))]
        zeroing: dict[str, Any] = {"kind": "zeroing", "when": when}
        if draw(st.booleans()):
            zeroing["otherwise"] = draw(rule(points, facts, nested=True))
        return zeroing
    if kind == "count_tiers":
        counts = sorted(
            draw(st.lists(st.integers(min_value=1, max_value=6), min_size=1, max_size=4, unique=True))
        )
        deducts = sorted(draw(st.lists(amounts, min_size=len(counts), max_size=len(counts))))
        tiers: list[dict[str, Any]] = [
            {"at_least": c, "deduct": _p(min(d, points))} for c, d in zip(counts, deducts, strict=True)
        ]
        if draw(st.booleans()):
            tiers[-1] = {"at_least": counts[-1], "zero": True}
        return {"kind": kind, **draw(deductions(points)), "fact": facts.new("count"), "tiers": tiers}
    if kind == "rate_steps":
        return {
            "kind": kind,
            **draw(deductions(points)),
            "fact": facts.new("rate"),
            "threshold": format_rate(draw(st.integers(min_value=1, max_value=1000)) * 1000),
            "step": format_rate(draw(st.integers(min_value=1, max_value=500)) * 1000),
            "amount": _p(draw(amounts)),
            "partial": draw(st.sampled_from(["count", "ignore", "prorate"])),
        }
    if kind == "completion_ratio":
        shape = draw(st.sampled_from(["rate", "target", "target_fact"]))
        if shape == "rate":
            return {"kind": kind, "fact": facts.new("rate")}
        if shape == "target":
            return {"kind": kind, "fact": facts.new("figure"), "target": _p(draw(amounts))}
        return {"kind": kind, "fact": facts.new("figure"), "target_fact": facts.new("figure")}
    if kind == "quota":
        return {
            "kind": kind,
            **draw(deductions(points)),
            "fact": facts.new("count"),
            "required": draw(st.integers(min_value=1, max_value=12)),
            "amount": _p(draw(amounts)),
        }
    if kind == "checklist":
        values = draw(st.lists(amounts, min_size=len(options), max_size=len(options)))
        short = points - sum(values)
        if short > 0:
            values[0] += short
        items = [{"option": o, "points": _p(v)} for o, v in zip(options, values, strict=True)]
        return {"kind": kind, "fact": facts.new("checklist", options=options), "items": items}
    if kind == "tiered_judgment":
        tiers = [
            {"grade": o, "points": _p(draw(st.integers(min_value=0, max_value=points)))} for o in options
        ]
        return {"kind": kind, "fact": facts.new("judgment", options=options), "tiers": tiers}
    if kind == "bonus":
        levels = [
            {"level": o, "points": _p(draw(st.integers(min_value=0, max_value=points)))} for o in options
        ]
        return {
            "kind": kind,
            "fact": facts.new("awards", options=options),
            "levels": levels,
            "highest_only": draw(st.booleans()),
        }
    if kind == "discipline":
        schedule = [
            {"outcome": o, "deduct": _p(draw(st.integers(min_value=0, max_value=5000)))} for o in options
        ]
        return {
            "kind": kind,
            **draw(deductions(points)),
            "fact": facts.new("cases", options=options),
            "schedule": schedule,
            "dedup": draw(st.booleans()),
        }
    if kind in ("imported_score", "imported_deduct"):
        mode = kind.removeprefix("imported_")
        extra = draw(deductions(points)) if mode == "deduct" else {}
        fact = facts.new("figure")
        return {"kind": "imported", **extra, "fact": fact, "factor": _p(draw(amounts)), "mode": mode}
    if kind == "rank_points":  # the units' values compared: never a panel kind
        return {"kind": kind, "fact": facts.new("figure", panel=False)}
    votes = {o: _p(draw(st.integers(min_value=0, max_value=100_000))) for o in options}
    return {"kind": "ballot", "fact": facts.new("ballot", options=options), "values": votes}


class Codes:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> str:
        self.n += 1
        return f"n{self.n}"


@st.composite
def node(draw: st.DrawFn, points: int, facts: Facts, codes: Codes, depth: int) -> dict[str, Any]:
    """A basic node worth `points`: a scoring item, or a sum, weighted or product of parts."""
    code = codes.next()
    base: dict[str, Any] = {"code": code, "title": f"指标{code}", "points": _p(points)}
    n = draw(st.integers(min_value=2, max_value=3))
    if depth == 0 or points < n or draw(st.integers(min_value=0, max_value=2)) == 0:
        return {**base, "rule": draw(rule(points, facts))}
    compose = draw(st.sampled_from(["sum", "sum", "weighted", "product"]))
    if compose == "sum":
        inner = st.integers(min_value=1, max_value=points - 1)
        cuts = sorted(draw(st.lists(inner, min_size=n - 1, max_size=n - 1, unique=True)))
        shares = [b - a for a, b in zip([0, *cuts], [*cuts, points], strict=True)]
        children = [draw(node(share, facts, codes, depth - 1)) for share in shares]
        return {**base, "children": children}
    children = [
        draw(node(draw(st.integers(min_value=1, max_value=20_000)), facts, codes, depth - 1))
        for _ in range(n)
    ]
    if compose == "weighted":
        cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=100), min_size=n - 1, max_size=n - 1)))
        weights = [b - a for a, b in zip([0, *cuts], [*cuts, 100], strict=True)]
        for child, weight in zip(children, weights, strict=True):
            child["weight"] = f"{weight}%"
    return {**base, "compose": compose, "children": children}


@st.composite
def schemes(draw: st.DrawFn) -> Scheme:
    panel: dict[str, Any] | None = None
    if draw(st.booleans()):
        panel = {"method": draw(st.sampled_from(["mean", "trimmed_mean"]))}
        if panel["method"] == "trimmed_mean":
            panel["trim"] = draw(st.integers(min_value=1, max_value=2))
        if draw(st.booleans()):
            panel["reason_above"] = _p(draw(st.integers(min_value=0, max_value=5000)))
    facts, codes = Facts(draw, panel=panel is not None), Codes()
    areas = draw(st.lists(st.integers(min_value=1, max_value=30_000), min_size=1, max_size=4))
    nodes = [draw(node(points, facts, codes, depth=2)) for points in areas]
    total = sum(areas)
    if draw(st.booleans()):
        worth = draw(st.lists(st.integers(min_value=1, max_value=3000), min_size=1, max_size=3))
        items = [
            {
                "code": codes.next(),
                "title": f"加分{n}",
                "points": _p(p),
                "rule": draw(rule(p, facts, bonus=True)),
            }
            for n, p in enumerate(worth)
        ]
        cap = draw(st.integers(min_value=1, max_value=sum(worth)))
        nodes.append(
            {"code": "bonus", "title": "加分项", "points": _p(cap), "category": "bonus", "children": items}
        )
    grades = GRADES[: draw(st.integers(min_value=2, max_value=min(4, total + 2)))]
    if draw(st.booleans()):
        vetoes = []
        for n in range(draw(st.integers(min_value=1, max_value=3))):
            action = draw(st.sampled_from(["force", "cap", "no_awards"]))
            veto: dict[str, Any] = {"when": [draw(condition(facts, veto=True))], "reason": f"否决理由{n}"}
            veto[action] = True if action == "no_awards" else draw(st.sampled_from(grades))
            vetoes.append({"code": codes.next(), "title": f"否决{n}", "veto": veto})
        nodes.append({"code": "veto", "title": "否决项", "category": "veto", "children": vetoes})
    thresholds = sorted(
        draw(
            st.lists(
                st.integers(min_value=0, max_value=total),
                min_size=len(grades) - 1,
                max_size=len(grades) - 1,
                unique=True,
            )
        ),
        reverse=True,
    )
    bands: list[dict[str, Any]] = [{"grade": g} for g in grades]
    for n, threshold in enumerate(thresholds):
        if draw(st.booleans()):
            bands[n]["at_least"], bands[n + 1]["below"] = _p(threshold), _p(threshold)
        else:
            bands[n]["above"], bands[n + 1]["at_most"] = _p(threshold), _p(threshold)
    grading: dict[str, Any] = {"bands": bands}
    if draw(st.booleans()):
        grading["quotas"] = [
            {
                "grade": grades[0],
                "at_most": f"{draw(st.integers(min_value=1, max_value=100))}%",
                "rounding": draw(st.sampled_from(["down", "up", "nearest"])),
                "ties": draw(st.sampled_from(["demote", "keep"])),
            }
        ]
    if draw(st.booleans()):
        grading["tie_break"] = [nodes[0]["code"]]
    grading["rank_outcomes"] = [{"top": 1, "action": "通报表扬"}, {"bottom": 1, "action": "约谈"}]
    data: dict[str, Any] = {
        "code": "random",
        "title": "随机方案",
        "year": 2026,
        "version": 1,
        "total_points": _p(total),
        "facts": facts.kinds,
        "nodes": nodes,
        "grading": grading,
        "uses": {
            "pay": {g: "1" for g in grades},
            "actions": {grades[-1]: ["整改"]},
            "award_actions": ["通报表扬"],
            "totals": [{"code": "no-bonus", "title": "不含加分", "include_bonus": False}],
        },
    }
    if panel is not None:
        data["panel"] = panel
    return parse_scheme(data)


def value_limits(scheme: Scheme) -> dict[str, dict[str, int]]:
    """What the rules reading each fact kind require of its values beyond the kind's type."""
    limits: dict[str, dict[str, int]] = {}

    def visit(r: Any) -> None:
        if isinstance(r, rules.Zeroing):
            if r.otherwise is not None:
                visit(r.otherwise)
        elif isinstance(r, rules.RangedDeduction):
            limits.setdefault(r.fact, {}).update(low=r.min_per_case, high=r.max_per_case)
        elif isinstance(r, rules.CompletionRatio) and r.target_fact is not None:
            limits.setdefault(r.target_fact, {})["min"] = 1
        elif isinstance(r, rules.Imported) and r.mode == "deduct":
            limits.setdefault(r.fact, {})["min"] = 0

    for place in scheme.walk():
        if place.node.rule is not None:
            visit(place.node.rule)
    return limits


@st.composite
def fact_value(draw: st.DrawFn, kind: dict[str, Any], limits: dict[str, Any], unit: str) -> str | Any:
    type_ = kind["type"]
    options = kind.get("options", [])
    if type_ == "count":
        return draw(st.integers(min_value=0, max_value=15))
    if type_ == "rate":
        return format_rate(draw(rates))
    if type_ == "flag":
        return draw(st.sampled_from(["是", "否"]))
    if type_ == "judgment":
        return draw(st.sampled_from(options))
    if type_ == "figure":
        return _p(draw(st.integers(min_value=limits.get("min", -50_000), max_value=300_000)))
    if type_ == "checklist":
        return draw(st.lists(st.sampled_from(options), unique=True))
    if type_ == "ballot":
        tally = {o: draw(st.integers(min_value=0, max_value=50)) for o in options}
        if not sum(tally.values()):
            tally[options[0]] = 1
        return tally
    n = draw(st.integers(min_value=0, max_value=3))
    if type_ == "awards":
        return [{"level": draw(st.sampled_from(options))} for _ in range(n)]
    if type_ == "cases":
        return [
            {
                "case": draw(st.sampled_from(["A", "B"])),
                "department": draw(st.sampled_from(["纪委", "监察"])),
                "outcome": draw(st.sampled_from(options)),
            }
            for _ in range(n)
        ]
    return [
        {
            "case": f"{unit}-{i}",
            "points": _p(draw(st.integers(min_value=limits["low"], max_value=limits["high"]))),
        }
        for i in range(n)
    ]


@st.composite
def cycles(draw: st.DrawFn, scheme: Scheme) -> tuple[list[Unit], list[Fact]]:
    """Random units in one or two peer groups, each with a valid fact of every declared kind. A
    unit has 1 to 5 assessors, who give each panel kind's values (in one row as an object or as
    JSON text, or one row per assessor); a panel kind with a default is sometimes left out."""
    count = draw(st.integers(min_value=1, max_value=6))
    units = [Unit(f"U{n}", group=draw(st.sampled_from(["甲组", "乙组"]))) for n in range(count)]
    limits = value_limits(scheme)
    panel = any(kind.panel for kind in scheme.facts)
    facts = []
    for unit in units:
        assessors = (
            draw(st.lists(st.sampled_from(ASSESSORS), min_size=1, max_size=5, unique=True)) if panel else []
        )
        for kind in scheme.facts:
            data = kind.model_dump(exclude_defaults=True)
            source = f"源/{unit.code}/{kind.code}"
            if not kind.panel:
                value = draw(fact_value(data, limits.get(kind.code, {}), unit.code))
                facts.append(Fact(unit.code, kind.code, value, source))
                continue
            if kind.default is not None and draw(st.integers(min_value=0, max_value=3)) == 0:
                continue  # the default stands in for every assessor
            values = {a: draw(fact_value(data, limits.get(kind.code, {}), unit.code)) for a in assessors}
            shape = draw(st.sampled_from(["object", "json", "rows"]))
            if shape == "rows":
                facts += [Fact(unit.code, kind.code, {a: v}, f"{source}/{a}") for a, v in values.items()]
            else:
                given = json.dumps(values, ensure_ascii=False) if shape == "json" else values
                facts.append(Fact(unit.code, kind.code, given, source))
    return units, facts
