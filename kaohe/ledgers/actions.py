"""Writes to the ledgers. Each is one transaction with its audit row; errors name the field.

The checks shared with the xlsx import (importing.py) are the `*_problems` functions: they return
field → message, so a form shows them under the field and the import under the column.
"""

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import changed, record, record_many, snapshot
from kaohe.files.actions import store_upload
from kaohe.files.models import FileKind
from kaohe.ledgers.models import (
    DECISION_STEPS,
    DUES_STATUSES,
    MEETING_ORG_KINDS,
    Decision,
    DecisionCategory,
    DuesRecord,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    RecruitmentCase,
    RecruitmentStep,
)
from kaohe.ledgers.periods import month_end, month_start
from kaohe.ledgers.recruitment import STEP_BY_CODE, step_label
from kaohe.orgs.models import OrgKind, OrgUnit, Person
from kaohe.orgs.text import text_problem

MEETING_FIELDS = ["org", "kind", "held_on", "title", "agenda", "minutes", "expected", "present"]
DUES_FIELDS = ["person", "month", "due", "paid", "paid_on"]
DECISION_FIELDS = [
    "org",
    "title",
    "category",
    "decided_on",
    *(name for name, _option in DECISION_STEPS),
    "notes",
]
MAX_AMOUNT = Decimal("99999999.99")  # what the columns hold (10 digits, 2 decimals)


def _require(actor, org: OrgUnit) -> None:
    if actor is not None and not has_cap(actor, Cap.EDIT_LEDGERS, org):
        raise PermissionDenied(_("无权维护该组织的台账"))


def acting_user(actor):
    """The user to store as `recorded_by`: none for a command-line or system actor."""
    return actor if actor is not None and actor.pk else None


def _raise(problems: dict[str, str]) -> None:
    if problems:
        raise ValidationError(problems)


def open_on_problem(org: OrgUnit, day: datetime.date, what: str) -> str | None:
    """Why nothing can be recorded at `org` on `day` (not yet founded, or closed), or None."""
    if day < org.active_from:
        return _("“%(org)s”于 %(day)s 成立，不能记录成立之前的%(what)s") % {
            "org": org.name,
            "day": org.active_from.isoformat(),
            "what": what,
        }
    if org.active_to is not None and day >= org.active_to:
        return _("“%(org)s”已于 %(day)s 撤销，不能记录撤销之后的%(what)s") % {
            "org": org.name,
            "day": org.active_to.isoformat(),
            "what": what,
        }
    return None


def _text_problems(values: dict[str, str]) -> dict[str, str]:
    return {name: p for name, value in values.items() if value and (p := text_problem(value))}


# ---- meetings -----------------------------------------------------------------------------------


def meeting_problems(
    org: OrgUnit, kind: str, held_on: datetime.date | None, expected: int | None, present: int | None
) -> dict[str, str]:
    """Field → what is wrong with a meeting's values (the text fields are checked separately)."""
    problems: dict[str, str] = {}
    if kind not in MeetingKind.values:
        problems["kind"] = _("会议类型“%(kind)s”无效") % {"kind": kind}
    elif org.kind not in MEETING_ORG_KINDS[kind]:
        allowed = "、".join(str(OrgKind(k).label) for k in OrgKind.values if k in MEETING_ORG_KINDS[kind])
        problems["kind"] = _("%(kind)s只能记在%(allowed)s下，“%(org)s”是%(org_kind)s") % {
            "kind": MeetingKind(kind).label,
            "allowed": allowed,
            "org": org.name,
            "org_kind": OrgKind(org.kind).label,
        }
    if held_on is not None:
        if held_on > timezone.localdate():
            problems["held_on"] = _("会议日期 %(day)s 晚于今天：只能记录已经召开的会议") % {
                "day": held_on.isoformat()
            }
        elif problem := open_on_problem(org, held_on, _("会议")):
            problems["held_on"] = problem
    if expected is not None and expected < 1:
        problems["expected"] = _("应到人数至少为 1")
    if expected is not None and present is not None and present > expected:
        problems["present"] = _("实到人数（%(present)s）不能多于应到人数（%(expected)s）") % {
            "present": present,
            "expected": expected,
        }
    return problems


def _attendee_problems(org: OrgUnit, attendees: Sequence[Person], present: int) -> dict[str, str]:
    outside = [p.name for p in attendees if not p.org.path.startswith(org.path)]
    if outside:
        return {
            "attendees": _("不是“%(org)s”的人员：%(names)s") % {"org": org.name, "names": "、".join(outside)}
        }
    if len(attendees) > present:
        return {
            "attendees": _("勾选的出席人员（%(n)s 人）多于实到人数（%(present)s）")
            % {"n": len(attendees), "present": present}
        }
    return {}


def _check_meeting(meeting: Meeting, attendees: Sequence[Person] | None) -> None:
    problems = meeting_problems(meeting.org, meeting.kind, meeting.held_on, meeting.expected, meeting.present)
    if not meeting.title.strip():
        problems["title"] = _("请填写会议主题")
    problems |= _text_problems({"title": meeting.title, "agenda": meeting.agenda, "minutes": meeting.minutes})
    if attendees is not None:
        problems |= _attendee_problems(meeting.org, attendees, meeting.present)
    _raise(problems)
    meeting.full_clean(exclude=["recorded_by"])


def _meeting_snapshot(meeting: Meeting) -> dict:
    return snapshot(meeting, MEETING_FIELDS)


@transaction.atomic
def record_meeting(
    actor,
    *,
    org: OrgUnit,
    kind: str,
    held_on: datetime.date,
    title: str,
    expected: int,
    present: int,
    agenda: str = "",
    minutes: str = "",
    attendees: Sequence[Person] | None = None,
) -> Meeting:
    _require(actor, org)
    meeting = Meeting(
        org=org,
        kind=kind,
        held_on=held_on,
        title=title.strip(),
        expected=expected,
        present=present,
        agenda=agenda.strip(),
        minutes=minutes.strip(),
        recorded_by=acting_user(actor),
    )
    _check_meeting(meeting, attendees)
    meeting.save()
    if attendees:
        meeting.attendees.set(attendees)
    new = _meeting_snapshot(meeting) | ({"attendees": len(attendees)} if attendees else {})
    record(actor, "meeting.create", meeting, new=new)
    return meeting


_MEETING_EDITABLE = {"kind", "held_on", "title", "agenda", "minutes", "expected", "present"}


@transaction.atomic
def update_meeting(
    actor, meeting: Meeting, *, attendees: Sequence[Person] | None = None, **fields
) -> Meeting:
    """Change a meeting; `recorded_at` stays when it was first entered (late uploads stay late)."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require(actor, meeting.org)
    unknown = set(fields) - _MEETING_EDITABLE
    if unknown:
        raise ValidationError({f: _("不能修改此字段") for f in unknown})
    old = _meeting_snapshot(meeting)
    old_attendees = set(meeting.attendees.values_list("pk", flat=True))
    for name, value in fields.items():
        setattr(meeting, name, value.strip() if isinstance(value, str) else value)
    _check_meeting(meeting, attendees)
    meeting.save()
    before, after = changed(old, _meeting_snapshot(meeting))
    if attendees is not None and {p.pk for p in attendees} != old_attendees:
        meeting.attendees.set(attendees)
        before["attendees"], after["attendees"] = len(old_attendees), len(attendees)
    if after:
        record(actor, "meeting.update", meeting, old=before, new=after)
    return meeting


@transaction.atomic
def delete_meeting(actor, meeting: Meeting) -> None:
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require(actor, meeting.org)
    old = _meeting_snapshot(meeting)
    record(actor, "meeting.delete", meeting, old=old)
    meeting.attendees.clear()
    meeting.delete()


# ---- dues ---------------------------------------------------------------------------------------


def amount_problem(value: Decimal) -> str | None:
    if value < 0:
        return _("金额不能为负数")
    if value != value.quantize(Decimal("0.01")):
        return _("金额最多保留两位小数（分）")
    if value > MAX_AMOUNT:
        return _("金额过大")
    return None


def member_month_problem(person: Person, month: datetime.date) -> str | None:
    """Why `person` owes no dues for `month`, or None (the rule of tallies.dues_by_org_month)."""
    label = f"{month:%Y-%m}"
    if person.status not in DUES_STATUSES:
        return _("%(name)s是%(status)s，不缴纳党费") % {
            "name": person.name,
            "status": person.get_status_display(),
        }
    if person.join_date is not None and person.join_date > month_end(month):
        return _("%(name)s于 %(day)s 入党，%(month)s 还不是党员") % {
            "name": person.name,
            "day": person.join_date.isoformat(),
            "month": label,
        }
    if person.left_on is not None and person.left_on < month:
        return _("%(name)s已于 %(day)s 离开，%(month)s 无需缴纳") % {
            "name": person.name,
            "day": person.left_on.isoformat(),
            "month": label,
        }
    return None


def dues_problems(
    person: Person,
    month: datetime.date,
    due: Decimal | None,
    paid: Decimal | None,
    paid_on: datetime.date | None,
) -> dict[str, str]:
    problems: dict[str, str] = {}
    today = timezone.localdate()
    if month != month_start(month):
        problems["month"] = _("月份须记为当月 1 日")
    elif month > today:
        problems["month"] = _("%(month)s 尚未到来，不能登记党费") % {"month": f"{month:%Y-%m}"}
    elif problem := member_month_problem(person, month):
        problems["person"] = problem
    for name, value in (("due", due), ("paid", paid)):
        if value is not None and (problem := amount_problem(value)):
            problems[name] = problem
    if paid_on is not None:
        if paid_on > today:
            problems["paid_on"] = _("缴纳日期不能晚于今天")
        elif paid is not None and not paid:
            problems["paid_on"] = _("实缴金额为 0 时不应填写缴纳日期")
    return problems


@dataclass(frozen=True)
class DuesEntry:
    person: Person
    due: Decimal
    paid: Decimal
    paid_on: datetime.date | None = None


def _upsert_dues(actor, entry: DuesEntry, month: datetime.date, stored: DuesRecord | None):
    """(record, old, new) for the audit log, or None when nothing changed."""
    values = {"due": entry.due, "paid": entry.paid, "paid_on": entry.paid_on}
    if stored is None:
        created = DuesRecord(person=entry.person, month=month, recorded_by=acting_user(actor), **values)
        created.save()
        return created, None, snapshot(created, DUES_FIELDS)
    old = snapshot(stored, DUES_FIELDS)
    for name, value in values.items():
        setattr(stored, name, value)
    before, after = changed(old, snapshot(stored, DUES_FIELDS))
    if not after:
        return None
    stored.recorded_by = acting_user(actor)
    stored.save()
    return stored, before, after


@transaction.atomic
def record_dues(
    actor,
    *,
    person: Person,
    month: datetime.date,
    due: Decimal,
    paid: Decimal,
    paid_on: datetime.date | None = None,
) -> DuesRecord:
    """Record (or correct) one member's dues for one month."""
    _require(actor, person.org)
    _raise(dues_problems(person, month, due, paid, paid_on))
    stored = DuesRecord.objects.select_for_update().filter(person=person, month=month).first()
    outcome = _upsert_dues(actor, DuesEntry(person, due, paid, paid_on), month, stored)
    if outcome is None:
        assert stored is not None
        return stored
    record(actor, "dues.record", outcome[0], old=outcome[1], new=outcome[2])
    return outcome[0]


def entry_field(name: str, person: Person) -> str:
    """The field an error about one member's row is reported under (the month form's field names)."""
    return f"{name}_{person.public_id}"


@transaction.atomic
def record_month_dues(
    actor, *, org: OrgUnit, month: datetime.date, entries: Iterable[DuesEntry]
) -> list[DuesRecord]:
    """Record a whole month for a branch at once: all rows or none. Errors name the member's row."""
    _require(actor, org)
    entries = list(entries)
    problems: dict[str, str] = {}
    seen: set[int] = set()
    for entry in entries:
        person = entry.person
        if person.pk in seen:
            problems[entry_field("person", person)] = _("%(name)s重复出现") % {"name": person.name}
        seen.add(person.pk)
        if not person.org.path.startswith(org.path):
            problems[entry_field("person", person)] = _("%(name)s不是“%(org)s”的党员") % {
                "name": person.name,
                "org": org.name,
            }
            continue
        for name, message in dues_problems(person, month, entry.due, entry.paid, entry.paid_on).items():
            if name == "month":
                problems["month"] = message
            else:
                problems[entry_field(name, person)] = _("%(name)s：%(message)s") % {
                    "name": person.name,
                    "message": message,
                }
    _raise(problems)
    stored = {
        r.person_id: r
        for r in DuesRecord.objects.select_for_update().filter(
            month=month, person__in=[e.person for e in entries]
        )
    }
    changes = []
    for entry in entries:
        outcome = _upsert_dues(actor, entry, month, stored.get(entry.person.pk))
        if outcome is not None:
            changes.append(outcome)
    if changes:
        record_many(actor, "dues.record", changes)
    return [c[0] for c in changes]


# ---- 三重一大 decisions -------------------------------------------------------------------------


def decision_problems(org: OrgUnit, category: str, decided_on: datetime.date | None) -> dict[str, str]:
    problems: dict[str, str] = {}
    if category not in DecisionCategory.values:
        problems["category"] = _("类别“%(category)s”无效") % {"category": category}
    if decided_on is not None:
        if decided_on > timezone.localdate():
            problems["decided_on"] = _("决策日期不能晚于今天")
        elif problem := open_on_problem(org, decided_on, _("决策事项")):
            problems["decided_on"] = problem
    return problems


def _check_decision(decision: Decision) -> None:
    problems = decision_problems(decision.org, decision.category, decision.decided_on)
    if not decision.title.strip():
        problems["title"] = _("请填写事项名称")
    problems |= _text_problems({"title": decision.title, "notes": decision.notes})
    _raise(problems)
    decision.full_clean(exclude=["recorded_by"])


@transaction.atomic
def record_decision(
    actor,
    *,
    org: OrgUnit,
    title: str,
    category: str,
    decided_on: datetime.date,
    pre_studied: bool = False,
    collective: bool = False,
    minuted: bool = False,
    followed_up: bool = False,
    notes: str = "",
) -> Decision:
    _require(actor, org)
    decision = Decision(
        org=org,
        title=title.strip(),
        category=category,
        decided_on=decided_on,
        pre_studied=pre_studied,
        collective=collective,
        minuted=minuted,
        followed_up=followed_up,
        notes=notes.strip(),
        recorded_by=acting_user(actor),
    )
    _check_decision(decision)
    decision.save()
    record(actor, "decision.create", decision, new=snapshot(decision, DECISION_FIELDS))
    return decision


_DECISION_EDITABLE = set(DECISION_FIELDS) - {"org"}


@transaction.atomic
def update_decision(actor, decision: Decision, **fields) -> Decision:
    decision = Decision.objects.select_for_update().select_related("org").get(pk=decision.pk)
    _require(actor, decision.org)
    unknown = set(fields) - _DECISION_EDITABLE
    if unknown:
        raise ValidationError({f: _("不能修改此字段") for f in unknown})
    old = snapshot(decision, DECISION_FIELDS)
    for name, value in fields.items():
        setattr(decision, name, value.strip() if isinstance(value, str) else value)
    _check_decision(decision)
    decision.save()
    before, after = changed(old, snapshot(decision, DECISION_FIELDS))
    if after:
        record(actor, "decision.update", decision, old=before, new=after)
    return decision


@transaction.atomic
def delete_decision(actor, decision: Decision) -> None:
    decision = Decision.objects.select_for_update().select_related("org").get(pk=decision.pk)
    _require(actor, decision.org)
    record(actor, "decision.delete", decision, old=snapshot(decision, DECISION_FIELDS))
    decision.delete()


# ---- 发展党员 (recruitment) ---------------------------------------------------------------------

CASE_FIELDS = ["org", "candidate_name", "person", "started_on", "ended_on", "end_note"]
_CASE_EDITABLE = set(CASE_FIELDS) - {"org"}
MAX_NOTE = 200


def _case_problems(case: RecruitmentCase) -> dict[str, str]:
    org, today = case.org, timezone.localdate()
    problems: dict[str, str] = {}
    if org.kind != OrgKind.BRANCH:
        problems["org"] = _("发展党员档案建在党支部下，“%(org)s”是%(kind)s") % {
            "org": org.name,
            "kind": OrgKind(org.kind).label,
        }
    if not case.candidate_name.strip():
        problems["candidate_name"] = _("请填写姓名")
    problems |= _text_problems({"candidate_name": case.candidate_name, "end_note": case.end_note})
    if case.person is not None and not case.person.org.path.startswith(org.path):
        problems["person"] = _("%(name)s不是“%(org)s”的人员") % {"name": case.person.name, "org": org.name}
    if case.started_on > today:
        problems["started_on"] = _("开始日期 %(day)s 晚于今天") % {"day": case.started_on.isoformat()}
    elif problem := open_on_problem(org, case.started_on, _("发展党员工作")):
        problems["started_on"] = problem
    if case.ended_on is not None:
        if case.ended_on > today:
            problems["ended_on"] = _("终止日期 %(day)s 晚于今天") % {"day": case.ended_on.isoformat()}
        elif case.ended_on < case.started_on:
            problems["ended_on"] = _("终止日期不能早于开始日期（%(day)s）") % {
                "day": case.started_on.isoformat()
            }
    elif case.end_note.strip():
        problems["ended_on"] = _("填写了终止原因，请同时填写终止日期")
    return problems


def _steps_outside(case: RecruitmentCase) -> dict[str, str]:
    """Recorded steps that a changed start or end date would leave outside the case."""
    if case.pk is None:
        return {}
    problems: dict[str, str] = {}
    first = case.steps.order_by("done_on", "pk").first()
    if first is not None and first.done_on < case.started_on:
        problems["started_on"] = _("“%(step)s”记为 %(day)s，开始日期不能晚于它") % {
            "step": step_label(first.step),
            "day": first.done_on.isoformat(),
        }
    last = case.steps.order_by("-done_on", "-pk").first()
    if case.ended_on is not None and last is not None and last.done_on > case.ended_on:
        problems["ended_on"] = _("“%(step)s”记为 %(day)s，终止日期不能早于它") % {
            "step": step_label(last.step),
            "day": last.done_on.isoformat(),
        }
    return problems


def _check_case(case: RecruitmentCase) -> None:
    problems = _steps_outside(case) | _case_problems(case)
    _raise(problems)
    case.full_clean(exclude=["recorded_by"])


def _case_snapshot(case: RecruitmentCase) -> dict:
    return snapshot(case, CASE_FIELDS)


@transaction.atomic
def create_case(
    actor,
    *,
    org: OrgUnit,
    candidate_name: str,
    started_on: datetime.date,
    person: Person | None = None,
) -> RecruitmentCase:
    """Open a 发展党员 case at a branch (usually on the day the application was handed in)."""
    _require(actor, org)
    case = RecruitmentCase(
        org=org,
        candidate_name=candidate_name.strip() or (person.name if person else ""),
        person=person,
        started_on=started_on,
        recorded_by=acting_user(actor),
    )
    _check_case(case)
    case.save()
    record(actor, "recruitment.case.create", case, new=_case_snapshot(case))
    return case


@transaction.atomic
def update_case(actor, case: RecruitmentCase, **fields) -> RecruitmentCase:
    case = (
        RecruitmentCase.objects.select_for_update(of=("self",))
        .select_related("org", "person")
        .get(pk=case.pk)
    )
    _require(actor, case.org)
    unknown = set(fields) - _CASE_EDITABLE
    if unknown:
        raise ValidationError({f: _("不能修改此字段") for f in unknown})
    old = _case_snapshot(case)
    for name, value in fields.items():
        setattr(case, name, value.strip() if isinstance(value, str) else value)
    _check_case(case)
    case.save()
    before, after = changed(old, _case_snapshot(case))
    if after:
        record(actor, "recruitment.case.update", case, old=before, new=after)
    return case


@transaction.atomic
def delete_case(actor, case: RecruitmentCase) -> None:
    """Delete a case opened by mistake, with its steps (the audit row keeps what they were)."""
    case = (
        RecruitmentCase.objects.select_for_update(of=("self",))
        .select_related("org", "person")
        .get(pk=case.pk)
    )
    _require(actor, case.org)
    steps = {s.step: s.done_on for s in case.steps.all()}
    record(actor, "recruitment.case.delete", case, old=_case_snapshot(case) | {"steps": steps})
    case.delete()


@dataclass(frozen=True)
class StepEntry:
    step: str
    done_on: datetime.date | None  # None: the step's date is cleared
    note: str = ""


def step_field(name: str, step: str) -> str:
    """The field an error about one step of the timeline form is reported under."""
    return f"{name}_{step}"


def _entry_problems(case: RecruitmentCase, entry: StepEntry) -> dict[str, str]:
    """Field ("step", "done_on", "note") → what is wrong with one step's entry."""
    if entry.step not in STEP_BY_CODE:
        return {"step": _("环节“%(step)s”无效") % {"step": entry.step}}
    problems: dict[str, str] = {}
    day, label = entry.done_on, step_label(entry.step)
    if day is not None:
        if day > timezone.localdate():
            problems["done_on"] = _("“%(step)s”的日期 %(day)s 晚于今天：只能记录已经完成的环节") % {
                "step": label,
                "day": day.isoformat(),
            }
        elif day < case.started_on:
            problems["done_on"] = _("“%(step)s”的日期 %(day)s 早于档案的开始日期 %(start)s") % {
                "step": label,
                "day": day.isoformat(),
                "start": case.started_on.isoformat(),
            }
        elif case.ended_on is not None and day > case.ended_on:
            problems["done_on"] = _("“%(step)s”的日期 %(day)s 晚于档案的终止日期 %(end)s") % {
                "step": label,
                "day": day.isoformat(),
                "end": case.ended_on.isoformat(),
            }
    note = entry.note.strip()
    if len(note) > MAX_NOTE:
        problems["note"] = _("“%(step)s”的备注最多 %(n)s 字") % {"step": label, "n": MAX_NOTE}
    elif note and (problem := text_problem(note)):
        problems["note"] = problem
    elif note and day is None:
        problems["done_on"] = _("“%(step)s”填写了备注，请同时填写完成日期") % {"step": label}
    return problems


def _step_snapshot(step: RecruitmentStep) -> dict:
    return {"step": step.step, "done_on": step.done_on, "note": step.note}


def _write_steps(
    actor,
    org: OrgUnit,
    case: RecruitmentCase,
    entries: Sequence[StepEntry],
    field: Callable[[str, str], str],
) -> None:
    """Validate every entry (errors under `field(name, step)`), then write them and the audit rows."""
    case = RecruitmentCase.objects.select_for_update().select_related("org").get(pk=case.pk)
    _require(actor, case.org)
    if case.org_id != org.pk:
        raise ValidationError(
            {
                "case": _("“%(name)s”的发展党员档案属于“%(owner)s”，不是“%(org)s”的")
                % {"name": case.candidate_name, "owner": case.org.name, "org": org.name}
            }
        )
    problems: dict[str, str] = {}
    seen: set[str] = set()
    for entry in entries:
        if entry.step in seen:
            problems[field("step", entry.step)] = _("环节“%(step)s”重复出现") % {"step": entry.step}
        seen.add(entry.step)
        for name, message in _entry_problems(case, entry).items():
            problems[field(name, entry.step)] = message
    _raise(problems)
    stored = {s.step: s for s in RecruitmentStep.objects.select_for_update().filter(case=case)}
    recorded, cleared = [], []
    for entry in entries:
        row, note = stored.get(entry.step), entry.note.strip()
        if entry.done_on is None:
            if row is not None:
                cleared.append((case, _step_snapshot(row), None))
                row.delete()
            continue
        if row is None:
            row = RecruitmentStep(case=case, step=entry.step, done_on=entry.done_on, note=note)
            old = None
        else:
            old = _step_snapshot(row)
            row.done_on, row.note = entry.done_on, note
            if _step_snapshot(row) == old:
                continue
        row.recorded_by = acting_user(actor)
        row.save()
        recorded.append((case, old, _step_snapshot(row)))
    if recorded:
        record_many(actor, "recruitment.step.record", recorded)
    if cleared:
        record_many(actor, "recruitment.step.clear", cleared)


@transaction.atomic
def record_steps(actor, *, org: OrgUnit, case: RecruitmentCase, entries: Iterable[StepEntry]) -> None:
    """Record, correct or clear the dates of several steps of a case at once (the timeline form):
    all or none. `org` is the branch the entries are made for; the case must be its own. Errors
    name the step's field (`done_on_talk`, `note_talk`)."""
    _write_steps(actor, org, case, list(entries), step_field)


@transaction.atomic
def record_step(
    actor, *, org: OrgUnit, case: RecruitmentCase, step: str, done_on: datetime.date | None, note: str = ""
) -> None:
    """Record, correct or (done_on None) clear one step. Errors name `step`, `done_on` or `note`."""
    _write_steps(actor, org, case, [StepEntry(step, done_on, note)], lambda name, _step: name)


# ---- meeting attachments ------------------------------------------------------------------------

ATTACHMENT_KINDS = frozenset({FileKind.PDF, FileKind.IMAGE, FileKind.WORD, FileKind.EXCEL, FileKind.OFD})
MAX_ATTACHMENTS = 30  # per meeting: a scan, photos and a sign-in sheet fit; a photo album does not


@transaction.atomic
def attach_to_meeting(actor, meeting: Meeting, upload) -> MeetingAttachment:
    """Keep a file with a meeting. The bytes are checked by kaohe.files (a file whose name lies
    about its content is refused); errors are reported under "file"."""
    meeting = Meeting.objects.select_for_update().select_related("org").get(pk=meeting.pk)
    _require(actor, meeting.org)
    if MeetingAttachment.objects.filter(meeting=meeting, withdrawn=False).count() >= MAX_ATTACHMENTS:
        raise ValidationError({"file": _("每次会议最多保存 %(n)s 个附件") % {"n": MAX_ATTACHMENTS}})
    stored = store_upload(actor, upload, accept=ATTACHMENT_KINDS)
    attachment = MeetingAttachment.objects.create(
        meeting=meeting, file=stored, uploaded_by=acting_user(actor)
    )
    record(
        actor,
        "meeting.attachment.upload",
        attachment,
        new={
            "meeting": str(meeting.public_id),
            "name": stored.original_name,
            "kind": stored.kind,
            "size": stored.size,
            "sha256": stored.sha256,
        },
        org_path=meeting.org.path,
    )
    return attachment


@transaction.atomic
def withdraw_attachment(actor, attachment: MeetingAttachment) -> MeetingAttachment:
    """Take a file off the meeting; the stored file stays (the audit log points to it)."""
    attachment = (
        MeetingAttachment.objects.select_for_update(of=("self",))
        .select_related("meeting__org")
        .get(pk=attachment.pk)
    )
    meeting = attachment.meeting
    _require(actor, meeting.org)
    if attachment.withdrawn:
        raise ValidationError(_("“%(name)s”已撤回") % {"name": attachment.file.original_name})
    attachment.withdrawn, attachment.withdrawn_by, attachment.withdrawn_at = (
        True,
        acting_user(actor),
        timezone.now(),
    )
    attachment.save(update_fields=["withdrawn", "withdrawn_by", "withdrawn_at"])
    record(
        actor,
        "meeting.attachment.withdraw",
        attachment,
        old={"withdrawn": False},
        new={
            "meeting": str(meeting.public_id),
            "name": attachment.file.original_name,
            "sha256": attachment.file.sha256,
            "withdrawn": True,
        },
        org_path=meeting.org.path,
    )
    return attachment
