"""The cycle dashboard: progress per unit and phase, ranking, radar, heat map, last year."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from kaohe.cycles import dashboard
from kaohe.cycles.models import TargetLetter
from kaohe.cycles.queries import get_cycle_for_user, sees_all_units, units_for_user
from kaohe.cycles.results import current_results, results_for_user


@login_required
def dashboard_page(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id)
    units = list(units_for_user(request.user, cycle))
    results = results_for_user(request.user, cycle)
    by_code = {r.unit.org.code: r for r in results}
    chosen = by_code.get(request.GET.get("unit", "")) or (
        min(results, key=lambda r: (r.rank, r.unit.org.code)) if results else None
    )
    scheme = cycle.scheme.scheme
    previous = dashboard.previous_cycle(cycle)
    last = current_results(previous, [u.org for u in units]) if previous else []
    signed = set(TargetLetter.objects.filter(unit__in=units).values_list("unit_id", flat=True))
    progress = [{"unit": u, "signed": u.pk in signed, "result": by_code.get(u.org.code)} for u in units]
    charts = {
        "ranking": dashboard.ranking(results),
        "radar": dashboard.radar(scheme, results, chosen),
        "heatmap": dashboard.heatmap(scheme, results),
        "trend": dashboard.trend(results, last) if previous else None,
    }
    return render(
        request,
        "cycles/dashboard.html",
        {
            "cycle": cycle,
            "charts": charts,
            "progress": progress,
            "chosen": chosen,
            "results": results,
            "previous": previous,
            "sees_all": sees_all_units(request.user, cycle),
        },
    )
