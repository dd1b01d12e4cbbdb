"""Checking a scheme: every problem, each naming where it is (the node's path of titles).

`parse_scheme` turns plain data (from YAML or JSON) into a Scheme, then `problems` runs the checks
that field types cannot express: points that do not add up, band gaps and overlaps, facts a rule
reads that the scheme does not declare, caps below zero, duplicate codes. All problems are
collected; nothing stops at the first.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Any

from pydantic import ValidationError

from kaohe.engine.errors import FactError, SchemeError
from kaohe.engine.fact_kinds import TYPES_WITH_OPTIONS, FactKind
from kaohe.engine.points import RATE_SCALE, format_points, format_rate
from kaohe.engine.rules import RULE_KINDS, FactRead, RankPoints
from kaohe.engine.scheme import Band, Node, Place, Scheme


@dataclass(frozen=True)
class Problem:
    where: str  # a node's path of titles, "facts/<code>", "grading" or "scheme"
    message: str
    node: str | None = None  # the node's code, so a text form can add its line
    fact: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        suffix = f" (line {self.line})" if self.line else ""
        return f"{self.where}: {self.message}{suffix}"


# -- from plain data -------------------------------------------------------------------------------


def parse_scheme(data: object, line_of: Callable[[object, object], int | None] | None = None) -> Scheme:
    """A Scheme from plain data, or SchemeError with every field problem, then every check's.

    `line_of(container, key)` gives the source line of a key or item when the data came from text.
    """
    try:
        scheme = Scheme.model_validate(data)
    except ValidationError as error:
        errors = error.errors()
        # A tuple whose items failed also reports itself as too short; the items' errors say more.
        errors = [
            e
            for e in errors
            if not (
                e["type"] == "too_short"
                and any(o["loc"][: len(e["loc"])] == e["loc"] and o is not e for o in errors)
            )
        ]
        raise SchemeError([str(_field_problem(data, e, line_of)) for e in errors]) from None
    found = problems(scheme)
    if found:
        if line_of is not None:
            lines = _code_lines(data, line_of)
            found = [
                replace(p, line=lines.get(("node", p.node)) or lines.get(("fact", p.fact))) for p in found
            ]
        raise SchemeError([str(p) for p in found])
    return scheme


def _code_lines(
    data: object, line_of: Callable[[object, object], int | None]
) -> dict[tuple[str, object], int]:
    """The line of each node's and fact kind's code in the source text."""
    lines: dict[tuple[str, object], int] = {}

    def visit(items: object, what: str) -> None:
        if not isinstance(items, list):
            return
        for item in items:
            if isinstance(item, dict):
                line = line_of(item, "code")
                if line is not None and isinstance(item.get("code"), str):
                    lines.setdefault((what, item["code"]), line)
                if what == "node":
                    visit(item.get("children"), "node")

    if isinstance(data, dict):
        visit(data.get("nodes"), "node")
        visit(data.get("facts"), "fact")
    return lines


def _field_problem(
    data: object, error: Any, line_of: Callable[[object, object], int | None] | None
) -> Problem:
    titles: list[str] = []
    fields: list[str] = []
    current = data
    line = None
    where_fact: str | None = None
    previous_key: object = None
    for key in error["loc"]:
        if isinstance(current, dict) and key not in current and current.get("kind") == key:
            continue  # pydantic names the union member; the text has no such level
        step = _step(current, key)
        if step is _MISSING:
            fields.append(str(key))
            current = _MISSING
            continue
        if line_of is not None and (found := line_of(current, key)) is not None:
            line = found
        if isinstance(key, int):
            if previous_key in ("nodes", "children") and isinstance(step, dict):
                titles.append(str(step.get("title") or step.get("code") or f"#{key + 1}"))
                fields = []
            elif previous_key == "facts" and isinstance(step, dict) and not titles:
                where_fact = str(step.get("code") or f"#{key + 1}")
                fields = []
            elif fields:
                fields[-1] += f"[{key}]"
            else:
                fields.append(f"[{key}]")
        elif not (key in ("nodes", "children", "facts") and isinstance(step, list)):
            fields.append(str(key))
        previous_key = key
        current = step
    where = "/".join(titles) if titles else (f"facts/{where_fact}" if where_fact else "scheme")
    field = ".".join(fields)
    message = _message(error)
    return Problem(where, f"{field}: {message}" if field else message, line=line)


_MISSING = object()


def _step(current: object, key: object) -> object:
    if isinstance(current, dict):
        return current.get(key, _MISSING) if isinstance(key, str | int) else _MISSING
    if isinstance(current, list | tuple) and isinstance(key, int) and 0 <= key < len(current):
        return current[key]
    return _MISSING


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "union_tag_invalid":
        return f"unknown rule kind {error['ctx']['tag']!r}; the kinds are {', '.join(RULE_KINDS)}"
    if kind == "union_tag_not_found":
        return f"a rule needs a kind, one of {', '.join(RULE_KINDS)}"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "required, missing"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")


# -- checks on a parsed scheme ---------------------------------------------------------------------


def problems(scheme: Scheme) -> list[Problem]:
    kinds = scheme.fact_kinds()
    found = _fact_kind_problems(scheme)
    found += _panel_problems(scheme)
    found += _node_problems(scheme, kinds)
    found += _grading_problems(scheme)
    return found


def check(scheme: Scheme) -> Scheme:
    found = problems(scheme)
    if found:
        raise SchemeError([str(p) for p in found])
    return scheme


def _fact_kind_problems(scheme: Scheme) -> list[Problem]:
    from kaohe.engine.facts import parse_plain_value  # facts reads schemes; imported here to avoid a cycle

    found: list[Problem] = []
    seen: set[str] = set()
    for kind in scheme.facts:
        where = f"facts/{kind.code}"

        def add(message: str, kind: FactKind = kind, where: str = where) -> None:
            found.append(Problem(where, message, fact=kind.code))

        if kind.code in seen:
            add(f"duplicate fact kind code '{kind.code}'")
        seen.add(kind.code)
        if kind.type in TYPES_WITH_OPTIONS and not kind.options:
            add(f"a {kind.type} fact kind needs options")
        if kind.type not in TYPES_WITH_OPTIONS and kind.options:
            add(f"a {kind.type} fact kind has no options")
        if len(set(kind.options)) != len(kind.options):
            add("options repeat")
        if kind.panel and kind.type == "ballot":
            add("a ballot cannot be a panel kind: its votes are already many people's")
        elif kind.panel and scheme.panel is None:
            add("a panel kind needs the scheme's panel (考核组: method, trim) to combine assessors' scores")
        if kind.default is not None:
            try:
                parse_plain_value(kind, kind.default, source="default")
            except FactError as error:
                add(f"default: {'; '.join(error.problems)}")
    return found


def _panel_problems(scheme: Scheme) -> list[Problem]:
    panel = scheme.panel
    if panel is None:
        return []
    found = []
    if panel.method == "mean" and panel.trim != 1:
        found.append(Problem("panel", "trim is for method trimmed_mean; the mean keeps every score"))
    if panel.reason_above is not None and panel.reason_above < 0:
        found.append(Problem("panel", f"reason_above {format_points(panel.reason_above)} is below zero"))
    return found


def _node_problems(scheme: Scheme, kinds: Mapping[str, FactKind]) -> list[Problem]:
    found: list[Problem] = []
    grades = set(scheme.grading.grades())
    codes: set[str] = set()
    for place in scheme.walk():
        found += [
            Problem(place.path_text, m, node=place.node.code)
            for m in _place_problems(place, codes, grades, kinds)
        ]
    basic = sum(n.points for n in scheme.nodes if (n.category or "basic") == "basic")
    if basic != scheme.total_points:
        found.append(
            Problem(
                "scheme",
                f"first-level basic points add up to {format_points(basic)}, "
                f"not the total of {format_points(scheme.total_points)}",
            )
        )
    return found


def _place_problems(
    place: Place, codes: set[str], grades: set[str], kinds: Mapping[str, FactKind]
) -> list[str]:
    node = place.node
    messages = []
    if node.code in codes:
        messages.append(f"duplicate code '{node.code}'")
    codes.add(node.code)
    if node.points < 0:
        messages.append(f"points {format_points(node.points)} below zero")
    parent = place.parent
    if parent is not None and node.category is not None and node.category != parent.category:
        messages.append(f"a {node.category} node inside a {parent.category} node")
    if node.weight is not None and (parent is None or parent.node.compose != "weighted"):
        messages.append("a weight is only for parts of a weighted node")
    if place.category == "veto":
        return messages + _veto_node_problems(place, grades, kinds)
    if node.veto is not None:
        messages.append("a veto belongs to a veto node")
    if node.children:
        if node.rule is not None:
            messages.append("a node with children has no rule of its own")
        return messages + _composition_problems(place)
    if node.rule is None:
        return [*messages, "a scoring item needs a rule"]
    if node.compose != "sum":
        messages.append(f"a scoring item cannot compose '{node.compose}'")
    if isinstance(node.rule, RankPoints) and node.rule.fact in kinds and kinds[node.rule.fact].panel:
        messages.append(
            f"rank points compare the units' values; fact kind '{node.rule.fact}' is a panel kind "
            "(one value per assessor)"
        )
    return messages + _read_problems(node.rule.reads(), kinds) + node.rule.problems(node.points, kinds)


def _composition_problems(place: Place) -> list[str]:
    node = place.node
    children = node.children
    total = sum(c.points for c in children)
    if node.compose == "sum":
        given, own = format_points(total), format_points(node.points)
        if place.category == "basic" and total > node.points:
            return [f"children's points {given} exceed the node's {own}"]
        if total < node.points:
            return [f"children's points {given} fall short of the node's {own}"]
        return []
    problems = [
        f"part '{c.title}' of a {node.compose} node needs points above zero"
        for c in children
        if c.points <= 0
    ]
    if node.compose == "weighted":
        missing = [c.title for c in children if c.weight is None]
        if missing:
            problems.append(f"parts without a weight: {', '.join(missing)}")
        weights = sum(c.weight or 0 for c in children)
        if not missing and weights != RATE_SCALE:
            problems.append(f"weights add up to {format_rate(weights)}, not 100%")
    if node.compose == "product" and len(children) < 2:
        problems.append("a product needs at least two parts")
    return problems


def _veto_node_problems(place: Place, grades: set[str], kinds: Mapping[str, FactKind]) -> list[str]:
    node = place.node
    problems: list[str] = []
    if node.points:
        problems.append("a veto node carries no points")
    if node.rule is not None:
        problems.append("a veto node carries no scoring rule")
    if node.children:
        if node.veto is not None:
            problems.append("a veto with children: put the veto on a leaf")
        return problems
    veto = node.veto
    if veto is None:
        return [*problems, "a veto item needs a veto"]
    if veto.force is None and veto.cap is None and not veto.no_awards:
        problems.append("a veto must force a grade, cap the grade, or remove award eligibility")
    if veto.force is not None and veto.cap is not None:
        problems.append("a veto either forces or caps the grade, not both")
    for grade in (veto.force, veto.cap):
        if grade is not None and grade not in grades:
            problems.append(f"unknown grade '{grade}'")
    problems += _read_problems([c.read() for c in veto.when], kinds)
    problems += [p for c in veto.when for p in c.problems(kinds)]
    problems += [
        f"condition on fact kind '{c.fact}': a panel kind (one value per assessor) cannot decide a veto; "
        "the committee decides it"
        for c in veto.when
        if c.fact in kinds and kinds[c.fact].panel
    ]
    return problems


def _read_problems(reads: list[FactRead], kinds: Mapping[str, FactKind]) -> list[str]:
    problems = []
    for read in reads:
        kind = kinds.get(read.code)
        if kind is None:
            problems.append(f"unknown fact kind '{read.code}'")
        elif kind.type not in read.types:
            problems.append(
                f"fact kind '{read.code}' is a {kind.type}; this reads {' or '.join(sorted(read.types))}"
            )
    return problems


def _grading_problems(scheme: Scheme) -> list[Problem]:
    grading = scheme.grading
    messages: list[str] = []
    grades = grading.grades()
    for grade in sorted({g for g in grades if grades.count(g) > 1}):
        messages.append(f"grade '{grade}' has two bands")
    for band in grading.bands:
        if band.at_least is not None and band.above is not None:
            messages.append(f"band '{band.grade}': give at_least or above, not both")
        if band.at_most is not None and band.below is not None:
            messages.append(f"band '{band.grade}': give at_most or below, not both")
        lower, upper = band.lower(), band.upper()
        if (
            lower
            and upper
            and (lower[0] > upper[0] or (lower[0] == upper[0] and not (lower[1] and upper[1])))
        ):
            messages.append(f"band '{band.grade}' holds no score")
    messages += _band_gaps(grading.bands)
    messages += _band_coverage(scheme)
    known = set(grades)
    quota_grades: set[str] = set()
    for quota in grading.quotas:
        if quota.grade not in known:
            messages.append(f"quota for unknown grade '{quota.grade}'")
        elif quota.grade == grades[-1]:
            messages.append(f"quota on the lowest grade '{quota.grade}' has nowhere to demote to")
        if quota.grade in quota_grades:
            messages.append(f"two quotas for grade '{quota.grade}'")
        quota_grades.add(quota.grade)
        if quota.at_most == 0:
            messages.append(f"quota for '{quota.grade}' must be above 0%")
    node_codes = {place.node.code for place in scheme.walk()}
    messages += [
        f"tie_break names unknown node '{code}'" for code in grading.tie_break if code not in node_codes
    ]
    for outcome in grading.rank_outcomes:
        if (outcome.top is None) == (outcome.bottom is None):
            messages.append(f"rank outcome '{outcome.action}': give top or bottom, one of them")
    messages += [f"pay coefficient for unknown grade '{g}'" for g in scheme.uses.pay if g not in known]
    messages += [f"pay coefficient for '{g}' below zero" for g, v in scheme.uses.pay.items() if v < 0]
    messages += [f"actions for unknown grade '{g}'" for g in scheme.uses.actions if g not in known]
    every_action = {a for acts in scheme.uses.actions.values() for a in acts} | {
        o.action for o in grading.rank_outcomes
    }
    messages += [
        f"award action '{a}' is given by no grade and no rank outcome"
        for a in scheme.uses.award_actions
        if a not in every_action
    ]
    total_codes = [t.code for t in scheme.uses.totals]
    messages += [
        f"two named totals '{c}'" for c in sorted({c for c in total_codes if total_codes.count(c) > 1})
    ]
    return [Problem("grading", m) for m in messages]


def _band_gaps(bands: tuple[Band, ...]) -> list[str]:
    messages = []
    for better, worse in pairwise(bands):
        low, high = better.lower(), worse.upper()
        if low is None:
            messages.append(f"band '{better.grade}' has no lower bound but '{worse.grade}' comes after it")
            continue
        if high is None:
            messages.append(f"band '{worse.grade}' has no upper bound but comes after '{better.grade}'")
            continue
        (a, a_in), (b, b_in) = low, high
        names = f"'{worse.grade}' and '{better.grade}'"
        if a > b or (a == b and not a_in and not b_in):
            between = (
                f"between {format_points(b)} and {format_points(a)}"
                if a > b
                else f"exactly {format_points(a)}"
            )
            messages.append(f"gap between bands {names}: a total {between} has no grade")
        elif a < b or (a_in and b_in):
            messages.append(f"bands {names} overlap at {format_points(a)}..{format_points(b)}")
    return messages


def can_go_negative(node: Node) -> bool:
    """Whether a node's score may fall below 0: a deduction without floor that no parent floors."""
    if node.children:
        return not node.floor and any(can_go_negative(c) for c in node.children)
    return node.rule is not None and node.rule.may_go_negative()


def _band_coverage(scheme: Scheme) -> list[str]:
    bands = scheme.grading.bands
    highest = sum(n.points for n in scheme.nodes if (n.category or "basic") != "veto")
    may_go_negative = any(can_go_negative(n) for n in scheme.nodes)
    messages = []
    top = bands[0].upper()
    if top is not None and (top[0] < highest or (top[0] == highest and not top[1])):
        messages.append(f"the bands give no grade to a total of {format_points(highest)}")
    bottom = bands[-1].lower()
    if bottom is not None and (may_go_negative or bottom[0] > 0 or (bottom[0] == 0 and not bottom[1])):
        lowest = "below zero" if may_go_negative else "of 0"
        messages.append(f"the bands give no grade to a total {lowest}")
    return messages
