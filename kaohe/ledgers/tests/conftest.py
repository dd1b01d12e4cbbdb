"""Helpers for the ledger tests: records written straight to the database (the derivations and the
duties read records, whoever wrote them; the actions have their own tests)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kaohe.ledgers.models import Decision, DuesRecord, Meeting
from kaohe.orgs import actions as org_actions
from kaohe.orgs.models import OrgKind

DAY = datetime.date(2020, 1, 1)


def local(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """An aware datetime at the given local (Asia/Shanghai) time."""
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, minute))


def add_org(parent, code: str, kind: str = OrgKind.BRANCH, *, active_from=DAY, active_to=None):
    return org_actions.create_org(
        None,
        code=code,
        name=f"{code}组织",
        kind=kind,
        parent=parent,
        active_from=active_from,
        active_to=active_to,
    )


def add_person(org, name: str, **fields):
    return org_actions.create_person(None, org=org, name=name, gender="F", **fields)


def add_meeting(
    org, kind: str, held_on: datetime.date, *, expected=10, present=8, recorded_at=None, title="会议"
):
    return Meeting.objects.create(
        org=org,
        kind=kind,
        held_on=held_on,
        title=title,
        expected=expected,
        present=present,
        recorded_at=recorded_at or local(held_on),
    )


def add_dues(person, month: datetime.date, due="20", paid="20"):
    return DuesRecord.objects.create(person=person, month=month, due=Decimal(due), paid=Decimal(paid))


def add_decision(org, decided_on: datetime.date, *steps: str, title="事项"):
    return Decision.objects.create(
        org=org,
        title=title,
        category="major_decision",
        decided_on=decided_on,
        **{name: True for name in steps},
    )


@pytest.fixture
def fixed_today(monkeypatch):
    """Move "today" for the derivations: fixed_today(date)."""
    from kaohe.ledgers import derive

    def move(day: datetime.date) -> None:
        monkeypatch.setattr(derive, "today", lambda: day)

    return move
