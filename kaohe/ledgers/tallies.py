"""Counting ledger records per org in a constant number of queries, whatever the size of the tree.

Every tally reads the records under the common ancestor of the orgs asked about (one indexed prefix
match on the org path) grouped by org, and `Owners` then adds each org's figures to every unit
whose subtree contains it. The work in Python grows with the number of orgs that have records, the
number of queries does not.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.db.models import Case, Count, DateField, F, Min, Q, Sum, Value, When
from django.db.models.functions import TruncMonth

from kaohe.ledgers.models import DUES_STATUSES, DuesRecord, Meeting
from kaohe.ledgers.periods import month_end
from kaohe.orgs.models import OrgKind, OrgUnit, Person


def common_root(paths: Iterable[str]) -> str:
    """The path of the deepest node every path lies under ("" when they share none)."""
    lists = [p.split(".")[:-1] for p in paths]
    if not lists:
        return ""
    shared: list[str] = []
    for segments in zip(*lists, strict=False):
        if len(set(segments)) != 1:
            break
        shared.append(segments[0])
    return "".join(f"{s}." for s in shared)


class Node(Protocol):
    @property
    def pk(self) -> int: ...

    @property
    def path(self) -> str: ...


class Owners:
    """Which of the given units contain an org, found from the org's path (its ancestors' ids)."""

    def __init__(self, units: Sequence[Node]):
        self.by_path = {u.path: u.pk for u in units}
        self.root = common_root(self.by_path)

    def __call__(self, path: str) -> list[int]:
        segments = path.split(".")[:-1]
        found = []
        for i in range(1, len(segments) + 1):
            pk = self.by_path.get(".".join(segments[:i]) + ".")
            if pk is not None:
                found.append(pk)
        return found

    def q(self, field: str = "org__path") -> Q:
        return Q(**{f"{field}__startswith": self.root})


@dataclass(frozen=True)
class Branch:
    pk: int
    path: str
    name: str
    code: str
    active_from: datetime.date
    active_to: datetime.date | None


def branches(owners: Owners, starts: datetime.date, ends: datetime.date) -> list[Branch]:
    """Branches under the units that were open on some day of [starts, ends]. One query."""
    rows = (
        OrgUnit.objects.filter(owners.q("path"), kind=OrgKind.BRANCH, active_from__lte=ends)
        .filter(Q(active_to__isnull=True) | Q(active_to__gt=starts))
        .order_by("path")
        .values_list("pk", "path", "name", "code", "active_from", "active_to")
    )
    return [Branch(*row) for row in rows if owners(row[1])]


@dataclass(frozen=True)
class MeetingGroup:
    """The meetings of one kind held at one org in one month."""

    org_id: int
    org_path: str
    org_kind: str
    kind: str
    month: datetime.date
    count: int
    expected: int
    present: int
    first_recorded: datetime.datetime  # the earliest recorded_at: were any entered on time


def meeting_groups(
    owners: Owners, starts: datetime.date, ends: datetime.date, kinds: Iterable[str]
) -> list[MeetingGroup]:
    """Meetings of `kinds` held in [starts, ends] under the units, per org, kind and month. One query."""
    rows = (
        Meeting.objects.filter(owners.q(), kind__in=list(kinds), held_on__gte=starts, held_on__lte=ends)
        .annotate(month=TruncMonth("held_on"))
        .values("org_id", "org__path", "org__kind", "kind", "month")
        .annotate(
            n=Count("pk"), expected_sum=Sum("expected"), present_sum=Sum("present"), first=Min("recorded_at")
        )
        .order_by()
    )
    return [
        MeetingGroup(
            r["org_id"],
            r["org__path"],
            r["org__kind"],
            r["kind"],
            _as_date(r["month"]),
            r["n"],
            r["expected_sum"],
            r["present_sum"],
            r["first"],
        )
        for r in rows
    ]


@dataclass
class DuesMonth:
    owed: int = 0  # members who owed dues that month
    in_full: int = 0  # of them, those with a record paid in full


def dues_by_org_month(
    owners: Owners, months: Sequence[datetime.date]
) -> dict[tuple[str, datetime.date], DuesMonth]:
    """(org path, month) → members owing dues and members paid in full. Two queries.

    A member owes a month when they are a full or probationary member (their status now: status
    has no history), joined the party before the month ended (no join date: a member all along)
    and did not leave before it began.
    """
    out: dict[tuple[str, datetime.date], DuesMonth] = defaultdict(DuesMonth)
    if not months:
        return out
    first, last = months[0], month_end(months[-1])
    no_date = Value(None, output_field=DateField())
    members = (
        Person.objects.filter(owners.q(), status__in=DUES_STATUSES)
        .exclude(join_date__gt=last)
        .exclude(left_on__lt=first)
        # Joining before the first month or leaving after the last makes no difference: bucket
        # them as "none", so the groups stay few.
        .annotate(
            joined=Case(When(join_date__gte=first, then=TruncMonth("join_date")), default=no_date),
            left=Case(When(left_on__lte=last, then=TruncMonth("left_on")), default=no_date),
        )
        .values("org__path", "joined", "left")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in members:
        joined, left = _as_date(row["joined"]), _as_date(row["left"])
        for month in months:
            if (joined is None or joined <= month) and (left is None or left >= month):
                out[(row["org__path"], month)].owed += row["n"]
    # The same buckets as above, so that SQLite calls its date function only for the few members who
    # joined or left within the span, not once per dues record.
    paid = (
        DuesRecord.objects.filter(
            owners.q("person__org__path"),
            person__status__in=DUES_STATUSES,
            month__in=list(months),
            paid__gte=F("due"),
        )
        .annotate(
            joined=Case(
                When(person__join_date__gte=first, then=TruncMonth("person__join_date")), default=no_date
            ),
            left=Case(When(person__left_on__lte=last, then=TruncMonth("person__left_on")), default=no_date),
        )
        .values("person__org__path", "month", "joined", "left")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for paid_row in paid:
        month = _as_date(paid_row["month"])
        joined, left = _as_date(paid_row["joined"]), _as_date(paid_row["left"])
        if (joined is None or joined <= month) and (left is None or left >= month):
            out[(paid_row["person__org__path"], month)].in_full += paid_row["n"]
    return out


def _as_date(value):
    """TruncMonth gives a datetime on some backends; the ledgers count in dates."""
    if isinstance(value, datetime.datetime):
        return value.date()
    return value
