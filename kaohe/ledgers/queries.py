"""Reading the ledgers, and the access helpers: 404 when the user may not see the records of an
org, 403 when they may see but not change them."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.ledgers import tallies
from kaohe.ledgers.duties import DUTIES, BranchRecords, DutyStatus, judge
from kaohe.ledgers.models import Decision, DuesRecord, Meeting
from kaohe.ledgers.periods import months_between
from kaohe.ledgers.tallies import Owners
from kaohe.orgs.models import OrgKind, OrgQuerySet, OrgUnit
from kaohe.orgs.queries import orgs_for_user


def ledger_orgs_for_user(user, cap: str = Cap.VIEW_LEDGERS) -> OrgQuerySet:
    return orgs_for_user(user, cap)


def get_ledger_org_for_user(user, code: str, *, write: bool = False) -> OrgUnit:
    org = ledger_orgs_for_user(user).filter(code=code).first()
    if org is None:
        raise Http404("no such organisation")
    if write and not has_cap(user, Cap.EDIT_LEDGERS, org):
        raise PermissionDenied("read-only")
    return org


def _in_scope[T: Model](user, qs: QuerySet[T], public_id, write: bool, field: str = "org") -> T:
    obj = qs.filter(public_id=public_id).select_related(field).first()
    org = getattr(obj, field, None) if obj is not None else None
    if obj is None or org is None or not has_cap(user, Cap.VIEW_LEDGERS, org):
        raise Http404("not here")
    if write and not has_cap(user, Cap.EDIT_LEDGERS, org):
        raise PermissionDenied("read-only")
    return obj


def get_meeting_for_user(user, public_id, *, write: bool = False) -> Meeting:
    return _in_scope(user, Meeting.objects.all(), public_id, write)


def get_decision_for_user(user, public_id, *, write: bool = False) -> Decision:
    return _in_scope(user, Decision.objects.all(), public_id, write)


def meetings_under(org: OrgUnit) -> QuerySet[Meeting]:
    return Meeting.objects.filter(org__path__startswith=org.path)


def decisions_under(org: OrgUnit) -> QuerySet[Decision]:
    return Decision.objects.filter(org__path__startswith=org.path)


def dues_under(org: OrgUnit) -> QuerySet[DuesRecord]:
    return DuesRecord.objects.filter(person__org__path__startswith=org.path)


def _year_span(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def branch_records(org: OrgUnit, year: int) -> list[tuple[tallies.Branch, BranchRecords]]:
    """Every branch under `org` (itself if it is one) open during `year`, with what it recorded
    that year. Five queries whatever the number of branches."""
    starts, ends = _year_span(year)
    owners = Owners([org])
    branches = tallies.branches(owners, starts, ends)
    if not branches:
        return []
    # A record at a party group belongs to the branch above it: the deepest branch on its path.
    branch_of = Owners(branches)
    records = {b.pk: BranchRecords(b.active_from, b.active_to) for b in branches}
    groups = (
        OrgUnit.objects.filter(path__startswith=org.path, kind=OrgKind.GROUP, active_from__lte=ends)
        .filter(Q(active_to__isnull=True) | Q(active_to__gt=starts))
        .values_list("path", flat=True)
    )
    for path in groups:
        for pk in branch_of(path):
            records[pk].has_groups = True
    kinds = [d.kind for d in DUTIES if d.kind]
    for group in tallies.meeting_groups(owners, starts, ends, kinds):
        for pk in branch_of(group.org_path):
            records[pk].held.setdefault(group.kind, set()).add(group.month)
    for (path, month), tally in tallies.dues_by_org_month(owners, months_between(starts, ends)).items():
        for pk in branch_of(path):
            owed, in_full = records[pk].dues.get(month, (0, 0))
            records[pk].dues[month] = (owed + tally.owed, in_full + tally.in_full)
    return [(b, records[b.pk]) for b in branches]


def duty_table(
    org: OrgUnit, year: int, today: datetime.date
) -> list[tuple[tallies.Branch, list[DutyStatus]]]:
    return [(branch, judge(records, year, today)) for branch, records in branch_records(org, year)]
