"""Derivations and list pages cost a fixed number of queries, however many units, branches,
members and records there are."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.cycles.derived import Span, derive, known
from kaohe.ledgers.models import MeetingKind
from kaohe.ledgers.tests.conftest import add_decision, add_dues, add_meeting, add_org, add_person
from kaohe.orgs.models import OrgKind

pytestmark = pytest.mark.django_db

D = datetime.date
SPAN = Span(D(2024, 1, 1), D(2024, 12, 31))
# Queries per derivation whatever the number of units.
BUDGETS = {
    "ledger.recruitment.violations": 1,
    "ledger.first_topic.count": 1,
    "ledger.branch_assembly.per_branch": 2,
    "ledger.committee_meeting.per_branch": 2,
    "ledger.party_lecture.per_branch": 2,
    "ledger.attendance.rate": 1,
    "ledger.theme_day.missed": 2,
    "ledger.dues.shortfalls": 2,
    "ledger.decisions.steps": 1,
}


def _grow(city, n: int, tag: str) -> list:
    """n sub-committees under EA, each with two branches, members, meetings, dues, a decision."""
    subs = []
    for i in range(n):
        sub = add_org(city.ent_a, f"EA-{tag}{i}", OrgKind.COMMITTEE_SUB)
        add_meeting(sub, MeetingKind.FIRST_TOPIC, D(2024, 2, 1))
        add_decision(sub, D(2024, 3, 1), "collective")
        for j in range(2):
            branch = add_org(sub, f"EA-{tag}{i}-B{j}")
            for kind in (MeetingKind.BRANCH_ASSEMBLY, MeetingKind.THEME_DAY, MeetingKind.PARTY_LECTURE):
                add_meeting(branch, kind, D(2024, 1 + j, 3))
            person = add_person(branch, f"党员{tag}{i}{j}")
            add_dues(person, D(2024, 1, 1))
        subs.append(sub)
    return subs


def test_code_list_matches_the_budgets():
    assert {c for c in known() if c.startswith("ledger.")} == set(BUDGETS)


@pytest.mark.parametrize("code", list(BUDGETS))
def test_a_derivation_costs_the_same_queries_for_3_or_30_units(city, code, django_assert_max_num_queries):
    few = [city.ent_a, city.ent_b, *_grow(city, 1, "F")]
    many = [city.ent_a, city.ent_b, *_grow(city, 28, "M")]
    with django_assert_max_num_queries(BUDGETS[code]):
        small = derive(code, few, SPAN)
    with django_assert_max_num_queries(BUDGETS[code]):
        large = derive(code, many, SPAN)
    assert len(large) >= len(small)


# Every page pays 6: session read, user, roles, and the sliding session's save.
PAGE_BUDGETS = {
    "ledgers:index": 8,  # + count, page
    "ledgers:org": 15,  # + org, ancestors, count, page, duties (branches, groups, meetings, dues 2)
    "ledgers:duties": 13,  # + org, ancestors, duties (5)
    "ledgers:dues": 11,  # + org, ancestors, branches, dues tally (2)
    "ledgers:decisions": 10,  # + org, ancestors, count, page
}


def _page_queries(client, name: str) -> int:
    url = reverse(name) if name == "ledgers:index" else reverse(name, args=["EA"])
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, {"year": "2024", "month": "2024-01"}).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", list(PAGE_BUDGETS))
def test_page_query_count_does_not_grow_with_the_tree(city, client, name):
    client.force_login(city.staff_a)
    _grow(city, 1, "F")
    small = _page_queries(client, name)
    _grow(city, 12, "M")
    large = _page_queries(client, name)
    assert large == small <= PAGE_BUDGETS[name]


def test_a_branch_dues_form_costs_the_same_for_more_members(city, client):
    client.force_login(city.staff_a)
    url = reverse("ledgers:dues", args=["EA-B1"])
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, {"month": "2024-01"})
    small = len(ctx.captured_queries)
    for i in range(20):
        add_dues(add_person(city.branch_a, f"新党员{i}"), D(2023, 12, 1))
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, {"month": "2024-01"})
    assert len(ctx.captured_queries) == small <= 12
