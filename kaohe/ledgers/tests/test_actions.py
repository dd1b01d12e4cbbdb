"""Writing the ledgers: who may, what is refused (naming the field), and the audit rows."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from kaohe.audit.models import AuditEntry
from kaohe.ledgers import actions
from kaohe.ledgers.actions import DuesEntry
from kaohe.ledgers.models import Decision, DuesRecord, Meeting, MeetingKind
from kaohe.ledgers.tests.conftest import add_org, add_person
from kaohe.orgs.models import MemberStatus

pytestmark = pytest.mark.django_db

D = datetime.date
MAR = D(2024, 3, 1)


def meeting_args(org, **overrides) -> dict:
    return {
        "org": org,
        "kind": MeetingKind.BRANCH_ASSEMBLY,
        "held_on": D(2024, 3, 5),
        "title": "学习全会精神",
        "expected": 10,
        "present": 9,
        **overrides,
    }


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict


# ---- meetings -----------------------------------------------------------------------------------


def test_party_staff_record_a_meeting_with_its_audit_row(city):
    meeting = actions.record_meeting(city.staff_a, **meeting_args(city.branch_a), attendees=[city.person_a])
    assert meeting.recorded_by == city.staff_a and list(meeting.attendees.all()) == [city.person_a]
    entry = AuditEntry.objects.get(action="meeting.create")
    assert entry.actor == city.staff_a and entry.target_id == str(meeting.public_id)
    new = entry.new or {}
    assert new["present"] == 9 and new["attendees"] == 1
    assert entry.org_path == city.branch_a.path  # a scoped audit admin of EA sees it


@pytest.mark.parametrize("who", ["viewer_a", "staff_b", "admin"])
def test_only_editors_of_the_org_may_record(city, who):
    with pytest.raises(PermissionDenied):
        actions.record_meeting(getattr(city, who), **meeting_args(city.branch_a))
    assert not Meeting.objects.exists() and not AuditEntry.objects.filter(action="meeting.create").exists()


def test_a_meeting_in_the_future_is_refused_naming_the_date(city):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    problems = errors_of(
        lambda: actions.record_meeting(city.staff_a, **meeting_args(city.branch_a, held_on=tomorrow))
    )
    assert "晚于今天" in problems["held_on"][0]


def test_more_present_than_expected_is_refused_naming_both(city):
    problems = errors_of(
        lambda: actions.record_meeting(city.staff_a, **meeting_args(city.branch_a, expected=10, present=12))
    )
    assert problems == {"present": ["实到人数（12）不能多于应到人数（10）"]}


def test_the_database_refuses_more_present_than_expected_too(city):
    with pytest.raises(IntegrityError), transaction.atomic():
        Meeting.objects.create(
            org=city.branch_a, kind="theme_day", held_on=MAR, title="x", expected=1, present=2
        )
    meeting = Meeting(org=city.branch_a, kind="theme_day", held_on=MAR, title="x", expected=1, present=2)
    with pytest.raises(ValidationError, match="实到人数不能多于应到人数"):
        meeting.full_clean()


def test_a_meeting_at_an_org_closed_or_not_yet_founded_on_that_day_is_refused(city):
    closed = add_org(city.ent_a, "EA-OLD", active_to=D(2023, 6, 1))
    problems = errors_of(lambda: actions.record_meeting(city.staff_a, **meeting_args(closed)))
    assert problems["held_on"] == ["“EA-OLD组织”已于 2023-06-01 撤销，不能记录撤销之后的会议"]
    young = add_org(city.ent_a, "EA-NEW", active_from=D(2024, 6, 1))
    problems = errors_of(lambda: actions.record_meeting(city.staff_a, **meeting_args(young)))
    assert "于 2024-06-01 成立" in problems["held_on"][0]


def test_a_kind_of_meeting_the_org_does_not_hold_is_refused(city):
    problems = errors_of(lambda: actions.record_meeting(city.staff_a, **meeting_args(city.ent_a)))
    assert problems["kind"] == ["支部党员大会只能记在党总支、党支部下，“企业A党委”是企业党委"]


def test_blank_title_traditional_characters_and_zero_expected_are_refused(city):
    problems = errors_of(
        lambda: actions.record_meeting(
            city.staff_a, **meeting_args(city.branch_a, title=" ", expected=0, present=0)
        )
    )
    assert set(problems) == {"title", "expected"}
    problems = errors_of(
        lambda: actions.record_meeting(city.staff_a, **meeting_args(city.branch_a, title="學習"))
    )
    assert "繁体" in problems["title"][0]


def test_attendees_must_belong_to_the_org_and_not_outnumber_those_present(city):
    problems = errors_of(
        lambda: actions.record_meeting(city.staff_a, **meeting_args(city.branch_a), attendees=[city.person_b])
    )
    assert "张b" in problems["attendees"][0]
    others = [add_person(city.branch_a, f"党员{i}") for i in range(2)]
    problems = errors_of(
        lambda: actions.record_meeting(
            city.staff_a, **meeting_args(city.branch_a, expected=2, present=1), attendees=others
        )
    )
    assert "多于实到人数" in problems["attendees"][0]


def test_updating_keeps_when_it_was_recorded_and_audits_the_change(city):
    meeting = actions.record_meeting(city.staff_a, **meeting_args(city.branch_a))
    recorded = meeting.recorded_at
    actions.update_meeting(city.staff_a, meeting, present=7, minutes="记录")
    meeting.refresh_from_db()
    assert meeting.present == 7 and meeting.recorded_at == recorded
    entry = AuditEntry.objects.get(action="meeting.update")
    assert entry.old == {"present": 9, "minutes": ""} and entry.new == {"present": 7, "minutes": "记录"}
    with pytest.raises(ValidationError):
        actions.update_meeting(city.staff_a, meeting, org=city.ent_a)
    with pytest.raises(PermissionDenied):
        actions.update_meeting(city.viewer_a, meeting, present=1)


def test_deleting_a_meeting_keeps_what_it_was_in_the_audit_log(city):
    meeting = actions.record_meeting(city.staff_a, **meeting_args(city.branch_a))
    with pytest.raises(PermissionDenied):
        actions.delete_meeting(city.staff_b, meeting)
    actions.delete_meeting(city.staff_a, meeting)
    assert not Meeting.objects.exists()
    assert (AuditEntry.objects.get(action="meeting.delete").old or {})["title"] == "学习全会精神"


# ---- dues ----------------------------------------------------------------------------------------


def test_recording_dues_twice_corrects_the_months_record(city):
    first = actions.record_dues(
        city.staff_a, person=city.person_a, month=MAR, due=Decimal("20"), paid=Decimal("10")
    )
    again = actions.record_dues(
        city.staff_a,
        person=city.person_a,
        month=MAR,
        due=Decimal("20"),
        paid=Decimal("20"),
        paid_on=D(2024, 3, 9),
    )
    assert first.pk == again.pk and DuesRecord.objects.get().in_full
    entries = list(AuditEntry.objects.filter(action="dues.record").order_by("seq"))
    assert len(entries) == 2 and entries[1].old == {"paid": "10.00", "paid_on": None}
    # The same values again change nothing and write no row.
    actions.record_dues(
        city.staff_a,
        person=city.person_a,
        month=MAR,
        due=Decimal("20"),
        paid=Decimal("20"),
        paid_on=D(2024, 3, 9),
    )
    assert AuditEntry.objects.filter(action="dues.record").count() == 2


@pytest.mark.parametrize("who", ["viewer_a", "staff_b"])
def test_dues_need_the_right_to_edit_the_members_org(city, who):
    with pytest.raises(PermissionDenied):
        actions.record_dues(
            getattr(city, who), person=city.person_a, month=MAR, due=Decimal(1), paid=Decimal(1)
        )


def test_dues_are_refused_for_who_owes_none_that_month(city):
    staff = add_person(city.branch_a, "职员", status=MemberStatus.STAFF)
    newcomer = add_person(city.branch_a, "新人", join_date=D(2024, 4, 2))
    gone = add_person(city.branch_a, "调走", left_on=D(2024, 2, 28))

    def problems(person):
        return errors_of(
            lambda: actions.record_dues(
                city.staff_a, person=person, month=MAR, due=Decimal(1), paid=Decimal(1)
            )
        )

    assert problems(staff) == {"person": ["职员是工作人员，不缴纳党费"]}
    assert problems(newcomer) == {"person": ["新人于 2024-04-02 入党，2024-03 还不是党员"]}
    assert problems(gone) == {"person": ["调走已于 2024-02-28 离开，2024-03 无需缴纳"]}


def test_dues_amounts_and_dates_are_checked_per_field(city):
    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    problems = errors_of(
        lambda: actions.record_dues(
            city.staff_a,
            person=city.person_a,
            month=next_month,
            due=Decimal("-1"),
            paid=Decimal("1.005"),
            paid_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    )
    assert set(problems) == {"month", "due", "paid", "paid_on"}
    assert problems["paid"] == ["金额最多保留两位小数（分）"]


def test_a_month_for_a_branch_is_all_or_nothing(city):
    second = add_person(city.branch_a, "李四")
    good = DuesEntry(city.person_a, Decimal("20"), Decimal("20"), D(2024, 3, 3))
    bad = DuesEntry(second, Decimal("20"), Decimal("-5"))
    foreign = DuesEntry(city.person_b, Decimal("20"), Decimal("20"))
    with pytest.raises(ValidationError) as info:
        actions.record_month_dues(city.staff_a, org=city.branch_a, month=MAR, entries=[good, bad, foreign])
    problems = info.value.message_dict
    assert problems[actions.entry_field("paid", second)] == ["李四：金额不能为负数"]
    assert "张b不是“企业A第一党支部”的党员" in problems[actions.entry_field("person", city.person_b)][0]
    assert not DuesRecord.objects.exists()
    saved = actions.record_month_dues(
        city.staff_a, org=city.branch_a, month=MAR, entries=[good, DuesEntry(second, Decimal(20), Decimal(0))]
    )
    assert len(saved) == 2 and AuditEntry.objects.filter(action="dues.record").count() == 2


# ---- decisions -----------------------------------------------------------------------------------


def test_decisions_are_recorded_updated_and_deleted_with_audit_rows(city):
    decision = actions.record_decision(
        city.staff_a,
        org=city.ent_a,
        title="年度投资计划",
        category="major_decision",
        decided_on=D(2024, 3, 1),
        pre_studied=True,
        collective=True,
    )
    assert decision.steps == ["党委前置研究", "集体决策"]
    actions.update_decision(city.staff_a, decision, minuted=True)
    entry = AuditEntry.objects.get(action="decision.update")
    assert entry.old == {"minuted": False} and entry.new == {"minuted": True}
    with pytest.raises(PermissionDenied):
        actions.delete_decision(city.viewer_a, decision)
    actions.delete_decision(city.staff_a, decision)
    assert not Decision.objects.exists()
    assert {"decision.create", "decision.update", "decision.delete"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


def test_decision_dates_and_categories_are_checked(city):
    problems = errors_of(
        lambda: actions.record_decision(
            city.staff_a,
            org=city.ent_a,
            title="",
            category="other",
            decided_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    )
    assert set(problems) == {"title", "category", "decided_on"}
