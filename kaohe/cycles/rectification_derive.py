"""The fact the rectification register gives to a later cycle: `rectification.overdue`, the count of
a unit's rectification items of earlier years that were not put right in time (未按期整改销号数).

Registered with kaohe/cycles/derived.py when CyclesConfig.ready() imports this module.
"""

from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, F, Q
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kaohe.cycles.derived import Derived, Span, register
from kaohe.cycles.models.rectification import RectificationItem
from kaohe.orgs.models import OrgUnit


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


@register("rectification.overdue", "整改台账（逾期未销号）")
def overdue_items(units: Sequence[OrgUnit], span: Span) -> dict[int, Derived]:
    """Items of the unit's own rectification lists (their CycleUnit's org, not units below it)
    from cycles of an earlier year than the span's (cycle year < span.starts.year: the cycle being
    scored never counts its own items, which would make its result depend on itself), counted in
    every span in which they were, at some time, past their deadline and not closed (销号):

    - its deadline fell before the span's end and it is still not closed (it counts every year);
    - its deadline fell before the span's end and it was closed after its deadline, on or after the
      span's first day: within the span (逾期销号) or after it (still open when the span ended);
    - never an item closed on or before its deadline, whenever that was;
    - never an item closed late before the span began: it was counted in the year it was late.

    That is: deadline < span.ends and (closed_on is null or (closed_on > deadline and closed_on >=
    span.starts)). Judged from the dates alone: once the span is over, closing an item later does
    not change the span's value. One query for any number of units.
    """
    if not units:
        return {}
    late = Q(closed_on__isnull=True) | Q(closed_on__gt=F("deadline"), closed_on__gte=span.starts)
    rows = (
        RectificationItem.objects.filter(
            late,
            unit__org__in=[u.pk for u in units],
            unit__cycle__year__lt=span.starts.year,
            deadline__lt=span.ends,
        )
        .values("unit__org_id", "unit__cycle__year", "unit__cycle__name")
        .annotate(
            n_unclosed=Count("pk", filter=Q(closed_on__isnull=True)),
            n_late=Count("pk", filter=Q(closed_on__isnull=False)),
        )
        .order_by("unit__org_id", "unit__cycle__year", "unit__cycle__name")
    )
    counts: dict[int, int] = defaultdict(int)
    parts: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        org = row["unit__org_id"]
        counts[org] += row["n_unclosed"] + row["n_late"]
        parts[org].append(
            _("%(cycle)s：逾期未销号 %(open)s 项，逾期销号 %(late)s 项")
            % {"cycle": row["unit__cycle__name"], "open": _n(row["n_unclosed"]), "late": _n(row["n_late"])}
        )
    ends = span.ends.isoformat()
    out = {}
    for u in units:
        if parts[u.pk]:
            source = _("整改台账（截至 %(ends)s）：%(parts)s") % {
                "ends": ends,
                "parts": "；".join(parts[u.pk]),
            }
        else:
            source = _("整改台账（截至 %(ends)s）：往年整改项均已按期销号或未到期") % {"ends": ends}
        out[u.pk] = Derived(str(counts[u.pk]), source)
    return out
