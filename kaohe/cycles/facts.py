"""A cycle's facts, gathered from the records: derived ones (ledgers, discipline cases) through
the registry, the rest as entered by hand. The engine gets them as plain facts and units; it never
sees the database.
"""

import datetime
import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from kaohe.cycles import derived
from kaohe.cycles.models import Cycle, CycleUnit, FactEntry
from kaohe.engine.errors import FactError
from kaohe.engine.fact_kinds import LIST_TYPES, FactKind
from kaohe.engine.facts import Fact, Unit, parse_value
from kaohe.engine.scheme import Scheme


@dataclass
class FactRow:
    """One cell of the facts table of a unit, as a page shows it."""

    kind: FactKind
    value: str | None  # the engine's text form; None when absent
    source: str
    origin: str  # "derived", "panel", "entered", "default" or "missing"
    problem: str = ""


@dataclass
class Gathered:
    units: list[Unit]
    facts: list[Fact]
    table: dict[str, list[FactRow]]  # org code -> rows in the scheme's order of fact kinds
    problems: list[str] = field(default_factory=list)


def span_of(cycle: Cycle) -> derived.Span:
    periods = list(cycle.periods.all())
    if periods:
        return derived.Span(min(p.starts for p in periods), max(p.ends for p in periods))
    return derived.Span(datetime.date(cycle.year, 1, 1), datetime.date(cycle.year, 12, 31))


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
    span = span_of(cycle)
    entries: dict[tuple[int, str], FactEntry] = {
        (e.unit_id, e.kind): e for e in FactEntry.objects.filter(unit__in=units)
    }
    panel_values = _panel_values(units, scheme)
    derived_values = {
        kind.derive: derived.derive(kind.derive, orgs, span)
        for kind in scheme.facts
        if kind.derive and kind.derive in derived.known()
    }
    result = Gathered(units=[], facts=[], table={})
    for unit in units:
        org = unit.org
        result.units.append(Unit(org.code, org.name, unit.group))
        rows = result.table.setdefault(org.code, [])
        for kind in scheme.facts:
            row = _row(kind, unit, entries, derived_values, panel_values)
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


def _row(kind: FactKind, unit: CycleUnit, entries, derived_values, panel_values) -> FactRow:
    if kind.panel:
        text = panel_values.get((unit.pk, kind.code))
        if text is not None:
            return FactRow(kind, text, _("考核组评分"), "panel")
    elif kind.derive:
        values = derived_values.get(kind.derive)
        if values is None:
            return FactRow(kind, None, "", "missing", _("取数口径 %(code)s 不可用") % {"code": kind.derive})
        found = values.get(unit.org_id)
        if found is not None:
            return FactRow(kind, found.value, found.source, "derived")
    else:
        entry = entries.get((unit.pk, kind.code))
        if entry is not None:
            return FactRow(kind, entry.value, entry.source, "entered")
    if kind.default is not None:
        return FactRow(kind, None, "", "default")
    return FactRow(kind, None, "", "missing")
