"""三重一大 decisions: the list of an org's subtree, and the form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe.forms_errors import add_action_errors
from kaohe.htmx import render_page_or_partial
from kaohe.ledgers import actions
from kaohe.ledgers.forms import DecisionForm
from kaohe.ledgers.models import DECISION_STEPS, DecisionCategory
from kaohe.ledgers.queries import decisions_under, get_decision_for_user, get_ledger_org_for_user
from kaohe.ledgers.views.common import PAGE_SIZE, org_context, year_of, years

SORTS = {"-decided_on": ("-decided_on", "-pk"), "decided_on": ("decided_on", "pk")}


@login_required
def decision_list(request, code: str):
    org = get_ledger_org_for_user(request.user, code)
    year = year_of(request)
    decisions = decisions_under(org).filter(decided_on__year=year).select_related("org")
    category = request.GET.get("category", "")
    if category in DecisionCategory.values:
        decisions = decisions.filter(category=category)
    incomplete = request.GET.get("incomplete") == "1"
    if incomplete:
        # Any step missing: the decisions that cost points.
        decisions = decisions.exclude(**{name: True for name, _option in DECISION_STEPS})
    sort = request.GET.get("sort", "-decided_on")
    sort = sort if sort in SORTS else "-decided_on"
    page = Paginator(decisions.order_by(*SORTS[sort]), PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"year": str(year), "category": category, "incomplete": "1" if incomplete else "", "sort": sort}
    context = {
        **org_context(request, org, "decisions"),
        "year": year,
        "years": years(),
        "category": category,
        "categories": DecisionCategory.choices,
        "incomplete": incomplete,
        "steps": [option for _name, option in DECISION_STEPS],
        "page": page,
        "rows": [(d, [getattr(d, name) for name, _option in DECISION_STEPS]) for d in page],
        "sort": sort,
        "query": urlencode({k: v for k, v in query.items() if v}),
        "filter_query": urlencode({k: v for k, v in query.items() if v and k != "sort"}),
    }
    return render_page_or_partial(
        request, "ledgers/decisions.html", "ledgers/partials/decisions.html", context
    )


@login_required
def decision_create(request, code: str):
    org = get_ledger_org_for_user(request.user, code, write=True)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_decision(request.user, org=org, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已记录决策事项。"))
            return redirect("ledgers:decisions", org.code)
    return render(
        request,
        "ledgers/form.html",
        {**org_context(request, org, "decisions"), "form": form, "title": _("记录三重一大决策事项")},
    )


@login_required
def decision_edit(request, public_id):
    decision = get_decision_for_user(request.user, public_id, write=True)
    initial = {name: getattr(decision, name) for name in DecisionForm.base_fields}
    form = DecisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_decision(request.user, decision, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("ledgers:decisions", decision.org.code)
    return render(
        request,
        "ledgers/form.html",
        {
            **org_context(request, decision.org, "decisions"),
            "form": form,
            "title": _("修改决策事项"),
            "object": decision,
            "delete_url": "ledgers:decision_delete",
        },
    )


@login_required
@require_POST
def decision_delete(request, public_id):
    decision = get_decision_for_user(request.user, public_id, write=True)
    code = decision.org.code
    actions.delete_decision(request.user, decision)
    messages.success(request, _("已删除决策事项。"))
    return redirect("ledgers:decisions", code)
