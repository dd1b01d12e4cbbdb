"""Reading self-assessments back, for the self-assessment pages and for the side-by-side view of
self, assessor and facts. The callers check access (kaohe.cycles.queries) before."""

from kaohe.cycles.models.self_assessment import SelfAssessment, SelfScore, SelfStatus, Totals, totals
from kaohe.engine.scheme import Scheme


def self_scores(units) -> dict[tuple[int, str], int]:
    """(unit id, node code) → the unit's own score in thousandths, one query for any number of units
    (`units` a queryset or a list). Items a unit has not scored are absent."""
    rows = SelfScore.objects.filter(unit__in=units).values_list("unit_id", "node_code", "score")
    return {(unit_id, code): score for unit_id, code, score in rows}


def self_explanations(units) -> dict[tuple[int, str], str]:
    """(unit id, node code) → the unit's explanation (说明), where it wrote one."""
    rows = SelfScore.objects.filter(unit__in=units).exclude(explanation="")
    return {(u, c): e for u, c, e in rows.values_list("unit_id", "node_code", "explanation")}


def self_assessments(units) -> dict[int, SelfAssessment]:
    """unit id → its self-assessment row; a unit that never saved anything has none (a draft)."""
    rows = SelfAssessment.objects.filter(unit__in=units).select_related("submitted_by", "returned_by")
    return {sa.unit_id: sa for sa in rows}


def status_of(sa: SelfAssessment | None) -> str:
    return sa.status if sa is not None else SelfStatus.DRAFT


def self_totals(scheme: Scheme, units) -> dict[int, Totals]:
    """unit id → the totals of its self-scores (basic, bonus, 直接扣分, total), one query."""
    by_unit: dict[int, dict[str, int]] = {unit.pk: {} for unit in units}
    for (unit_id, code), score in self_scores(units).items():
        by_unit.setdefault(unit_id, {})[code] = score
    return {unit_id: totals(scheme, scores) for unit_id, scores in by_unit.items()}
