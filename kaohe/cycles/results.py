"""Reading a cycle's results back: the current run's rows, and explanations recomputed on demand
from the facts the run kept (the reference evaluator; the fast one has no texts)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kaohe.cycles.models import Cycle, CycleUnit, ResultRun, UnitResult
from kaohe.engine.explain import Explanation, explain_unit, folded_nodes
from kaohe.engine.facts import build_cycle, read_facts_csv, read_units_csv


def current_results(cycle: Cycle, units=None) -> list[UnitResult]:
    """The current run's results, of the given cycle units (or of units of these orgs)."""
    if cycle.current_run_id is None:
        return []
    rows = UnitResult.objects.filter(run_id=cycle.current_run_id).select_related("unit__org")
    if units is not None:
        units = list(units)
        if units and not isinstance(units[0], CycleUnit):
            rows = rows.filter(unit__org__in=units)  # another cycle's units: match by org
        else:
            rows = rows.filter(unit__in=units)
    return list(rows.order_by("unit__group", "rank", "unit__org__code"))


def results_for_user(user, cycle: Cycle) -> list[UnitResult]:
    """The current results of the units `user` may see, once they may see results at all."""
    from kaohe.cycles.queries import results_visible, units_for_user

    if not results_visible(user, cycle):
        return []
    return current_results(cycle, units_for_user(user, cycle))


def explanation(cycle: Cycle, run: ResultRun, unit: CycleUnit) -> Explanation:
    """The unit's explanation from the run's own facts and the pinned scheme version."""
    org_code = (
        UnitResult.objects.filter(run=run, unit=unit).values_list("code", flat=True).first() or unit.org.code
    )
    version = cycle.scheme
    if version.digest != run.scheme_digest:
        # A published version never changes, so this means the database was edited by hand.
        raise ValidationError(_("评分细则与计算结果时的版本不一致"))
    scheme = version.scheme
    engine_cycle = build_cycle(scheme, read_facts_csv(run.facts_csv), read_units_csv(run.units_csv))
    return explain_unit(scheme, engine_cycle, org_code)


def lost_points(result: Explanation) -> list[dict]:
    """Every scored item that lost points, with the lines saying why: the feedback a unit gets.
    Parts of a weighted or product node (on their own scales) are left to that node; bonus items
    not earned are not losses."""
    out = []
    folded = folded_nodes(result.result)
    for node in result.items:
        if node.code in folded or node.category == "bonus":
            continue
        losses = [line for line in node.lines if line.amount < 0]
        if not node.children and node.points and node.score < node.points and node.category != "veto":
            out.append({"node": node, "lost": node.points - node.score, "lines": losses})
    return out
