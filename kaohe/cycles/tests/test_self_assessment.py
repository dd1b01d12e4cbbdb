"""Self-assessment (自查自评): score bounds, totals, saving a draft, submitting once, returning, the
pages with the three personas, and the read function for the side-by-side view."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kaohe.audit.models import AuditEntry
from kaohe.cycles import actions
from kaohe.cycles.actions import evidence as evidence_actions
from kaohe.cycles.actions.self_assessment import (
    ScoreInput,
    return_self_assessment,
    save_self_scores,
    submit_self_assessment,
)
from kaohe.cycles.models import CycleState
from kaohe.cycles.models.evidence import scored_items
from kaohe.cycles.models.self_assessment import (
    SelfAssessment,
    SelfScore,
    SelfStatus,
    roll_up,
    score_problem,
    totals,
)
from kaohe.cycles.queries_self import self_scores
from kaohe.cycles.tests.conftest import SMALL_SCHEME
from kaohe.cycles.tests.test_evidence import advance_to, with_materials
from kaohe.engine.text_form import default_scheme, load_scheme
from kaohe.files.tests.samples import pdf, upload
from kaohe.measures import actions as measure_actions
from kaohe.orgs import actions as org_actions
from kaohe.orgs.models import OrgKind

pytestmark = pytest.mark.django_db

DAY = datetime.date(2020, 1, 1)
FULL = {"lecture": ScoreInput(4000), "team": ScoreInput(6000), "minus": ScoreInput(0)}


@pytest.fixture
def self_cycle(city):
    """A city cycle of EA and EB in its self-assessment phase; 党课 asks for two materials."""
    version = measure_actions.add_scheme_version(None, city.root, with_materials(SMALL_SCHEME))
    scheme = measure_actions.publish_scheme(None, version)
    cycle = actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name="2026年度党建考核（自评）",
        scheme=scheme,
        units=[actions.UnitSpec(city.ent_a), actions.UnitSpec(city.ent_b)],
        self_assessment_due=timezone.localdate() + datetime.timedelta(days=5),
    )
    return advance_to(cycle, CycleState.SELF_ASSESSMENT)


def unit_of(cycle, org):
    return cycle.units.select_related("org", "cycle").get(org=org)


@pytest.fixture
def unit_a(city, self_cycle):
    return unit_of(self_cycle, city.ent_a)


def submitted(city, unit):
    save_self_scores(city.staff_a, unit, FULL)
    return submit_self_assessment(city.staff_a, unit, declaration=True)


# -- bounds and totals -----------------------------------------------------------------------------

ITEMS = {item.code: item for item in scored_items(load_scheme(SMALL_SCHEME))}


def test_a_score_lies_between_zero_and_the_items_points():
    lecture = ITEMS["lecture"]
    assert score_problem(lecture, 4000) is None and score_problem(lecture, 0) is None
    assert score_problem(lecture, 4500) == "“党课”自评分不能超过 4 分"
    assert score_problem(lecture, -1) == "“党课”自评分不能为负数"


def test_a_direct_deduction_is_zero_or_below():
    minus = ITEMS["minus"]
    assert minus.negative and score_problem(minus, -3500) is None and score_problem(minus, 0) is None
    assert score_problem(minus, 500) == "“直接扣分”是直接扣分项，自评分不能大于 0"


def test_totals_are_exact_sums_of_thousandths():
    result = totals(load_scheme(SMALL_SCHEME), {"lecture": 3500, "team": 4000, "minus": -500})
    assert (result.basic, result.bonus, result.deductions, result.total) == (7500, 0, -500, 7000)


def test_totals_compose_the_tree_like_the_engine():
    scheme = default_scheme()
    full = {item.code: item.points for item in scored_items(scheme)}
    result = totals(scheme, full | {"deductions.criticism": -1000})
    assert (result.basic, result.bonus, result.deductions, result.total) == (100000, 5000, -1000, 104000)
    # 支部标准化规范化建设 is 4 points, 40% 平时监测 + 60% 年终检查, each scored out of 100
    parts = {"organization.standard.quarterly": 80000, "organization.standard.year-end": 90000}
    assert roll_up(scheme, parts)["organization.standard"] == 3440


# -- saving ------------------------------------------------------------------------------------------


def test_a_unit_saves_a_draft_in_one_batch(city, unit_a):
    save_self_scores(
        city.staff_a, unit_a, {"lecture": ScoreInput(3500, "少一次党课"), "team": ScoreInput(6000)}
    )
    assert self_scores([unit_a]) == {(unit_a.pk, "lecture"): 3500, (unit_a.pk, "team"): 6000}
    assert SelfAssessment.objects.get(unit=unit_a).status == SelfStatus.DRAFT
    entry = AuditEntry.objects.get(action="self.save")
    assert entry.new == {"lecture": "3.5｜少一次党课", "team": "6"} and entry.org_path == city.ent_a.path


def test_one_bad_item_saves_nothing(city, unit_a):
    with pytest.raises(ValidationError) as caught:
        save_self_scores(city.staff_a, unit_a, {"team": ScoreInput(5000), "lecture": ScoreInput(4500)})
    assert caught.value.message_dict == {"lecture": ["“党课”自评分不能超过 4 分"]}
    assert not SelfScore.objects.exists() and not AuditEntry.objects.filter(action="self.save").exists()


def test_a_cleared_score_makes_the_item_unscored_again(city, unit_a):
    save_self_scores(city.staff_a, unit_a, {"lecture": ScoreInput(3000, "缺一次")})
    save_self_scores(city.staff_a, unit_a, {"lecture": ScoreInput(None)})
    assert self_scores([unit_a]) == {}
    assert AuditEntry.objects.filter(action="self.save").count() == 2


def test_only_the_units_own_people_fill_it_in(city, self_cycle, unit_a):
    for user in (city.viewer_a, city.admin, city.staff_b):
        with pytest.raises(PermissionDenied):
            save_self_scores(user, unit_a, FULL)


def test_scores_are_saved_only_in_the_self_assessment_phase(city, self_cycle, unit_a):
    advance_to(self_cycle, CycleState.ASSESSMENT)
    with pytest.raises(ValidationError, match="考核评分"):
        save_self_scores(city.staff_a, unit_a, FULL)


def test_after_the_due_date_only_a_returned_self_assessment_is_edited(city, self_cycle, unit_a):
    submitted(city, unit_a)
    self_cycle.self_assessment_due = timezone.localdate() - datetime.timedelta(days=1)
    self_cycle.save()
    unit_b = unit_of(self_cycle, city.ent_b)
    with pytest.raises(ValidationError, match="截止"):
        save_self_scores(city.staff_b, unit_b, FULL)
    return_self_assessment(city.admin, unit_a, "党课说明不清")
    save_self_scores(city.staff_a, unit_a, {"lecture": ScoreInput(3500, "少一次党课")})
    assert submit_self_assessment(city.staff_a, unit_a, declaration=True).status == SelfStatus.SUBMITTED


# -- submitting --------------------------------------------------------------------------------------


def test_submitting_needs_every_item_scored(city, unit_a):
    save_self_scores(city.staff_a, unit_a, {"lecture": ScoreInput(4000), "minus": ScoreInput(0)})
    with pytest.raises(ValidationError) as caught:
        submit_self_assessment(city.staff_a, unit_a, declaration=True)
    assert caught.value.message_dict == {"team": ["“综合评价”尚未自评"]}
    assert SelfAssessment.objects.get(unit=unit_a).status == SelfStatus.DRAFT


def test_a_score_below_full_points_needs_an_explanation(city, unit_a):
    save_self_scores(
        city.staff_a, unit_a, FULL | {"lecture": ScoreInput(3000), "minus": ScoreInput(-500, "通报批评一次")}
    )
    with pytest.raises(ValidationError) as caught:
        submit_self_assessment(city.staff_a, unit_a, declaration=True)
    assert caught.value.message_dict == {"lecture": ["“党课”自评分低于满分，请填写说明"]}


def test_submitting_needs_the_declaration(city, unit_a):
    save_self_scores(city.staff_a, unit_a, FULL)
    with pytest.raises(ValidationError) as caught:
        submit_self_assessment(city.staff_a, unit_a, declaration=False)
    assert "真实性、完整性负责" in caught.value.message_dict["declaration"][0]


def test_a_submission_locks_the_self_assessment(city, unit_a):
    sa = submitted(city, unit_a)
    assert sa.status == SelfStatus.SUBMITTED and sa.declaration_accepted and sa.submitted_by == city.staff_a
    entry = AuditEntry.objects.get(action="self.submit")
    assert entry.new == {"status": "submitted", "total": "10", "items": 3}
    with pytest.raises(ValidationError, match="已提交"):
        save_self_scores(city.staff_a, unit_a, {"lecture": ScoreInput(3000, "改")})
    assert self_scores([unit_a])[(unit_a.pk, "lecture")] == 4000


def test_a_double_submission_leaves_one_and_tells_the_second_it_is_submitted(city, unit_a):
    save_self_scores(city.staff_a, unit_a, FULL)
    submit_self_assessment(city.staff_a, unit_a, declaration=True)
    with pytest.raises(ValidationError, match="已提交"):
        submit_self_assessment(city.staff_a, unit_a, declaration=True)
    assert AuditEntry.objects.filter(action="self.submit").count() == 1


def test_the_organiser_returns_it_with_a_reason_and_the_unit_resubmits(city, unit_a):
    submitted(city, unit_a)
    with pytest.raises(PermissionDenied):
        return_self_assessment(city.staff_a, unit_a, "自己退回")
    with pytest.raises(ValidationError) as caught:
        return_self_assessment(city.admin, unit_a, "  ")
    assert caught.value.message_dict == {"reason": ["请填写退回原因"]}
    sa = return_self_assessment(city.admin, unit_a, "党课得分与台账不符")
    assert sa.status == SelfStatus.RETURNED and sa.returned_by == city.admin and not sa.declaration_accepted
    save_self_scores(city.staff_a, unit_a, {"lecture": ScoreInput(3000, "党课少两次")})
    assert submit_self_assessment(city.staff_a, unit_a, declaration=True).status == SelfStatus.SUBMITTED
    assert (AuditEntry.objects.get(action="self.return").new or {})["reason"] == "党课得分与台账不符"
    assert AuditEntry.objects.filter(action="self.submit").count() == 2


def test_only_a_submitted_self_assessment_is_returned(city, unit_a):
    with pytest.raises(ValidationError, match="尚未提交"):
        return_self_assessment(city.admin, unit_a, "还没交")


def test_self_scores_reads_many_units_in_one_query(city, self_cycle, django_assert_num_queries):
    unit_a, unit_b = unit_of(self_cycle, city.ent_a), unit_of(self_cycle, city.ent_b)
    save_self_scores(city.staff_a, unit_a, {"lecture": ScoreInput(4000)})
    save_self_scores(city.staff_b, unit_b, {"team": ScoreInput(2000, "一般")})
    with django_assert_num_queries(1):
        found = self_scores(self_cycle.units.all())
    assert found == {(unit_a.pk, "lecture"): 4000, (unit_b.pk, "team"): 2000}


# -- pages -------------------------------------------------------------------------------------------


def page_url(cycle, code="EA"):
    return reverse("cycles:unit_self", args=[cycle.public_id, code])


def form_data(**changes):
    data = {
        "score_lecture": "3.5",
        "explanation_lecture": "党课少一次",
        "score_team": "6",
        "explanation_team": "",
        "score_minus": "0",
        "explanation_minus": "",
    }
    return data | changes


def test_anonymous_users_are_sent_to_login(client, self_cycle):
    for url in (page_url(self_cycle), reverse("cycles:self_overview", args=[self_cycle.public_id])):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_the_unit_page_is_the_familiar_table(city, login, self_cycle):
    evidence_actions.upload_evidence(
        city.staff_a, unit_of(self_cycle, city.ent_a), "lecture", "党课记录", upload("党课记录.pdf", pdf())
    )
    text = login(city.staff_a).get(page_url(self_cycle)).text
    for heading in ("一级指标", "评分项", "分值", "考核要求 / 评分细则", "佐证材料", "自评分", "说明"):
        assert heading in text
    assert 'name="score_lecture"' in text and "缺材料" in text and "保存草稿" in text
    assert "本单位对自评分数及佐证材料的真实性、完整性负责" in text
    assert reverse("cycles:unit_evidence", args=[self_cycle.public_id, "EA"]) + "#item-lecture" in text


def test_the_three_personas_on_the_unit_page(city, login, self_cycle):
    assert 'name="score_lecture"' not in login(city.viewer_a).get(page_url(self_cycle)).text
    assert login(city.viewer_a).post(page_url(self_cycle), form_data()).status_code == 403
    assert login(city.staff_b).get(page_url(self_cycle)).status_code == 404
    assert login(city.staff_b).post(page_url(self_cycle), form_data()).status_code == 404
    assert not SelfScore.objects.exists()


def test_saving_a_draft_through_the_page(city, login, self_cycle):
    response = login(city.staff_a).post(page_url(self_cycle), form_data(save="1"))
    assert response.status_code == 302
    page = login(city.staff_a).get(page_url(self_cycle))
    assert page.context["totals"].total == 9500 and 'id="total-total">9.5<' in page.text


def test_a_bad_cell_is_named_and_nothing_is_saved(city, login, self_cycle):
    response = login(city.staff_a).post(page_url(self_cycle), form_data(score_team="六", score_lecture="5"))
    assert response.status_code == 200
    assert "“综合评价”自评分“六”不是数字" in response.text
    response = login(city.staff_a).post(page_url(self_cycle), form_data(score_lecture="5"))
    assert "“党课”自评分不能超过 4 分" in response.text and not SelfScore.objects.exists()


def test_submitting_through_the_page_locks_it(city, login, self_cycle):
    client = login(city.staff_a)
    refused = client.post(page_url(self_cycle), form_data(submit="1"))
    assert (
        refused.status_code == 200
        and "草稿已保存，但还不能提交" in refused.text
        and "请勾选承诺" in refused.text
    )
    assert client.post(page_url(self_cycle), form_data(submit="1", declaration="1")).status_code == 302
    sa = SelfAssessment.objects.get()
    assert sa.status == SelfStatus.SUBMITTED
    page = client.get(page_url(self_cycle)).text
    assert 'name="score_lecture"' not in page and "不能再修改" in page
    assert timezone.localtime(sa.submitted_at).strftime("%Y-%m-%d %H:%M") in page
    again = client.post(page_url(self_cycle), form_data(submit="1", declaration="1"))
    assert again.status_code == 200 and "已提交" in again.text


def test_the_organiser_returns_it_through_the_page(city, login, self_cycle):
    submitted(city, unit_of(self_cycle, city.ent_a))
    assert 'id="self-return"' in login(city.admin).get(page_url(self_cycle)).text
    assert 'id="self-return"' not in login(city.staff_a).get(page_url(self_cycle)).text
    url = reverse("cycles:self_return", args=[self_cycle.public_id, "EA"])
    assert login(city.staff_a).post(url, {"reason": "x"}).status_code == 403
    assert login(city.viewer_a).post(url, {"reason": "x"}).status_code == 403
    assert login(city.staff_b).post(url, {"reason": "x"}).status_code == 404
    assert login(city.admin).post(url, {"reason": "说明不全"}).status_code == 302
    page = login(city.staff_a).get(page_url(self_cycle)).text
    assert "退回原因：说明不全" in page and 'name="score_lecture"' in page


def test_the_overview_lists_status_and_self_total(city, login, self_cycle):
    submitted(city, unit_of(self_cycle, city.ent_a))
    url = reverse("cycles:self_overview", args=[self_cycle.public_id])
    response = login(city.admin).get(url)
    rows = {r["unit"].org.code: r for r in response.context["page"]}
    assert rows["EA"]["status"] == SelfStatus.SUBMITTED and rows["EA"]["totals"].total == 10000
    assert rows["EB"]["status"] == SelfStatus.DRAFT and rows["EB"]["totals"].total == 0
    only = login(city.admin).get(url + "?status=submitted")
    assert [r["unit"].org.code for r in only.context["page"]] == ["EA"]
    viewer = login(city.viewer_a).get(url)
    assert [r["unit"].org.code for r in viewer.context["page"]] == ["EA"]
    foreign = login(city.staff_b).get(url)
    assert [r["unit"].org.code for r in foreign.context["page"]] == ["EB"]


def test_the_overview_costs_the_same_queries_for_any_number_of_units(city, login, self_cycle):
    more = [
        org_actions.create_org(
            None,
            code=f"E{n}",
            name=f"企业{n}党委",
            kind=OrgKind.ENTERPRISE,
            parent=city.root,
            active_from=DAY,
        )
        for n in range(1, 7)
    ]
    big = actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name="八家企业",
        scheme=self_cycle.scheme,
        units=[actions.UnitSpec(org) for org in (city.ent_a, city.ent_b, *more)],
    )
    big = advance_to(big, CycleState.SELF_ASSESSMENT)
    for cycle in (self_cycle, big):
        submitted(city, unit_of(cycle, city.ent_a))
        save_self_scores(city.staff_b, unit_of(cycle, city.ent_b), {"team": ScoreInput(2000, "一般")})
    client = login(city.admin)

    def count(cycle) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("cycles:self_overview", args=[cycle.public_id])).status_code == 200
        return len(queries)

    assert count(big) == count(self_cycle) <= 10
