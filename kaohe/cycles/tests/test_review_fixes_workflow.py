"""The workflow gaps a review of the demo found: advancing with a confirmation step and current
results, an empty cycle list that says why, appeals on facts kept in ledgers, a closed cycle's
rectification list, and a demo year that really happened.

Pages are tried with three people: one with access, one read-only, one from another enterprise."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from kaohe.accounts.models import Role
from kaohe.conftest import make_user
from kaohe.cycles import actions, derived
from kaohe.cycles.actions import appeals as appeal_actions
from kaohe.cycles.actions import rectification as rectify
from kaohe.cycles.actions import self_assessment as self_actions
from kaohe.cycles.models import Appeal, AppealStatus, Cycle, CycleState, EvidenceFile, TargetLetter
from kaohe.cycles.models.self_assessment import SelfAssessment, SelfStatus
from kaohe.cycles.tests.conftest import SMALL_SCHEME, advance, enter_all
from kaohe.engine.text_form import load_scheme
from kaohe.measures import actions as measure_actions
from kaohe.orgs import actions as org_actions
from kaohe.orgs.models import OrgKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def outsider(city):
    """Staff of an enterprise no cycle here assesses."""
    ent = org_actions.create_org(
        None,
        code="EC",
        name="企业C党委",
        kind=OrgKind.ENTERPRISE,
        parent=city.root,
        active_from=city.root.active_from,
    )
    return make_user("staff_c", Role.PARTY_STAFF, ent)


@pytest.fixture
def branch_cycle(city, small_scheme):
    """Enterprise A assesses its own branch: staff_a runs it, viewer_a reads it, staff_b sees nothing."""
    return actions.create_cycle(
        city.staff_a,
        owner=city.ent_a,
        year=2026,
        name="企业A支部考核",
        scheme=small_scheme,
        units=[actions.UnitSpec(city.branch_a)],
    )


@pytest.fixture
def ledger_lectures(monkeypatch):
    """A ledger deriver whose records the test can change: org code -> 党课次数."""
    counts: dict[str, int] = {}

    def lectures(units, span):
        return {
            org.pk: derived.Derived(str(counts.get(org.code, 4)), f"党课台账 {org.code}") for org in units
        }

    monkeypatch.setitem(derived._DERIVERS, "ledger.test_lectures", (lectures, "党课台账（测试）"))
    return counts


@pytest.fixture
def ledger_cycle(city, ledger_lectures):
    """A city cycle whose 党课 item reads its count from a ledger; judgments are entered by hand."""
    text = SMALL_SCHEME.replace("version: 1", "version: 2").replace(
        "{code: lectures, title: 党课次数, type: count}",
        "{code: lectures, title: 党课次数, type: count, derive: ledger.test_lectures}",
    )
    scheme = measure_actions.publish_scheme(
        None, measure_actions.add_scheme_version(None, city.root, load_scheme(text))
    )
    cycle = actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name="台账取数考核",
        scheme=scheme,
        units=[actions.UnitSpec(city.ent_a), actions.UnitSpec(city.ent_b)],
    )
    for unit in cycle.units.all():
        actions.set_fact(None, cycle, unit, "judgment", "较好")
    return cycle


def _advance_url(cycle) -> str:
    return reverse("cycles:advance", args=[cycle.public_id])


# -- 1. advancing: a confirmation step; the action keeps the results-current rule ---------------------


def test_the_advance_page_lists_unsigned_letters_and_waits_for_the_checkbox(city, login, branch_cycle):
    cycle = advance(branch_cycle, CycleState.TARGETS)
    page = login(city.staff_a).get(_advance_url(cycle))
    assert page.status_code == 200
    assert "尚未上传签字的目标责任书" in page.text and "企业A第一党支部" in page.text
    assert 'id="advance-confirm"' in page.text

    unconfirmed = login(city.staff_a).post(_advance_url(cycle), {"to": CycleState.IN_PROGRESS})
    assert unconfirmed.status_code == 200 and "请勾选确认" in unconfirmed.text
    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.TARGETS

    confirmed = login(city.staff_a).post(_advance_url(cycle), {"to": CycleState.IN_PROGRESS, "confirm": "1"})
    assert confirmed.status_code == 302
    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.IN_PROGRESS


def test_the_advance_page_is_the_organisers_only(city, login, branch_cycle):
    assert login(city.viewer_a).get(_advance_url(branch_cycle)).status_code == 403
    assert login(city.viewer_a).post(_advance_url(branch_cycle), {"to": "targets"}).status_code == 403
    assert login(city.staff_b).get(_advance_url(branch_cycle)).status_code == 404
    assert Cycle.objects.get(pk=branch_cycle.pk).state == CycleState.DRAFTING


def test_the_cycle_page_button_leads_to_the_confirmation_page(city, login, branch_cycle):
    page = login(city.staff_a).get(reverse("cycles:detail", args=[branch_cycle.public_id])).text
    assert f'href="{_advance_url(branch_cycle)}" id="advance"' in page


def test_nothing_left_undone_needs_no_checkbox(city, login, branch_cycle):
    page = login(city.staff_a).get(_advance_url(branch_cycle)).text
    assert 'id="advance-ready"' in page and 'id="advance-confirm"' not in page


def test_it_refuses_the_review_window_before_any_result(city, city_cycle):
    cycle = advance(city_cycle, CycleState.ASSESSMENT)
    with pytest.raises(ValidationError, match="还没有计算考核结果"):
        actions.advance_cycle(city.admin, cycle, CycleState.REVIEW)


def test_it_refuses_the_review_window_when_a_fact_changed_after_the_run(city, city_cycle):
    unit_a, _unit_b = enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    cycle = advance(city_cycle, CycleState.ASSESSMENT)
    actions.set_fact(None, cycle, unit_a, "lectures", "2", "补录")
    with pytest.raises(ValidationError, match="重新计算"):
        actions.advance_cycle(city.admin, cycle, CycleState.REVIEW)
    actions.recompute(None, cycle)
    assert actions.advance_cycle(city.admin, cycle, CycleState.REVIEW).state == CycleState.REVIEW


def test_a_ledger_corrected_after_the_run_makes_the_results_out_of_date(city, ledger_cycle, ledger_lectures):
    actions.recompute(None, ledger_cycle)
    cycle = advance(ledger_cycle, CycleState.ASSESSMENT)
    assert actions.results_problem(cycle) is None
    ledger_lectures["EB"] = 1
    assert "台账" in (actions.results_problem(cycle) or "")
    with pytest.raises(ValidationError):
        actions.advance_cycle(None, cycle, CycleState.REVIEW)


def test_stale_results_are_a_blocker_on_the_page_with_no_button(city, login, city_cycle):
    unit_a, _unit_b = enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    cycle = advance(city_cycle, CycleState.ASSESSMENT)
    actions.set_fact(None, cycle, unit_a, "judgment", "差")
    page = login(city.admin).get(_advance_url(cycle)).text
    assert 'id="advance-blockers"' in page and "考核结果不是最新的" in page
    assert 'id="advance-submit"' not in page
    posted = login(city.admin).post(_advance_url(cycle), {"to": CycleState.REVIEW, "confirm": "1"})
    assert posted.status_code == 200
    assert Cycle.objects.get(pk=cycle.pk).state == CycleState.ASSESSMENT


def test_publishing_with_an_undecided_appeal_stays_refused_on_the_page(city, login, city_cycle):
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    cycle = advance(city_cycle, CycleState.REVIEW)
    appeal_actions.file_appeal(city.staff_b, cycle, cycle.units.get(org=city.ent_b), "lecture", "漏记一次")
    page = login(city.admin).get(_advance_url(cycle)).text
    assert "1 件申诉未复核" in page and 'id="advance-submit"' not in page


def test_entering_the_assessment_and_closing_warn_of_unsubmitted_self_assessments(city, login, city_cycle):
    unit_a, _unit_b = enter_all(city_cycle, city)
    cycle = advance(city_cycle, CycleState.SELF_ASSESSMENT)
    scores = {code: self_actions.ScoreInput(points) for code, points in (("lecture", 4000), ("team", 6000))}
    self_actions.save_self_scores(city.staff_a, unit_a, {**scores, "minus": self_actions.ScoreInput(0)})
    self_actions.submit_self_assessment(city.staff_a, unit_a, declaration=True)
    checks = actions.advance_checks(cycle)
    assert checks.to_state == CycleState.ASSESSMENT and not checks.blockers
    # Letters unsigned since 日常工作 are still listed: what is undone stays on every later step.
    assert checks.warnings == [
        "2 个单位尚未上传签字的目标责任书：企业A党委、企业B党委",
        "1 个单位尚未提交自评：企业B党委",
    ]
    actions.recompute(None, cycle)
    cycle = advance(cycle, CycleState.PUBLISHED)
    assert "尚未提交自评：企业B党委" in login(city.admin).get(_advance_url(cycle)).text


# -- 2. an empty cycle list says why -----------------------------------------------------------------


def test_a_branch_secretary_is_told_cycles_come_from_above_and_sent_to_the_ledger(city, login, city_cycle):
    secretary = make_user("secretary_a", Role.BRANCH_SECRETARY, city.branch_a)
    page = login(secretary).get(reverse("cycles:list")).text
    assert "上级党委组织" in page and "台账" in page
    assert reverse("ledgers:org", args=[city.branch_a.code]) in page


def test_an_organiser_with_no_cycle_is_offered_to_create_one(city, login):
    page = login(city.admin).get(reverse("cycles:list")).text
    assert 'id="no-cycles-why"' in page and reverse("cycles:create") in page
    assert "上级党委组织" not in page


def test_the_list_explains_nothing_when_there_are_cycles_and_stays_closed_to_admins(city, login, city_cycle):
    assert 'id="no-cycles-why"' not in login(city.viewer_a).get(reverse("cycles:list")).text
    assert login(city.sysadmin).get(reverse("cycles:list")).status_code == 404


# -- 3. appeals on facts from ledgers ------------------------------------------------------------------


@pytest.fixture
def ledger_review(ledger_cycle):
    actions.recompute(None, ledger_cycle)
    return advance(ledger_cycle, CycleState.REVIEW)


def test_an_appeal_on_a_ledger_item_says_to_correct_the_ledger_first(city, login, ledger_review, outsider):
    unit_b = ledger_review.units.get(org=city.ent_b)
    appeal_actions.file_appeal(city.staff_b, ledger_review, unit_b, "lecture", "台账漏记一次党课")
    url = reverse("cycles:appeals", args=[ledger_review.public_id])
    page = login(city.admin).get(url).text
    assert "党课台账（测试）" in page and "请先在台账中更正记录" in page
    assert reverse("ledgers:org", args=["EB"]) in page
    assert 'name="fact"' not in page  # nothing on this item is typed in by hand
    assert "台账漏记一次党课" in login(city.staff_b).get(url).text
    assert "请先在台账中更正记录" not in login(city.staff_b).get(url).text  # the unit does not decide
    assert login(outsider).get(url).status_code == 404


def test_the_decision_form_offers_the_items_fact_kinds_to_choose(city, login, ledger_review):
    unit_b = ledger_review.units.get(org=city.ent_b)
    appeal_actions.file_appeal(city.staff_b, ledger_review, unit_b, "team", "评价偏低")
    page = login(city.admin).get(reverse("cycles:appeals", args=[ledger_review.public_id])).text
    assert '<select class="form-select form-select-sm" name="fact"' in page
    assert '<option value="judgment">' in page and '<option value="lectures">' not in page


def test_a_fact_not_read_by_the_item_is_refused_and_a_chosen_one_rescores(city, login, ledger_review):
    unit_b = ledger_review.units.get(org=city.ent_b)
    appeal = appeal_actions.file_appeal(city.staff_b, ledger_review, unit_b, "team", "评价偏低")
    url = reverse("cycles:appeal_decide", args=[ledger_review.public_id, appeal.public_id])
    data = {"upheld": "1", "decision": "复核属实", "value": "好"}
    assert login(city.viewer_a).post(url, {**data, "fact": "judgment"}).status_code == 403
    refused = login(city.admin).post(url, {**data, "fact": "criticisms"}, follow=True)
    assert "更正的事实" in refused.text and Appeal.objects.get().status == AppealStatus.FILED
    login(city.admin).post(url, {**data, "fact": "judgment"})
    decided = Appeal.objects.get()
    assert decided.status == AppealStatus.UPHELD and decided.score_after == 6000


# -- 4. a closed cycle's rectification -------------------------------------------------------------------


@pytest.fixture
def closed_cycle(city, city_cycle):
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    cycle = advance(city_cycle, CycleState.REVIEW)
    rectify.open_item(
        city.admin, cycle.units.get(org=city.ent_a), problem="学习记录不全", deadline=timezone.localdate()
    )
    return advance(cycle, CycleState.CLOSED)


def test_a_closed_cycle_offers_no_button_to_open_items(city, login, closed_cycle, outsider):
    url = reverse("cycles:rectification", args=[closed_cycle.public_id])
    page = login(city.admin).get(url).text
    assert 'id="closed-note"' in page
    assert reverse("cycles:rectification_open", args=[closed_cycle.public_id]) not in page
    assert 'id="auto-open"' not in page
    staff = login(city.staff_a).get(url).text
    assert reverse("cycles:rectification_open", args=[closed_cycle.public_id]) not in staff
    assert login(outsider).get(url).status_code == 404


def test_opening_in_a_closed_cycle_is_refused_with_a_reason(city, login, closed_cycle):
    form = login(city.admin).get(
        reverse("cycles:rectification_open", args=[closed_cycle.public_id]), follow=True
    )
    assert "考核周期已结束，不能登记新的整改项" in form.text
    auto = login(city.admin).post(
        reverse("cycles:rectification_auto", args=[closed_cycle.public_id]),
        {"threshold": 80, "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat()},
    )
    assert "考核周期已结束" in auto.text
    with pytest.raises(ValidationError, match="已结束"):
        rectify.open_from_results(city.admin, closed_cycle, deadline=timezone.localdate())


def test_an_open_item_of_a_closed_cycle_carries_on_and_says_so(city, login, closed_cycle):
    item = closed_cycle.units.get(org=city.ent_a).rectifications.get()
    page = (
        login(city.staff_a)
        .get(reverse("cycles:rectification_item", args=[closed_cycle.public_id, item.public_id]))
        .text
    )
    assert 'id="closed-note"' in page and 'id="plan-form"' in page


# -- 5. the demo's closed year ----------------------------------------------------------------------------


def test_the_demo_closed_year_has_letters_self_assessments_evidence_and_decided_appeals(db):
    from kaohe.cycles.demo import build_cycles
    from kaohe.orgs.demo import SCALES, build_city

    build_city(7, **SCALES["small"])
    build_cycles(7, timezone.localdate())
    closed = Cycle.objects.get(state=CycleState.CLOSED)
    units = closed.units.count()
    assert units and TargetLetter.objects.filter(unit__cycle=closed).count() == units
    submitted = SelfAssessment.objects.filter(unit__cycle=closed, status=SelfStatus.SUBMITTED)
    assert submitted.count() == units
    assert EvidenceFile.objects.filter(unit__cycle=closed).exists()
    appeals = Appeal.objects.filter(unit__cycle=closed)
    assert appeals.exists() and not appeals.filter(status=AppealStatus.FILED).exists()
    assert appeals.filter(status=AppealStatus.UPHELD).exists()
    assert closed.review_due == datetime.date(closed.year + 1, 2, 10)
    assert actions.results_problem(closed) is None
