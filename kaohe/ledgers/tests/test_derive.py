"""The ledger.* derivations against examples computed by hand.

The fixture city has enterprises EA and EB with one branch each (EA-B1, EB-B1). The tests add
branches, a 二级党委 with its own branch, closed and new branches, members who joined or left,
and records inside and outside the span.
"""

import datetime
import json

import pytest

from kaohe.cycles.derived import Span, derive, known
from kaohe.ledgers.models import MeetingKind
from kaohe.ledgers.tests.conftest import (
    add_decision,
    add_dues,
    add_meeting,
    add_org,
    add_person,
    local,
)
from kaohe.orgs.models import MemberStatus, OrgKind

pytestmark = pytest.mark.django_db

Y2024 = Span(datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
D = datetime.date
A, C, G, L, T, F = (
    MeetingKind.BRANCH_ASSEMBLY,
    MeetingKind.COMMITTEE_MEETING,
    MeetingKind.GROUP_MEETING,
    MeetingKind.PARTY_LECTURE,
    MeetingKind.THEME_DAY,
    MeetingKind.FIRST_TOPIC,
)


@pytest.fixture
def tree(city):
    """EA: B1 (fixture), B2, B3 closed 2024-07-01, B4 opened 2025, S (二级党委) with S-B1.
    Branches of EA during 2024: B1, B2, B3, S-B1 (four)."""
    t = city
    t.b2 = add_org(city.ent_a, "EA-B2")
    t.b3 = add_org(city.ent_a, "EA-B3", active_to=D(2024, 7, 1))
    t.b4 = add_org(city.ent_a, "EA-B4", active_from=D(2025, 1, 1))
    t.sub = add_org(city.ent_a, "EA-S", OrgKind.COMMITTEE_SUB)
    t.sb1 = add_org(t.sub, "EA-S-B1")
    return t


def values(code, units, span=Y2024):
    return {pk: d.value for pk, d in derive(code, units, span).items()}


def test_every_code_of_the_default_scheme_is_registered():
    assert {
        "ledger.first_topic.count",
        "ledger.branch_assembly.per_branch",
        "ledger.committee_meeting.per_branch",
        "ledger.party_lecture.per_branch",
        "ledger.attendance.rate",
        "ledger.theme_day.missed",
        "ledger.dues.shortfalls",
        "ledger.decisions.steps",
    } <= set(known())


def test_first_topic_counts_the_units_own_committee_only(tree):
    for day in (D(2024, 1, 5), D(2024, 4, 5), D(2024, 12, 31)):
        add_meeting(tree.ent_a, F, day)
    add_meeting(tree.ent_a, F, D(2025, 1, 2))  # after the span
    add_meeting(tree.sub, F, D(2024, 3, 1))  # the 二级党委's own study, not EA's
    add_meeting(tree.sub, F, D(2024, 9, 1))
    got = derive("ledger.first_topic.count", [tree.ent_a, tree.sub, tree.ent_b], Y2024)
    assert {pk: d.value for pk, d in got.items()} == {
        tree.ent_a.pk: "3",
        tree.sub.pk: "2",
        tree.ent_b.pk: "0",
    }
    assert "第一议题学习记录 3 条" in got[tree.ent_a.pk].source and "企业A党委" in got[tree.ent_a.pk].source


def test_per_branch_averages_over_the_branches_open_in_the_span_in_whole_meetings(tree):
    # Assemblies: B1 4, B2 3, B3 2 (before it closed), S-B1 1: 10 over 4 branches = 2.5 -> 2.
    for n, branch in ((4, tree.branch_a), (3, tree.b2), (2, tree.b3), (1, tree.sb1)):
        for i in range(n):
            add_meeting(branch, A, D(2024, 1 + i, 10))
    add_meeting(tree.branch_a, A, D(2023, 12, 31))  # before the span
    add_meeting(tree.ent_a, MeetingKind.PARTY_LECTURE, D(2024, 5, 1))  # not an assembly
    add_meeting(tree.branch_b, A, D(2024, 5, 1))  # the other enterprise
    got = derive("ledger.branch_assembly.per_branch", [tree.ent_a, tree.sub, tree.b2, tree.ent_b], Y2024)
    assert {pk: d.value for pk, d in got.items()} == {
        tree.ent_a.pk: "2",
        tree.sub.pk: "1",
        tree.b2.pk: "3",  # a branch is its own one branch
        tree.ent_b.pk: "1",
    }
    assert got[tree.ent_a.pk].source.startswith("支部党员大会台账 10 次 / 4 个支部 = 2.50，按整次计 2 次")


def test_per_branch_never_credits_a_meeting_the_average_did_not_reach(tree):
    # 支委会: 11 over 4 branches = 2.75 -> 2, not 3; 党课: 8 over 4 = 2 exactly.
    for i in range(11):
        add_meeting([tree.branch_a, tree.b2, tree.b3][i % 3], C, D(2024, 1 + i % 6, 1 + i))
    for i in range(8):
        add_meeting([tree.branch_a, tree.sb1][i % 2], L, D(2024, 2, 1 + i))
    got = derive("ledger.committee_meeting.per_branch", [tree.ent_a], Y2024)[tree.ent_a.pk]
    assert got.value == "2"
    assert "11 次 / 4 个支部 = 2.75，按整次计 2 次" in got.source
    assert values("ledger.party_lecture.per_branch", [tree.ent_a]) == {tree.ent_a.pk: "2"}


def test_per_branch_shows_the_average_cut_so_it_never_reads_as_the_next_whole_meeting(tree):
    branches = [add_org(tree.ent_b, f"EB-X{i}") for i in range(199)]  # with EB-B1: 200 branches
    for i in range(599):  # 599 / 200 = 2.995
        add_meeting(([tree.branch_b, *branches])[i % 200], A, D(2024, 1 + i % 12, 1))
    got = derive("ledger.branch_assembly.per_branch", [tree.ent_b], Y2024)[tree.ent_b.pk]
    assert got.value == "2" and "599 次 / 200 个支部 = 2.99，按整次计 2 次" in got.source


def test_per_branch_counts_a_party_groups_meeting_for_its_branch_but_not_a_committees(tree):
    group = add_org(tree.b2, "EA-B2-G", OrgKind.GROUP)
    add_meeting(group, L, D(2024, 5, 1))
    add_meeting(tree.b2, L, D(2024, 6, 1))
    add_meeting(tree.sub, L, D(2024, 6, 1))  # the 二级党委's own lecture: no branch's
    assert values("ledger.party_lecture.per_branch", [tree.b2, tree.sub]) == {
        tree.b2.pk: "2",
        tree.sub.pk: "0",
    }


def test_per_branch_leaves_out_a_unit_without_branches(tree):
    empty = add_org(tree.ent_a, "EA-S2", OrgKind.COMMITTEE_SUB)
    assert values("ledger.branch_assembly.per_branch", [empty, tree.b4]) == {}


def test_attendance_sums_present_over_expected_of_the_subtree(tree):
    add_meeting(tree.branch_a, A, D(2024, 3, 1), expected=10, present=9)
    add_meeting(tree.b2, T, D(2024, 3, 2), expected=20, present=15)
    add_meeting(tree.sb1, L, D(2024, 3, 3), expected=10, present=4)
    add_meeting(tree.ent_a, MeetingKind.LIFE_MEETING, D(2024, 3, 4), expected=50, present=1)  # not counted
    add_meeting(tree.ent_a, F, D(2024, 3, 4), expected=50, present=1)  # not counted
    add_meeting(tree.branch_a, A, D(2025, 1, 4), expected=50, present=1)  # after the span
    add_meeting(tree.branch_b, C, D(2024, 6, 1), expected=3, present=2)
    got = derive("ledger.attendance.rate", [tree.ent_a, tree.sub, tree.ent_b, tree.b4], Y2024)
    # EA: 28 / 40 = 70%; EA-S: 4 / 10; EB: 2 / 3 = 66.66666..% -> 666,667 millionths.
    assert {pk: d.value for pk, d in got.items()} == {
        tree.ent_a.pk: "70%",
        tree.sub.pk: "40%",
        tree.ent_b.pk: "66.6667%",
    }  # B4 has no meetings: left out, so the cycle reports the fact missing
    assert "3 次会议，出勤率 70.0%：实到 28 人次 / 应到 40 人次" in got[tree.ent_a.pk].source
    assert "出勤率 66.6%" in got[tree.ent_b.pk].source


def test_attendance_shows_one_decimal_cut_so_a_rate_below_the_line_never_shows_on_it(tree):
    add_meeting(tree.branch_a, A, D(2024, 3, 1), expected=10_000, present=8_996)  # 89.96%
    got = derive("ledger.attendance.rate", [tree.branch_a], Y2024)[tree.branch_a.pk]
    assert got.value == "89.96%"  # the engine scores the exact rate
    assert "出勤率 89.9%：" in got.source


def test_theme_days_missing_or_uploaded_late_in_the_months_whose_deadline_passed(tree, fixed_today):
    fixed_today(D(2024, 6, 2))  # judged: January to April (May's deadline is 2 June itself)
    b2 = tree.b2
    add_meeting(b2, T, D(2024, 1, 20))  # on time
    # February: none.
    add_meeting(b2, T, D(2024, 3, 28), recorded_at=local(D(2024, 4, 2), 23, 30))  # the last day: on time
    add_meeting(b2, T, D(2024, 4, 10), recorded_at=local(D(2024, 5, 3), 0, 30))  # a day late
    add_meeting(b2, T, D(2024, 4, 11), recorded_at=local(D(2024, 5, 4)))  # also late
    got = derive("ledger.theme_day.missed", [b2], Y2024)[b2.pk]
    assert got.value == "2"
    assert "已过上传期限的支部月 4 个，未开展 1 个，超期上传 1 个" in got.source


def test_theme_days_count_only_months_a_branch_was_open_all_month(tree, fixed_today):
    fixed_today(D(2024, 6, 2))
    late_comer = add_org(tree.ent_a, "EA-B5", active_from=D(2024, 3, 15))  # owes April only
    closing = add_org(tree.ent_a, "EA-B6", active_to=D(2024, 3, 20))  # owes January and February
    for branch in (tree.branch_a, tree.b2, tree.b3, tree.sb1):
        for month in range(1, 5):
            add_meeting(branch, T, D(2024, month, 5))
    got = values("ledger.theme_day.missed", [tree.ent_a, late_comer, closing, tree.b4])
    assert got == {tree.ent_a.pk: "3", late_comer.pk: "1", closing.pk: "2", tree.b4.pk: "0"}


def test_theme_days_held_by_a_party_group_count_for_its_branch(tree, fixed_today):
    fixed_today(D(2024, 2, 10))  # judged: January
    add_meeting(add_org(tree.b2, "EA-B2-G", OrgKind.GROUP), T, D(2024, 1, 9))
    assert values("ledger.theme_day.missed", [tree.b2, tree.branch_a]) == {
        tree.b2.pk: "0",
        tree.branch_a.pk: "1",
    }


def test_theme_days_a_month_whose_meeting_was_held_in_another_month_is_missed(tree, fixed_today):
    fixed_today(D(2024, 3, 10))  # judged: January and February
    add_meeting(tree.b2, T, D(2024, 2, 1), recorded_at=local(D(2024, 2, 1)))
    assert values("ledger.theme_day.missed", [tree.b2]) == {tree.b2.pk: "1"}


@pytest.fixture
def members(tree):
    g = add_org(tree.b2, "EA-B2-G1", OrgKind.GROUP)
    people = {
        "always": add_person(tree.b2, "甲"),
        "probation": add_person(
            g, "乙", status=MemberStatus.PROBATIONARY, join_date=D(2024, 2, 10)
        ),  # in a group of B2
        "staff": add_person(tree.b2, "丙", status=MemberStatus.STAFF),
        "left": add_person(tree.b2, "丁", left_on=D(2024, 2, 20)),
        "new": add_person(tree.b2, "戊", join_date=D(2024, 5, 1)),
        "overpaid": add_person(tree.b2, "己"),
    }
    return people


def test_dues_shortfalls_are_person_months_without_dues_paid_in_full(tree, members, fixed_today):
    fixed_today(D(2024, 4, 15))  # ended: January to March
    p = members
    jan, feb, mar, apr = (D(2024, m, 1) for m in range(1, 5))
    add_dues(p["always"], jan)
    add_dues(p["always"], feb, due="20", paid="19.99")  # short by a fen
    # always: March has no record.                        -> 2
    add_dues(p["probation"], jan, paid="0")  # before joining: not owed
    add_dues(p["probation"], feb)
    add_dues(p["probation"], mar)  # -> 0
    add_dues(p["left"], jan)  # February owed (left during it), March not -> 1
    for month in (jan, feb, mar):
        add_dues(p["overpaid"], month, due="20", paid="25")  # -> 0
    add_dues(p["always"], apr, paid="0")  # April is not over
    got = derive("ledger.dues.shortfalls", [tree.b2, tree.ent_a, tree.ent_b], Y2024)
    assert {pk: d.value for pk, d in got.items()} == {
        tree.b2.pk: "3",
        # EA adds 张a of EA-B1 (a member all along, no records): 3 more.
        tree.ent_a.pk: "6",
        tree.ent_b.pk: "3",
    }
    # B2 owed: always 3 + probation 2 + left 2 + overpaid 3 = 10 person-months, 7 paid in full.
    assert "已结束的 3 个月应缴 10 人月，足额缴纳 7 人月" in got[tree.b2.pk].source


def test_dues_nothing_is_owed_before_a_month_ends(tree, members, fixed_today):
    fixed_today(D(2024, 1, 31))  # January's last day: not over yet
    assert values("ledger.dues.shortfalls", [tree.b2]) == {tree.b2.pk: "0"}


def test_decision_steps_present_in_every_decision_of_the_subtree(tree):
    every = ("pre_studied", "collective", "minuted", "followed_up")
    add_decision(tree.ent_a, D(2024, 3, 1), *every)
    add_decision(tree.sub, D(2024, 5, 1), "pre_studied", "collective", "minuted")
    add_decision(tree.sub, D(2023, 5, 1))  # before the span: ignored
    got = derive("ledger.decisions.steps", [tree.ent_a, tree.sub, tree.ent_b], Y2024)
    three = ["党委前置研究", "集体决策", "会议记录"]
    assert json.loads(got[tree.ent_a.pk].value) == three
    assert json.loads(got[tree.sub.pk].value) == three
    assert "2 项" in got[tree.ent_a.pk].source
    # No decisions: none failed, all four steps, and the source says there were none.
    assert json.loads(got[tree.ent_b.pk].value) == [*three, "执行跟踪"]
    assert "0 项" in got[tree.ent_b.pk].source


def test_values_parse_as_the_default_schemes_fact_kinds(tree):
    """What the derivations write is what the engine reads for the kinds that name them."""
    from kaohe.engine.facts import parse_value
    from kaohe.engine.text_form import default_scheme

    add_meeting(tree.branch_b, C, D(2024, 6, 1), expected=3, present=2)
    add_decision(tree.ent_a, D(2024, 3, 1), "collective")
    scheme = default_scheme()
    for kind in scheme.facts:
        if kind.derive.startswith("ledger."):
            for derived in derive(kind.derive, [tree.ent_a, tree.ent_b], Y2024).values():
                parse_value(kind, derived.value)


def test_no_units_no_queries(django_assert_num_queries):
    with django_assert_num_queries(0):
        for code in known():
            if code.startswith("ledger."):
                assert derive(code, [], Y2024) == {}
