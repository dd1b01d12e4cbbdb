"""Ledger records for the demo city: two years of 三会一课, 主题党日, dues and 三重一大 decisions, and
发展党员 files (demo_recruitment.py).

Each enterprise has its own diligence, so the ledgers give the cycles different facts and the
ranking something to rank. Everything is drawn from one seed; records stop at the last month that
has ended, as a real ledger would.
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count

from kaohe.ledgers.demo_recruitment import build_recruitment
from kaohe.ledgers.models import Decision, DecisionCategory, DuesRecord, Meeting, MeetingKind
from kaohe.orgs.models import MemberStatus, OrgKind, OrgUnit, Person

BATCH = 5000


def _month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = _month_end(day) + datetime.timedelta(days=1)
    return months


def _at(day: datetime.date, hour: int = 18) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def build_ledgers(seed: int, first: datetime.date, today: datetime.date) -> dict[str, int]:
    """Write the records from `first` to the end of the last month before `today`."""
    rng = random.Random(seed)
    last = today.replace(day=1) - datetime.timedelta(days=1)
    months = _months(first, last)
    enterprises = list(OrgUnit.objects.filter(kind=OrgKind.ENTERPRISE).order_by("code"))
    diligence = {e.pk: rng.uniform(0.82, 0.995) for e in enterprises}
    members = Person.objects.filter(
        left_on__isnull=True, status__in=[MemberStatus.FULL, MemberStatus.PROBATIONARY]
    )
    size = dict(members.values("org").annotate(n=Count("pk")).values_list("org", "n"))
    meetings: list[Meeting] = []
    for branch in OrgUnit.objects.filter(kind=OrgKind.BRANCH).order_by("path"):
        care = diligence.get(branch.enterprise_id or 0, 0.9)
        people = max(size.get(branch.pk, 0), 3)
        for month in months:
            if branch.active_from > _month_end(month) or (branch.active_to and branch.active_to < month):
                continue
            end = _month_end(month)
            due = [(MeetingKind.COMMITTEE_MEETING, "支委会"), (MeetingKind.THEME_DAY, "主题党日")]
            if month.month % 3 == 0:
                due += [(MeetingKind.BRANCH_ASSEMBLY, "支部党员大会"), (MeetingKind.PARTY_LECTURE, "党课")]
            if month.month == 1:
                due += [(MeetingKind.LIFE_MEETING, "组织生活会"), (MeetingKind.MEMBER_REVIEW, "民主评议党员")]
            for kind, title in due:
                if rng.random() > care + 0.04:
                    continue  # not held this time
                held = month.replace(day=rng.randint(3, min(25, end.day)))
                late = kind == MeetingKind.THEME_DAY and rng.random() > care + 0.02
                recorded = end + datetime.timedelta(days=6) if late else held + datetime.timedelta(days=1)
                absent = sum(1 for _ in range(people) if rng.random() > care)
                meetings.append(
                    Meeting(
                        org=branch,
                        kind=kind,
                        held_on=held,
                        title=f"{held.year}年{held.month}月{title}",
                        agenda=f"学习传达上级精神；研究{title}事项",
                        minutes="会议按议程进行，形成记录。",
                        expected=people,
                        present=people - absent,
                        recorded_at=_at(recorded),
                    )
                )
    for enterprise in enterprises:
        care = diligence[enterprise.pk]
        for month in months:
            for _ in range(1 if rng.random() < care else 0):
                held = month.replace(day=rng.randint(5, 20))
                meetings.append(
                    Meeting(
                        org=enterprise,
                        kind=MeetingKind.FIRST_TOPIC,
                        held_on=held,
                        title=f"党委会“第一议题”学习（{held.month}月）",
                        expected=9,
                        present=9 - (rng.random() > care),
                        recorded_at=_at(held + datetime.timedelta(days=1)),
                    )
                )
    Meeting.objects.bulk_create(meetings, batch_size=BATCH)

    decisions = []
    categories = list(DecisionCategory.values)
    for enterprise in enterprises:
        care = diligence[enterprise.pk]
        for number in range(len(months) // 2):
            day = months[number * 2].replace(day=rng.randint(5, 25))
            decisions.append(
                Decision(
                    org=enterprise,
                    title=f"{day.year}年第{number % 6 + 1}项“三重一大”事项",
                    category=rng.choice(categories),
                    decided_on=day,
                    pre_studied=rng.random() < care + 0.03,
                    collective=True,
                    minuted=rng.random() < care + 0.05,
                    followed_up=rng.random() < care,
                    recorded_at=_at(day),
                )
            )
    Decision.objects.bulk_create(decisions, batch_size=BATCH)

    dues, by_enterprise = [], defaultdict(lambda: 0.9, diligence)
    rows = members.values_list("pk", "org__enterprise_id", "join_date")
    for pk, enterprise_id, joined in rows.iterator(chunk_size=BATCH):
        amount = Decimal(rng.choice((20, 30, 50, 80, 120, 200)))
        slack = (1 - by_enterprise[enterprise_id or 0]) / 6
        for month in months:
            if joined and joined > _month_end(month):
                continue
            paid = Decimal(0) if rng.random() < slack else amount
            dues.append(
                DuesRecord(
                    person_id=pk,
                    month=month,
                    due=amount,
                    paid=paid,
                    paid_on=month.replace(day=10) if paid else None,
                    recorded_at=_at(month.replace(day=11)),
                )
            )
            if len(dues) >= BATCH:
                DuesRecord.objects.bulk_create(dues)
                dues = []
    DuesRecord.objects.bulk_create(dues)
    return {
        "meetings": Meeting.objects.count(),
        "decisions": Decision.objects.count(),
        "dues": DuesRecord.objects.count(),
        "recruitment": build_recruitment(seed, today),
    }
