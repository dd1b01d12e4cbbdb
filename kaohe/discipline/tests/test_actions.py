"""Recording, updating and withdrawing cases: permission, validation, and name-free audit rows."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kaohe.audit.models import AuditEntry
from kaohe.discipline import actions
from kaohe.discipline.models import FIRST_FORM, CaseStatus, DisciplineCase, Outcome, is_first_form
from kaohe.engine.text_form import default_scheme

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 6, 1)


def _record(actor, person, **overrides):
    fields = {
        "case_number": "JC-2025-11",
        "department": "市纪委监委",
        "person": person,
        "outcome": Outcome.ADMONISHMENT,
        "decided_on": DAY,
        "summary": f"{person.name} 违反工作纪律",
    }
    return actions.record_case(actor, **{**fields, **overrides})


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def _assert_name_free(entry: AuditEntry, name: str) -> None:
    text = json.dumps(
        [entry.target_repr, entry.target_id, entry.old, entry.new], ensure_ascii=False, default=str
    )
    assert name not in text


def test_the_outcomes_are_the_default_schemes_options_in_order():
    kind = default_scheme().fact_kinds()["discipline_cases"]
    assert [str(o.label) for o in Outcome] == list(kind.options)
    assert [DisciplineCase(outcome=o).engine_outcome for o in Outcome] == list(kind.options)


def test_first_form_is_the_three_lightest_measures():
    assert {Outcome.TALK_REMINDER, Outcome.CRITICISM, Outcome.ADMONISHMENT} == FIRST_FORM
    assert is_first_form(Outcome.ADMONISHMENT) and not is_first_form(Outcome.WARNING)
    assert DisciplineCase(outcome=Outcome.CRITICISM).is_first_form


def test_it_records_a_case_against_the_persons_org_by_default(city, disc_a):
    case = _record(disc_a, city.person_a)
    assert case.org == city.branch_a and case.status == CaseStatus.ACTIVE and case.recorded_by == disc_a
    [entry] = _entries("discipline_case.create")
    assert entry.actor == disc_a and entry.target_id == str(case.public_id)
    new = entry.new or {}
    assert new["case_number"] == "JC-2025-11" and new["person"] == str(city.person_a.public_id)
    assert new["org"] == "EA-B1" and entry.org_path == city.branch_a.path
    _assert_name_free(entry, city.person_a.name)


def test_it_may_count_a_case_against_an_ancestor_of_the_persons_org(city, disc_a):
    assert _record(disc_a, city.person_a, org=city.ent_a).org == city.ent_a


def test_it_rejects_an_org_that_does_not_hold_the_person(city, disc_c):
    with pytest.raises(ValidationError) as exc:
        _record(disc_c, city.person_a, org=city.ent_b)
    assert "org" in exc.value.message_dict
    assert not DisciplineCase.objects.exists()


def test_it_rejects_a_future_date(city, disc_a):
    with pytest.raises(ValidationError) as exc:
        _record(disc_a, city.person_a, decided_on=timezone.localdate() + datetime.timedelta(days=1))
    assert "decided_on" in exc.value.message_dict


def test_it_rejects_the_same_case_twice_for_one_person_and_department(city, disc_a):
    _record(disc_a, city.person_a)
    with pytest.raises(ValidationError) as exc:
        _record(disc_a, city.person_a, outcome=Outcome.WARNING)
    assert "case_number" in exc.value.message_dict
    # Another department handling the same case is a separate record (counted separately).
    assert _record(disc_a, city.person_a, department="企业纪委").pk


def test_it_rejects_blank_and_traditional_text(city, disc_a):
    with pytest.raises(ValidationError) as exc:
        _record(disc_a, city.person_a, case_number=" ", department="市紀委")
    assert {"case_number", "department"} <= set(exc.value.message_dict)


def test_it_rejects_a_foreign_enterprise(city, disc_b):
    with pytest.raises(PermissionDenied):
        _record(disc_b, city.person_a)
    with pytest.raises(PermissionDenied):
        _record(city.staff_a, city.person_a)  # party staff have no MANAGE_DISCIPLINE
    assert not DisciplineCase.objects.exists()


def test_it_updates_a_case_with_an_audit_row_of_the_changes_only(city, disc_a, case_a):
    actions.update_case(disc_a, case_a, outcome=Outcome.SERIOUS_WARNING, summary="张a 另案")
    case_a.refresh_from_db()
    assert case_a.outcome == Outcome.SERIOUS_WARNING
    [entry] = _entries("discipline_case.update")
    assert entry.old == {"outcome": "warning", "summary": "***"}
    assert entry.new == {"outcome": "serious_warning", "summary": "*** (changed)"}
    _assert_name_free(entry, "张a")


def test_an_update_that_changes_nothing_writes_no_audit_row(city, disc_a, case_a):
    actions.update_case(disc_a, case_a, outcome=case_a.outcome)
    assert not _entries("discipline_case.update")


def test_an_update_may_not_move_a_case_out_of_the_users_scope(city, disc_a, case_a):
    with pytest.raises(PermissionDenied):
        actions.update_case(disc_a, case_a, org=city.root)
    with pytest.raises(PermissionDenied):
        actions.update_case(city.viewer_a, case_a, outcome=Outcome.WARNING)


def test_it_withdraws_a_case_with_a_reason_and_keeps_it(city, disc_a, case_a):
    with pytest.raises(ValidationError) as exc:
        actions.withdraw_case(disc_a, case_a, reason="  ")
    assert "withdrawn_reason" in exc.value.message_dict
    actions.withdraw_case(disc_a, case_a, reason="张a 申诉后处分撤销")
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.WITHDRAWN and case_a.withdrawn_by == disc_a
    assert case_a.withdrawn_reason == "张a 申诉后处分撤销" and case_a.withdrawn_at is not None
    [entry] = _entries("discipline_case.withdraw")
    assert entry.old == {"status": "active"} and entry.new == {
        "status": "withdrawn",
        "withdrawn_reason": "***",
    }
    _assert_name_free(entry, "张a")


def test_a_withdrawn_case_can_be_neither_changed_nor_withdrawn_again(city, disc_a, case_a):
    actions.withdraw_case(disc_a, case_a, reason="录入错误")
    with pytest.raises(ValidationError) as exc:
        actions.update_case(disc_a, case_a, outcome=Outcome.WARNING)
    assert "status" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.withdraw_case(disc_a, case_a, reason="再次")
    # Its number stays taken: a withdrawn record is not silently recreated.
    with pytest.raises(ValidationError) as dup:
        _record(disc_a, city.person_a, case_number=case_a.case_number, department=case_a.department)
    assert "已撤销" in dup.value.message_dict["case_number"][0]


def test_the_audit_log_never_names_the_person(city, disc_a):
    case = _record(disc_a, city.person_a)
    actions.update_case(disc_a, case, summary=f"{city.person_a.name} 新情况", org=city.ent_a)
    actions.withdraw_case(disc_a, case, reason=f"{city.person_a.name} 的处分已撤销")
    entries = list(AuditEntry.objects.filter(action__startswith="discipline_case."))
    assert len(entries) == 3
    for entry in entries:
        _assert_name_free(entry, city.person_a.name)
