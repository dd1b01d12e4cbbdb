"""Importing the ledger workbook: check the whole file, then write it in one transaction.

Nothing is written unless every row of both sheets is valid; every error names the sheet, the row
as Excel shows it and the column. Rows are upserts, so importing the same file twice changes
nothing: a meeting is the same one when its org, kind, date and title are; dues are one record per
member and month (the member found by 身份证号).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import changed, record_many, snapshot
from kaohe.jobs import imports
from kaohe.jobs.imports import Counts, ImportOutcome
from kaohe.ledgers import xlsx
from kaohe.ledgers.actions import DUES_FIELDS, MEETING_FIELDS, acting_user, dues_problems, meeting_problems
from kaohe.ledgers.models import DuesRecord, Meeting
from kaohe.ledgers.xlsx import DUES_COLUMNS, DUES_SHEET, MEETING_COLUMNS, MEETING_SHEET, SheetError
from kaohe.orgs.crypto import digest
from kaohe.orgs.models import OrgUnit, Person
from kaohe.orgs.queries import orgs_for_user
from kaohe.orgs.xlsx import Column, column_of


@dataclass
class ImportResult(ImportOutcome):
    meetings: Counts | None = None  # None: the file had no 会议 sheet
    dues: Counts | None = None


def _error(sheet: str, columns: tuple[Column, ...], row: int, name: str, message: str) -> SheetError:
    return SheetError(sheet, row, column_of(columns, name) if name else "", message)


def import_ledgers(actor, upload) -> ImportResult:
    """Create or update the meetings and dues in the uploaded workbook, all or nothing."""
    if not has_cap(actor, Cap.EDIT_LEDGERS):
        raise PermissionDenied(_("无权维护台账"))
    book, errors = xlsx.read_book(upload)
    if book is None:
        return ImportResult(errors=xlsx.sort_errors(errors))
    return imports.all_or_nothing(
        lambda: _import(actor, book, errors), lambda errors: ImportResult(errors=xlsx.sort_errors(errors))
    )


def _import(actor, book: xlsx.Book, errors: list[SheetError]) -> ImportResult:
    meetings = _MeetingPlan(actor, book.meetings or [], errors) if book.meetings is not None else None
    dues = _DuesPlan(actor, book.dues or [], errors) if book.dues is not None else None
    if errors:
        raise imports.Rejected(errors)
    result = ImportResult()
    try:
        if meetings is not None:
            result.meetings = meetings.write(actor, book.meeting_fields)
        if dues is not None:
            result.dues = dues.write(actor)
    except IntegrityError as exc:
        # Rows were checked against the database above; only a concurrent change gets here.
        raise imports.Rejected(
            [SheetError("", None, "", _("保存时与其他人的修改冲突，未导入任何数据；请重新上传"))]
        ) from exc
    _record_summary(actor, book, result)
    return result


# ---- meetings ------------------------------------------------------------------------------------

_MEETING_KEY_FIELDS = ("org", "kind", "held_on", "title")
_MEETING_VALUE_FIELDS = ("expected", "present", "agenda", "minutes")


class _MeetingPlan:
    def __init__(self, actor, rows: list[xlsx.MeetingRow], errors: list[SheetError]):
        self.rows, self.errors = rows, errors
        self.orgs: dict[str, OrgUnit] = {}
        for chunk in imports.chunks(r.org_code for r in rows if r.org_code):
            self.orgs.update(
                (o.code, o) for o in orgs_for_user(actor, Cap.EDIT_LEDGERS).filter(code__in=chunk)
            )
        self.existing: dict[tuple, Meeting] = {}
        self._load_existing()
        self.seen: dict[tuple, int] = {}
        for row in rows:
            self._check(row)

    def error(self, row: xlsx.MeetingRow, name: str, message: str) -> None:
        self.errors.append(_error(MEETING_SHEET, MEETING_COLUMNS, row.row, name, message))

    def key(self, row: xlsx.MeetingRow) -> tuple:
        return (self.orgs[row.org_code].pk, row.kind, row.held_on, row.title)

    def _load_existing(self) -> None:
        days = [r.held_on for r in self.rows if r.held_on]
        if not days:
            return
        for chunk in imports.chunks(o.pk for o in self.orgs.values()):
            stored = Meeting.objects.filter(org_id__in=chunk, held_on__gte=min(days), held_on__lte=max(days))
            for meeting in stored.order_by("pk"):
                key = (meeting.org_id, meeting.kind, meeting.held_on, meeting.title)
                self.existing.setdefault(key, meeting)

    def _check(self, row: xlsx.MeetingRow) -> None:
        org = self.orgs.get(row.org_code)
        if org is None:
            if row.org_code and "org" not in row.bad:
                self.error(
                    row, "org", _("组织编码“%(code)s”不存在或不在您的管理范围内") % {"code": row.org_code}
                )
            return
        if "kind" in row.bad or not row.kind:
            return
        for name, message in meeting_problems(org, row.kind, row.held_on, row.expected, row.present).items():
            if name not in row.bad:
                self.error(row, name, message)
                row.bad.add(name)
        if row.bad & set(_MEETING_KEY_FIELDS) or not row.title:
            return
        key = self.key(row)
        if key in self.seen:
            self.error(
                row,
                "title",
                _("与第 %(row)s 行是同一会议（组织、类型、日期、主题相同）") % {"row": self.seen[key]},
            )
        else:
            self.seen[key] = row.row

    def write(self, actor, fields: frozenset[str]) -> Counts:
        counts = Counts()
        new: list[Meeting] = []
        updated: list[Meeting] = []
        changes = []
        user = acting_user(actor)
        for row in self.rows:
            stored = self.existing.get(self.key(row))
            if stored is None:
                assert row.held_on is not None and row.expected is not None and row.present is not None
                new.append(
                    Meeting(
                        org=self.orgs[row.org_code],
                        kind=row.kind,
                        held_on=row.held_on,
                        title=row.title,
                        expected=row.expected,
                        present=row.present,
                        agenda=row.agenda,
                        minutes=row.minutes,
                        recorded_by=user,
                    )
                )
                continue
            before = snapshot(stored, MEETING_FIELDS)
            for name in _MEETING_VALUE_FIELDS:
                if name in fields:  # an absent optional column leaves the stored text alone
                    setattr(stored, name, getattr(row, name))
            old, after = changed(before, snapshot(stored, MEETING_FIELDS))
            if after:
                updated.append(stored)
                changes.append((stored, old, after))
            else:
                counts.unchanged += 1
        Meeting.objects.bulk_create(new, batch_size=imports.CHUNK)
        if updated:
            Meeting.objects.bulk_update(updated, list(_MEETING_VALUE_FIELDS), batch_size=imports.CHUNK)
        record_many(actor, "meeting.create", [(m, None, snapshot(m, MEETING_FIELDS)) for m in new])
        record_many(actor, "meeting.update", changes)
        counts.created, counts.updated = len(new), len(updated)
        return counts


# ---- dues ------------------------------------------------------------------------------------------

_DUES_COLUMN_OF = {
    "person": "id_number",
    "month": "month",
    "due": "due",
    "paid": "paid",
    "paid_on": "paid_on",
}


class _DuesPlan:
    def __init__(self, actor, rows: list[xlsx.DuesRow], errors: list[SheetError]):
        self.rows, self.errors = rows, errors
        self.person_of: dict[int, Person] = {}  # row → person
        by_digest = {digest(r.id_number): r for r in rows if r.id_number}
        found: dict[str, Person] = {}
        for chunk in imports.chunks(by_digest):
            for candidate in Person.objects.filter(id_number_digest__in=chunk).select_related("org"):
                if has_cap(actor, Cap.EDIT_LEDGERS, candidate.org):
                    found[candidate.id_number_digest] = candidate
        seen: dict[tuple[int, datetime.date], int] = {}
        for row in rows:
            if not row.id_number:
                continue
            person = found.get(digest(row.id_number))
            if person is None:
                # The same words whether the number is unknown or belongs to someone out of scope.
                self.error(row, "id_number", _("找不到该身份证号的人员，或该人员不在您的管理范围内"))
                continue
            self.person_of[row.row] = person
            self._check(row, person, seen)
        self.existing: dict[tuple[int, datetime.date], DuesRecord] = {}
        months = {r.month for r in rows if r.month}
        for ids in imports.chunks(p.pk for p in self.person_of.values()):
            for stored in DuesRecord.objects.filter(person_id__in=ids, month__in=months):
                self.existing[(stored.person_id, stored.month)] = stored

    def error(self, row: xlsx.DuesRow, name: str, message: str) -> None:
        self.errors.append(_error(DUES_SHEET, DUES_COLUMNS, row.row, name, message))

    def _check(self, row: xlsx.DuesRow, person: Person, seen: dict) -> None:
        if row.name and "name" not in row.bad and row.name != person.name:
            self.error(
                row,
                "name",
                _("姓名“%(name)s”与身份证号对应的人员“%(person)s”不一致")
                % {"name": row.name, "person": person.name},
            )
        if row.month is None:
            return
        for name, message in dues_problems(person, row.month, row.due, row.paid, row.paid_on).items():
            column = _DUES_COLUMN_OF[name]
            if column not in row.bad:
                self.error(row, column, message)
        key = (person.pk, row.month)
        if key in seen:
            self.error(row, "month", _("与第 %(row)s 行是同一人同一月份") % {"row": seen[key]})
        else:
            seen[key] = row.row

    def write(self, actor) -> Counts:
        counts = Counts()
        user = acting_user(actor)
        new: list[DuesRecord] = []
        updated: list[DuesRecord] = []
        changes = []
        for row in self.rows:
            person = self.person_of[row.row]
            assert row.month is not None
            stored = self.existing.get((person.pk, row.month))
            values = {"due": row.due, "paid": row.paid, "paid_on": row.paid_on}
            if stored is None:
                new.append(DuesRecord(person=person, month=row.month, recorded_by=user, **values))
                continue
            before = snapshot(stored, DUES_FIELDS)
            for name, value in values.items():
                setattr(stored, name, value)
            old, after = changed(before, snapshot(stored, DUES_FIELDS))
            if after:
                stored.recorded_by = user
                updated.append(stored)
                changes.append((stored, old, after))
            else:
                counts.unchanged += 1
        DuesRecord.objects.bulk_create(new, batch_size=imports.CHUNK)
        if updated:
            DuesRecord.objects.bulk_update(
                updated, ["due", "paid", "paid_on", "recorded_by"], batch_size=imports.CHUNK
            )
        entries: list[tuple[DuesRecord, dict | None, dict]] = [
            (r, None, snapshot(r, DUES_FIELDS)) for r in new
        ]
        record_many(actor, "dues.record", [*entries, *changes])
        counts.created, counts.updated = len(new), len(updated)
        return counts


def _counts(result: ImportResult) -> dict:
    return {
        "meetings": vars(result.meetings) if result.meetings else None,
        "dues": vars(result.dues) if result.dues else None,
    }


def _record_summary(actor, book: xlsx.Book, result: ImportResult) -> None:
    imports.record_import_summary(
        actor,
        "ledger.import",
        cap=Cap.EDIT_LEDGERS,
        target_type="ledgers.import",
        file_name=book.file_name,
        counts=_counts(result),
    )


# ---- as a background job (kaohe.jobs) ------------------------------------------------------------


def job_result(result: ImportResult) -> tuple[bool, dict]:
    return result.ok, {**_counts(result), **imports.job_errors(result.errors)}


def run_ledger_import(actor, job) -> tuple[bool, dict]:
    with imports.job_upload(job) as upload:
        return job_result(import_ledgers(actor, upload))
