"""Result uses (结果运用): each unit's grade, rank and pay coefficient (薪酬系数), the actions its
grade and rank bring (通报表扬, 约谈, ...), the awards a veto withheld, and the pay table for HR.

The organiser's people see every unit; a unit's people see their own row only; nobody sees anything
before results are visible to them (results_visible)."""

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from kaohe.cycles.exports import points
from kaohe.cycles.models import Cycle, UnitResult
from kaohe.cycles.queries import can_manage, get_cycle_for_user, results_visible
from kaohe.cycles.results import results_for_user
from kaohe.tables import table_xlsx, xlsx_response


@dataclass
class ActionGroup:
    action: str
    rows: list[UnitResult] = field(default_factory=list)


def _action_order(cycle: Cycle) -> list[str]:
    """Actions in the order the scheme names them: rank outcomes, then by grade, then awards."""
    uses = cycle.scheme.scheme.uses
    grading = cycle.scheme.scheme.grading
    names = [o.action for o in grading.rank_outcomes]
    for grade in grading.grades():
        names += list(uses.actions.get(grade, ()))
    names += list(uses.award_actions)
    return list(dict.fromkeys(names))


def action_groups(cycle: Cycle, rows: list[UnitResult]) -> list[ActionGroup]:
    """One list per action (通报表扬, 约谈, ...) of the units that receive it, in the scheme's order
    and then by rank; actions the scheme names but nobody receives are left out."""
    groups = {name: ActionGroup(name) for name in _action_order(cycle)}
    for row in rows:
        for action in row.actions:
            groups.setdefault(action, ActionGroup(action)).rows.append(row)
    return [g for g in groups.values() if g.rows]


def _withheld_reasons(row: UnitResult) -> str:
    return "；".join(step["text"] for step in row.steps if step.get("kind") == "no_awards")


@login_required
def uses_page(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id)
    visible = results_visible(request.user, cycle)
    rows = results_for_user(request.user, cycle) if visible else []
    withheld = [row for row in rows if row.withheld]
    for row in withheld:
        row.withheld_reason = _withheld_reasons(row)  # type: ignore[attr-defined]
    return render(
        request,
        "cycles/uses.html",
        {
            "cycle": cycle,
            "visible": visible,
            "rows": rows,
            "groups": action_groups(cycle, rows),
            "withheld": withheld,
            "has_pay": any(row.pay is not None for row in rows),
            "can_manage": can_manage(request.user, cycle),
        },
    )


@login_required
def pay_export(request, public_id):
    """薪酬系数表 for HR: the coefficient as an exact number (Decimal), blank where the scheme sets none."""
    cycle = get_cycle_for_user(request.user, public_id)
    if not results_visible(request.user, cycle):
        raise Http404("no results yet")
    rows = sorted(
        results_for_user(request.user, cycle), key=lambda r: (r.unit.org.sort_order, r.unit.org.code)
    )
    columns = [
        (_("单位编码"), 14),
        (_("单位名称"), 30),
        (_("等次"), 10),
        (_("薪酬系数"), 12),
        (_("考核年度"), 10),
    ]
    content = table_xlsx(
        _("薪酬系数表"),
        columns,
        ((r.unit.org.code, r.unit.org.name, r.grade, points(r.pay), cycle.year) for r in rows),
    )
    return xlsx_response(content, f"{cycle.year}-{cycle.name}-薪酬系数表")
