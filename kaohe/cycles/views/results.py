"""Results: the ranked table, recomputing (a job), a unit's explanation, the xlsx export."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.cycles import feedback
from kaohe.cycles.exports import results_workbook
from kaohe.cycles.models import CycleState
from kaohe.cycles.queries import (
    can_manage,
    get_cycle_for_user,
    get_unit_for_user,
    results_visible,
    units_for_user,
)
from kaohe.cycles.results import (
    explanation,
    grade_basis,
    lost_points,
    results_for_user,
    stale_check_due,
    stale_results,
)
from kaohe.exports.word import DOCX
from kaohe.files.queries import content_disposition
from kaohe.jobs.actions import start_job
from kaohe.tables import xlsx_response


@login_required
def status(request, public_id):
    """The out-of-date notice of a cycle's results, loaded by the pages after themselves (the
    check gathers every fact of the cycle). Empty when the results are current or not shown."""
    cycle = get_cycle_for_user(request.user, public_id)
    manage = can_manage(request.user, cycle)
    shown = manage or results_visible(request.user, cycle)
    return render(
        request,
        "cycles/partials/results_stale.html",
        {"cycle": cycle, "can_manage": manage, "stale": stale_results(cycle, shown=shown)},
    )


@login_required
def results(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id)
    rows = results_for_user(request.user, cycle)
    best = max((r.total for r in rows), default=0)
    for r in rows:  # the ranking bar: % of the best total
        r.bar = max(r.total, 0) * 100 // best if best > 0 else 0  # type: ignore[attr-defined]
    hidden = cycle.current_run_id is not None and not results_visible(request.user, cycle)
    manage = can_manage(request.user, cycle)
    return render(
        request,
        "cycles/results.html",
        {
            "cycle": cycle,
            "rows": rows,
            "run": cycle.current_run,
            "can_manage": manage,
            "hidden": hidden,
            "stale_check": stale_check_due(cycle, shown=manage or bool(rows)),
        },
    )


@login_required
@require_POST
def recompute(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id, manage=True)
    back = reverse("cycles:results", args=[cycle.public_id])
    job = start_job(request.user, "cycles.recompute", params={"cycle": str(cycle.public_id), "back": back})
    return redirect("jobs:detail", public_id=job.public_id)


@login_required
def unit_result(request, public_id, code):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    run = cycle.current_run
    result = unit.results.filter(run=run).first() if run and results_visible(request.user, cycle) else None
    explained = explanation(cycle, run, unit) if run and result else None
    return render(
        request,
        "cycles/unit_result.html",
        {
            "cycle": cycle,
            "unit": unit,
            "result": result,
            "withheld_from_view": run is not None and not results_visible(request.user, cycle),
            "explained": explained,
            "lost": lost_points(explained) if explained else [],
            "basis": grade_basis(result.steps, cycle.scheme.scheme) if result else [],
            "can_manage": can_manage(request.user, cycle),
            "stale_check": stale_check_due(cycle, shown=result is not None),
            "can_appeal": cycle.state == CycleState.REVIEW and has_cap(request.user, Cap.FILL_UNIT, unit.org),
        },
    )


@login_required
def results_export(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id)
    if not results_visible(request.user, cycle):
        raise Http404("no results yet")
    content = results_workbook(cycle, units_for_user(request.user, cycle))
    return xlsx_response(content, f"{cycle.year}-{cycle.name}-考核结果")


@login_required
def unit_feedback(request, public_id, code, fmt):
    """The unit's feedback report (Word or PDF), once its results are visible to it."""
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    run = cycle.current_run
    result = unit.results.filter(run=run).first() if run and results_visible(request.user, cycle) else None
    if result is None or fmt not in ("docx", "pdf"):
        raise Http404("no results")
    data = feedback.report(cycle, unit, result)
    name = f"{cycle.name}情况反馈-{unit.org.name}.{fmt}"
    if fmt == "docx":
        response = HttpResponse(feedback.feedback_docx(data), content_type=DOCX)
    else:
        response = HttpResponse(feedback.feedback_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition(name)
    return response
