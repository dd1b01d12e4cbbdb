"""ledger.recruitment.violations against cases worked out by hand, and its query budget."""

import datetime

import pytest

from kaohe.cycles.derived import Span, derive, known
from kaohe.ledgers.models import RecruitmentCase, RecruitmentStep
from kaohe.ledgers.tests.conftest import add_org
from kaohe.orgs.models import OrgKind

pytestmark = pytest.mark.django_db

D = datetime.date
CODE = "ledger.recruitment.violations"
Y2024 = Span(D(2024, 1, 1), D(2024, 12, 31))


def add_case(org, name: str, started_on: datetime.date, *, ended_on=None, **steps: datetime.date):
    case = RecruitmentCase.objects.create(
        org=org, candidate_name=name, started_on=started_on, ended_on=ended_on
    )
    RecruitmentStep.objects.bulk_create(
        RecruitmentStep(case=case, step=code, done_on=day) for code, day in steps.items()
    )
    return case


@pytest.fixture
def cases(city, fixed_today):
    """Breaches in 2024: EA-B1 2 (a late talk on 02-11, an activist out of order on 02-20), EA-B2 1 (a
    talk still missing, due 2024-06-01), EB-B1 1 (out of order). Outside 2024: a gap of 2023 and a
    missed talk of a case that ended in 2023."""
    fixed_today(D(2025, 1, 1))
    t = city
    t.b2 = add_org(city.ent_a, "EA-B2")
    add_case(
        t.branch_a, "甲", D(2024, 1, 10), apply=D(2024, 1, 10), talk=D(2024, 3, 1), activist=D(2024, 2, 20)
    )
    add_case(t.branch_a, "乙", D(2023, 3, 1), apply=D(2023, 3, 1), activist=D(2023, 4, 1))  # gap of 2023
    add_case(t.branch_a, "丙", D(2022, 1, 1), ended_on=D(2023, 6, 1), apply=D(2022, 1, 1))
    add_case(t.b2, "丁", D(2024, 5, 1), apply=D(2024, 5, 1))
    add_case(t.branch_b, "戊", D(2024, 1, 1), apply=D(2024, 1, 1), talk=D(2024, 1, 5), activist=D(2024, 1, 3))
    add_case(t.branch_b, "己", D(2025, 1, 1), apply=D(2025, 1, 1))  # after the span
    return t


def test_the_code_is_registered():
    assert CODE in known()


def test_it_counts_the_breaches_of_the_span_in_each_units_subtree(cases):
    got = derive(CODE, [cases.root, cases.ent_a, cases.branch_a, cases.b2, cases.ent_b], Y2024)
    assert {pk: d.value for pk, d in got.items()} == {
        cases.root.pk: "4",
        cases.ent_a.pk: "3",
        cases.branch_a.pk: "2",
        cases.b2.pk: "1",
        cases.ent_b.pk: "1",
    }
    # 乙 had nothing in 2024 and 丙 ended before it: two cases of EA count.
    assert got[cases.ent_a.pk].source == (
        "发展党员档案 2 份（本期有环节记录或问题），程序不规范 3 次（2024-01-01 至 2024-12-31）"
    )


def test_a_breach_is_counted_in_the_span_it_happened_in_only(cases):
    y2023 = Span(D(2023, 1, 1), D(2023, 12, 31))
    assert {pk: d.value for pk, d in derive(CODE, [cases.branch_a], y2023).items()} == {
        cases.branch_a.pk: "1"
    }


def test_a_deadline_still_open_on_the_day_of_the_computation_is_not_yet_broken(cases, fixed_today):
    fixed_today(D(2024, 6, 1))  # 丁's talk is due that day
    assert derive(CODE, [cases.b2], Y2024)[cases.b2.pk].value == "0"
    fixed_today(D(2024, 6, 2))
    assert derive(CODE, [cases.b2], Y2024)[cases.b2.pk].value == "1"


def test_a_unit_without_cases_scores_zero_not_missing(city, fixed_today):
    fixed_today(D(2025, 1, 1))
    got = derive(CODE, [city.ent_a], Y2024)
    assert got[city.ent_a.pk].value == "0" and "发展党员档案 0 份" in got[city.ent_a.pk].source
    assert derive(CODE, [], Y2024) == {}


def _grow(city, n: int, tag: str) -> list:
    subs = []
    for i in range(n):
        sub = add_org(city.ent_a, f"EA-{tag}{i}", OrgKind.COMMITTEE_SUB)
        for j in range(2):
            branch = add_org(sub, f"EA-{tag}{i}-B{j}")
            add_case(branch, f"候选{i}{j}", D(2024, 1, 5), apply=D(2024, 1, 5), activist=D(2024, 3, 1))
        subs.append(sub)
    return subs


def test_it_costs_one_query_for_3_or_30_units(city, fixed_today, django_assert_max_num_queries):
    fixed_today(D(2025, 1, 1))
    few = [city.ent_a, city.ent_b, *_grow(city, 1, "F")]
    many = [city.ent_a, city.ent_b, *_grow(city, 28, "M")]
    with django_assert_max_num_queries(1):
        small = derive(CODE, few, Y2024)
    with django_assert_max_num_queries(1):
        large = derive(CODE, many, Y2024)
    assert small[few[2].pk].value == "2" and large[many[2].pk].value == "2"  # a gap (the talk) per case
    assert large[city.ent_a.pk].value == str(2 * (1 + 28))
