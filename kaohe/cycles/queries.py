"""The access helper for cycles.

A cycle is seen by the people of the org that runs it (all its units) and by the people of each
assessed unit (their own unit only). Anyone else gets 404. Running the cycle needs MANAGE_CYCLES
over its owner.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.cycles.models import Cycle, CycleState, CycleUnit
from kaohe.orgs.models import OrgUnit


def cycles_for_user(user) -> QuerySet[Cycle]:
    roots = scope_roots(user, Cap.VIEW_CYCLES)
    if not roots:
        return Cycle.objects.none()
    inside = OrgUnit.objects.subtree_of(*roots)
    assessed = CycleUnit.objects.filter(org__in=inside).values("cycle_id")
    return Cycle.objects.filter(Q(owner__in=inside) | Q(pk__in=assessed)).select_related("owner", "scheme")


def get_cycle_for_user(user, public_id, *, manage: bool = False) -> Cycle:
    cycle = cycles_for_user(user).filter(public_id=public_id).first()
    if cycle is None:
        raise Http404("no such cycle")
    if manage and not can_manage(user, cycle):
        raise PermissionDenied("read-only")
    return cycle


def can_manage(user, cycle: Cycle) -> bool:
    return has_cap(user, Cap.MANAGE_CYCLES, cycle.owner)


def sees_all_units(user, cycle: Cycle) -> bool:
    return has_cap(user, Cap.VIEW_CYCLES, cycle.owner)


def results_visible(user, cycle: Cycle) -> bool:
    """The organiser sees results as soon as they are computed; everyone else (units, and assessors
    while they still score) from the review window on."""
    return can_manage(user, cycle) or cycle.reached(CycleState.REVIEW)


def units_for_user(user, cycle: Cycle) -> QuerySet[CycleUnit]:
    """The units of `cycle` the user may see: all for the running org, their own for a unit."""
    units = cycle.units.select_related("org")
    if sees_all_units(user, cycle):
        return units
    roots = scope_roots(user, Cap.VIEW_CYCLES)
    return units.filter(org__in=OrgUnit.objects.subtree_of(*roots)) if roots else units.none()


def get_unit_for_user(user, cycle: Cycle, org_code: str, *, cap: str | None = None) -> CycleUnit:
    """404 if the unit is not one the user may see; 403 if `cap` is named and they lack it there."""
    unit = units_for_user(user, cycle).filter(org__code=org_code).first()
    if unit is None:
        raise Http404("no such unit")
    if cap is not None and not has_cap(user, cap, unit.org):
        raise PermissionDenied("read-only")
    return unit
