"""Writes to the ledgers. Each is one transaction with its audit row; errors name the field.

The checks shared with the xlsx import (importing.py) are the `*_problems` functions: they return
field → message, so a form shows them under the field and the import under the column.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import changed, record, record_many, snapshot
from kaohe.ledgers.models import (
    DECISION_STEPS,
    DUES_STATUSES,
    MEETING_ORG_KINDS,
    Decision,
    DecisionCategory,
    DuesRecord,
    Meeting,
    MeetingKind,
)
from kaohe.ledgers.periods import month_end, month_start
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
