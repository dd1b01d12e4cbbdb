"""/api/v1/cycles: assessment cycles, their results and a unit's explanation - read only.

Reads go through kaohe.cycles.queries, the same access helpers as the pages: the people of the org
that runs a cycle see all its units, an assessed unit sees only itself, anyone else gets 404. Results
show to a unit from the review window on (`results_visible`); before that the results endpoint
answers 200 with an empty list and says why, so a client can tell "not yet" from "no such cycle".
Points are exact decimal strings, never JSON numbers.
"""

import uuid
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from kaohe.accounts.models import Cap, User
from kaohe.accounts.queries import scope_roots
from kaohe.api.auth import token_user
from kaohe.api.errors import not_found
from kaohe.api.schemas import (
    CycleDetailOut,
    CycleFilter,
    CyclePage,
    CycleResultsOut,
    ErrorOut,
    PageIn,
    ResultsFilter,
    UnitExplanationOut,
)
from kaohe.cycles.models import Cycle, CycleState, CycleUnit, UnitResult
from kaohe.cycles.queries import (
    cycles_for_user,
    get_cycle_for_user,
    get_unit_for_user,
    results_visible,
    units_for_user,
)
from kaohe.cycles.results import explanation
from kaohe.engine.explain import Entry, Explanation
from kaohe.engine.points import format_thousandths as fp
from kaohe.engine.results import FactUse
from kaohe.orgs.models import OrgUnit

cycles_router = Router(tags=["cycles"])

READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _page(qs: QuerySet, page: PageIn) -> dict:
    return {
        "count": qs.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": list(qs[page.offset : page.offset + page.limit]),
    }


def _with_counts(cycles: QuerySet[Cycle], user: User) -> QuerySet[Cycle]:
    """Each cycle with the number of its units `user` may see and its current run's number.

    The same rule as `units_for_user` (all units to the running org, their own to a unit), as one
    aggregate so that a page of cycles costs one query; the run's number alone, since the run row
    carries all its facts.
    """
    roots = scope_roots(user, Cap.VIEW_CYCLES)
    inside = OrgUnit.objects.subtree_of(*roots)
    visible = Q(owner__in=inside) | Q(units__org__in=inside)
    return cycles.defer("scheme__text").annotate(
        unit_count=Count("units", filter=visible), run_number=F("current_run__number")
    )


def _cycle(request: HttpRequest, public_id: uuid.UUID) -> Cycle:
    try:
        return get_cycle_for_user(token_user(request), public_id)
    except Http404:
        raise not_found(_("考核周期不存在，或不在您的可见范围内")) from None


def _unit(request: HttpRequest, cycle: Cycle, org_code: str) -> CycleUnit:
    try:
        return get_unit_for_user(token_user(request), cycle, org_code)
    except Http404:
        message = _("单位“%(code)s”不在本考核周期中，或不在您的可见范围内") % {"code": org_code}
        raise not_found(message) from None


# ---- cycles ---------------------------------------------------------------------------------


@cycles_router.get("", response={200: CyclePage, **READ_ERRORS}, summary="考核周期列表（新年度在前）")
def list_cycles(request: HttpRequest, filters: Query[CycleFilter], page: Query[PageIn]) -> dict:
    user = token_user(request)
    qs = cycles_for_user(user)
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    if filters.state:
        qs = qs.filter(state=filters.state)
    q = (filters.q or "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    return _page(_with_counts(qs, user).order_by("-year", "owner__path", "name"), page)


@cycles_router.get("/{id}", response={200: CycleDetailOut, **READ_ERRORS}, summary="考核周期详情")
def get_cycle(request: HttpRequest, id: uuid.UUID) -> Cycle:
    user = token_user(request)
    found = _cycle(request, id)
    cycle = _with_counts(Cycle.objects.filter(pk=found.pk).select_related("owner", "scheme"), user).get()
    cycle.visible_units = list(units_for_user(user, cycle))  # type: ignore[attr-defined]  # for the schema
    return cycle


# ---- results --------------------------------------------------------------------------------


def _result_row(row: UnitResult) -> dict[str, Any]:
    org = row.unit.org
    return {
        "org": org.code,
        "name": org.name,
        "group": row.unit.group,
        "total": fp(row.total),
        "basic": fp(row.basic),
        "bonus": fp(row.bonus),
        "band_grade": row.band_grade,
        "grade": row.grade,
        "rank": row.rank,
        "group_size": row.group_size,
        "awards_eligible": row.awards_eligible,
        "pay": fp(row.pay) if row.pay is not None else None,
        "outcomes": row.outcomes,
        "actions": row.actions,
        "withheld": row.withheld,
        "steps": row.steps,
    }


def _unavailable(page: PageIn, reason: str, message: str) -> dict:
    return {
        "count": 0,
        "limit": page.limit,
        "offset": page.offset,
        "available": False,
        "reason": reason,
        "message": message,
        "run": None,
        "items": [],
    }


@cycles_router.get(
    "/{id}/results",
    response={200: CycleResultsOut, **READ_ERRORS},
    summary="当前考核结果（您可见的单位）",
    description=(
        "看不到结果时（尚未计算，或被考核单位在“结果反馈与申诉”阶段之前）仍为 200："
        "available 为 false，items 为空，reason 与 message 说明原因。看不到周期本身时为 404。"
    ),
)
def list_results(
    request: HttpRequest, id: uuid.UUID, filters: Query[ResultsFilter], page: Query[PageIn]
) -> dict:
    user = token_user(request)
    cycle = _cycle(request, id)
    if not results_visible(user, cycle):
        message = _("被考核单位自“%(state)s”阶段起才能看到考核结果") % {"state": CycleState.REVIEW.label}
        return _unavailable(page, "not_visible_yet", message)
    if cycle.current_run_id is None:
        return _unavailable(page, "not_computed", _("尚未计算考核结果"))
    # The rows of kaohe.cycles.results.current_results, paged in the database.
    rows = UnitResult.objects.filter(
        run_id=cycle.current_run_id, unit__in=units_for_user(user, cycle)
    ).select_related("unit__org")
    if filters.group is not None:
        rows = rows.filter(unit__group=filters.group)
    found = _page(rows.order_by("unit__group", "rank", "unit__org__code"), page)
    run = cycle.runs.filter(pk=cycle.current_run_id).values_list("number", flat=True).get()
    found["items"] = [_result_row(r) for r in found["items"]]
    return {**found, "available": True, "reason": None, "message": "", "run": run}


# ---- explanation ----------------------------------------------------------------------------


def _uses(uses: tuple[FactUse, ...]) -> list[dict[str, Any]]:
    return [{"kind": u.kind, "title": u.title, "value": u.value, "sources": list(u.sources)} for u in uses]


def _entries(entries: tuple[Entry, ...]) -> list[dict[str, Any]]:
    return [
        {
            "node": e.code,
            "path": list(e.path),
            "amount": fp(e.amount),
            "text": e.text,
            "rule": e.rule,
            "facts": _uses(e.facts),
        }
        for e in entries
    ]


def _explained(cycle: Cycle, run_number: int, unit: CycleUnit, explained: Explanation) -> dict[str, Any]:
    result = explained.result
    return {
        "cycle": cycle.public_id,
        "run": run_number,
        "scheme": {"code": cycle.scheme.code, "version": cycle.scheme.version, "title": cycle.scheme.title},
        "org": unit.org.code,
        "name": unit.org.name,
        "group": unit.group,
        "total": fp(result.total),
        "basic": fp(result.basic),
        "bonus": fp(result.bonus),
        "totals": {code: fp(value) for code, value in result.totals.items()},
        "band_grade": result.band_grade,
        "grade": result.grade,
        "rank": result.rank,
        "group_size": result.group_size,
        "awards_eligible": result.awards_eligible,
        "pay": fp(result.pay) if result.pay is not None else None,
        "items": [
            {
                "node": n.code,
                "title": n.title,
                "path": list(n.path),
                "category": n.category,
                "points": fp(n.points),
                "score": fp(n.score),
            }
            for n in explained.items
        ],
        "entries": _entries(explained.entries),
        "inner": _entries(explained.inner),
        "steps": [
            {"kind": s.kind, "grade": s.grade, "text": s.text, "node": s.node, "facts": _uses(s.facts)}
            for s in explained.steps
        ],
    }


@cycles_router.get(
    "/{id}/units/{org_code}/explanation",
    response={200: UnitExplanationOut, **READ_ERRORS},
    summary="单位得分说明（每一笔得分与扣分及其依据）",
    description=(
        "单位或其结果不在您的可见范围内（含尚未计算、被考核单位在“结果反馈与申诉”阶段之前）时为 404。"
    ),
)
def get_explanation(request: HttpRequest, id: uuid.UUID, org_code: str) -> dict:
    user = token_user(request)
    cycle = _cycle(request, id)
    unit = _unit(request, cycle, org_code)
    run = cycle.current_run if results_visible(user, cycle) else None
    if run is None or not unit.results.filter(run=run).exists():
        raise not_found(_("单位“%(code)s”尚无您可查看的考核结果") % {"code": org_code})
    return _explained(cycle, run.number, unit, explanation(cycle, run, unit))
