"""Facts: what happened at each unit, typed per fact kind, each with the record it comes from.

A fact is (unit, kind, value, source). `build_cycle` reads raw facts against a scheme and keeps
one column per fact kind (unit -> Cell), the layout a vectorised evaluator wants. Every bad fact
- a negative count, a rate above 100%, a NaN, an unknown unit or kind, a missing fact the scheme
gives no default for - is reported with its row, unit and kind; all of them, not the first.
"""

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from kaohe.engine.errors import FactError, PointsError
from kaohe.engine.fact_kinds import LIST_TYPES, FactKind
from kaohe.engine.points import format_rate, format_thousandths, parse_rate, parse_thousandths
from kaohe.engine.scheme import Scheme

MAX_PROBLEMS = 200  # a broken file of a million rows should not print a million lines


@dataclass(frozen=True)
class Unit:
    code: str
    name: str = ""
    group: str = ""  # the peer group for ranks, quotas and rank points (e.g. 竞争类 / 功能类)


@dataclass(frozen=True)
class Fact:
    unit: str
    kind: str
    value: object  # as given: text from a CSV cell, or a Python value
    source: str = ""  # the record it comes from: a ledger entry, a platform export, a case number
    row: int | None = None  # the CSV row, as a spreadsheet shows it


@dataclass(frozen=True)
class Award:
    level: str
    title: str = ""
    source: str = ""


@dataclass(frozen=True)
class Case:
    case: str
    department: str
    outcome: str
    source: str = ""


@dataclass(frozen=True)
class Finding:
    case: str
    points: int  # thousandths, as the assessor picked
    note: str = ""
    source: str = ""


def assessor_order(label: str) -> tuple[tuple[int | str, ...], str]:
    """Labels in their natural order: 考核员2 before 考核员10 (the digits compared as numbers)."""
    parts = re.split(r"(\d+)", label)
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts)), label


@dataclass(frozen=True)
class PanelValues:
    """A panel kind's values for one unit: each assessor's own value, by the assessor's label (a
    pseudonym such as 考核员1), in the labels' natural order. Each value is what the kind's ordinary
    value would be. `sources` (each assessor's records, aligned with `values`) is not compared:
    two panels with the same values are equal wherever their values were read from."""

    values: tuple[tuple[str, "Value"], ...]
    sources: tuple[tuple[str, ...], ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, "Value", tuple[str, ...]]]) -> "PanelValues":
        """From (assessor, value, sources) triples in any order."""
        ordered = sorted(pairs, key=lambda p: assessor_order(p[0]))
        return cls(tuple((a, v) for a, v, _ in ordered), tuple(s for _, _, s in ordered))

    def assessors(self) -> tuple[str, ...]:
        return tuple(assessor for assessor, _ in self.values)

    def value(self, assessor: str) -> "Value":
        return next(value for label, value in self.values if label == assessor)

    def sources_of(self, assessor: str) -> tuple[str, ...]:
        for (label, _), sources in zip(self.values, self.sources, strict=False):
            if label == assessor:
                return sources
        return ()

    def merged(self, other: "PanelValues", *, lists: bool) -> tuple["PanelValues", list[str]]:
        """Both panels' assessors; an assessor in both adds up their entries when `lists`, else is
        a clash (returned, the first value kept)."""
        mine = {a: (v, s) for (a, v), s in zip(self.values, self._sources(), strict=True)}
        clashes = []
        for (assessor, value), sources in zip(other.values, other._sources(), strict=True):
            if assessor not in mine:
                mine[assessor] = (value, sources)
                continue
            before, before_sources = mine[assessor]
            if lists and isinstance(value, tuple) and isinstance(before, tuple):
                mine[assessor] = (before + value, before_sources + sources)
            else:
                clashes.append(assessor)
        return PanelValues.of((a, v, s) for a, (v, s) in mine.items()), clashes

    def _sources(self) -> tuple[tuple[str, ...], ...]:
        return self.sources if len(self.sources) == len(self.values) else ((),) * len(self.values)


def assessor_mismatches(given: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Assessors who gave a value of one of an item's panel kinds but not of another: `given` holds
    (kind, its assessors) for the item's panel kinds that have values, each compared with the first."""
    if len(given) < 2:
        return []
    (first, theirs), problems = given[0], []
    for kind, assessors in given[1:]:
        problems += [
            f"assessor {a} has a value of kind {first} but none of kind {kind}"
            for a in theirs
            if a not in assessors
        ]
        problems += [
            f"assessor {a} has a value of kind {kind} but none of kind {first}"
            for a in assessors
            if a not in theirs
        ]
    return problems


# count, flag, judgment, figure / rate (ints), checklist (frozenset), ballot (dict), lists (tuples);
# a panel kind: each assessor's value (PanelValues), or its default standing in for all of them
Value = int | bool | str | frozenset[str] | dict[str, int] | tuple[Award | Case | Finding, ...] | PanelValues


@dataclass(frozen=True)
class Cell:
    value: Value
    sources: tuple[str, ...]


class Cycle:
    """The units of one assessment cycle and their facts, one column per fact kind."""

    def __init__(self, units: Sequence[Unit], columns: Mapping[str, Mapping[str, Cell]]) -> None:
        self.units = tuple(units)
        self.columns = {kind: dict(cells) for kind, cells in columns.items()}

    def cell(self, unit: str, kind: str) -> Cell:
        return self.columns[kind][unit]

    def column(self, kind: str) -> list[Cell]:
        """The cells of one kind in unit order."""
        cells = self.columns[kind]
        return [cells[unit.code] for unit in self.units]

    def unit(self, code: str) -> Unit:
        for unit in self.units:
            if unit.code == code:
                return unit
        raise FactError([f"unknown unit '{code}'"])


# -- values ----------------------------------------------------------------------------------------


def parse_value(kind: FactKind, raw: object, *, source: str = "") -> Value:
    """A raw value (CSV text or Python) as the kind's type; FactError says what is wrong.

    A blank value is never "none": every kind refuses it, lists and checklists as well (they
    take [] for none). A kind's default is for a fact that is absent, not for a blank cell.
    A panel kind's value is an object of each assessor's value ({"考核员1": "好", "考核员2": "较好"}),
    each read as the kind's ordinary value is.
    """
    if kind.panel:
        return _panel(kind, raw, source)
    return parse_plain_value(kind, raw, source=source)


def parse_plain_value(kind: FactKind, raw: object, *, source: str = "") -> Value:
    """The kind's ordinary value, one assessor's for a panel kind (and a panel kind's default)."""
    blank = raw is None or (isinstance(raw, str) and not raw.strip())
    if blank and (kind.type in LIST_TYPES or kind.type == "checklist"):
        raise _fail(f"a blank value; a {kind.type} value with nothing in it is written []")
    try:
        return _PARSERS[kind.type](kind, _decoded(kind, raw), source)
    except PointsError as error:
        raise FactError([str(error)]) from None


def _decoded(kind: FactKind, raw: object) -> object:
    """CSV cells hold complex values as JSON; decimals stay exact."""
    if isinstance(raw, str) and (kind.type in LIST_TYPES or kind.type in ("checklist", "ballot")):
        text = raw.strip()
        if text.startswith(("[", "{")):
            try:
                return json.loads(text, parse_float=Decimal, parse_constant=_no_constant)
            except (ValueError, RecursionError) as error:
                raise FactError([f"value is not valid JSON: {error}"]) from None
    return raw


def _no_constant(name: str) -> object:
    raise FactError([f"{name} is not a number"])


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are all different (json keeps the last of a repeated key)."""
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise FactError([f"'{key}' is given twice in one object"])
        seen[key] = value
    return seen


def _panel(kind: FactKind, raw: object, source: str) -> PanelValues:
    example = '{"考核员1": …, "考核员2": …}'
    if isinstance(raw, str) and raw.strip().startswith("{"):
        try:
            raw = json.loads(
                raw.strip(), parse_float=Decimal, parse_constant=_no_constant, object_pairs_hook=_unique_keys
            )
        except (ValueError, RecursionError) as error:
            raise FactError([f"value is not valid JSON: {error}"]) from None
    if not isinstance(raw, Mapping):
        blank = raw is None or (isinstance(raw, str) and not raw.strip())
        shown = "a blank value" if blank else f"got {raw!r}"
        raise _fail(f"{shown}; a panel kind's value is an object of each assessor's value, e.g. {example}")
    if not raw:
        raise _fail(f"a panel value names no assessor; e.g. {example} (leave the fact out for the default)")
    pairs: list[tuple[str, Value, tuple[str, ...]]] = []
    problems: list[str] = []
    for label, inner in raw.items():
        if not isinstance(label, str) or not label.strip():
            problems.append(f"an assessor's label must be text, got {label!r}")
            continue
        assessor = label.strip()
        if any(assessor == a for a, _, _ in pairs):
            problems.append(f"assessor {assessor} is given twice")
            continue
        try:
            pairs.append((assessor, parse_plain_value(kind, inner, source=source), (source,)))
        except FactError as error:
            problems += [f"assessor {assessor}: {p}" for p in error.problems]
    if problems:
        raise FactError(problems)
    return PanelValues.of(pairs)


def _fail(message: str) -> FactError:
    return FactError([message])


def _count(kind: FactKind, raw: object, source: str) -> int:
    if isinstance(raw, bool):
        raise _fail(f"a count must be a whole number ≥ 0, got {raw!r}")
    try:
        thousandths = parse_thousandths(raw, "count")
    except PointsError:
        raise _fail(f"a count must be a whole number ≥ 0, got {raw!r}") from None
    if thousandths % 1000:
        raise _fail(f"a count must be a whole number, got {raw!r}")
    if thousandths < 0:
        raise _fail(f"a count cannot be negative, got {raw!r}")
    return thousandths // 1000


def _rate(kind: FactKind, raw: object, source: str) -> int:
    return parse_rate(raw)


_YES = {"是", "有", "true", "yes", "y", "1", "√"}
_NO = {"否", "无", "false", "no", "n", "0", "×"}


def _flag(kind: FactKind, raw: object, source: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower() if isinstance(raw, str | int) else None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise _fail(f"a flag is 是 or 否, got {raw!r}")


def _option(kind: FactKind, raw: object, what: str) -> str:
    if not isinstance(raw, str) or raw.strip() not in kind.options:
        raise _fail(f"{what} must be one of {', '.join(kind.options)}; got {raw!r}")
    return raw.strip()


def _judgment(kind: FactKind, raw: object, source: str) -> str:
    return _option(kind, raw, "a judgment")


def _figure(kind: FactKind, raw: object, source: str) -> int:
    return parse_thousandths(raw, "figure")


def _entries(raw: object) -> list[object]:
    if isinstance(raw, list | tuple):
        return list(raw)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return []
    return [raw]


def _text(entry: Mapping[str, Any], key: str, *, required: bool) -> str:
    value = entry.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _fail(f"an entry needs '{key}'")
        return ""
    if not isinstance(value, str | int):
        raise _fail(f"'{key}' must be text, got {value!r}")
    return str(value).strip()


def _mapping(entry: object, keys: set[str], what: str) -> Mapping[str, Any]:
    if not isinstance(entry, Mapping):
        raise _fail(f"{what} must be an object with {', '.join(sorted(keys))}; got {entry!r}")
    unknown = set(entry) - keys - {"source"}
    if unknown:
        raise _fail(f"{what} has unknown fields: {', '.join(sorted(map(str, unknown)))}")
    return entry


def _awards(kind: FactKind, raw: object, source: str) -> tuple[Award, ...]:
    awards = []
    for entry in _entries(raw):
        if isinstance(entry, str):
            entry = {"level": entry}
        item = _mapping(entry, {"level", "title"}, "an award")
        level = _option(kind, item.get("level"), "an award's level")
        awards.append(
            Award(
                level, _text(item, "title", required=False), _text(item, "source", required=False) or source
            )
        )
    return tuple(awards)


def _cases(kind: FactKind, raw: object, source: str) -> tuple[Case, ...]:
    cases = []
    for entry in _entries(raw):
        item = _mapping(entry, {"case", "department", "outcome"}, "a case")
        outcome = _option(kind, item.get("outcome"), "a case's outcome")
        cases.append(
            Case(
                _text(item, "case", required=True),
                _text(item, "department", required=True),
                outcome,
                _text(item, "source", required=False) or source,
            )
        )
    return tuple(cases)


def _findings(kind: FactKind, raw: object, source: str) -> tuple[Finding, ...]:
    findings = []
    for entry in _entries(raw):
        item = _mapping(entry, {"case", "points", "note"}, "a finding")
        if "points" not in item:
            raise _fail("a finding needs 'points'")
        points = parse_thousandths(item["points"], "a finding's points")
        if points < 0:
            raise _fail(f"a finding's points cannot be negative, got {item['points']!r}")
        findings.append(
            Finding(
                _text(item, "case", required=True),
                points,
                _text(item, "note", required=False),
                _text(item, "source", required=False) or source,
            )
        )
    return tuple(findings)


def _checklist(kind: FactKind, raw: object, source: str) -> frozenset[str]:
    return frozenset(_option(kind, entry, "a checklist item") for entry in _entries(raw))


def _ballot(kind: FactKind, raw: object, source: str) -> dict[str, int]:
    if not isinstance(raw, Mapping):
        raise _fail(
            f'a ballot is an object of votes per option, e.g. {{"{kind.options[0]}": 12}}; got {raw!r}'
        )
    tally = dict.fromkeys(kind.options, 0)
    for option, votes in raw.items():
        if option not in tally:
            raise _fail(f"a ballot option must be one of {', '.join(kind.options)}; got {option!r}")
        tally[option] = _count(kind, votes, source)
    if not sum(tally.values()):
        raise _fail("a ballot with no votes")
    return tally


_PARSERS: dict[str, Any] = {
    "count": _count,
    "rate": _rate,
    "flag": _flag,
    "judgment": _judgment,
    "figure": _figure,
    "awards": _awards,
    "cases": _cases,
    "findings": _findings,
    "checklist": _checklist,
    "ballot": _ballot,
}


def describe(kind: FactKind, value: Value) -> str:
    """A value as a person reads it in an explanation: 3, 85%, 是, 好, [省级, 市级]."""
    if isinstance(value, PanelValues):
        return "；".join(f"{assessor}：{describe(kind, v)}" for assessor, v in value.values)
    if kind.type == "rate" and isinstance(value, int):
        return format_rate(value)
    if kind.type == "figure" and isinstance(value, int):
        return format_thousandths(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, frozenset):
        return "、".join(o for o in kind.options if o in value) or "无"
    if isinstance(value, dict):
        return "，".join(f"{option} {votes}" for option, votes in value.items())
    if isinstance(value, tuple):
        return f"{len(value)} 项"
    return str(value)


def to_text(kind: FactKind, value: Value) -> str:
    """A value as the CSV value column holds it (parse_value reads it back to the same value)."""
    if isinstance(value, PanelValues):
        return json.dumps({a: _json_value(kind, v) for a, v in value.values}, ensure_ascii=False)
    if kind.type == "rate" and isinstance(value, int):
        return format_rate(value)
    if kind.type == "figure" and isinstance(value, int):
        return format_thousandths(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, frozenset):
        return json.dumps([o for o in kind.options if o in value], ensure_ascii=False)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        return json.dumps([_entry_json(e) for e in value], ensure_ascii=False)
    return str(value)


def _json_value(kind: FactKind, value: Value) -> object:
    """One assessor's value inside a panel value's JSON object: a list as a list, a count as a
    number, anything else as its text (exact: 87.5%, 1.25, 是, 好)."""
    if isinstance(value, frozenset):
        return [o for o in kind.options if o in value]
    if isinstance(value, tuple):
        return [_entry_json(e) for e in value]
    if kind.type == "count" and isinstance(value, int):
        return value
    return to_text(kind, value)


def _entry_json(entry: Award | Case | Finding) -> dict[str, str]:
    if isinstance(entry, Award):
        return {"level": entry.level, "title": entry.title, "source": entry.source}
    if isinstance(entry, Case):
        return {
            "case": entry.case,
            "department": entry.department,
            "outcome": entry.outcome,
            "source": entry.source,
        }
    return {
        "case": entry.case,
        "points": format_thousandths(entry.points),
        "note": entry.note,
        "source": entry.source,
    }


# -- a cycle ---------------------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.more = 0

    def add(self, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(message)
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        if self.items:
            tail = [f"... and {self.more} more problems"] if self.more else []
            raise FactError(self.items + tail)


def build_cycle(scheme: Scheme, facts: Iterable[Fact], units: Sequence[Unit] | None = None) -> Cycle:
    """The facts of a cycle read against `scheme`: typed, grouped per kind, defaults filled in.

    Without `units`, the units are those the facts name, in order of first appearance.
    """
    kinds = scheme.fact_kinds()
    problems = _Problems()
    known: dict[str, Unit] = {}
    for unit in units or ():
        if unit.code in known:
            problems.add(f"unit '{unit.code}' is listed twice")
        known[unit.code] = unit
    columns: dict[str, dict[str, Cell]] = {code: {} for code in kinds}
    first_row: dict[tuple[str, str], str] = {}
    refused: set[tuple[str, str]] = set()  # (unit, kind) with a bad value, already reported
    assessor_row: dict[tuple[str, str, str], str] = {}  # where each assessor's value of a panel kind is
    for number, fact in enumerate(facts, start=1):
        where = f"row {fact.row}" if fact.row is not None else f"fact {number}"
        label = f"{where} (unit {fact.unit}, kind {fact.kind})"
        if not fact.unit:
            problems.add(f"{label}: no unit")
            continue
        if fact.unit not in known:
            if units is not None:
                problems.add(f"{label}: unknown unit '{fact.unit}'")
                continue
            known[fact.unit] = Unit(fact.unit)
        kind = kinds.get(fact.kind)
        if kind is None:
            problems.add(f"{label}: unknown fact kind '{fact.kind}'")
            continue
        try:
            value = parse_value(kind, fact.value, source=fact.source)
        except FactError as error:
            for message in error.problems:
                problems.add(f"{label}: {message}")
            refused.add((fact.unit, kind.code))
            continue
        column = columns[kind.code]
        previous = column.get(fact.unit)
        if isinstance(value, PanelValues):
            for assessor in value.assessors():
                assessor_row.setdefault((fact.unit, kind.code, assessor), where)
        if previous is None:
            column[fact.unit] = Cell(value, (fact.source,))
            first_row[(fact.unit, kind.code)] = where
        elif kind.type in LIST_TYPES and isinstance(previous.value, tuple) and isinstance(value, tuple):
            column[fact.unit] = Cell(previous.value + value, (*previous.sources, fact.source))
        elif isinstance(previous.value, PanelValues) and isinstance(value, PanelValues):
            # rows of one unit and kind may each carry some assessors (one row per assessor)
            merged, clashes = previous.value.merged(value, lists=kind.type in LIST_TYPES)
            column[fact.unit] = Cell(merged, (*previous.sources, fact.source))
            for assessor in clashes:
                first = assessor_row[(fact.unit, kind.code, assessor)]
                problems.add(f"{label}: assessor {assessor}: a second value; the first is at {first}")
        else:
            problems.add(f"{label}: a second value; the first is at {first_row[(fact.unit, kind.code)]}")
    for code in scheme.reads():
        kind = kinds.get(code)
        if kind is None:
            continue  # the scheme's validation names the unknown kind
        column = columns[code]
        for unit_code in known:
            if unit_code in column or (unit_code, code) in refused:
                continue
            if kind.default is None:
                problems.add(f"unit {unit_code}, kind {code}: no fact, and the kind has no default")
            else:
                # a panel kind's default is one ordinary value, standing in for every assessor
                column[unit_code] = Cell(parse_plain_value(kind, kind.default), ("默认值",))
    problems.raise_if_any()
    return Cycle(list(known.values()), columns)


# -- CSV -------------------------------------------------------------------------------------------


FACT_COLUMNS = ("unit", "kind", "value", "source")


def read_facts_csv(text: str) -> list[Fact]:
    """Facts from CSV text with the columns unit, kind, value, source (source may be absent)."""
    rows = _rows(text, required=("unit", "kind", "value"))
    return [
        Fact(
            row["unit"].strip(), row["kind"].strip(), row["value"], (row.get("source") or "").strip(), number
        )
        for number, row in rows
    ]


def read_units_csv(text: str) -> list[Unit]:
    """Units from CSV text with the columns unit, name, group (name and group may be absent).

    A unit listed twice, or a row without a unit, is named by its row in this file.
    """
    units = []
    first: dict[str, int] = {}
    problems = _Problems()
    for number, row in _rows(text, required=("unit",)):
        code = row["unit"].strip()
        if not code:
            problems.add(f"row {number}: no unit")
            continue
        if code in first:
            problems.add(f"row {number}: unit '{code}' is listed twice; the first is at row {first[code]}")
            continue
        first[code] = number
        units.append(Unit(code, (row.get("name") or "").strip(), (row.get("group") or "").strip()))
    problems.raise_if_any()
    return units


def _rows(text: str, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as error:
        raise FactError([f"row 1: {error}"]) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise FactError(
            [f"row 1: missing column(s) {', '.join(missing)}; the header is {', '.join(header) or 'empty'}"]
        )
    rows = []
    number = 1
    try:
        for cells in reader:
            number += 1  # records as a spreadsheet numbers them, whatever newlines a cell holds
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                raise FactError([f"row {number}: {len(cells)} cells for {len(header)} columns"])
            rows.append((number, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))))
    except csv.Error as error:
        raise FactError([f"row {number + 1}: {error}"]) from None
    return rows


def write_facts_csv(facts: Iterable[Fact]) -> str:
    """Facts as CSV text with the columns unit, kind, value, source; values as given (text)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FACT_COLUMNS)
    for fact in facts:
        writer.writerow((fact.unit, fact.kind, fact.value, fact.source))
    return out.getvalue()


def cycle_facts(cycle: Cycle, scheme: Scheme) -> list[Fact]:
    """A cycle's facts as raw facts (one per unit and kind) that build_cycle reads back the same.

    A panel kind's default standing in (no assessor gave a value) is left out: it stands in again.
    """
    kinds = scheme.fact_kinds()
    return [
        Fact(
            unit.code,
            code,
            to_text(kinds[code], cells[unit.code].value),
            "; ".join(filter(None, cells[unit.code].sources)),
        )
        for unit in cycle.units
        for code, cells in cycle.columns.items()
        if unit.code in cells and (not kinds[code].panel or isinstance(cells[unit.code].value, PanelValues))
    ]


def write_units_csv(units: Iterable[Unit]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("unit", "name", "group"))
    for unit in units:
        writer.writerow((unit.code, unit.name, unit.group))
    return out.getvalue()
