"""A cycle's facts, gathered from the records: derived ones (ledgers, discipline cases) through
the registry, the rest as entered by hand. The engine gets them as plain facts and units; it never
sees the database.
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kaohe.cycles import derived
from kaohe.cycles.models import Cycle, CycleUnit, FactEntry, Period
from kaohe.engine.errors import FactError
from kaohe.engine.fact_kinds import LIST_TYPES, FactKind
from kaohe.engine.facts import Fact, Unit, parse_value
from kaohe.engine.scheme import Node, Place, Scheme


@dataclass
class FactRow:
    """One cell of the facts table of a unit, as a page shows it."""

    kind: FactKind
    value: str | None  # the engine's text form; None when absent
    source: str
    origin: str  # "derived", "panel", "entered", "default" or "missing"
    problem: str = ""
    covers: "Covered | None" = None  # for a derived fact: the dates it is taken over


@dataclass(frozen=True)
class Covered:
    """The dates a derived fact is taken over: one period's, or the whole cycle's."""

    span: derived.Span
    period: str = ""  # the period's name; "" for the whole cycle

    def label(self, source: str) -> str:
        """The source as a run keeps it: a period's fact says which period, so that its explanation
        still says it years later. A whole-cycle fact is left as the records tell it."""
        if not self.period:
            return source
        return _("%(period)s（%(starts)s 至 %(ends)s）：%(source)s") % {
            "period": self.period,
            "starts": self.span.starts.isoformat(),
            "ends": self.span.ends.isoformat(),
            "source": source,
        }


@dataclass
class Gathered:
    units: list[Unit]
    facts: list[Fact]
    table: dict[str, list[FactRow]]  # org code -> rows in the scheme's order of fact kinds
    problems: list[str] = field(default_factory=list)


def span_of(cycle: Cycle, periods: list[Period] | None = None) -> derived.Span:
    if periods is None:
        periods = list(cycle.periods.all())
    if periods:
        return derived.Span(min(p.starts for p in periods), max(p.ends for p in periods))
    return derived.Span(datetime.date(cycle.year, 1, 1), datetime.date(cycle.year, 12, 31))


def _reads_of(node: Node) -> set[str]:
    codes = {read.code for read in node.rule.reads()} if node.rule is not None else set()
    if node.veto is not None:
        codes.update(condition.fact for condition in node.veto.when)
    return codes


def _part_of(place: Place | None, parts: set[str]) -> str | None:
    while place is not None and place.node.code not in parts:
        place = place.parent
    return place.node.code if place is not None else None


def period_of_kinds(scheme: Scheme, periods: list[Period]) -> dict[str, Period]:
    """Fact kinds read only inside one period's part of the scheme, with that period. A kind read
    in several periods' parts, or outside them, belongs to the whole cycle and is not listed."""
    by_part = {p.node: p for p in periods if p.node}
    if not by_part:
        return {}
    read_in: dict[str, set[str | None]] = defaultdict(set)  # kind -> the parts reading it (None: outside)
    for place in scheme.walk():
        part = _part_of(place, set(by_part))
        for code in _reads_of(place.node):
            read_in[code].add(part)
    found = {}
    for code, parts in read_in.items():
        if len(parts) == 1 and None not in parts:
            found[code] = by_part[str(next(iter(parts)))]
    return found


def covers_of(cycle: Cycle, scheme: Scheme) -> dict[str, Covered]:
    """Derived fact kind code -> the dates it is taken over."""
    periods = list(cycle.periods.all())
    whole = Covered(span_of(cycle, periods))
    period_of = period_of_kinds(scheme, periods)
    found = {}
    for kind in scheme.facts:
        if kind.derive:
            period = period_of.get(kind.code)
            found[kind.code] = (
                Covered(derived.Span(period.starts, period.ends), period.name) if period else whole
            )
    return found


def unknown_derives(scheme: Scheme) -> list[str]:
    """Fact kinds that name a `derive` code no app provides."""
    known = derived.known()
    return [f"{k.code}: {k.derive}" for k in scheme.facts if k.derive and k.derive not in known]


def gather(cycle: Cycle, units: list[CycleUnit] | None = None) -> Gathered:
    """Every fact of the cycle's units (or of the given ones), checked against the scheme.

    Problems name the unit and the fact kind; a fact without a value and without a default is a
    problem, never a zero.
    """
    scheme = cycle.scheme.scheme
    if units is None:
        units = list(cycle.units.select_related("org"))
    orgs = [u.org for u in units]
    covers = covers_of(cycle, scheme)
    entries: dict[tuple[int, str], FactEntry] = {
        (e.unit_id, e.kind): e for e in FactEntry.objects.filter(unit__in=units)
    }
    panel_values = _panel_values(units, scheme)
    # One derivation per code and dates: kinds of the same code in the same period share it.
    derived_values: dict[tuple[str, derived.Span], dict[int, derived.Derived]] = {}
    for kind in scheme.facts:
        if kind.derive and kind.derive in derived.known():
            key = (kind.derive, covers[kind.code].span)
            if key not in derived_values:
                derived_values[key] = derived.derive(kind.derive, orgs, key[1])
    result = Gathered(units=[], facts=[], table={})
    for unit in units:
        org = unit.org
        result.units.append(Unit(org.code, org.name, unit.group))
        rows = result.table.setdefault(org.code, [])
        for kind in scheme.facts:
            row = _row(kind, unit, entries, derived_values, panel_values, covers.get(kind.code))
            row.covers = covers.get(kind.code)
            if row.value is not None and row.origin != "default":
                try:
                    parse_value(kind, row.value, source=row.source)
                except FactError as error:
                    row.problem = "; ".join(error.problems)
                else:
                    result.facts.append(Fact(org.code, kind.code, row.value, row.source))
            if row.origin == "missing" and not row.problem:
                row.problem = _("缺少此项事实，且评分细则未规定默认值")
            if row.problem:
                result.problems.append(f"{org.code} {org.name} · {kind.code} {kind.title}: {row.problem}")
            rows.append(row)
    return result


def _panel_values(units: list[CycleUnit], scheme: Scheme) -> dict[tuple[int, str], str]:
    """(unit, panel kind) -> the assessors' values as the engine reads them: a JSON object by label."""
    from kaohe.cycles.models import AssessorEntry

    panel = {k.code: k for k in scheme.facts if k.panel}
    if not panel:
        return {}
    found: dict[tuple[int, str], dict[str, object]] = {}
    rows = AssessorEntry.objects.filter(unit__in=units, kind__in=panel).select_related("member")
    for entry in rows.order_by("member__label"):
        complex_value = panel[entry.kind].type in LIST_TYPES or panel[entry.kind].type in ("checklist",)
        value = json.loads(entry.value) if complex_value else entry.value
        found.setdefault((entry.unit_id, entry.kind), {})[entry.member.label] = value
    return {key: json.dumps(values, ensure_ascii=False) for key, values in found.items()}


def _row(
    kind: FactKind, unit: CycleUnit, entries, derived_values, panel_values, covers: Covered | None
) -> FactRow:
    if kind.panel:
        text = panel_values.get((unit.pk, kind.code))
        if text is not None:
            return FactRow(kind, text, _("考核组评分"), "panel")
    elif kind.derive and covers is not None:
        values = derived_values.get((kind.derive, covers.span))
        if values is None:
            return FactRow(kind, None, "", "missing", _("取数口径 %(code)s 不可用") % {"code": kind.derive})
        found = values.get(unit.org_id)
        if found is not None:
            return FactRow(kind, found.value, covers.label(found.source), "derived")
    else:
        entry = entries.get((unit.pk, kind.code))
        if entry is not None:
            return FactRow(kind, entry.value, entry.source, "entered")
    if kind.default is not None:
        return FactRow(kind, None, "", "default")
    return FactRow(kind, None, "", "missing")
