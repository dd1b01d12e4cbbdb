"""Reads of discipline cases and the access helper: only MANAGE_DISCIPLINE over a case's org sees it.

Everyone else gets 404 on every page, whether or not the case exists: that a person has a case is
itself what must not leak.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.discipline.models import CaseStatus, DisciplineCase, Outcome, is_first_form
from kaohe.orgs.crypto import digest
from kaohe.orgs.models import OrgQuerySet, OrgUnit, Person, PersonQuerySet, path_segment
from kaohe.orgs.queries import orgs_for_user


def require_discipline(user) -> None:
    """404 for anyone without MANAGE_DISCIPLINE anywhere: the pages do not exist for them."""
    if not has_cap(user, Cap.MANAGE_DISCIPLINE):
        raise Http404("not here")


def cases_for_user(user) -> QuerySet[DisciplineCase]:
    roots = scope_roots(user, Cap.MANAGE_DISCIPLINE)
    if not roots:
        return DisciplineCase.objects.none()
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(org__path__startswith=root.path)
    return DisciplineCase.objects.filter(q)


def get_case_for_user(user, public_id, *, write: bool = False) -> DisciplineCase:
    """404 if `user` may not see the case; 403 if `write` and they may see but not change it."""
    case = (
        cases_for_user(user)
        .select_related("person", "person__org", "org", "recorded_by", "withdrawn_by")
        .filter(public_id=public_id)
        .first()
    )
    if case is None:
        raise Http404("no such case")
    if write and not has_cap(user, Cap.MANAGE_DISCIPLINE, case.org):
        raise PermissionDenied("read-only")
    return case


def discipline_orgs(user) -> OrgQuerySet:
    return orgs_for_user(user, Cap.MANAGE_DISCIPLINE)


def discipline_people(user) -> PersonQuerySet:
    """The people a discipline user may record cases for: those in their scope."""
    roots = scope_roots(user, Cap.MANAGE_DISCIPLINE)
    if not roots:
        return Person.objects.none()
    return Person.objects.in_subtree_of(*roots)


def person_by_id_number(user, number: str) -> Person | None:
    """The person with this ID number in the user's scope; None whether absent or out of scope."""
    number = number.strip().upper()
    if not number:
        return None
    return discipline_people(user).select_related("org").filter(id_number_digest=digest(number)).first()


def person_by_public_id(user, public_id) -> Person | None:
    return discipline_people(user).select_related("org").filter(public_id=public_id).first()


def search_people(user, q: str, limit: int = 20) -> list[Person]:
    """By name or pinyin, within the user's scope (the form's person picker)."""
    q = q.strip()
    if not q:
        return []
    people = discipline_people(user).search(q).select_related("org").order_by("name_pinyin", "pk")
    return list(people[:limit])


def year_span(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


# ---- the summary per org and year ------------------------------------------------------------


@dataclass
class SummaryRow:
    org: OrgUnit
    own_only: bool  # the row counts the cases against `org` itself, not its subtree
    by_outcome: dict[str, int] = field(default_factory=lambda: {o.value: 0 for o in Outcome})

    @property
    def total(self) -> int:
        return sum(self.by_outcome.values())

    @property
    def first_form(self) -> int:
        return sum(n for outcome, n in self.by_outcome.items() if is_first_form(outcome))

    @property
    def first_form_permille(self) -> int | None:
        """第一种形态 share in thousandths, rounded half up; None without cases."""
        if not self.total:
            return None
        return (self.first_form * 2000 + self.total) // (2 * self.total)

    @property
    def counts(self) -> list[int]:
        return [self.by_outcome[o.value] for o in Outcome]


def summary_rows(user, root: OrgUnit, year: int) -> tuple[list[SummaryRow], SummaryRow]:
    """Active cases decided in `year` under `root`: one row per child of `root` (its subtree), a row
    for the cases counted against `root` itself when there are any, and the total. Three queries."""
    children = list(discipline_orgs(user).filter(parent=root).order_by("sort_order", "path"))
    starts, ends = year_span(year)
    counts = (
        cases_for_user(user)
        .filter(
            org__path__startswith=root.path,
            status=CaseStatus.ACTIVE,
            decided_on__gte=starts,
            decided_on__lte=ends,
        )
        .values("org__path", "outcome")
        .annotate(n=Count("pk"))
        .values_list("org__path", "outcome", "n")
    )
    rows = {child.path: SummaryRow(child, own_only=False) for child in children}
    own = SummaryRow(root, own_only=True)
    total = SummaryRow(root, own_only=False)
    for path, outcome, n in counts:
        # The child whose subtree holds `path`: the path's prefix one level below root.
        child_path = path[: len(root.path) + len(path_segment(0))]
        row = rows.get(child_path) if path != root.path else own
        if row is None:
            row = own  # a closed or otherwise unlisted child: still counted, under root itself
        row.by_outcome[outcome] += n
        total.by_outcome[outcome] += n
    listed = list(rows.values())
    if own.total:
        listed.insert(0, own)
    return listed, total
