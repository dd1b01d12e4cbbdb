"""Review 3 of the results: every lost point has its reason, an upheld appeal changes the score,
out-of-date results are flagged, and a veto is said once in the grade basis."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document

from kaohe.cycles import actions, feedback
from kaohe.cycles.actions import appeals
from kaohe.cycles.models import Appeal, AppealStatus, CycleState
from kaohe.cycles.results import explanation, grade_basis, lost_points
from kaohe.cycles.tests.conftest import advance, enter_all
from kaohe.engine.points import parse_points
from kaohe.engine.text_form import load_scheme
from kaohe.measures import actions as measure_actions

pytestmark = pytest.mark.django_db

# One item per rule kind that scores up from zero, a weighted node, and a veto that both sets the
# grade and takes away the awards.
GAINS_SCHEME = """
code: gains-scheme
title: 得分类评分细则
year: 2026
version: 1
total_points: 20
facts:
  - {code: steps, title: 决策程序, type: checklist, options: [前置研究, 集体决策, 执行跟踪]}
  - {code: rectified, title: 整改完成率, type: rate}
  - {code: judgment, title: 考核组评价, type: judgment, options: [好, 较好, 一般, 差]}
  - {code: value, title: 攻坚创效, type: figure}
  - {code: leader, title: 分管领导评分, type: figure}
  - {code: incident, title: 发生重大事件, type: flag, default: false}
nodes:
  - code: steps
    title: 前置研究
    points: 3
    rule:
      kind: checklist
      fact: steps
      items:
        - {option: 前置研究, points: 1}
        - {option: 集体决策, points: 1}
        - {option: 执行跟踪, points: 1}
  - code: rectify
    title: 巡察整改
    points: 3
    rule: {kind: completion_ratio, fact: rectified}
  - code: team
    title: 综合评价
    points: 6
    rule:
      kind: tiered_judgment
      fact: judgment
      tiers:
        - {grade: 好, points: 6}
        - {grade: 较好, points: 4}
        - {grade: 一般, points: 2}
        - {grade: 差, points: 0}
  - code: projects
    title: 攻坚项目
    points: 3
    rule: {kind: rank_points, fact: value}
  - code: review
    title: 述职评议
    points: 5
    compose: weighted
    children:
      - code: review.leader
        title: 分管领导评价
        points: 100
        weight: 100%
        rule: {kind: imported, fact: leader, mode: score}
  - code: veto
    title: 否决项
    category: veto
    children:
      - code: veto.incident
        title: 重大事件
        veto:
          when: [{fact: incident}]
          force: 差
          no_awards: true
          reason: 发生重大事件，实行一票否决
grading:
  bands:
    - {grade: 好, at_least: 18}
    - {grade: 较好, at_least: 14, below: 18}
    - {grade: 一般, at_least: 10, below: 14}
    - {grade: 差, below: 10}
"""


@pytest.fixture
def gains_cycle(city):
    version = measure_actions.add_scheme_version(None, city.root, load_scheme(GAINS_SCHEME))
    scheme = measure_actions.publish_scheme(None, version)
    cycle = actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name="2026年度得分类考核",
        scheme=scheme,
        units=[actions.UnitSpec(city.ent_a, "竞争类"), actions.UnitSpec(city.ent_b, "竞争类")],
        targets_due=datetime.date(2026, 3, 31),
    )
    facts = {
        city.ent_a: ('["前置研究", "集体决策"]', "76.5%", "较好", "110.9", "85", "是"),
        city.ent_b: ('["前置研究", "集体决策", "执行跟踪"]', "100%", "好", "484", "100", "否"),
    }
    for org, values in facts.items():
        unit = cycle.units.get(org=org)
        for kind, value in zip(
            ("steps", "rectified", "judgment", "value", "leader", "incident"), values, strict=True
        ):
            actions.set_fact(None, cycle, unit, kind, value, "台账")
    actions.recompute(None, cycle)
    return advance(cycle, CycleState.REVIEW)


def _lost_of(cycle, org):
    unit = cycle.units.get(org=org)
    lost = lost_points(explanation(cycle, cycle.current_run, unit))
    return {item["node"].code: [line.text for line in item["lines"]] for item in lost}


def _lost_table(page: str) -> str:
    """The lost-points table alone (the page also lists every entry further down)."""
    return page.split('id="lost-points"', 1)[1].split("</table>", 1)[0]


# -- 1. every lost point says why ------------------------------------------------------------------


def test_items_scored_up_from_zero_say_why_they_lost_points(city, gains_cycle):
    lost = _lost_of(gains_cycle, city.ent_a)
    assert lost["steps"] == ["执行跟踪：缺，该项1分不得"]  # the missing step, not the steps held
    assert lost["rectify"] == ["整改完成率：76.5%，按完成比例得2.295分"]
    assert lost["team"] == ["考核组评价评定为“较好”，得4分"]
    assert lost["projects"] == ["攻坚创效110.9，本组第1名484，按与第1名的比例得0.687分"]


def test_a_weighted_node_that_lost_points_is_a_row_with_its_parts(city, gains_cycle):
    lost = _lost_of(gains_cycle, city.ent_a)
    assert "review.leader" not in lost  # a part on its own scale is not a loss of its own
    assert lost["review"] == ["分管领导评价 权重100%：得 85/100 → 折合 4.25/5（-0.75）"]


def test_the_unit_page_shows_the_reasons_to_the_three_personas(city, login, gains_cycle):
    url = reverse("cycles:unit", args=[gains_cycle.public_id, "EA"])
    for user in (city.staff_a, city.viewer_a):
        table = _lost_table(login(user).get(url).text)
        assert "执行跟踪：缺，该项1分不得" in table and "考核组评价评定为“较好”，得4分" in table
    assert login(city.staff_b).get(url).status_code == 404
    # the unit may appeal an item, not a weighted node (its parts are appealed)
    page = login(city.staff_a).get(url).text
    assert reverse("cycles:appeal_file", args=[gains_cycle.public_id, "EA", "team"]) in page
    assert reverse("cycles:appeal_file", args=[gains_cycle.public_id, "EA", "review"]) not in page


def test_the_feedback_report_gives_every_lost_point_a_reason(city, login, gains_cycle):
    unit = gains_cycle.units.get(org=city.ent_a)
    data = feedback.report(gains_cycle, unit, gains_cycle.current_run.results.get(unit=unit))
    assert all(item["reasons"] != ["见评分细则"] for item in data["lost"])
    response = login(city.staff_a).get(
        reverse("cycles:unit_feedback", args=[gains_cycle.public_id, "EA", "docx"])
    )
    cells = [c.text for t in Document(io.BytesIO(response.content)).tables for r in t.rows for c in r.cells]
    assert "整改完成率：76.5%，按完成比例得2.295分" in cells


# -- 4. a veto once in the grade basis -------------------------------------------------------------


def test_a_veto_that_forces_the_grade_and_takes_the_awards_is_one_line(city, login, gains_cycle):
    result = gains_cycle.current_run.results.get(unit__org=city.ent_a)
    assert [s["node"] for s in result.steps].count("veto.incident") == 2  # the engine's two steps
    basis = grade_basis(result.steps, gains_cycle.scheme.scheme)
    assert [line for line in basis if "重大事件" in line] == [
        "发生重大事件，实行一票否决：定为“差”，取消评先评优资格"
    ]
    page = login(city.staff_a).get(reverse("cycles:unit", args=[gains_cycle.public_id, "EA"])).text
    assert page.count("发生重大事件，实行一票否决") == 1
    unit = gains_cycle.units.get(org=city.ent_a)
    assert feedback.report(gains_cycle, unit, result)["steps"] == basis


# -- 2. an upheld appeal changes the score ---------------------------------------------------------


@pytest.fixture
def in_review(city, city_cycle):
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    return advance(city_cycle, CycleState.REVIEW)


def test_it_refuses_an_upheld_appeal_whose_score_did_not_change(city, in_review):
    unit_b = in_review.units.get(org=city.ent_b)
    appeal = appeals.file_appeal(city.staff_b, in_review, unit_b, "lecture", "少计一次党课")
    with pytest.raises(ValidationError, match="请先更正相应事实") as refused:
        appeals.decide_appeal(city.admin, appeal, upheld=True, decision="属实")
    assert "维持原评分" in " ".join(refused.value.messages)
    appeal.refresh_from_db()
    in_review.refresh_from_db()
    assert appeal.status == AppealStatus.FILED and in_review.current_run.number == 1  # nothing kept
    # the same correction that leaves the score as it was is refused too, and rolled back
    with pytest.raises(ValidationError):
        appeals.decide_appeal(city.admin, appeal, upheld=True, decision="属实", fact="lectures", value="3")
    assert appeals.decide_appeal(
        city.admin, appeal, upheld=True, decision="属实", fact="lectures", value="4"
    ).score_after == parse_points("4")


def test_the_decision_form_has_no_default_conclusion_and_says_why_it_refused(city, login, in_review):
    unit_b = in_review.units.get(org=city.ent_b)
    appeal = appeals.file_appeal(city.staff_b, in_review, unit_b, "team", "评价偏低")
    page = login(city.admin).get(reverse("cycles:appeals", args=[in_review.public_id])).text
    assert '<option value="" selected>请选择复核结论</option>' in page
    url = reverse("cycles:appeal_decide", args=[in_review.public_id, appeal.public_id])
    assert login(city.viewer_a).post(url, {"upheld": "1", "decision": "x"}).status_code == 403
    assert login(city.staff_b).post(url, {"upheld": "1", "decision": "x"}).status_code == 403
    refused = login(city.admin).post(url, {"upheld": "1", "decision": "属实"}, follow=True).text
    assert "重新计分后该项得分仍为 4 分" in refused
    assert Appeal.objects.get().status == AppealStatus.FILED


# -- 3. out-of-date results are flagged ------------------------------------------------------------


def _change_a_fact(cycle, city):
    actions.set_fact(None, cycle, cycle.units.get(org=city.ent_a), "lectures", "2", "党课台账")


def _status(cycle):
    return reverse("cycles:results_status", args=[cycle.public_id])


def test_the_organiser_is_told_results_are_out_of_date_and_can_recompute(city, login, in_review):
    pages = [
        reverse("cycles:detail", args=[in_review.public_id]),
        reverse("cycles:results", args=[in_review.public_id]),
        reverse("cycles:unit", args=[in_review.public_id, "EA"]),
    ]
    for url in pages:  # each page asks for the notice after itself: the check gathers every fact
        assert _status(in_review) in login(city.admin).get(url).text
    assert 'id="results-stale"' not in login(city.admin).get(_status(in_review)).text
    _change_a_fact(in_review, city)
    notice = login(city.admin).get(_status(in_review)).text
    assert "所示考核结果不是最新的" in notice and "请重新计算考核结果" in notice
    assert 'id="stale-recompute"' in notice


def test_others_get_a_neutral_note_on_out_of_date_results(city, login, in_review):
    _change_a_fact(in_review, city)
    for user in (city.staff_a, city.viewer_a):
        for url in (
            reverse("cycles:detail", args=[in_review.public_id]),
            reverse("cycles:results", args=[in_review.public_id]),
            reverse("cycles:unit", args=[in_review.public_id, "EA"]),
        ):
            assert _status(in_review) in login(user).get(url).text, (user, url)
        notice = login(user).get(_status(in_review)).text
        assert "考核结果待更新：所示为第 1 次计算的结果" in notice
        assert 'id="stale-recompute"' not in notice and "事实、考核组评分或台账有变动" not in notice
    assert (
        login(city.staff_b).get(reverse("cycles:unit", args=[in_review.public_id, "EA"])).status_code == 404
    )


def test_results_units_cannot_see_yet_carry_no_note(city, login, city_cycle):
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    cycle = advance(city_cycle, CycleState.ASSESSMENT)
    _change_a_fact(cycle, city)
    page = login(city.staff_a).get(reverse("cycles:detail", args=[cycle.public_id])).text
    assert _status(cycle) not in page
    assert 'id="results-stale"' not in login(city.staff_a).get(_status(cycle)).text
    assert 'id="results-stale"' in login(city.admin).get(_status(cycle)).text
