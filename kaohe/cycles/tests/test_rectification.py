"""Rectification (整改) actions: who may open, plan, submit and check an item; the automatic items
opened from lost points; overdue judged against fixed days; the history and the audit rows."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaohe.audit.models import AuditEntry
from kaohe.cycles import actions
from kaohe.cycles.actions import rectification as rectify
from kaohe.cycles.models import CycleState
from kaohe.cycles.models import rectification as rect
from kaohe.cycles.models.rectification import (
    RectificationEvent,
    RectificationEventKind,
    RectificationItem,
    RectificationOrigin,
    RectificationStatus,
)
from kaohe.cycles.tests.conftest import enter_all
from kaohe.engine.points import parse_points
from kaohe.files.tests.samples import pdf, upload

pytestmark = pytest.mark.django_db

OPENED_ON = datetime.date(2027, 2, 1)
DEADLINE = datetime.date(2027, 4, 30)


def advance(cycle, to):
    cycle.refresh_from_db()
    while cycle.state != to:
        step = actions.next_state(cycle)
        assert step is not None, f"{cycle.state} is past {to}"
        cycle = actions.advance_cycle(None, cycle, step)
    return cycle


@pytest.fixture
def on_day(monkeypatch):
    """Moves the day the actions and the overdue flags go by; nothing reads the wall clock."""

    def move(day: datetime.date) -> None:
        monkeypatch.setattr(rect, "today", lambda: day)

    move(OPENED_ON)
    return move


@pytest.fixture
def in_review(city, city_cycle, on_day):
    enter_all(city_cycle, city)  # EA: 4 lectures, 好 (full marks); EB: 3 lectures, 较好
    actions.recompute(None, city_cycle)
    return advance(city_cycle, CycleState.REVIEW)


def actions_logged() -> list[str]:
    return list(
        AuditEntry.objects.filter(action__startswith="rectification.")
        .order_by("seq")
        .values_list("action", flat=True)
    )


def open_for(city, cycle, org, **kwargs: Any):
    unit = cycle.units.get(org=org)
    values: dict[str, Any] = {"problem": "支部学习记录不完整", "deadline": DEADLINE} | kwargs
    return rectify.open_item(city.admin, unit, **values)


# -- opening by hand --------------------------------------------------------------------------------


def test_the_organiser_opens_an_item_with_history_and_an_audit_row(city, in_review):
    item = open_for(city, in_review, city.ent_b, node="lecture", owner_name="王五", measure="补齐记录")
    assert item.status == RectificationStatus.OPEN and item.origin == RectificationOrigin.MANUAL
    assert item.owner_org == city.ent_b  # the unit itself when no org is named
    assert item.lost_points == parse_points("1") and item.run == in_review.current_run
    event = item.events.get()
    assert (event.kind, event.status_from, event.status_to, event.actor) == (
        RectificationEventKind.OPENED,
        "",
        RectificationStatus.OPEN,
        city.admin,
    )
    entry = AuditEntry.objects.get(action="rectification.open")
    assert entry.new is not None and entry.new["unit"] == "EB" and entry.new["node"] == "lecture"


def test_a_unit_opens_its_own_self_found_problem_but_not_another_s(city, in_review):
    unit_a = in_review.units.get(org=city.ent_a)
    item = rectify.open_item(city.staff_a, unit_a, problem="自查发现党费台账缺页", deadline=DEADLINE)
    assert item.created_by == city.staff_a and item.lost_points is None and item.node == ""
    with pytest.raises(PermissionDenied):
        rectify.open_item(city.staff_b, unit_a, problem="x", deadline=DEADLINE)
    with pytest.raises(PermissionDenied):
        rectify.open_item(city.viewer_a, unit_a, problem="x", deadline=DEADLINE)
    assert RectificationItem.objects.count() == 1


def test_opening_names_the_fields_that_are_wrong(city, in_review):
    with pytest.raises(ValidationError) as error:
        open_for(city, in_review, city.ent_a, problem="  ")
    assert "problem" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        open_for(city, in_review, city.ent_a, node="no-such-item")
    assert "no-such-item" in error.value.error_dict["node"][0].message
    with pytest.raises(ValidationError) as error:
        open_for(city, in_review, city.ent_a, owner_org=city.branch_b)
    assert "企业B第一党支部" in error.value.error_dict["owner_org"][0].message
    with pytest.raises(ValidationError) as error:
        open_for(city, in_review, city.ent_a, deadline=OPENED_ON - datetime.timedelta(days=1))
    assert "2027-01-31" in error.value.error_dict["deadline"][0].message
    with pytest.raises(ValidationError) as error:
        open_for(city, in_review, city.ent_a, owner_name="长" * 41)
    assert "owner_name" in error.value.error_dict
    assert not RectificationItem.objects.exists() and actions_logged() == []


def test_a_branch_below_the_unit_may_be_responsible(city, in_review):
    item = open_for(city, in_review, city.ent_a, owner_org=city.branch_a)
    assert item.owner_org == city.branch_a


def test_nothing_is_opened_before_the_cycle_starts_or_after_it_ends(city, city_cycle, on_day):
    with pytest.raises(ValidationError, match="尚未启动"):
        open_for(city, city_cycle, city.ent_a)
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    closed = advance(city_cycle, CycleState.CLOSED)
    with pytest.raises(ValidationError, match="已结束"):
        open_for(city, closed, city.ent_a)


# -- opening from lost points -----------------------------------------------------------------------


def test_it_opens_one_item_per_unit_and_item_below_the_threshold(city, in_review):
    opened = rectify.open_from_results(city.admin, in_review, deadline=DEADLINE)
    # EB lost 1 of 4 on 党课 (75%) and 2 of 6 on 综合评价 (66.7%); EA lost nothing.
    assert [(i.unit.org.code, i.node) for i in opened] == [("EB", "lecture"), ("EB", "team")]
    lecture = next(i for i in opened if i.node == "lecture")
    assert lecture.origin == RectificationOrigin.AUTO and lecture.lost_points == parse_points("1")
    assert lecture.deadline == DEADLINE and lecture.owner_org == city.ent_b
    assert lecture.problem.startswith("党课：得分 3 / 4，失 1 分。")
    assert "少1次" in lecture.problem  # the explanation's own line
    assert RectificationEvent.objects.filter(kind=RectificationEventKind.OPENED).count() == 2
    entry = AuditEntry.objects.get(action="rectification.auto")
    assert entry.new is not None and entry.new["opened"] == ["EB:lecture", "EB:team"]
    assert entry.new["threshold"] == 80


def test_running_it_twice_opens_nothing_new(city, in_review, on_day):
    first = rectify.open_from_results(city.admin, in_review, deadline=DEADLINE)
    item = first[0]
    # Even once an automatic item is closed, the same loss does not open it again.
    rectify.plan_item(city.staff_b, item, measure="按计划补上党课")
    rectify.submit_done(city.staff_b, item, note="已补课", evidence=[upload("记录.pdf", pdf())])
    rectify.verify(city.admin, item, passed=True)
    assert rectify.open_from_results(city.admin, in_review, deadline=DEADLINE) == []
    assert RectificationItem.objects.count() == 2
    assert actions_logged().count("rectification.auto") == 1  # nothing written, nothing logged


def test_an_unfinished_manual_item_for_the_same_score_item_is_enough(city, in_review):
    open_for(city, in_review, city.ent_b, node="lecture")
    opened = rectify.open_from_results(city.admin, in_review, deadline=DEADLINE)
    assert [(i.unit.org.code, i.node) for i in opened] == [("EB", "team")]


def test_the_threshold_is_a_parameter(city, in_review):
    opened = rectify.open_from_results(city.admin, in_review, deadline=DEADLINE, threshold=70)
    assert [i.node for i in opened] == ["team"]  # 75% is not below 70%
    with pytest.raises(ValidationError) as error:
        rectify.open_from_results(city.admin, in_review, deadline=DEADLINE, threshold=0)
    assert "threshold" in error.value.error_dict


def test_only_the_organiser_opens_from_results_and_only_once_units_see_them(city, city_cycle, on_day):
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    cycle = advance(city_cycle, CycleState.ASSESSMENT)
    with pytest.raises(ValidationError, match="结果反馈"):
        rectify.open_from_results(city.admin, cycle, deadline=DEADLINE)
    cycle = advance(cycle, CycleState.REVIEW)
    with pytest.raises(PermissionDenied):
        rectify.open_from_results(city.staff_b, cycle, deadline=DEADLINE)
    with pytest.raises(ValidationError) as error:
        rectify.open_from_results(city.admin, cycle, deadline=None)
    assert "deadline" in error.value.error_dict
    assert not RectificationItem.objects.exists()


# -- plan, submit, verify ---------------------------------------------------------------------------


def test_the_unit_submits_with_evidence_and_the_organiser_closes_it(city, in_review, on_day):
    item = open_for(city, in_review, city.ent_a)
    rectify.plan_item(
        city.staff_a, item, measure="建立学习记录月检制度", owner_name="李四", owner_org=city.branch_a
    )
    on_day(datetime.date(2027, 3, 15))
    rectify.submit_done(
        city.staff_a, item, note="已整改", evidence=[upload("制度.pdf", pdf()), upload("记录.pdf", pdf())]
    )
    item.refresh_from_db()
    assert item.status == RectificationStatus.SUBMITTED
    submitted = item.events.get(kind=RectificationEventKind.SUBMITTED)
    assert [e.file.original_name for e in submitted.evidence.all()] == ["制度.pdf", "记录.pdf"]
    on_day(datetime.date(2027, 3, 20))
    closed = rectify.verify(city.admin, item, passed=True, reason="材料齐全")
    assert closed.status == RectificationStatus.CLOSED and closed.closed_on == datetime.date(2027, 3, 20)
    assert not closed.closed_late
    assert [e.kind for e in closed.events.all()] == ["opened", "planned", "submitted", "closed"]
    assert actions_logged() == [
        "rectification.open",
        "rectification.plan",
        "rectification.submit",
        "rectification.close",
    ]


def test_a_failed_check_sends_it_back_with_the_reason(city, in_review):
    item = open_for(city, in_review, city.ent_a, measure="补齐")
    rectify.submit_done(city.staff_a, item, note="已补齐", evidence=[upload("a.pdf", pdf())])
    with pytest.raises(ValidationError) as error:
        rectify.verify(city.admin, item, passed=False, reason=" ")
    assert "reason" in error.value.error_dict
    back = rectify.verify(city.admin, item, passed=False, reason="记录仍缺三月份")
    assert back.status == RectificationStatus.OPEN and back.closed_on is None
    returned = back.events.get(kind=RectificationEventKind.RETURNED)
    assert (returned.status_from, returned.status_to, returned.note) == (
        "submitted",
        "open",
        "记录仍缺三月份",
    )
    assert actions_logged()[-1] == "rectification.return"
    # back at the unit: it may submit again
    rectify.submit_done(city.staff_a, back, note="三月份已补", evidence=[upload("b.pdf", pdf())])


def test_submission_needs_measures_a_note_and_evidence(city, in_review):
    item = open_for(city, in_review, city.ent_a)
    with pytest.raises(ValidationError) as error:
        rectify.submit_done(city.staff_a, item, note="", evidence=[])
    assert set(error.value.error_dict) == {"measure", "note", "evidence"}
    rectify.plan_item(city.staff_a, item, measure="补齐")
    with pytest.raises(ValidationError) as error:
        rectify.submit_done(city.staff_a, item, note="已补", evidence=[upload("假的.pdf", b"not a pdf")])
    assert "假的.pdf" in error.value.error_dict["evidence"][0].message
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN


def test_only_the_unit_submits_and_only_the_organiser_checks(city, in_review):
    item = open_for(city, in_review, city.ent_a, measure="补齐")
    with pytest.raises(PermissionDenied):
        rectify.submit_done(city.admin, item, note="x", evidence=[upload("a.pdf", pdf())])  # not the unit
    with pytest.raises(PermissionDenied):
        rectify.submit_done(city.viewer_a, item, note="x", evidence=[upload("a.pdf", pdf())])
    with pytest.raises(PermissionDenied):
        rectify.plan_item(city.staff_b, item, measure="x")
    rectify.submit_done(city.staff_a, item, note="x", evidence=[upload("a.pdf", pdf())])
    with pytest.raises(PermissionDenied):
        rectify.verify(city.staff_a, item, passed=True)
    with pytest.raises(ValidationError, match="待验收"):
        rectify.submit_done(city.staff_a, item, note="x", evidence=[upload("a.pdf", pdf())])
    with pytest.raises(ValidationError, match="待验收"):
        rectify.plan_item(city.staff_a, item, measure="改")
    rectify.verify(city.admin, item, passed=True)
    with pytest.raises(ValidationError, match="已销号"):
        rectify.verify(city.admin, item, passed=True)


# -- overdue ----------------------------------------------------------------------------------------


def test_an_item_is_overdue_once_its_deadline_has_passed_until_it_is_closed(city, in_review, on_day):
    item = open_for(city, in_review, city.ent_a, measure="补齐")
    on_day(DEADLINE)
    assert not item.overdue  # the deadline is the last day
    on_day(DEADLINE + datetime.timedelta(days=1))
    assert item.overdue
    assert list(RectificationItem.objects.overdue(DEADLINE + datetime.timedelta(days=1))) == [item]
    rectify.submit_done(city.staff_a, item, note="x", evidence=[upload("a.pdf", pdf())])
    item.refresh_from_db()
    assert item.overdue  # submitted, not yet checked: still overdue
    closed = rectify.verify(city.admin, item, passed=True)
    assert not closed.overdue and closed.closed_late
    assert closed.closed_on == DEADLINE + datetime.timedelta(days=1)
    assert list(RectificationItem.objects.closed_late()) == [closed]
    entry = AuditEntry.objects.get(action="rectification.close")
    assert entry.new is not None and entry.new["late"] is True


def test_items_carry_on_after_the_cycle_is_closed(city, in_review, on_day):
    item = open_for(city, in_review, city.ent_a, measure="补齐")
    closed_cycle = advance(in_review, CycleState.CLOSED)
    assert closed_cycle.state == CycleState.CLOSED
    on_day(DEADLINE + datetime.timedelta(days=30))
    rectify.submit_done(city.staff_a, item, note="年后完成", evidence=[upload("a.pdf", pdf())])
    done = rectify.verify(city.admin, item, passed=True)
    assert done.status == RectificationStatus.CLOSED and done.closed_late
