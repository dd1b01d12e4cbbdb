"""The access helper for orgs and people: what a user may see (else 404) or change (else 403).

Every page, export, API endpoint and count goes through these functions, so a user of enterprise A
never meets anything of enterprise B.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.orgs.models import OrgQuerySet, OrgUnit, Person, PersonQuerySet


def orgs_for_user(user, cap: str = Cap.VIEW_ORGS) -> OrgQuerySet:
    roots = scope_roots(user, cap)
    if not roots:
        return OrgUnit.objects.none()
    return OrgUnit.objects.subtree_of(*roots)


def people_for_user(user, cap: str = Cap.VIEW_PEOPLE) -> PersonQuerySet:
    roots = scope_roots(user, cap)
    if not roots:
        return Person.objects.none()
    return Person.objects.in_subtree_of(*roots)


def get_org_for_user(user, code: str, *, write: bool = False) -> OrgUnit:
    """404 if `user` may not see the node; 403 if they may see but `write` and may not change it."""
    org = orgs_for_user(user).filter(code=code).first()
    if org is None:
        raise Http404("no such organisation")
    if write and not has_cap(user, Cap.EDIT_ORGS, org):
        raise PermissionDenied("read-only")
    return org


def get_person_for_user(user, public_id, *, write: bool = False) -> Person:
    person = people_for_user(user).select_related("org").filter(public_id=public_id).first()
    if person is None:
        raise Http404("no such person")
    if write and not has_cap(user, Cap.EDIT_PEOPLE, person.org):
        raise PermissionDenied("read-only")
    return person


def subtree_counts(user, nodes: list[OrgUnit]) -> dict[int, dict[str, int]]:
    """For each node: branches and members in its subtree that `user` may see. Two queries."""
    counts: dict[int, dict[str, int]] = {n.pk: {"branches": 0, "members": 0, "orgs": 0} for n in nodes}
    if not nodes:
        return counts
    by_path = {n.path: n.pk for n in nodes}

    def owners(path: str):
        # The displayed nodes whose subtree contains `path`: its ancestors' paths are its prefixes.
        segments = path.split(".")[:-1]
        for i in range(1, len(segments) + 1):
            pk = by_path.get(".".join(segments[:i]) + ".")
            if pk is not None:
                yield pk

    scope = orgs_for_user(user).subtree_of(*nodes)
    for path, kind in scope.values_list("path", "kind"):
        for pk in owners(path):
            counts[pk]["orgs"] += 1
            if kind == "branch":
                counts[pk]["branches"] += 1
    if has_cap(user, Cap.VIEW_PEOPLE):
        people = people_for_user(user).in_subtree_of(*nodes).filter(left_on__isnull=True)
        for path, n in people.values("org__path").annotate(n=Count("pk")).values_list("org__path", "n"):
            for pk in owners(path):
                counts[pk]["members"] += n
    return counts
