"""What the cycle dashboard shows, computed from the stored results: ranking, each area's score
rate for a unit against the average, where points are lost (items × units), last year beside this.

Rates are exact fractions turned into percentages with one decimal only for display; nothing here
decides a grade.
"""

from dataclasses import dataclass
from fractions import Fraction

from kaohe.cycles.models import Cycle, UnitResult
from kaohe.engine.points import format_thousandths
from kaohe.engine.scheme import Scheme


def _percent(part: int, whole: int) -> float:
    return float(round(Fraction(part * 100, whole), 1)) if whole else 0.0


@dataclass(frozen=True)
class Area:
    code: str
    title: str
    points: int


def areas(scheme: Scheme) -> list[Area]:
    """The first-level basic areas (bonus and veto sections have no rate to compare)."""
    return [
        Area(n.code, n.title, n.points)
        for n in scheme.nodes
        if (n.category or "basic") == "basic" and n.points > 0
    ]


def ranking(results: list[UnitResult]) -> dict:
    ordered = sorted(results, key=lambda r: (-r.total, r.unit.org.code))
    return {
        "units": [r.unit.org.short_name or r.unit.org.name for r in ordered],
        "totals": [float(format_thousandths(r.total)) for r in ordered],
        "grades": [r.grade for r in ordered],
    }


def radar(scheme: Scheme, results: list[UnitResult], unit: UnitResult | None) -> dict:
    """Each area's score rate (%) of the unit, and the average over all units of the cycle."""
    shown = areas(scheme)
    average = [
        _percent(sum(r.scores.get(a.code, 0) for r in results), a.points * len(results)) for a in shown
    ]
    return {
        "indicators": [{"name": a.title, "max": 100} for a in shown],
        "average": average,
        "unit": [_percent(unit.scores.get(a.code, 0), a.points) for a in shown] if unit else None,
        "unit_name": unit.unit.org.name if unit else "",
    }


def heatmap(scheme: Scheme, results: list[UnitResult]) -> dict:
    """Lost points (% of the item's points) for every scored item × unit; items nobody lost
    points on are left out, so the map shows where points go."""
    leaves = [
        p.node for p in scheme.walk() if not p.node.children and p.category == "basic" and p.node.points > 0
    ]
    ordered = sorted(results, key=lambda r: r.unit.org.code)
    cells: list[list] = []
    items: list[str] = []
    for node in leaves:
        lost = [max(node.points - r.scores.get(node.code, node.points), 0) for r in ordered]
        if not any(lost):
            continue
        row = len(items)
        items.append(node.title)
        cells += [[column, row, _percent(value, node.points)] for column, value in enumerate(lost) if value]
    return {
        "units": [r.unit.org.short_name or r.unit.org.name for r in ordered],
        "items": items,
        "cells": cells,
    }


def previous_cycle(cycle: Cycle) -> Cycle | None:
    return (
        Cycle.objects.filter(owner=cycle.owner, year=cycle.year - 1, current_run__isnull=False)
        .order_by("-created_at")
        .first()
    )


def trend(results: list[UnitResult], previous: list[UnitResult]) -> dict:
    """This year's and last year's totals of the same units (by org), side by side."""
    before = {r.unit.org_id: r for r in previous}
    ordered = sorted(results, key=lambda r: r.unit.org.code)
    return {
        "units": [r.unit.org.short_name or r.unit.org.name for r in ordered],
        "this": [float(format_thousandths(r.total)) for r in ordered],
        "last": [
            float(format_thousandths(before[r.unit.org_id].total)) if r.unit.org_id in before else None
            for r in ordered
        ],
    }
