"""The cycle dashboard: progress per unit and phase, ranking, radar, heat map, last year."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from kaohe.cycles import dashboard
from kaohe.cycles.models import Appeal, AppealStatus, AssessorEntry, TargetLetter
from kaohe.cycles.models.evidence import evidence_states, scored_items
from kaohe.cycles.queries import get_cycle_for_user, sees_all_units, units_for_user
from kaohe.cycles.queries_self import self_assessments
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
    items = [i for i in scored_items(scheme) if i.materials]
    evidence = evidence_states(items, units, closes=cycle.evidence_closes, today=timezone.localdate())
    selfs = self_assessments(units)
    panel_kinds = [k.code for k in scheme.facts if k.panel]
    scored = dict(
        AssessorEntry.objects.filter(unit__in=units, kind__in=panel_kinds)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    appeals = dict(
        Appeal.objects.filter(unit__in=units, status=AppealStatus.FILED)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    progress = [
        {
            "unit": u,
            "signed": u.pk in signed,
            "evidence": sum(1 for i in items if evidence[(u.pk, i.code)].complete),
            "evidence_of": len(items),
            "self": selfs.get(u.pk),
            "scored": scored.get(u.pk, 0),
            "appeals": appeals.get(u.pk, 0),
            "result": by_code.get(u.org.code),
        }
        for u in units
    ]
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
