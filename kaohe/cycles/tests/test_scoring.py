"""Assessor panels: forming them, recusal, independent scores within the rule's bounds, reasons
for large differences from the self-score, no lost update, the panel's mean in the results, and
the side-by-side page with three personas."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kaohe.accounts.models import Role
from kaohe.audit.models import AuditEntry
from kaohe.conftest import make_user
from kaohe.cycles import actions
from kaohe.cycles.actions import scoring
from kaohe.cycles.actions.scoring import Score
from kaohe.cycles.models import AssessorEntry, CycleState, SelfScore, UnitResult
from kaohe.cycles.tests.conftest import advance
from kaohe.engine.points import parse_points
from kaohe.engine.text_form import load_scheme
from kaohe.measures import actions as measure_actions

pytestmark = pytest.mark.django_db

PANEL_SCHEME = """
code: panel-scheme
title: 考核组评分测试
year: 2026
version: 1
total_points: 10
panel: {method: trimmed_mean, trim: 1, reason_above: 2}
facts:
  - {code: lectures, title: 党课次数, type: count}
  - {code: judgment, title: 综合评价, type: judgment, options: [好, 较好, 一般, 差], panel: true}
  - {code: found, title: 检查发现问题, type: findings, panel: true, default: []}
nodes:
  - code: lecture
    title: 党课
    points: 3
    rule: {kind: quota, fact: lectures, required: 3, amount: 1}
  - code: team
    title: 综合评价
    points: 5
    rule:
      kind: tiered_judgment
      fact: judgment
      tiers:
        - {grade: 好, points: 5}
        - {grade: 较好, points: 4}
        - {grade: 一般, points: 3}
        - {grade: 差, points: 1}
  - code: checks
    title: 检查发现问题
    points: 2
    rule: {kind: ranged_deduction, fact: found, min_per_case: 0.5, max_per_case: 1}
grading:
  bands:
    - {grade: 好, at_least: 9}
    - {grade: 较好, at_least: 7, below: 9}
    - {grade: 一般, below: 7}
"""


def panel_test_cycle(city, scheme_text: str, name: str):
    """A 2026 cycle of the scheme, published, over the city's two enterprises, each with 3 党课:
    the start of the tests of panel scoring (here and in test_review_fixes_display)."""
    version = measure_actions.publish_scheme(
        None, measure_actions.add_scheme_version(None, city.root, load_scheme(scheme_text))
    )
    cycle = actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name=name,
        scheme=version,
        units=[actions.UnitSpec(city.ent_a), actions.UnitSpec(city.ent_b)],
    )
    for unit in cycle.units.all():
        actions.set_fact(None, cycle, unit, "lectures", "3")
    return cycle


@pytest.fixture
def panel_cycle(city):
    return panel_test_cycle(city, PANEL_SCHEME, "考核组评分")


@pytest.fixture
def assessors(city):
    return [
        make_user("a1", Role.ASSESSOR, city.root),
        make_user("a2", Role.ASSESSOR, city.root),
        make_user("a3", Role.ASSESSOR, city.root),
        make_user("a_of_ea", Role.ASSESSOR, city.root, home=city.ent_a),
    ]


@pytest.fixture
def panel(city, panel_cycle, assessors):
    units = list(panel_cycle.units.all())
    made = scoring.create_panel(city.admin, panel_cycle, name="一组", members=assessors[:3], units=units)
    return advance(panel_cycle, CycleState.ASSESSMENT), made


def unit(cycle, org):
    return cycle.units.get(org=org)


def test_an_assessor_of_the_enterprise_is_kept_off_its_panel(city, panel_cycle, assessors):
    units = list(panel_cycle.units.all())
    with pytest.raises(ValidationError, match="须回避"):
        scoring.create_panel(city.admin, panel_cycle, name="x", members=[assessors[3]], units=units)
    made = scoring.create_panel(
        city.admin, panel_cycle, name="B组", members=[assessors[3]], units=[unit(panel_cycle, city.ent_b)]
    )
    assert [m.label for m in made.members.all()] == ["考核员1"]
    with pytest.raises(PermissionDenied):
        scoring.create_panel(city.staff_a, panel_cycle, name="y", members=assessors[:1], units=units)
    with pytest.raises(ValidationError, match="不是考核组评分项"):
        scoring.create_panel(
            city.admin, panel_cycle, name="z", members=assessors[:1], units=units, nodes=["lecture"]
        )


def test_each_assessor_scores_on_their_own_and_the_panel_takes_the_trimmed_mean(city, panel, assessors):
    cycle, _ = panel
    ea, eb = unit(cycle, city.ent_a), unit(cycle, city.ent_b)
    one_finding = '[{"case": "F1", "points": 1}]'
    for user, grade, found in (
        (assessors[0], "好", "[]"),
        (assessors[1], "较好", one_finding),
        (assessors[2], "差", "[]"),
    ):
        reason = "差距较大" if grade == "差" else ""
        scoring.save_scores(user, cycle, ea, [Score("team", {"judgment": grade}, reason)])
        scoring.save_scores(user, cycle, ea, [Score("checks", {"found": found})])
        both = [Score("team", {"judgment": "好"}), Score("checks", {"found": "[]"})]
        scoring.save_scores(user, cycle, eb, both)
    # three assessors, two kinds: six rows, nothing overwritten
    assert AssessorEntry.objects.filter(unit=ea).count() == 6
    run = actions.recompute(None, cycle)
    result = UnitResult.objects.get(run=run, unit=ea)
    # team: 5, 4, 1 -> drop 5 and 1 -> 4; checks: 2, 1, 2 -> drop one 2 and the 1 -> 2
    assert result.scores["team"] == parse_points("4") and result.scores["checks"] == parse_points("2")
    assert result.total == parse_points("9")
    assert '"考核员2": "较好"' in run.facts_csv.replace('""', '"')
    assert AuditEntry.objects.filter(action="panel.score").count() == 9


def test_scores_stay_inside_the_rule_and_far_ones_need_a_reason(city, panel, assessors):
    cycle, _ = panel
    ea = unit(cycle, city.ent_a)
    with pytest.raises(ValidationError) as error:
        too_much = '[{"case": "F1", "points": 3}]'
        scoring.save_scores(assessors[0], cycle, ea, [Score("checks", {"found": too_much})])
    assert "F1" in " ".join(error.value.messages)
    with pytest.raises(ValidationError) as error:
        scoring.save_scores(assessors[0], cycle, ea, [Score("team", {"judgment": "优秀"})])
    assert "好、较好、一般、差" in " ".join(error.value.messages)
    SelfScore.objects.create(unit=ea, node_code="team", score=parse_points("5"))
    with pytest.raises(ValidationError, match="相差超过 2 分"):
        scoring.save_scores(assessors[0], cycle, ea, [Score("team", {"judgment": "差"})])
    scoring.save_scores(assessors[0], cycle, ea, [Score("team", {"judgment": "差"}, "会议记录缺失")])
    assert AssessorEntry.objects.get(unit=ea, kind="judgment").reason == "会议记录缺失"


def test_a_stale_page_cannot_overwrite_a_newer_save(city, panel, assessors):
    cycle, _ = panel
    ea = unit(cycle, city.ent_a)
    scoring.save_scores(assessors[0], cycle, ea, [Score("team", {"judgment": "好"})])
    scoring.save_scores(assessors[0], cycle, ea, [Score("team", {"judgment": "较好"}, version=1)])
    with pytest.raises(ValidationError, match="已在别处修改"):
        scoring.save_scores(assessors[0], cycle, ea, [Score("team", {"judgment": "一般"}, version=1)])
    assert AssessorEntry.objects.get(unit=ea, kind="judgment").value == "较好"


def test_only_panel_members_score_and_only_in_the_assessment_phase(city, panel_cycle, assessors):
    ea = unit(panel_cycle, city.ent_a)
    scoring.create_panel(city.admin, panel_cycle, name="A组", members=assessors[:1], units=[ea])
    with pytest.raises(ValidationError, match="考核评分阶段"):
        scoring.save_scores(assessors[0], panel_cycle, ea, [Score("team", {"judgment": "好"})])
    cycle = advance(panel_cycle, CycleState.ASSESSMENT)
    with pytest.raises(PermissionDenied):
        scoring.save_scores(assessors[1], cycle, ea, [Score("team", {"judgment": "好"})])  # not on the panel
    with pytest.raises(PermissionDenied):
        scoring.save_scores(assessors[3], cycle, ea, [Score("team", {"judgment": "好"})])  # recused
    with pytest.raises(ValidationError):
        actions.set_fact(None, cycle, ea, "judgment", "好")  # the panel's, not the organiser's


def test_the_scoring_page_with_three_personas(city, login, panel, assessors):
    cycle, _ = panel
    url = reverse("cycles:unit_scoring", args=[cycle.public_id, "EA"])
    page = login(assessors[0]).get(url)
    assert page.status_code == 200 and 'id="scoring-form"' in page.text
    data = {"team.judgment": "好", "team.reason": "", "checks.found": "F2 0.5 记录不全"}
    assert login(assessors[0]).post(url, data).status_code == 302
    [finding] = json.loads(AssessorEntry.objects.get(kind="found").value)
    assert (finding["case"], finding["points"], finding["note"]) == ("F2", "0.5", "记录不全")
    scoring.save_scores(assessors[1], cycle, unit(cycle, city.ent_a), [Score("team", {"judgment": "一般"})])
    # assessors do not see each other's values while scoring; the organiser sees every one
    assert "考核员2：" not in login(assessors[0]).get(url).text
    assert "考核员2：一般" in login(city.admin).get(url).text
    viewer = login(city.viewer_a)
    read_only = viewer.get(url)
    assert read_only.status_code == 200 and 'id="scoring-form"' not in read_only.text
    assert "考核员2：一般" not in read_only.text
    assert viewer.post(url, data).status_code == 403
    assert login(city.staff_b).get(url).status_code == 404
    panels = reverse("cycles:panels", args=[cycle.public_id])
    assert "一组" in login(city.admin).get(panels).text
    assert login(city.viewer_a).get(panels).status_code == 403
    assert login(city.staff_b).post(panels, {"name": "x"}).status_code == 403


def test_the_organiser_forms_a_panel_in_the_page(city, login, panel_cycle, assessors):
    url = reverse("cycles:panels", args=[panel_cycle.public_id])
    data = {"name": "第二考核组", "member": ["a1", "a2"], "unit": ["EA", "EB"]}
    response = login(city.admin).post(url, data)
    assert response.status_code == 302
    refused = login(city.admin).post(url, {"name": "第三考核组", "member": ["a_of_ea"], "unit": ["EA"]})
    assert refused.status_code == 200 and "须回避" in refused.text


def test_an_appealed_panel_item_is_scored_again_in_review(city, panel, assessors):
    from kaohe.cycles.actions import appeals

    cycle, _ = panel
    ea = unit(cycle, city.ent_a)
    for user in assessors[:3]:
        scoring.save_scores(
            user, cycle, ea, [Score("team", {"judgment": "较好"}), Score("checks", {"found": "[]"})]
        )
        scoring.save_scores(user, cycle, unit(cycle, city.ent_b), [Score("team", {"judgment": "好"})])
    actions.recompute(None, cycle)
    cycle = advance(cycle, CycleState.REVIEW)
    with pytest.raises(ValidationError, match="复核申诉时可重评"):
        scoring.save_scores(assessors[0], cycle, ea, [Score("team", {"judgment": "好"}, version=1)])
    appeal = appeals.file_appeal(city.staff_a, cycle, ea, "team", "评价未计入获评先进")
    for user in assessors[:3]:
        scoring.save_scores(user, cycle, ea, [Score("team", {"judgment": "好"}, version=1)])
    with pytest.raises(ValidationError, match="没有待复核的申诉"):
        scoring.save_scores(assessors[0], cycle, ea, [Score("checks", {"found": "[]"}, version=1)])
    decided = appeals.decide_appeal(city.admin, appeal, upheld=True, decision="考核组复核后评为“好”")
    assert decided.score_before == parse_points("4") and decided.score_after == parse_points("5")


def test_assessors_see_no_results_while_scoring(city, login, panel, assessors):
    cycle, _ = panel
    for user in assessors[:3]:
        for org in (city.ent_a, city.ent_b):
            scoring.save_scores(user, cycle, unit(cycle, org), [Score("team", {"judgment": "好"})])
    actions.recompute(None, cycle)
    page = login(assessors[0]).get(reverse("cycles:unit", args=[cycle.public_id, "EA"]))
    assert "尚未发布" in page.text and 'id="unit-total"' not in page.text and "评分组" not in page.text
    assert (
        'id="results"' not in login(assessors[0]).get(reverse("cycles:results", args=[cycle.public_id])).text
    )
    assert (
        'id="unit-total"' in login(city.admin).get(reverse("cycles:unit", args=[cycle.public_id, "EA"])).text
    )
