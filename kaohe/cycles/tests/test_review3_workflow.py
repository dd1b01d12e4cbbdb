"""Third review, the workflow: the demo's cycle of this year half way through the assessment and
last year's rectification list; the scoring page's 分值, 得分 and findings hint; periods that take
their weight from the scheme; the warnings before the assessment and before a second cycle of a
year; peer groups on the cycle form."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kaohe.accounts.models import Role
from kaohe.conftest import make_user
from kaohe.cycles import actions
from kaohe.cycles.actions import scoring
from kaohe.cycles.actions.scoring import Score
from kaohe.cycles.forms import CycleForm
from kaohe.cycles.models import (
    AssessorEntry,
    Cycle,
    CycleState,
    EvidenceFile,
    RectificationItem,
    SelfScore,
    TargetLetter,
)
from kaohe.cycles.models.rectification import RectificationOrigin
from kaohe.cycles.models.self_assessment import SelfAssessment, SelfStatus
from kaohe.cycles.tests.conftest import advance
from kaohe.engine.points import RATE_SCALE
from kaohe.engine.text_form import default_scheme, load_scheme
from kaohe.measures import actions as measure_actions

pytestmark = pytest.mark.django_db

# Panel items (a judgment, findings with a range per case), a node composed by weight from two
# parts on their own 100-point scale, and a 直接扣分 item of 0 points.
SCHEME = """
code: review3-scheme
title: 评分页测试
year: 2026
version: 1
total_points: 10
panel: {method: mean, reason_above: 1}
facts:
  - {code: judgment, title: 综合评价, type: judgment, options: [好, 较好, 一般, 差], panel: true}
  - {code: found, title: 检查发现问题, type: findings, panel: true, default: []}
  - {code: daily_problems, title: 平时监测问题数, type: count, default: 0}
  - {code: year_end_problems, title: 年终检查问题数, type: count, default: 0}
  - {code: criticisms, title: 通报批评次数, type: count, default: 0}
nodes:
  - code: team
    title: 综合评价
    points: 4
    rule:
      kind: tiered_judgment
      fact: judgment
      tiers:
        - {grade: 好, points: 4}
        - {grade: 较好, points: 3}
        - {grade: 一般, points: 2}
        - {grade: 差, points: 0}
  - code: checks
    title: 检查发现问题
    points: 2
    rule: {kind: ranged_deduction, fact: found, min_per_case: 0.5, max_per_case: 1}
  - code: standard
    title: 支部标准化
    points: 4
    compose: weighted
    children:
      - code: standard.daily
        title: 平时监测
        points: 100
        weight: 40%
        rule: {kind: per_occurrence, charges: [{fact: daily_problems, amount: 10}]}
      - code: standard.year-end
        title: 年终检查
        points: 100
        weight: 60%
        rule: {kind: per_occurrence, charges: [{fact: year_end_problems, amount: 5}]}
  - code: minus
    title: 直接扣分
    points: 0
    floor: false
    rule: {kind: per_occurrence, charges: [{fact: criticisms, amount: 0.5}], floor: false}
grading:
  bands:
    - {grade: 好, at_least: 9}
    - {grade: 一般, below: 9}
"""


@pytest.fixture
def scheme(city):
    version = measure_actions.add_scheme_version(None, city.root, load_scheme(SCHEME))
    return measure_actions.publish_scheme(None, version)


def new_cycle(city, scheme, periods=(), name="2026年度考核", year=2026):
    return actions.create_cycle(
        None,
        owner=city.root,
        year=year,
        name=name,
        scheme=scheme,
        units=[actions.UnitSpec(city.ent_a), actions.UnitSpec(city.ent_b)],
        periods=periods,
    )


@pytest.fixture
def assessors(city):
    return [make_user(f"r3_a{n}", Role.ASSESSOR, city.root) for n in (1, 2, 3)]


def row_text(page: str, code: str) -> str:
    """The text of one item's row of the scoring page, tags dropped."""
    found = re.search(rf'<tr id="item-{re.escape(code)}".*?</tr>', page, re.S)
    assert found, code
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


def cells(page: str, code: str, cls: str) -> str:
    found = re.search(rf'<tr id="item-{re.escape(code)}".*?class="[^"]*{cls}[^"]*">(.*?)</td>', page, re.S)
    assert found, (code, cls)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


# -- 1. the demo -------------------------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    from kaohe.cycles.demo import build_cycles
    from kaohe.orgs.demo import SCALES, build_city

    build_city(7, **SCALES["small"])
    build_cycles(7, timezone.localdate())
    return (
        Cycle.objects.get(state=CycleState.ASSESSMENT),
        Cycle.objects.get(state=CycleState.CLOSED),
    )


def test_the_demo_cycle_of_this_year_is_scored_and_computed_in_the_assessment(demo):
    cycle, _last = demo
    units = cycle.units.count()
    letters = TargetLetter.objects.filter(unit__cycle=cycle).count()
    assert 0 < letters < units  # most signed, a few missing
    assert EvidenceFile.objects.filter(unit__cycle=cycle).exists()
    statuses = list(SelfAssessment.objects.filter(unit__cycle=cycle).values_list("status", flat=True))
    assert len(statuses) == units and SelfStatus.DRAFT in statuses and SelfStatus.SUBMITTED in statuses
    scored = AssessorEntry.objects.filter(unit__cycle=cycle).values("unit").distinct().count()
    assert scored == units  # the assessors have scored every unit: a first computation exists
    assert cycle.current_run_id is not None and actions.results_problem(cycle) is None
    # Where an assessor is far from the unit's self-score, they said why (the real action checks).
    reasoned = AssessorEntry.objects.filter(unit__cycle=cycle).exclude(reason="").first()
    assert reasoned is not None
    assert SelfScore.objects.filter(unit=reasoned.unit).exists()
    assert cycle.self_assessment_due == datetime.date(cycle.year, 12, 20)


def test_the_demo_opens_last_years_rectification_list_from_the_points_lost(demo):
    _cycle, last = demo
    items = RectificationItem.objects.filter(unit__cycle=last, origin=RectificationOrigin.AUTO)
    assert items.exists()
    assert items.exclude(measure="").exists()  # some units have written their measures
    assert last.state == CycleState.CLOSED and actions.results_problem(last) is None


# -- 2. the scoring page -----------------------------------------------------------------------------------


@pytest.fixture
def scoring_cycle(city, scheme, assessors):
    cycle = new_cycle(city, scheme)
    scoring.create_panel(city.admin, cycle, name="一组", members=assessors, units=list(cycle.units.all()))
    return advance(cycle, CycleState.ASSESSMENT)


def scoring_page(client, cycle, code="EA") -> str:
    return client.get(reverse("cycles:unit_scoring", args=[cycle.public_id, code])).content.decode()


def test_the_scoring_page_says_a_parts_points_count_by_weight(city, login, scoring_cycle, assessors):
    page = scoring_page(login(assessors[0]), scoring_cycle)
    points = cells(page, "standard.daily", "kh-points")
    assert points.startswith("100") and "按权重 40% 计入“支部标准化”" in points
    assert cells(page, "team", "kh-points") == "4"


def test_the_scoring_page_shows_what_a_direct_deduction_may_take(city, login, scoring_cycle, assessors):
    points = cells(scoring_page(login(assessors[0]), scoring_cycle), "minus", "kh-points")
    assert "直接扣分" in points and "扣分不设上限" in points and not points.startswith("0")


def test_the_findings_box_has_a_visible_hint_with_the_range_per_case(login, scoring_cycle, assessors):
    page = scoring_page(login(assessors[0]), scoring_cycle)
    hint = re.search(r'class="form-text kh-findings-hint"[^>]*>([^<]*)<', page)
    assert hint and "编号 分值 说明" in hint.group(1) and "每例扣 0.5～1 分" in hint.group(1)


def test_the_score_column_shows_the_assessors_own_and_the_panels_current_score(
    city, login, scoring_cycle, assessors
):
    unit_a = scoring_cycle.units.get(org=city.ent_a)
    scoring.save_scores(assessors[0], scoring_cycle, unit_a, [Score("team", {"judgment": "好"})])
    scoring.save_scores(assessors[1], scoring_cycle, unit_a, [Score("team", {"judgment": "一般"})])
    own = cells(scoring_page(login(assessors[0]), scoring_cycle), "team", "kh-score")
    assert own == "4 本人评分"
    # a colleague who has not scored sees neither the others' scores nor the panel's
    assert cells(scoring_page(login(assessors[2]), scoring_cycle), "team", "kh-score") == "—"
    panel = cells(scoring_page(login(city.admin), scoring_cycle), "team", "kh-score")
    assert panel == "3 考核组当前评分（2 人）"  # the mean of 4 and 2


# -- 3. periods take the part's weight ---------------------------------------------------------------------

H1 = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
H2 = (datetime.date(2026, 7, 1), datetime.date(2026, 12, 31))
DAILY = actions.PeriodSpec("平时", *H1, node="standard.daily")
YEAR_END = actions.PeriodSpec("年终", *H2, node="standard.year-end")


def test_a_period_naming_a_part_takes_the_parts_weight(city, scheme):
    cycle = new_cycle(city, scheme, [DAILY, YEAR_END])
    assert [(p.node, p.weight) for p in cycle.periods.all()] == [
        ("standard.daily", 400),
        ("standard.year-end", 600),
    ]


def test_a_typed_weight_other_than_the_parts_is_still_refused(city, scheme):
    with pytest.raises(ValidationError) as refused:
        new_cycle(city, scheme, [DAILY, actions.PeriodSpec("年终", *H2, 500, "standard.year-end")])
    assert "权重 50% 与评分细则中“年终检查”的权重 60% 不一致" in " ".join(refused.value.messages)


def form_data(scheme, **more):
    return {
        "owner": "C",
        "year": 2026,
        "name": "分时段",
        "scheme": str(scheme.public_id),
        "unit_kind": "enterprise",
        **more,
    }


def test_the_form_takes_periods_without_weights_and_the_cycle_page_shows_them(city, login, scheme):
    lines = "平时 2026-01-01 2026-06-30 平时监测\n年终 2026-07-01 2026-12-31 60% standard.year-end"
    client = login(city.admin)
    assert client.post(reverse("cycles:create"), form_data(scheme, periods=lines)).status_code == 302
    cycle = Cycle.objects.get(name="分时段")
    page = client.get(reverse("cycles:detail", args=[cycle.public_id])).content.decode()
    assert "考核“平时监测”，权重 40%" in page and "考核“年终检查”，权重 60%" in page


def test_the_periods_help_uses_the_default_schemes_real_parts(city):
    help_text = str(CycleForm().fields["periods"].help_text)
    parts = {
        child.title: child.weight
        for place in default_scheme().walk()
        if place.node.compose == "weighted"
        for child in place.node.children
    }
    for title, weight in re.findall(r"“\S+ \S+ \S+ (\S+)”（权重 (\d+)%）", help_text):
        assert parts[title] == int(weight) * RATE_SCALE // 100
    assert len(re.findall(r"“\S+ \S+ \S+ (\S+)”（权重 (\d+)%）", help_text)) == 2
    assert "平时”" not in help_text.replace("平时监测", "")


# -- 4. warnings before the assessment and before a second cycle of the year --------------------------------


def test_moving_into_the_assessment_without_a_panel_warns(city, login, scheme, assessors):
    cycle = advance(new_cycle(city, scheme), CycleState.SELF_ASSESSMENT)
    warnings = " ".join(actions.advance_checks(cycle).warnings)
    assert "尚未组建考核组" in warnings and "综合评价" in warnings
    page = login(city.admin).get(reverse("cycles:advance", args=[cycle.public_id])).content.decode()
    assert "尚未组建考核组" in page and 'id="advance-confirm"' in page
    scoring.create_panel(
        city.admin, cycle, name="一组", members=assessors, units=[cycle.units.get(org=city.ent_a)]
    )
    warnings = " ".join(actions.advance_checks(cycle).warnings)
    assert "尚未组建考核组" not in warnings and "1 个单位没有考核组负责评分：企业B党委" in warnings


def test_a_scheme_without_panel_items_needs_no_panel(city, small_scheme):
    cycle = advance(new_cycle(city, small_scheme), CycleState.SELF_ASSESSMENT)
    assert not any("考核组" in w for w in actions.advance_checks(cycle).warnings)


def test_a_second_cycle_of_the_year_for_the_same_units_must_be_confirmed(city, login, scheme):
    new_cycle(city, scheme, name="年度考核")
    client = login(city.admin)
    asked = client.post(reverse("cycles:create"), form_data(scheme, name="又一个"))
    assert asked.status_code == 200 and not Cycle.objects.filter(name="又一个").exists()
    assert "已有考核周期“年度考核”（2 个单位相同）" in " ".join(asked.context["form"].non_field_errors())
    assert 'id="same-units"' in asked.content.decode()
    confirmed = client.post(
        reverse("cycles:create"), form_data(scheme, name="又一个", same_units_confirmed="1")
    )
    assert confirmed.status_code == 302 and Cycle.objects.filter(name="又一个").exists()


def test_a_cycle_of_another_year_is_not_a_second_cycle(city, scheme):
    new_cycle(city, scheme, name="去年", year=2025)
    specs = [actions.UnitSpec(city.ent_a)]
    assert actions.same_units_warning(city.root, 2026, specs) is None
    assert actions.same_units_warning(city.root, 2025, specs) is not None


def test_the_form_sets_peer_groups_by_name_or_code(city, login, scheme):
    groups = "竞争类：企业A党委\n功能类: EB"
    response = login(city.admin).post(reverse("cycles:create"), form_data(scheme, groups=groups))
    assert response.status_code == 302
    cycle = Cycle.objects.get(name="分时段")
    assert {u.org.code: u.group for u in cycle.units.select_related("org")} == {
        "EA": "竞争类",
        "EB": "功能类",
    }


def test_the_form_names_a_group_member_that_is_not_assessed(city, login, scheme):
    response = login(city.admin).post(reverse("cycles:create"), form_data(scheme, groups="竞争类：企业Z"))
    assert response.status_code == 200
    assert "第 1 行的“企业Z”不是被考核单位" in " ".join(response.context["form"].errors["groups"])
