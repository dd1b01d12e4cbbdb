"""Writing 发展党员 cases and their steps: who may, what is refused (naming the field), the audit."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kaohe.audit.models import AuditEntry
from kaohe.ledgers import actions
from kaohe.ledgers.actions import StepEntry
from kaohe.ledgers.models import RecruitmentCase, RecruitmentStep
from kaohe.ledgers.tests.conftest import add_org, add_person

pytestmark = pytest.mark.django_db

D = datetime.date
START = D(2024, 1, 10)


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        call()
    return info.value.message_dict


@pytest.fixture
def case(city):
    return actions.create_case(city.staff_a, org=city.branch_a, candidate_name="李明", started_on=START)


def steps_of(case) -> dict[str, datetime.date]:
    return dict(RecruitmentStep.objects.filter(case=case).values_list("step", "done_on"))


# ---- cases --------------------------------------------------------------------------------------


def test_party_staff_open_a_case_at_a_branch_with_its_audit_row(city, case):
    assert case.recorded_by == city.staff_a and case.org == city.branch_a
    entry = AuditEntry.objects.get(action="recruitment.case.create")
    assert entry.actor == city.staff_a and entry.target_id == str(case.public_id)
    assert entry.org_path == city.branch_a.path and (entry.new or {})["candidate_name"] == "李明"


@pytest.mark.parametrize("who", ["viewer_a", "staff_b", "admin"])
def test_only_editors_of_the_branch_may_open_a_case(city, who):
    with pytest.raises(PermissionDenied):
        actions.create_case(getattr(city, who), org=city.branch_a, candidate_name="李明", started_on=START)
    assert not RecruitmentCase.objects.exists()


def test_a_case_takes_the_persons_name_when_none_is_given(city):
    person = add_person(city.branch_a, "王芳", status="staff")
    case = actions.create_case(
        city.staff_a, org=city.branch_a, candidate_name=" ", started_on=START, person=person
    )
    assert case.candidate_name == "王芳" and case.person == person


def test_a_case_is_refused_with_the_field_named(city):
    def create(**overrides):
        args = {"org": city.branch_a, "candidate_name": "李明", "started_on": START, **overrides}
        return lambda: actions.create_case(city.staff_a, **args)

    assert "党支部下" in errors_of(create(org=city.ent_a))["org"][0]
    assert (
        "晚于今天"
        in errors_of(create(started_on=timezone.localdate() + datetime.timedelta(days=1)))["started_on"][0]
    )
    assert "成立" in errors_of(create(started_on=D(2019, 12, 31)))["started_on"][0]
    assert errors_of(create(person=city.person_b))["person"] == ["张b不是“企业A第一党支部”的人员"]
    assert errors_of(create(candidate_name=""))["candidate_name"] == ["请填写姓名"]
    assert not RecruitmentCase.objects.exists()


def test_editing_a_case_is_audited_with_only_what_changed(city, case):
    actions.update_case(city.staff_a, case, candidate_name="李明", ended_on=D(2024, 2, 1), end_note="转出")
    entry = AuditEntry.objects.get(action="recruitment.case.update")
    assert entry.old == {"ended_on": None, "end_note": ""}
    assert entry.new == {"ended_on": "2024-02-01", "end_note": "转出"}
    actions.update_case(city.staff_a, case, candidate_name="李明")
    assert AuditEntry.objects.filter(action="recruitment.case.update").count() == 1


def test_a_case_cannot_start_after_or_end_before_its_recorded_steps(city, case):
    actions.record_step(city.staff_a, org=city.branch_a, case=case, step="apply", done_on=D(2024, 1, 10))
    actions.record_step(city.staff_a, org=city.branch_a, case=case, step="talk", done_on=D(2024, 2, 1))
    assert (
        "“1. 递交入党申请书”记为 2024-01-10"
        in errors_of(lambda: actions.update_case(city.staff_a, case, started_on=D(2024, 1, 11)))[
            "started_on"
        ][0]
    )
    assert (
        "“2. 党组织派人谈话”记为 2024-02-01"
        in errors_of(lambda: actions.update_case(city.staff_a, case, ended_on=D(2024, 1, 31)))["ended_on"][0]
    )
    assert errors_of(lambda: actions.update_case(city.staff_a, case, end_note="放弃"))["ended_on"]
    assert errors_of(lambda: actions.update_case(city.staff_a, case, org=city.ent_a))["org"]


def test_deleting_a_case_deletes_its_steps_and_keeps_them_in_the_audit_row(city, case):
    actions.record_step(city.staff_a, org=city.branch_a, case=case, step="apply", done_on=START)
    with pytest.raises(PermissionDenied):
        actions.delete_case(city.viewer_a, case)
    actions.delete_case(city.staff_a, case)
    assert not RecruitmentCase.objects.exists() and not RecruitmentStep.objects.exists()
    entry = AuditEntry.objects.get(action="recruitment.case.delete")
    assert (entry.old or {})["steps"] == {"apply": "2024-01-10"}


# ---- steps --------------------------------------------------------------------------------------


def test_recording_correcting_and_clearing_a_step_each_leave_an_audit_row(city, case):
    record = actions.record_step
    record(city.staff_a, org=city.branch_a, case=case, step="apply", done_on=START, note="申请书存档")
    assert steps_of(case) == {"apply": START}
    first = AuditEntry.objects.get(action="recruitment.step.record")
    assert first.old is None and first.new == {"step": "apply", "done_on": "2024-01-10", "note": "申请书存档"}
    assert first.target_id == str(case.public_id) and first.org_path == city.branch_a.path

    record(
        city.staff_a, org=city.branch_a, case=case, step="apply", done_on=D(2024, 1, 11), note="申请书存档"
    )
    second = AuditEntry.objects.filter(action="recruitment.step.record").latest("seq")
    assert (second.old or {})["done_on"] == "2024-01-10" and (second.new or {})["done_on"] == "2024-01-11"

    record(
        city.staff_a, org=city.branch_a, case=case, step="apply", done_on=D(2024, 1, 11), note="申请书存档"
    )
    assert AuditEntry.objects.filter(action="recruitment.step.record").count() == 2  # nothing changed

    record(city.staff_a, org=city.branch_a, case=case, step="apply", done_on=None)
    assert steps_of(case) == {}
    cleared = AuditEntry.objects.get(action="recruitment.step.clear")
    assert (cleared.old or {})["done_on"] == "2024-01-11" and cleared.new is None


@pytest.mark.parametrize("who", ["viewer_a", "staff_b", "admin"])
def test_only_editors_of_the_branch_may_record_a_step(city, case, who):
    with pytest.raises(PermissionDenied):
        actions.record_step(getattr(city, who), org=city.branch_a, case=case, step="apply", done_on=START)
    assert not RecruitmentStep.objects.exists()


def test_a_step_is_refused_with_the_field_named(city, case):
    def step(**overrides):
        args = {"org": city.branch_a, "case": case, "step": "talk", "done_on": D(2024, 2, 1), **overrides}
        return lambda: actions.record_step(city.staff_a, **args)

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert "晚于今天" in errors_of(step(done_on=tomorrow))["done_on"][0]
    assert errors_of(step(done_on=D(2024, 1, 9)))["done_on"] == [
        "“2. 党组织派人谈话”的日期 2024-01-09 早于档案的开始日期 2024-01-10"
    ]
    assert errors_of(step(step="nope"))["step"] == ["环节“nope”无效"]
    assert "最多 200 字" in errors_of(step(note="字" * 201))["note"][0]
    assert errors_of(step(done_on=None, note="说明"))["done_on"]
    assert not RecruitmentStep.objects.exists()


def test_a_step_after_the_case_ended_is_refused(city, case):
    actions.update_case(city.staff_a, case, ended_on=D(2024, 3, 1), end_note="转出")
    problems = errors_of(
        lambda: actions.record_step(
            city.staff_a, org=city.branch_a, case=case, step="talk", done_on=D(2024, 3, 2)
        )
    )
    assert "晚于档案的终止日期 2024-03-01" in problems["done_on"][0]


def test_a_step_of_a_case_of_another_branch_is_refused(city, case):
    other = add_org(city.ent_a, "EA-B2")  # staff_a may edit both branches
    problems = errors_of(
        lambda: actions.record_step(city.staff_a, org=other, case=case, step="apply", done_on=START)
    )
    assert problems["case"] == ["“李明”的发展党员档案属于“企业A第一党支部”，不是“EA-B2组织”的"]
    assert not RecruitmentStep.objects.exists()


def test_a_case_of_another_enterprise_is_refused_before_anything_is_said_about_it(city, case):
    with pytest.raises(PermissionDenied):
        actions.record_step(city.staff_b, org=city.branch_b, case=case, step="apply", done_on=START)


def test_the_timeline_is_saved_all_or_nothing_with_errors_under_each_steps_field(city, case):
    entries = [
        StepEntry("apply", START),
        StepEntry("talk", timezone.localdate() + datetime.timedelta(days=1)),
        StepEntry("activist", None, "x" * 201),
    ]
    problems = errors_of(
        lambda: actions.record_steps(city.staff_a, org=city.branch_a, case=case, entries=entries)
    )
    assert set(problems) == {"done_on_talk", "note_activist"}
    assert not RecruitmentStep.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="recruitment.step").exists()

    entries = [StepEntry("apply", START), StepEntry("talk", D(2024, 2, 1)), StepEntry("activist", None)]
    actions.record_steps(city.staff_a, org=city.branch_a, case=case, entries=entries)
    assert steps_of(case) == {"apply": START, "talk": D(2024, 2, 1)}
    assert AuditEntry.objects.filter(action="recruitment.step.record").count() == 2
    assert problems_of_duplicates(city, case) == {"step_apply"}


def problems_of_duplicates(city, case) -> set[str]:
    entries = [StepEntry("apply", START), StepEntry("apply", START)]
    return set(
        errors_of(lambda: actions.record_steps(city.staff_a, org=city.branch_a, case=case, entries=entries))
    )
