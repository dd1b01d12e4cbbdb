"""A unit's facts in a cycle: derived ones with their records, entered ones editable by the
organiser until the results are published."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe.cycles import actions
from kaohe.cycles.fact_display import shown_plain_value, shown_value
from kaohe.cycles.fact_messages import value_problem
from kaohe.cycles.facts import FactRow, gather
from kaohe.cycles.forms import FactForm
from kaohe.cycles.models import CycleState
from kaohe.cycles.queries import can_manage, get_cycle_for_user, get_unit_for_user
from kaohe.engine.scheme_xlsx import TYPE_LABELS


@login_required
def unit_facts(request, public_id, code):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    gathered = gather(cycle, [unit])
    rows = gathered.table[unit.org.code]
    for row in rows:
        row.problem = _problem_for_people(row)
    return render(
        request,
        "cycles/facts.html",
        {
            "cycle": cycle,
            "unit": unit,
            "rows": [
                {
                    "row": r,
                    "type": TYPE_LABELS[r.kind.type],
                    "shown": shown_value(r.kind, r.value),
                    "default": shown_plain_value(r.kind, r.kind.default),
                }
                for r in rows
            ],
            "problems": [f"{r.kind.code} {r.kind.title}: {r.problem}" for r in rows if r.problem],
            # With several periods each derived fact says which one it covers (or the whole cycle).
            "several_periods": any(r.covers and r.covers.period for r in rows),
            "can_edit": can_manage(request.user, cycle) and not cycle.reached(CycleState.PUBLISHED),
            # Assessors score independently: nobody but the organiser sees the panel's values
            # before the review window.
            "show_panel": can_manage(request.user, cycle) or cycle.reached(CycleState.REVIEW),
        },
    )


@login_required
@require_POST
def unit_fact_set(request, public_id, code):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    if not can_manage(request.user, cycle):
        raise PermissionDenied("read-only")
    form = FactForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写取值"))
    else:
        data = form.cleaned_data
        try:
            if request.POST.get("clear"):
                actions.clear_fact(request.user, cycle, unit, data["kind"])
            else:
                actions.set_fact(request.user, cycle, unit, data["kind"], data["value"], data["source"])
        except ValidationError as exc:
            messages.error(request, f"{data['kind']}: " + " ".join(_refusal(cycle, data, exc)))
        else:
            messages.success(request, _("已保存“%(kind)s”") % {"kind": data["kind"]})
    return redirect("cycles:unit_facts", public_id=cycle.public_id, code=unit.org.code)


def _problem_for_people(row: FactRow) -> str:
    """A value the engine refused, re-phrased (its own text is English, for the command line)."""
    if not row.problem or row.value is None:
        return row.problem  # missing facts are already told in the user's language
    if row.kind.panel:
        return _("“%(title)s”考核员的评分无效或不完整，请考核员重新保存评分") % {"title": row.kind.title}
    return value_problem(row.kind, row.value)


def _refusal(cycle, data, exc: ValidationError) -> list[str]:
    """The reasons a value was not saved; a refused value names the fact and what it takes."""
    if not hasattr(exc, "error_dict") or "value" not in exc.error_dict:
        return exc.messages
    kind = cycle.scheme.scheme.fact_kinds().get(data["kind"])
    return [value_problem(kind, data["value"])] if kind is not None else exc.messages
