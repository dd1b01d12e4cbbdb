"""Self-assessment pages: a unit's table (score, explanation, evidence status per item; save, submit,
return) and the cycle overview of units × status × self total."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.cycles.actions import self_assessment as actions
from kaohe.cycles.models import Cycle, CycleState, CycleUnit
from kaohe.cycles.models.evidence import evidence_states, scored_items
from kaohe.cycles.models.self_assessment import DECLARATION, SelfScore, SelfStatus, totals
from kaohe.cycles.queries import can_manage, get_cycle_for_user, get_unit_for_user, units_for_user
from kaohe.cycles.queries_self import self_assessments, self_totals, status_of
from kaohe.engine.errors import PointsError
from kaohe.engine.points import format_thousandths, parse_points

OVERVIEW_PAGE_SIZE = 50


def _fill_problem(cycle: Cycle, sa) -> str | None:
    """Why the unit cannot edit now (shown above a read-only table), or None."""
    status = status_of(sa)
    if status == SelfStatus.SUBMITTED:
        return None  # the page says when it was submitted
    if cycle.state != CycleState.SELF_ASSESSMENT:
        if not cycle.reached(CycleState.SELF_ASSESSMENT):
            return _("自评在“自查自评”阶段开放填报")
        return _("自查自评阶段已结束")
    due = cycle.self_assessment_due
    if due and timezone.localdate() > due and status != SelfStatus.RETURNED:
        return _("自评已于 %(due)s 截止") % {"due": due.isoformat()}
    return None


def _context(request, cycle: Cycle, unit: CycleUnit, *, posted=None, errors=None) -> dict:
    scheme = cycle.scheme.scheme
    items = scored_items(scheme)
    stored = {s.node_code: s for s in SelfScore.objects.filter(unit=unit)}
    sa = self_assessments([unit]).get(unit.pk)
    states = evidence_states(items, [unit], closes=cycle.evidence_closes, today=timezone.localdate())
    errors = errors or {}
    areas: list[tuple[str, list[dict]]] = []
    for item in items:
        row = stored.get(item.code)
        if posted is not None and f"score_{item.code}" in posted:
            score_text = posted.get(f"score_{item.code}", "")
            explanation = posted.get(f"explanation_{item.code}", "")
        else:
            score_text = format_thousandths(row.score) if row else ""
            explanation = row.explanation if row else ""
        entry = {
            "item": item,
            "score": score_text,
            "explanation": explanation,
            "evidence": states[(unit.pk, item.code)],
            "errors": errors.get(item.code, []),
        }
        if not areas or areas[-1][0] != item.area:
            areas.append((item.area, []))
        areas[-1][1].append(entry)
    problem = _fill_problem(cycle, sa)
    may_fill = has_cap(request.user, Cap.FILL_UNIT, unit.org)
    status = status_of(sa)
    return {
        "cycle": cycle,
        "unit": unit,
        "sa": sa,
        "status": status,
        "status_label": SelfStatus(status).label,
        "areas": areas,
        "totals": totals(scheme, {code: s.score for code, s in stored.items()}),
        "full": scheme.total_points,
        "scored": len(stored),
        "item_count": len(items),
        "may_fill": may_fill,
        "can_fill": may_fill and problem is None and status != SelfStatus.SUBMITTED,
        "fill_problem": problem,
        "can_return": can_manage(request.user, cycle)
        and status == SelfStatus.SUBMITTED
        and cycle.state == CycleState.SELF_ASSESSMENT,
        "declaration": DECLARATION,
        "general_errors": errors.get("scores", [])
        + errors.get("declaration", [])
        + errors.get("__all__", []),
        "declaration_checked": bool(posted and posted.get("declaration")),
    }


def _entries(request, items) -> tuple[dict[str, actions.ScoreInput], dict[str, list[str]]]:
    """The posted scores as exact thousandths; a cell that is not a number is named."""
    entries: dict[str, actions.ScoreInput] = {}
    errors: dict[str, list[str]] = {}
    for item in items:
        key = f"score_{item.code}"
        if key not in request.POST:
            continue
        text = request.POST.get(key, "").strip()
        explanation = request.POST.get(f"explanation_{item.code}", "")
        if not text:
            entries[item.code] = actions.ScoreInput(None, explanation)
            continue
        try:
            entries[item.code] = actions.ScoreInput(parse_points(text), explanation)
        except PointsError:
            errors[item.code] = [
                _("“%(item)s”自评分“%(text)s”不是数字（最多三位小数）") % {"item": item.title, "text": text}
            ]
    return entries, errors


def _messages_of(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


@login_required
def unit_self(request, public_id, code):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    if request.method == "POST":
        if not has_cap(request.user, Cap.FILL_UNIT, unit.org):
            raise PermissionDenied("read-only")
        entries, errors = _entries(request, scored_items(cycle.scheme.scheme))
        submitting = "submit" in request.POST
        saved = False
        if not errors:
            try:
                actions.save_self_scores(request.user, unit, entries)
                saved = True
                if submitting:
                    actions.submit_self_assessment(
                        request.user, unit, declaration=bool(request.POST.get("declaration"))
                    )
            except ValidationError as exc:
                errors = _messages_of(exc)
            else:
                messages.success(request, _("已提交自评") if submitting else _("已保存自评草稿"))
                return redirect("cycles:unit_self", public_id=cycle.public_id, code=unit.org.code)
        context = _context(request, cycle, unit, posted=request.POST, errors=errors)
        context["error_count"] = sum(len(v) for v in errors.values())
        context["saved_not_submitted"] = saved
        return render(request, "cycles/self_assessment.html", context)
    return render(request, "cycles/self_assessment.html", _context(request, cycle, unit))


@login_required
@require_POST
def self_return(request, public_id, code):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    if not can_manage(request.user, cycle):
        raise PermissionDenied("read-only")
    try:
        actions.return_self_assessment(request.user, unit, request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已退回%(unit)s的自评") % {"unit": unit.org.name})
    return redirect("cycles:unit_self", public_id=cycle.public_id, code=unit.org.code)


OVERVIEW_SORTS: dict[str, Callable[[dict[str, Any]], tuple]] = {
    "": lambda r: (r["unit"].org.sort_order, r["unit"].org.code),
    "-total": lambda r: (-r["totals"].total, r["unit"].org.code),
    "total": lambda r: (r["totals"].total, r["unit"].org.code),
}


@login_required
def self_overview(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id)
    units = units_for_user(request.user, cycle)
    q = request.GET.get("q", "").strip()
    if q:
        units = units.filter(Q(org__name__icontains=q) | Q(org__code__icontains=q))
    shown = list(units)
    scheme = cycle.scheme.scheme
    found = self_assessments(shown)
    sums = self_totals(scheme, shown)
    status = request.GET.get("status", "")
    rows: list[dict[str, Any]] = []
    for u in shown:
        state = status_of(found.get(u.pk))
        label = SelfStatus(state).label
        rows.append(
            {"unit": u, "sa": found.get(u.pk), "status": state, "status_label": label, "totals": sums[u.pk]}
        )
    if status in SelfStatus.values:
        rows = [r for r in rows if r["status"] == status]
    sort = request.GET.get("sort", "")
    sort = sort if sort in OVERVIEW_SORTS else ""
    rows.sort(key=OVERVIEW_SORTS[sort])
    counts = {s: sum(1 for u in shown if status_of(found.get(u.pk)) == s) for s in SelfStatus.values}
    page = Paginator(rows, OVERVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"q": q, "status": status, "sort": sort}
    return render(
        request,
        "cycles/self_overview.html",
        {
            "cycle": cycle,
            "page": page,
            "q": q,
            "status": status,
            "statuses": SelfStatus.choices,
            "counts": [(label, counts[value]) for value, label in SelfStatus.choices],
            "sort": sort,
            "query": urlencode({k: v for k, v in query.items() if v}),
            "filter_query": urlencode({k: v for k, v in query.items() if v and k != "sort"}),
        },
    )
