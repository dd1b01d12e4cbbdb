"""The ledger index, an org's ledger home (status panel and meetings) and its duties page."""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.htmx import is_htmx, render_page_or_partial
from kaohe.ledgers.duties import DUTIES, Colour
from kaohe.ledgers.models import MeetingKind
from kaohe.ledgers.queries import duty_table, get_ledger_org_for_user, ledger_orgs_for_user, meetings_under
from kaohe.ledgers.views.common import PAGE_SIZE, org_context, today, year_of, years
from kaohe.orgs.models import OrgKind

INDEX_PAGE_SIZE = 50


@login_required
def index(request):
    """The orgs whose ledgers the user may see, from the top of their scope down."""
    if not has_cap(request.user, Cap.VIEW_LEDGERS):
        raise Http404("not here")
    roots = scope_roots(request.user, Cap.VIEW_LEDGERS)
    orgs = ledger_orgs_for_user(request.user).exclude(kind=OrgKind.GROUP)
    show_closed = request.GET.get("closed") == "1"
    if not show_closed:
        orgs = orgs.active()
    q = request.GET.get("q", "").strip()
    if q:
        orgs = orgs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__icontains=q))
    kind = request.GET.get("kind", "")
    if kind in OrgKind.values:
        orgs = orgs.filter(kind=kind)
    page = Paginator(orgs.order_by("path"), INDEX_PAGE_SIZE).get_page(request.GET.get("page"))
    top = min((r.depth for r in roots), default=0)
    query = {"q": q, "kind": kind, "closed": "1" if show_closed else ""}
    return render(
        request,
        "ledgers/index.html",
        {
            "roots": roots,
            "page": page,
            "rows": [(o, o.depth - top) for o in page],
            "q": q,
            "kind": kind,
            "kinds": [(v, label) for v, label in OrgKind.choices if v != OrgKind.GROUP],
            "show_closed": show_closed,
            "query": urlencode({k: v for k, v in query.items() if v}),
            "can_import": has_cap(request.user, Cap.EDIT_LEDGERS),
        },
    )


def status_summary(table) -> list[dict]:
    """Per duty: how many branches are red, amber, green (the panel of a higher org)."""
    counts: dict[str, Counter[str]] = {d.code: Counter() for d in DUTIES}
    for _branch, statuses in table:
        for status in statuses:
            counts[status.duty.code][status.colour] += 1
    return [{"duty": d, **{c.value: counts[d.code][c] for c in Colour}} for d in DUTIES]


MEETING_SORTS = {"-held_on": ("-held_on", "-pk"), "held_on": ("held_on", "pk")}


@login_required
def org_home(request, code: str):
    """One org's ledger: the duties panel for the year and its meetings (its whole subtree)."""
    org = get_ledger_org_for_user(request.user, code)
    year = year_of(request)
    meetings = meetings_under(org).filter(held_on__year=year).select_related("org")
    kind = request.GET.get("kind", "")
    if kind in MeetingKind.values:
        meetings = meetings.filter(kind=kind)
    own = request.GET.get("own") == "1"
    if own:
        meetings = meetings.filter(org=org)
    sort = request.GET.get("sort", "-held_on")
    sort = sort if sort in MEETING_SORTS else "-held_on"
    page = Paginator(meetings.order_by(*MEETING_SORTS[sort]), PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"year": str(year), "kind": kind, "own": "1" if own else "", "sort": sort}
    context = {
        **org_context(request, org, "meetings"),
        "year": year,
        "years": years(),
        "kind": kind,
        "kinds": MeetingKind.choices,
        "own": own,
        "sort": sort,
        "page": page,
        "query": urlencode({k: v for k, v in query.items() if v}),
        "filter_query": urlencode({k: v for k, v in query.items() if v and k != "sort"}),
    }
    if not is_htmx(request):  # the partial (filtering the list) needs no panel
        table = duty_table(org, year, today())
        if org.kind == OrgKind.BRANCH:
            context["statuses"] = table[0][1] if table else []
        else:
            context["summary"] = status_summary(table)
            context["branch_count"] = len(table)
    return render_page_or_partial(request, "ledgers/org.html", "ledgers/partials/meetings.html", context)


DUTY_PAGE_SIZE = 100


@login_required
def duties(request, code: str):
    """A branch's duties in detail; for a higher org, its branches × duties in colour."""
    org = get_ledger_org_for_user(request.user, code)
    year = year_of(request)
    table = duty_table(org, year, today())
    only = request.GET.get("only", "")
    if only in (Colour.RED, Colour.AMBER):
        wanted = [Colour.RED] if only == Colour.RED else [Colour.RED, Colour.AMBER]
        table = [(b, s) for b, s in table if any(x.colour in wanted for x in s)]
    page = Paginator(table, DUTY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"year": str(year), "only": only}
    return render(
        request,
        "ledgers/duties.html",
        {
            **org_context(request, org, "duties"),
            "year": year,
            "years": years(),
            "today": today(),
            "duties": DUTIES,
            "only": only,
            "page": page,
            "single": org.kind == OrgKind.BRANCH,
            "statuses": table[0][1] if org.kind == OrgKind.BRANCH and table else [],
            "query": urlencode({k: v for k, v in query.items() if v}),
        },
    )
