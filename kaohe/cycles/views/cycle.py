"""Cycles: list, create, the cycle page with its phases and units, moving to the next phase."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.cycles import actions
from kaohe.cycles.forms import CycleForm, parse_groups, parse_periods, part_codes, weighted_parts
from kaohe.cycles.models import STATE_ORDER, CycleState
from kaohe.cycles.queries import (
    can_manage,
    cycles_for_user,
    get_cycle_for_user,
    sees_all_units,
    units_for_user,
)
from kaohe.cycles.results import results_for_user, stale_check_due
from kaohe.forms_errors import add_action_errors
from kaohe.measures.models import SchemeStatus
from kaohe.measures.queries import schemes_for_user
from kaohe.orgs.models import OrgUnit

PHASE_DEADLINE = {
    CycleState.TARGETS: "targets_due",
    CycleState.SELF_ASSESSMENT: "self_assessment_due",
    CycleState.ASSESSMENT: "assessment_due",
    CycleState.REVIEW: "review_due",
}


@login_required
def cycle_list(request):
    if not scope_roots(request.user, Cap.VIEW_CYCLES):
        raise Http404("no scope")
    cycles = list(cycles_for_user(request.user).order_by("-year", "owner__path", "name"))
    context = {"cycles": cycles, "can_create": has_cap(request.user, Cap.MANAGE_CYCLES)}
    if not cycles:
        # Say why the list is empty: most people never run a cycle, their unit is assessed by the
        # committee above, and a branch's part is its ledger.
        context["own_orgs"] = scope_roots(request.user, Cap.VIEW_CYCLES)
        ledger_roots = scope_roots(request.user, Cap.VIEW_LEDGERS)
        context["ledger_org"] = ledger_roots[0] if len(ledger_roots) == 1 else None
        context["sees_ledgers"] = bool(ledger_roots)
    return render(request, "cycles/list.html", context)


@login_required
def cycle_create(request):
    roots = scope_roots(request.user, Cap.MANAGE_CYCLES)
    if not roots:
        raise Http404("nothing to manage")
    owners = OrgUnit.objects.filter(pk__in=[r.pk for r in roots]).order_by("path")
    schemes = schemes_for_user(request.user).filter(status=SchemeStatus.PUBLISHED)
    form = CycleForm(request.POST or None, owners=owners, schemes=schemes)
    asked_same_units = False  # the checkbox to confirm a second cycle shows once it is asked for
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        owner = data["owner"]
        orgs = OrgUnit.objects.subtree_of(owner).filter(kind=data["unit_kind"]).exclude(pk=owner.pk)
        orgs = orgs.filter(active_to__isnull=True) | orgs.filter(active_to__year__gte=data["year"])
        deadlines = {name: data[name] for name in actions.DEADLINES}
        assessed = list(orgs.order_by("sort_order", "code"))
        try:
            lines = part_codes(parse_periods(data["periods"]), data["scheme"].scheme)
            periods = [actions.PeriodSpec(*line) for line in lines]
            groups = parse_groups(data["groups"], assessed)
            units = [actions.UnitSpec(org, groups.get(org.pk, "")) for org in assessed]
            warning = actions.same_units_warning(owner, data["year"], units)
            if warning and not data["same_units_confirmed"]:
                asked_same_units = True
                raise ValidationError(warning)
            cycle = actions.create_cycle(
                request.user,
                owner=owner,
                year=data["year"],
                name=data["name"],
                scheme=data["scheme"],
                units=units,
                periods=periods,
                **deadlines,
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已创建考核周期"))
            return redirect("cycles:detail", public_id=cycle.public_id)
    return render(
        request,
        "cycles/form.html",
        {
            "form": form,
            "schemes_parts": _schemes_parts(schemes),
            "ask_same_units": asked_same_units or bool(form.data.get("same_units_confirmed")),
        },
    )


def _schemes_parts(schemes) -> list[dict]:
    """The weighted nodes of each scheme on offer with their parts, for entering the periods."""
    found = []
    for version in schemes:
        parts = weighted_parts(version.scheme)
        if parts:
            found.append({"scheme": version, "parts": parts})
    return found


def _periods_with_parts(cycle) -> list[dict]:
    periods = list(cycle.periods.all())
    titles = {}
    if any(p.node for p in periods):  # a single whole-year period needs no scheme read
        titles = {place.node.code: place.node.title for place in cycle.scheme.scheme.walk()}
    return [{"period": p, "part": titles.get(p.node, p.node)} for p in periods]


def _phases(cycle):
    out = []
    for state in CycleState:
        index = STATE_ORDER.index(state)
        field = PHASE_DEADLINE.get(state)
        out.append(
            {
                "label": state.label,
                "done": index < cycle.state_index,
                "current": index == cycle.state_index,
                "due": getattr(cycle, field) if field else None,
            }
        )
    return out


@login_required
def cycle_detail(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id)
    units = list(units_for_user(request.user, cycle))
    results = {r.unit_id: r for r in results_for_user(request.user, cycle)}
    rows = [{"unit": u, "result": results.get(u.pk)} for u in units]
    manage = can_manage(request.user, cycle)
    next_state = actions.next_state(cycle)
    return render(
        request,
        "cycles/detail.html",
        {
            "cycle": cycle,
            "phases": _phases(cycle),
            "rows": rows,
            "can_manage": manage,
            "can_score": has_cap(request.user, Cap.SCORE, cycle.owner),
            "sees_all": sees_all_units(request.user, cycle),
            "next_state": next_state,
            "next_label": CycleState(next_state).label if next_state else "",
            "periods": _periods_with_parts(cycle),
            "stale_check": stale_check_due(cycle, shown=manage or bool(results)),
        },
    )


@login_required
def cycle_advance(request, public_id):
    """The step before the next phase: what is left undone is listed; blockers refuse the move,
    warnings must be confirmed with the checkbox."""
    cycle = get_cycle_for_user(request.user, public_id, manage=True)
    checks = actions.advance_checks(cycle)
    if checks.to_state is None:
        return redirect("cycles:detail", public_id=cycle.public_id)
    unconfirmed = False
    if request.method == "POST":
        if checks.warnings and not request.POST.get("confirm"):
            unconfirmed = True
        elif not checks.blockers:
            try:
                actions.advance_cycle(request.user, cycle, request.POST.get("to", ""))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("cycles:advance", public_id=cycle.public_id)
            messages.success(request, _("已进入下一阶段"))
            return redirect("cycles:detail", public_id=cycle.public_id)
    return render(
        request,
        "cycles/advance.html",
        {
            "cycle": cycle,
            "checks": checks,
            "to_label": CycleState(checks.to_state).label,
            "unconfirmed": unconfirmed,
        },
    )


@login_required
def cycle_units(request, public_id):
    """Choose the assessed units and their peer groups while the cycle is being drafted."""
    cycle = get_cycle_for_user(request.user, public_id, manage=True)
    current = {u.org_id: u for u in cycle.units.select_related("org")}
    kinds = {u.org.kind for u in current.values()} or {"enterprise"}
    candidates = list(
        OrgUnit.objects.subtree_of(cycle.owner)
        .filter(kind__in=kinds)
        .exclude(pk=cycle.owner.pk)
        .order_by("path")
    )
    if request.method == "POST":
        chosen = set(request.POST.getlist("org"))
        specs = [
            actions.UnitSpec(org, request.POST.get(f"group_{org.code}", "").strip()[:40])
            for org in candidates
            if org.code in chosen
        ]
        try:
            actions.set_units(request.user, cycle, specs)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已保存被考核单位"))
            return redirect("cycles:detail", public_id=cycle.public_id)
    rows = [{"org": org, "unit": current.get(org.pk)} for org in candidates]
    return render(request, "cycles/units.html", {"cycle": cycle, "rows": rows})
