"""Red, amber and green for a branch's duties, with a fixed "today"."""

import datetime

import pytest

from kaohe.ledgers.duties import BranchRecords, Colour, judge
from kaohe.ledgers.models import MeetingKind
from kaohe.ledgers.queries import branch_records, duty_table
from kaohe.ledgers.tests.conftest import add_dues, add_meeting, add_org, add_person
from kaohe.orgs.models import OrgKind

D = datetime.date
OPEN = D(2020, 1, 1)


def months(*numbers: int, year: int = 2026) -> set[datetime.date]:
    return {D(year, m, 1) for m in numbers}


def by_code(statuses) -> dict:
    return {s.duty.code: s for s in statuses}


@pytest.fixture
def records() -> BranchRecords:
    return BranchRecords(
        OPEN,
        None,
        held={
            MeetingKind.BRANCH_ASSEMBLY: months(2),
            MeetingKind.COMMITTEE_MEETING: months(1, 2, 4),
            MeetingKind.PARTY_LECTURE: months(3, 4),
            MeetingKind.THEME_DAY: months(1, 2, 3, 4, 5),
        },
        dues={D(2026, 1, 1): (3, 3), D(2026, 2, 1): (3, 2), D(2026, 3, 1): (3, 3), D(2026, 4, 1): (3, 3)},
    )


def test_a_running_quarter_not_met_yet_is_amber_with_its_deadline(records):
    s = by_code(judge(records, 2026, D(2026, 5, 10)))["branch_assembly"]
    assert s.colour == Colour.AMBER
    assert s.pending == "第二季度未召开支部党员大会" and s.due == "6月30日前"
    assert (s.met, s.owed, s.missing) == (1, 2, ())


def test_a_missed_month_that_is_over_is_red_and_named(records):
    s = by_code(judge(records, 2026, D(2026, 5, 10)))["committee_meeting"]
    assert s.colour == Colour.RED
    assert s.missing == ("3月未召开支委会",)
    assert s.pending == "5月未召开支委会" and s.due == "5月31日前"  # still shown alongside


def test_every_period_so_far_met_is_green(records):
    statuses = by_code(judge(records, 2026, D(2026, 5, 10)))
    assert statuses["party_lecture"].colour == Colour.GREEN
    assert statuses["theme_day"].colour == Colour.GREEN
    assert (statuses["theme_day"].met, statuses["theme_day"].owed) == (5, 5)


def test_yearly_duties_are_amber_until_the_year_ends_then_red(records):
    during = by_code(judge(records, 2026, D(2026, 12, 31)))["life_meeting"]
    assert during.colour == Colour.AMBER and during.due == "12月31日前"
    after = by_code(judge(records, 2026, D(2027, 1, 1)))["member_review"]
    assert after.colour == Colour.RED and after.missing == ("2026年未开展民主评议党员",)


def test_the_deadline_day_itself_is_still_amber(records):
    records.held[MeetingKind.BRANCH_ASSEMBLY] = set()
    assert by_code(judge(records, 2026, D(2026, 3, 31)))["branch_assembly"].colour == Colour.AMBER
    s = by_code(judge(records, 2026, D(2026, 4, 1)))["branch_assembly"]
    assert s.colour == Colour.RED and s.missing == ("第一季度未召开支部党员大会",)


def test_dues_name_how_many_members_fell_short(records):
    s = by_code(judge(records, 2026, D(2026, 5, 10)))["dues"]
    assert s.colour == Colour.RED and s.missing == ("2月有 1 人未足额缴纳党费",)
    records.dues[D(2026, 5, 1)] = (3, 1)
    assert by_code(judge(records, 2026, D(2026, 5, 10)))["dues"].pending == "5月有 2 人未足额缴纳党费"


def test_dues_with_no_member_owing_are_met():
    s = by_code(judge(BranchRecords(OPEN, None), 2026, D(2026, 3, 10)))["dues"]
    assert s.colour == Colour.GREEN


def test_group_meetings_apply_only_to_a_branch_with_groups(records):
    s = by_code(judge(records, 2026, D(2026, 5, 10)))["group_meeting"]
    assert s.colour == Colour.NONE and "未设党小组" in s.pending
    records.has_groups = True
    records.held[MeetingKind.GROUP_MEETING] = months(1, 2, 3, 4)
    assert by_code(judge(records, 2026, D(2026, 5, 10)))["group_meeting"].colour == Colour.AMBER


def test_periods_a_branch_was_not_open_all_of_are_not_owed():
    founded = BranchRecords(D(2026, 2, 15), None, held={MeetingKind.COMMITTEE_MEETING: months(3, 4)})
    s = by_code(judge(founded, 2026, D(2026, 5, 10)))["committee_meeting"]
    assert (s.owed, s.met, s.colour) == (3, 2, Colour.AMBER)  # March, April, May; not January, February
    assert by_code(judge(founded, 2026, D(2026, 5, 10)))["branch_assembly"].colour == Colour.AMBER
    closed = BranchRecords(OPEN, D(2026, 3, 10), held={MeetingKind.COMMITTEE_MEETING: months(1, 2)})
    assert by_code(judge(closed, 2026, D(2026, 5, 10)))["committee_meeting"].colour == Colour.GREEN


def test_a_year_to_come_owes_nothing_yet(records):
    assert {s.colour for s in judge(records, 2027, D(2026, 5, 10))} == {Colour.NONE}


@pytest.mark.django_db
def test_records_are_gathered_per_branch_from_the_database(city):
    g = add_org(city.branch_a, "EA-B1-G1", OrgKind.GROUP)
    b2 = add_org(city.ent_a, "EA-B2")
    add_meeting(g, MeetingKind.GROUP_MEETING, D(2024, 3, 5))  # at the group: counts for EA-B1
    add_meeting(city.branch_a, MeetingKind.BRANCH_ASSEMBLY, D(2024, 2, 5))
    add_meeting(city.ent_a, MeetingKind.PARTY_LECTURE, D(2024, 2, 5))  # at the enterprise: no branch's
    member = add_person(g, "小组党员")
    add_dues(member, D(2024, 1, 1))
    add_dues(city.person_a, D(2024, 1, 1), paid="0")
    got = dict(branch_records(city.ent_a, 2024))
    (b1_branch,) = [b for b in got if b.pk == city.branch_a.pk]
    (b2_branch,) = [b for b in got if b.pk == b2.pk]
    b1 = got[b1_branch]
    assert b1.has_groups and not got[b2_branch].has_groups
    assert b1.held == {
        MeetingKind.GROUP_MEETING: {D(2024, 3, 1)},
        MeetingKind.BRANCH_ASSEMBLY: {D(2024, 2, 1)},
    }
    assert b1.dues[D(2024, 1, 1)] == (2, 1) and b1.dues[D(2024, 12, 1)] == (2, 0)
    assert got[b2_branch].held == {}
    table = dict(duty_table(city.ent_a, 2024, D(2026, 1, 1)))
    statuses = by_code(table[b1_branch])
    assert statuses["group_meeting"].colour == Colour.RED
    assert statuses["dues"].missing[0] == "1月有 1 人未足额缴纳党费"


def test_a_table_cell_says_how_many_periods_were_missed(records):
    statuses = by_code(judge(records, 2026, D(2026, 5, 10)))
    assert statuses["committee_meeting"].short_label == "缺 1 期"
    assert statuses["branch_assembly"].short_label == "待完成"
    assert statuses["theme_day"].short_label == "已完成"
    assert statuses["group_meeting"].short_label == "—"
