"""Periods that score parts of the scheme: 平时 30% and 年终 70%, each part's ledger facts taken
over its own months, the total their weighted mix."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kaohe.cycles import actions
from kaohe.cycles.facts import gather, period_of_kinds
from kaohe.cycles.models import Cycle, Period
from kaohe.cycles.results import explanation
from kaohe.engine.text_form import load_scheme
from kaohe.ledgers.models import Meeting, MeetingKind
from kaohe.measures import actions as measure_actions

# 党建考核 = 平时 30% + 年终 70%, each part counting 党课 from the ledger under its own fact kind;
# 述职评议 is a second weighted node (three raters) whose facts default, so nothing is missing.
PERIOD_SCHEME = """
code: period-scheme
title: 分时段评分细则
year: 2026
version: 1
total_points: 12
facts:
  - {code: lectures_daily, title: 平时党课次数, type: count, derive: ledger.party_lecture.per_branch}
  - {code: lectures_year_end, title: 年终党课次数, type: count, derive: ledger.party_lecture.per_branch}
  - {code: talks_leader, title: 分管领导评议, type: count, default: 1}
  - {code: talks_staff, title: 干部职工评议, type: count, default: 1}
  - {code: talks_team, title: 考核组评议, type: count, default: 1}
nodes:
  - code: check
    title: 党建考核
    points: 10
    compose: weighted
    children:
      - code: daily
        title: 平时
        points: 3
        weight: 30%
        children:
          - code: daily_lecture
            title: 平时党课
            points: 3
            rule: {kind: quota, fact: lectures_daily, required: 3, amount: 1}
      - code: year_end
        title: 年终
        points: 4
        weight: 70%
        children:
          - code: year_end_lecture
            title: 年终党课
            points: 4
            rule: {kind: quota, fact: lectures_year_end, required: 4, amount: 1}
  - code: review
    title: 述职评议
    points: 2
    compose: weighted
    children:
      - code: leader
        title: 分管领导
        points: 1
        weight: 20%
        rule: {kind: quota, fact: talks_leader, required: 1, amount: 1}
      - code: staff
        title: 干部职工
        points: 1
        weight: 40%
        rule: {kind: quota, fact: talks_staff, required: 1, amount: 1}
      - code: team
        title: 考核组
        points: 1
        weight: 40%
        rule: {kind: quota, fact: talks_team, required: 1, amount: 1}
grading:
  bands:
    - {grade: 好, at_least: 9}
    - {grade: 差, below: 9}
"""

H1 = actions.PeriodSpec("平时考核", datetime.date(2026, 1, 1), datetime.date(2026, 6, 30), 300, "daily")
H2 = actions.PeriodSpec("年终考核", datetime.date(2026, 7, 1), datetime.date(2026, 12, 31), 700, "year_end")


def publish(city, text):
    version = measure_actions.add_scheme_version(None, city.root, load_scheme(text))
    return measure_actions.publish_scheme(None, version)


@pytest.fixture
def period_scheme(city):
    return publish(city, PERIOD_SCHEME)


def new_cycle(city, scheme, periods, name="分时段考核"):
    return actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name=name,
        scheme=scheme,
        units=[actions.UnitSpec(city.ent_a), actions.UnitSpec(city.ent_b)],
        periods=periods,
    )


def lecture(branch, day):
    Meeting.objects.create(
        org=branch, kind=MeetingKind.PARTY_LECTURE, held_on=day, title="专题党课", expected=10, present=9
    )


@pytest.fixture
def period_cycle(city, period_scheme):
    # 企业A's branch: two 党课 in the first half, one in the second.
    lecture(city.branch_a, datetime.date(2026, 3, 10))
    lecture(city.branch_a, datetime.date(2026, 6, 30))
    lecture(city.branch_a, datetime.date(2026, 7, 1))
    return new_cycle(city, period_scheme, [H1, H2])


def facts_of(cycle, code):
    return {row.kind.code: row for row in gather(cycle).table[code]}


# -- facts by period --------------------------------------------------------------------------------


def test_each_periods_fact_counts_only_the_meetings_of_its_months(city, period_cycle):
    rows = facts_of(period_cycle, "EA")
    assert rows["lectures_daily"].value == "2"
    assert rows["lectures_year_end"].value == "1"


def test_a_periods_fact_says_which_period_it_covers(city, period_cycle):
    rows = facts_of(period_cycle, "EA")
    daily, year_end = rows["lectures_daily"], rows["lectures_year_end"]
    assert daily.covers.period == "平时考核"
    assert (daily.covers.span.starts, daily.covers.span.ends) == (H1.starts, H1.ends)
    assert daily.source.startswith("平时考核（2026-01-01 至 2026-06-30）：")
    assert year_end.source.startswith("年终考核（2026-07-01 至 2026-12-31）：")


def test_the_total_is_the_weighted_mix_of_the_periods(city, period_cycle):
    run = actions.recompute(None, period_cycle)
    result = run.results.get(unit__org=city.ent_a)
    # 平时 2 of 3 党课, 年终 1 of 4: 10 × (30% × 2/3 + 70% × 1/4) = 3.75; 述职评议 full 2
    assert result.scores["daily"] == 2000 and result.scores["year_end"] == 1000
    assert result.scores["check"] == 3750
    assert result.total == 5750


def test_the_facts_kept_with_a_run_name_the_period(city, period_cycle):
    run = actions.recompute(None, period_cycle)
    assert "平时考核（2026-01-01 至 2026-06-30）：" in run.facts_csv
    assert "年终考核（2026-07-01 至 2026-12-31）：" in run.facts_csv


def test_the_explanation_from_a_run_names_the_period_of_each_fact(city, period_cycle):
    run = actions.recompute(None, period_cycle)
    found = explanation(period_cycle, run, period_cycle.units.get(org=city.ent_a))
    sources = {use.kind: use.sources for node in found.items for line in node.lines for use in line.facts}
    assert sources["lectures_daily"][0].startswith("平时考核（2026-01-01 至 2026-06-30）：")
    assert sources["lectures_year_end"][0].startswith("年终考核（2026-07-01 至 2026-12-31）：")


def test_a_kind_read_in_two_periods_parts_stays_on_the_whole_span(city):
    # Both parts read lectures_daily: it belongs to no single period.
    shared = PERIOD_SCHEME.replace(
        "fact: lectures_year_end, required: 4", "fact: lectures_daily, required: 4"
    )
    scheme = load_scheme(shared)
    periods = [
        Period(name=p.name, starts=p.starts, ends=p.ends, weight=p.weight or 0, node=p.node) for p in (H1, H2)
    ]
    assert period_of_kinds(scheme, periods) == {}
    assert set(period_of_kinds(load_scheme(PERIOD_SCHEME), periods)) == {
        "lectures_daily",
        "lectures_year_end",
    }


def test_a_kind_read_also_outside_the_periods_parts_stays_on_the_whole_span(city):
    # The 分管领导 rater also counts 平时党课: that read is outside every period's part.
    outside = PERIOD_SCHEME.replace("fact: talks_leader", "fact: lectures_daily")
    periods = [
        Period(name=p.name, starts=p.starts, ends=p.ends, weight=p.weight or 0, node=p.node) for p in (H1, H2)
    ]
    assert set(period_of_kinds(load_scheme(outside), periods)) == {"lectures_year_end"}


def test_a_single_period_cycle_takes_every_derived_fact_over_the_whole_year(city, period_scheme):
    lecture(city.branch_a, datetime.date(2026, 3, 10))
    lecture(city.branch_a, datetime.date(2026, 9, 10))
    cycle = new_cycle(city, period_scheme, [])
    rows = facts_of(cycle, "EA")
    assert rows["lectures_daily"].value == rows["lectures_year_end"].value == "2"
    assert rows["lectures_daily"].covers.period == ""
    assert not rows["lectures_daily"].source.startswith("年度考核")


# -- refusals ---------------------------------------------------------------------------------------


def refusal(city, scheme, periods):
    with pytest.raises(ValidationError) as error:
        new_cycle(city, scheme, periods)
    return " ".join(error.value.message_dict["periods"])


def test_it_rejects_a_period_without_a_part_when_there_are_several(city, period_scheme):
    message = refusal(city, period_scheme, [H1, actions.PeriodSpec(H2.name, H2.starts, H2.ends, 700)])
    assert "第 2 个时段“年终考核”" in message and "哪一部分" in message


def test_it_rejects_a_part_the_scheme_does_not_have(city, period_scheme):
    wrong = actions.PeriodSpec(H2.name, H2.starts, H2.ends, 700, "year-end")
    message = refusal(city, period_scheme, [H1, wrong])
    assert "第 2 个时段“年终考核”" in message and "“year-end”" in message


def test_it_rejects_a_node_that_is_not_a_part_of_a_weighted_node(city, period_scheme):
    item = actions.PeriodSpec(H1.name, H1.starts, H1.ends, 300, "daily_lecture")
    message = refusal(city, period_scheme, [item, H2])
    assert "第 1 个时段“平时考核”" in message and "“平时党课”不是按权重合成的项目中的一部分" in message


def test_it_rejects_parts_of_different_weighted_nodes(city, period_scheme):
    other = actions.PeriodSpec(H2.name, H2.starts, H2.ends, 700, "staff")
    message = refusal(city, period_scheme, [H1, other])
    assert "第 2 个时段“年终考核”" in message and "“述职评议”" in message and "“党建考核”" in message


def test_it_rejects_two_periods_scoring_the_same_part(city, period_scheme):
    twice = actions.PeriodSpec(H2.name, H2.starts, H2.ends, 700, "daily")
    message = refusal(city, period_scheme, [H1, twice])
    assert "第 2 个时段“年终考核”" in message and "与第 1 个时段考核同一部分“平时”" in message


def test_it_rejects_a_weight_other_than_the_parts_and_says_both(city, period_scheme):
    heavier = actions.PeriodSpec(H1.name, H1.starts, H1.ends, 400, "daily")
    message = refusal(city, period_scheme, [heavier, H2])
    assert "第 1 个时段“平时考核”" in message and "权重 40%" in message and "权重 30%" in message


def test_it_rejects_periods_that_leave_a_part_unscored(city, period_scheme):
    leader = actions.PeriodSpec("分管领导评议", H1.starts, H1.ends, 200, "leader")
    staff = actions.PeriodSpec("职工评议", H2.starts, H2.ends, 400, "staff")
    message = refusal(city, period_scheme, [leader, staff])
    assert "“述职评议”的部分“考核组”没有对应的时段" in message


def test_it_rejects_a_part_for_a_single_period(city, period_scheme):
    whole = actions.PeriodSpec(
        "年度考核", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), 1000, "daily"
    )
    message = refusal(city, period_scheme, [whole])
    assert "第 1 个时段“年度考核”" in message and "不对应其中的部分" in message


def test_a_single_default_period_names_no_part(city, period_scheme):
    cycle = new_cycle(city, period_scheme, [])
    assert [(p.name, p.node) for p in cycle.periods.all()] == [("年度考核", "")]


# -- pages ------------------------------------------------------------------------------------------


def test_the_form_takes_each_periods_part_by_title_or_code(city, login, period_scheme):
    lines = "平时考核 2026-01-01 2026-06-30 30% 平时\n年终考核 2026-07-01 2026-12-31 70 year_end"
    data = {
        "owner": "C",
        "year": 2026,
        "name": "分时段",
        "scheme": str(period_scheme.public_id),
        "unit_kind": "enterprise",
        "periods": lines,
    }
    client = login(city.admin)
    form_page = client.get(reverse("cycles:create"))
    assert "year_end" in form_page.content.decode()  # the weighted parts are listed for the user
    assert client.post(reverse("cycles:create"), data).status_code == 302
    cycle = Cycle.objects.get(name="分时段")
    assert [(p.name, p.weight, p.node) for p in cycle.periods.all()] == [
        ("平时考核", 300, "daily"),
        ("年终考核", 700, "year_end"),
    ]
    page = client.get(reverse("cycles:detail", args=[cycle.public_id])).content.decode()
    assert "考核“平时”，权重 30%" in page and "考核“年终”，权重 70%" in page


def test_the_form_shows_a_refused_part_under_the_periods(city, login, period_scheme):
    data = {
        "owner": "C",
        "year": 2026,
        "name": "分时段",
        "scheme": str(period_scheme.public_id),
        "unit_kind": "enterprise",
        "periods": "平时考核 2026-01-01 2026-06-30 40 平时\n年终考核 2026-07-01 2026-12-31 60 年终",
    }
    response = login(city.admin).post(reverse("cycles:create"), data)
    assert response.status_code == 200
    assert "权重 40% 与评分细则中“平时”的权重 30% 不一致" in " ".join(
        response.context["form"].errors["periods"]
    )


def test_the_facts_page_shows_the_period_a_derived_fact_covers(city, login, period_cycle):
    url = reverse("cycles:unit_facts", args=[period_cycle.public_id, "EA"])
    page = login(city.admin).get(url).content.decode()
    assert "平时考核时段 2026-01-01 至 2026-06-30" in page
    assert "年终考核时段 2026-07-01 至 2026-12-31" in page
