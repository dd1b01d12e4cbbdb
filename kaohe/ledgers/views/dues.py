"""A month of dues: a branch's members in one form; for a higher org, its branches' tallies."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kaohe.forms_errors import add_action_errors
from kaohe.ledgers import actions, tallies
from kaohe.ledgers.forms import MonthDuesForm
from kaohe.ledgers.models import DUES_STATUSES, DuesRecord
from kaohe.ledgers.periods import month_end, month_start, next_month, parse_month
from kaohe.ledgers.queries import get_ledger_org_for_user
from kaohe.ledgers.tallies import Owners
from kaohe.ledgers.views.common import PAGE_SIZE, org_context, today
from kaohe.orgs.models import OrgKind, OrgUnit, Person


def _month_of(request) -> datetime.date:
    """?month=2026-03, else the last month that is over; never a month still to come.

    Members pay during the month, so the current month shows most of them short until it ends:
    opened on it, the page looked all red. It stays one click away for those recording dues."""
    this_month = month_start(today())
    month = parse_month(request.GET.get("month", "")) or _previous(this_month)
    return min(month, this_month)


def _previous(month: datetime.date) -> datetime.date:
    return month_start(month - datetime.timedelta(days=1))


def _members(org: OrgUnit, month: datetime.date) -> list[Person]:
    """Who owes dues at `org` for `month` (the rule of actions.member_month_problem)."""
    return list(
        Person.objects.filter(org__path__startswith=org.path, status__in=DUES_STATUSES)
        .exclude(join_date__gt=month_end(month))
        .exclude(left_on__lt=month)
        .select_related("org")
        .order_by("name_pinyin", "pk")
    )


@login_required
def dues_month(request, code: str):
    org = get_ledger_org_for_user(request.user, code, write=request.method == "POST")
    month = _month_of(request)
    context = {
        **org_context(request, org, "dues"),
        "month": month,
        "previous": _previous(month),
        "next": next_month(month) if next_month(month) <= today() else None,
        "month_is_over": month_end(month) < today(),
    }
    if org.kind != OrgKind.BRANCH:
        rows = _branch_tallies(org, month)
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "ledgers/dues.html",
            {
                **context,
                "page": page,
                "short_total": sum(1 for row in rows if row["short"]),
                "query": urlencode({"month": f"{month:%Y-%m}"}),
            },
        )
    people = _members(org, month)
    stored = {r.person_id: r for r in DuesRecord.objects.filter(person__in=people, month=month)}
    # A blank row starts from what the member was due last month: the amount rarely changes.
    defaults = {
        r.person_id: r.due for r in DuesRecord.objects.filter(person__in=people, month=_previous(month))
    }
    form = MonthDuesForm(request.POST or None, people=people, stored=stored, defaults=defaults)
    if request.method == "POST" and form.is_valid():
        entries = []
        for person, _record, names in form.rows:
            due, paid = form.cleaned_data[names["due"]], form.cleaned_data[names["paid"]]
            if due is None and paid is None:
                continue  # not recorded yet
            entries.append(actions.DuesEntry(person, due, paid, form.cleaned_data[names["paid_on"]]))
        try:
            saved = actions.record_month_dues(request.user, org=org, month=month, entries=entries)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已保存 %(n)s 条党费记录。") % {"n": len(saved)})
            return redirect(f"{reverse('ledgers:dues', args=[org.code])}?month={month:%Y-%m}")
    paid_in_full = sum(1 for r in stored.values() if r.in_full)
    return render(
        request,
        "ledgers/dues.html",
        {**context, "form": form, "owed": len(people), "paid_in_full": paid_in_full},
    )


def _branch_tallies(org: OrgUnit, month: datetime.date) -> list[dict]:
    """Every branch under `org` open that month: members owing and paid in full. Three queries."""
    branches = tallies.branches(Owners([org]), month, month_end(month))
    branch_of = Owners(branches)
    counts = {b.pk: [0, 0] for b in branches}
    for (path, _month), tally in tallies.dues_by_org_month(Owners([org]), [month]).items():
        for pk in branch_of(path):
            counts[pk][0] += tally.owed
            counts[pk][1] += tally.in_full
    return [
        {
            "branch": b,
            "owed": counts[b.pk][0],
            "in_full": counts[b.pk][1],
            "short": counts[b.pk][0] - counts[b.pk][1],
        }
        for b in branches
    ]
