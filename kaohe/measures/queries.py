"""Who may see which scheme versions.

A unit's staff see the schemes of their own subtree and the published ones of the committees
above them (they are assessed by those); another enterprise's schemes stay hidden (404).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.measures.models import SchemeStatus, SchemeVersion
from kaohe.orgs.models import OrgUnit


def schemes_for_user(user) -> QuerySet[SchemeVersion]:
    roots = scope_roots(user, Cap.VIEW_CYCLES)
    if not roots:
        return SchemeVersion.objects.none()
    inside = OrgUnit.objects.subtree_of(*roots)
    above = {pk for root in roots for pk in root.ancestor_ids()}
    return SchemeVersion.objects.filter(
        Q(owner__in=inside) | Q(owner__in=above, status=SchemeStatus.PUBLISHED)
    ).select_related("owner")


def get_scheme_for_user(user, public_id, *, write: bool = False) -> SchemeVersion:
    version = schemes_for_user(user).filter(public_id=public_id).first()
    if version is None:
        raise Http404("no such scheme")
    if write and not has_cap(user, Cap.MANAGE_SCHEMES, version.owner):
        raise PermissionDenied("read-only")
    return version
