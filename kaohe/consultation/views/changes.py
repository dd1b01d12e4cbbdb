"""What the consultation changed: the clause and indicator changes from the draft to the latest
version, each with the suggestions behind it (and those no suggestion asked for flagged), and the
what-if of the draft's scoring table on last cycle's facts."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from kaohe.consultation.models import Disposition, RoundStatus
from kaohe.consultation.queries import get_round_for_user, latest_version, sees_all
from kaohe.consultation.whatif import last_cycle, leaf_causes, what_if
from kaohe.engine.whatif import scheme_changes
from kaohe.measures.documents import change_rows


def linked_changes(round_, latest):
    """Clause changes draft → latest with their suggestions (only answered links count)."""
    links: dict[str, list] = {}
    for suggestion in round_.suggestions.prefetch_related("links"):
        for made in suggestion.links.all():
            if made.version_id == latest.pk:
                links.setdefault(str(made.clause_key or made.indicator), []).append(suggestion)
    rows = [
        {**row, "suggestions": links.get(row["change"].key, [])}
        for row in change_rows(round_.draft, latest)
        if row["change"].kind != "renumbered"
    ]
    indicator_rows = []
    old_scheme, new_scheme = round_.draft.scheme, latest.scheme
    if old_scheme is not None and new_scheme is not None and old_scheme.pk != new_scheme.pk:
        for change in scheme_changes(old_scheme.scheme, new_scheme.scheme):
            indicator_rows.append({"change": change, "suggestions": links.get(change.code, [])})
    return rows, indicator_rows


@login_required
def changes(request, public_id):
    round_ = get_round_for_user(request.user, public_id)
    if not sees_all(request.user, round_) and round_.status != RoundStatus.CONCLUDED:
        raise Http404("the next draft is the organiser's until it is published")
    latest = latest_version(round_)
    later = latest.number > round_.draft.number
    rows, indicator_rows = linked_changes(round_, latest) if later else ([], [])
    return render(
        request,
        "consultation/changes.html",
        {
            "round": round_,
            "latest": latest,
            "later": later,
            "change_rows": rows,
            "indicator_rows": indicator_rows,
            "show_suggestions": sees_all(request.user, round_),
            "unasked": sum(1 for r in rows + indicator_rows if not r["suggestions"]),
            # Adopted in words but not yet in the text: each should point at the change that answers it.
            "unanswered": round_.suggestions.filter(disposition__in=[Disposition.ADOPTED, Disposition.PARTLY])
            .exclude(links__version=latest)
            .order_by("number")
            if later and sees_all(request.user, round_)
            else [],
        },
    )


@login_required
def whatif(request, public_id):
    round_ = get_round_for_user(request.user, public_id)
    organiser_side = sees_all(request.user, round_)
    # Participants weigh the table they were sent; the organiser, the one being drafted now.
    latest = latest_version(round_)
    scheme = (latest.scheme or round_.draft.scheme) if organiser_side else round_.draft.scheme
    # Last year's figures of every enterprise: published ones for all; the organiser may also
    # weigh a cycle not yet published (the page says so).
    cycle = last_cycle(round_.organiser, published=True)
    if cycle is None and organiser_side:
        cycle = last_cycle(round_.organiser)
    result, problems = what_if(cycle, scheme) if cycle is not None and scheme is not None else (None, [])
    return render(
        request,
        "consultation/whatif.html",
        {
            "round": round_,
            "cycle": cycle,
            "scheme": scheme,
            "result": result,
            "rows": leaf_causes(result) if result is not None else [],
            "problems": problems,
        },
    )
