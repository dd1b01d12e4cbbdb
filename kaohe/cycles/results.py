"""Reading a cycle's results back: the current run's rows, and explanations recomputed on demand
from the facts the run kept (the reference evaluator; the fast one has no texts)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kaohe.cycles.models import Cycle, CycleState, CycleUnit, ResultRun, UnitResult
from kaohe.engine.explain import Explanation, explain_unit, folded_nodes
from kaohe.engine.facts import build_cycle, read_facts_csv, read_units_csv
from kaohe.engine.results import Line, NodeScore
from kaohe.engine.scheme import Scheme


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


def stale_check_due(cycle: Cycle, shown: bool) -> bool:
    """Whether a page that shows results (`shown`) should ask if they are out of date: only while
    they can still be recomputed (before publication)."""
    return shown and cycle.current_run_id is not None and not cycle.reached(CycleState.PUBLISHED)


def stale_results(cycle: Cycle, shown: bool) -> str | None:
    """Why the results on a page are out of date, or None. The check gathers every fact of the
    cycle (about a second for a city), so pages load it after themselves (views.results.status)."""
    from kaohe.cycles.actions import results_problem  # actions/rectification.py imports this module

    if not stale_check_due(cycle, shown):
        return None
    return results_problem(cycle)


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
    A weighted or product node is one row (its lines give each part at its weight); its parts, on
    their own scales, are not rows of their own. Bonus items not earned are not losses."""
    out = []
    folded = folded_nodes(result.result)
    for node in result.items:
        if node.code in folded or node.category in ("bonus", "veto") or not node.points:
            continue
        if node.score >= node.points or (node.children and node.counted_children):
            continue  # a sum node's losses are its items' rows
        out.append({"node": node, "lost": node.points - node.score, "lines": reasons(node)})
    return out


def reasons(node: NodeScore) -> list[Line]:
    """The engine's lines that say why `node` scored below its points.

    An item that starts from its points (a deduction, a weighted or product node) lost exactly its
    negative lines. An item scored up from zero (a checklist, a completion rate, a tiered judgment,
    rank points, a ballot, a panel's mean) says what it earned: the parts it did not earn (a
    checklist's missing steps, 0 for rank points), or else the lines that gave its score (actual
    against required, the grade, the position against the first).
    """
    if node.base >= node.points:
        return [line for line in node.lines if line.amount < 0]
    missed = [line for line in node.lines if line.amount == 0]
    return missed or list(node.lines)


# The order a veto's consequences are said in, when one veto has several.
OUTCOME_ORDER = {"cap": 0, "force": 1, "no_awards": 2}


def grade_basis(steps: list[dict], scheme: Scheme) -> list[str]:
    """What decided the grade, one line per event. A veto that both sets the grade and takes away
    the awards is two steps of the engine (each "reason：outcome"); it is said once here, with both
    outcomes ("reason：定为“差”，取消评先评优资格")."""
    veto_reasons = {p.node.code: p.node.veto.reason for p in scheme.walk() if p.node.veto is not None}
    lines: list[str | tuple[str, list[tuple[int, str]]]] = []
    by_veto: dict[str, list[tuple[int, str]]] = {}
    for step in steps:
        node, text = step.get("node") or "", step["text"]
        reason = veto_reasons.get(node)
        if reason is None or not text.startswith(f"{reason}："):
            lines.append(text)
            continue
        outcome = (OUTCOME_ORDER.get(step["kind"], len(OUTCOME_ORDER)), text[len(reason) + 1 :])
        if node in by_veto:
            by_veto[node].append(outcome)
        else:
            by_veto[node] = [outcome]
            lines.append((reason, by_veto[node]))
    return [
        line if isinstance(line, str) else f"{line[0]}：{'，'.join(o for _, o in sorted(line[1]))}"
        for line in lines
    ]
