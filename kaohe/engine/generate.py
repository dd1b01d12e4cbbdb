"""Random but plausible facts for a scheme: for tests, demos and the benchmark.

Values are drawn per fact kind from what the rules reading it expect (around a quota's required
count, inside a ranged deduction's range, near a completion target), with the rare events rare,
so that generated cycles exercise every rule and every grade. The same seed gives the same facts.
"""

import json
import random
from collections.abc import Sequence

from kaohe.engine import rules as r
from kaohe.engine.fact_kinds import LIST_TYPES, FactKind
from kaohe.engine.facts import Fact, Unit
from kaohe.engine.points import format_rate, format_thousandths
from kaohe.engine.scheme import Scheme

GROUPS = ("竞争类", "功能类")
DEPARTMENTS = ("市纪委监委", "派驻纪检监察组", "企业纪委")


def rules_reading(scheme: Scheme) -> dict[str, list[object]]:
    readers: dict[str, list[object]] = {}

    def add(rule: object) -> None:
        if isinstance(rule, r.Zeroing):
            for condition in rule.when:
                readers.setdefault(condition.fact, []).append(condition)
            if rule.otherwise is not None:
                add(rule.otherwise)
            return
        for read in rule.reads():  # type: ignore[attr-defined]
            readers.setdefault(read.code, []).append(rule)

    for place in scheme.walk():
        if place.node.rule is not None:
            add(place.node.rule)
        if place.node.veto is not None:
            for condition in place.node.veto.when:
                readers.setdefault(condition.fact, []).append(condition)
    return readers


class _Draw:
    def __init__(self, rng: random.Random, readers: Sequence[object]) -> None:
        self.rng = rng
        self.readers = readers

    def first(self, kind: type) -> object | None:
        return next((x for x in self.readers if isinstance(x, kind)), None)

    def count(self) -> int:
        quota = self.first(r.Quota)
        if isinstance(quota, r.Quota):
            short = self.rng.choices([0, 1, 2, 3, 5], weights=[70, 16, 8, 4, 2])[0]
            return max(quota.required - short, 0) + self.rng.choice([0, 0, 0, 1])
        if self.first(r.Condition) is not None and not self.first(r.CountTiers):
            return self.rng.choices([0, 1, 2], weights=[92, 6, 2])[0]
        return self.rng.choices([0, 1, 2, 3, 4, 6], weights=[72, 14, 7, 4, 2, 1])[0]

    def rate(self) -> int:
        if self.rng.random() < 0.1:
            return self.rng.choice([600_000, 800_000, 900_000, 1_000_000])  # the edges of the rules
        if self.rng.random() < 0.75:
            return self.rng.randrange(900, 1001) * 1000
        return self.rng.randrange(550, 900) * 1000

    def figure(self) -> int:
        ratio = self.first(r.CompletionRatio)
        imported = self.first(r.Imported)
        if isinstance(imported, r.Imported) and imported.mode == "deduct":
            return self.rng.choices([0, 100, 200, 500], weights=[70, 15, 10, 5])[0]
        if isinstance(imported, r.Imported):
            return self.rng.randrange(700, 1001) * 100
        if isinstance(ratio, r.CompletionRatio) and ratio.target is not None:
            return ratio.target * self.rng.randrange(60, 121) // 100
        if self.first(r.RankPoints) is not None:
            return self.rng.randrange(0, 5001) * 100
        return self.rng.randrange(10, 31) * 1000  # a target or a completion counted in units

    def findings(self, unit: str, code: str) -> list[dict[str, str]]:
        ranged = self.first(r.RangedDeduction)
        low, high = (
            (ranged.min_per_case, ranged.max_per_case) if isinstance(ranged, r.RangedDeduction) else (0, 1000)
        )
        steps = [low + step for step in range(0, high - low + 1, 500)]
        n = self.rng.choices([0, 1, 2, 3], weights=[60, 25, 10, 5])[0]
        return [
            {"case": f"{unit}-{code}-{i + 1}", "points": format_thousandths(self.rng.choice(steps))}
            for i in range(n)
        ]


def _value_rows(kind: FactKind, draw: _Draw, unit: str) -> list[str]:
    """The value column of the rows for one unit and kind (list kinds: one row per entry)."""
    rng = draw.rng
    if kind.type == "count":
        return [str(draw.count())]
    if kind.type == "rate":
        return [format_rate(draw.rate())]
    if kind.type == "flag":
        return ["是" if rng.random() < 0.04 else "否"]
    if kind.type == "judgment":
        weights = [40, 35, 20, 5][: len(kind.options)] + [5] * max(len(kind.options) - 4, 0)
        return [rng.choices(kind.options, weights=weights)[0]]
    if kind.type == "figure":
        return [format_thousandths(draw.figure())]
    if kind.type == "checklist":
        return [json.dumps([o for o in kind.options if rng.random() < 0.85], ensure_ascii=False)]
    if kind.type == "ballot":
        votes = rng.randrange(20, 81)
        shares = [rng.randrange(10, 60) for _ in kind.options[:-1]] + [rng.randrange(0, 4)]
        counts = [votes * s // sum(shares) for s in shares]
        counts[0] += votes - sum(counts)
        return [json.dumps(dict(zip(kind.options, counts, strict=True)), ensure_ascii=False)]
    if kind.type == "awards":
        n = rng.choices([0, 1, 2], weights=[70, 22, 8])[0]
        return [
            json.dumps(
                {"level": rng.choice(kind.options), "title": f"{kind.title}{i + 1}"}, ensure_ascii=False
            )
            for i in range(n)
        ]
    if kind.type == "cases":
        rows = []
        for i in range(rng.choices([0, 1, 2], weights=[75, 18, 7])[0]):
            case = {
                "case": f"JC-{unit}-{i + 1}",
                "department": rng.choice(DEPARTMENTS),
                "outcome": rng.choice(kind.options),
            }
            rows.append(json.dumps(case, ensure_ascii=False))
            if rng.random() < 0.3:  # the same case handled again by the same department
                rows.append(json.dumps({**case, "outcome": rng.choice(kind.options)}, ensure_ascii=False))
        return rows
    return [json.dumps(finding, ensure_ascii=False) for finding in draw.findings(unit, kind.code)]


def random_units(count: int, *, seed: int = 0, groups: Sequence[str] = GROUPS) -> list[Unit]:
    rng = random.Random(seed)
    width = len(str(count))
    return [
        Unit(f"U{n:0{width}d}", f"第{n}单位", rng.choice(groups) if groups else "")
        for n in range(1, count + 1)
    ]


def _panel_row(kind: FactKind, draw: _Draw, unit: str, assessors: Sequence[str]) -> str:
    """A panel kind's value: each assessor's own, drawn as the kind's ordinary value is."""
    values: dict[str, object] = {}
    for assessor in assessors:
        rows = _value_rows(kind, draw, unit)
        if kind.type in LIST_TYPES:
            values[assessor] = [json.loads(row) for row in rows]
        elif kind.type == "checklist":
            values[assessor] = json.loads(rows[0])
        else:
            values[assessor] = rows[0]
    return json.dumps(values, ensure_ascii=False)


def random_facts(scheme: Scheme, units: Sequence[Unit], *, seed: int = 0) -> list[Fact]:
    """One fact per unit and declared kind (list kinds: one row per entry, none when empty; a panel
    kind: one row with the values of each of the unit's 3 to 7 assessors)."""
    rng = random.Random(seed)
    readers = rules_reading(scheme)
    panel = any(kind.panel for kind in scheme.facts)
    facts = []
    for unit in units:
        assessors = [f"考核员{n}" for n in range(1, rng.choice([3, 3, 5, 5, 7]) + 1)] if panel else []
        for kind in scheme.facts:
            draw = _Draw(rng, readers.get(kind.code, []))
            if kind.panel:
                rows = [_panel_row(kind, draw, unit.code, assessors)]
            else:
                rows = _value_rows(kind, draw, unit.code)
            if not rows and kind.default is None:
                rows = ["[]"]  # a list kind without a default still needs its (empty) row
            facts += [Fact(unit.code, kind.code, value, f"生成/{unit.code}/{kind.code}") for value in rows]
    return facts
