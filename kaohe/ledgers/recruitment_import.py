"""Importing the 发展党员 workbook (recruitment_xlsx.py): all or nothing, through the actions.

Every row goes through the same actions as the web forms (create_case, update_case, record_steps),
inside one transaction that is rolled back when any row of either sheet has a problem, so a step's
date is checked exactly as the timeline form checks it. The order and time-limit rules are not
refused here any more than there: recruitment.check shows the breaches on the case and the facts
count them. Importing an exported file again changes nothing (no write, no audit row).
"""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.jobs import imports
from kaohe.jobs.imports import Counts, ImportOutcome
from kaohe.ledgers import actions
from kaohe.ledgers import recruitment_xlsx as rx
from kaohe.ledgers.actions import StepEntry
from kaohe.ledgers.models import RecruitmentCase, RecruitmentStep
from kaohe.ledgers.recruitment import STEP_BY_CODE, STEPS
from kaohe.ledgers.xlsx import SheetError
from kaohe.orgs.models import OrgUnit
from kaohe.orgs.queries import orgs_for_user
from kaohe.orgs.xlsx import column_of


@dataclass
class ImportResult(ImportOutcome):
    cases: Counts = field(default_factory=Counts)


def import_recruitment(actor, upload) -> ImportResult:
    """Create or update the cases and their steps in the uploaded workbook, all or nothing."""
    if not has_cap(actor, Cap.EDIT_LEDGERS):
        raise PermissionDenied(_("无权维护台账"))
    book, errors = rx.read_book(upload)
    if book is None:
        return ImportResult(errors=rx.sort_errors(errors))

    def write() -> ImportResult:
        counts = _Import(actor, book, errors).run()
        if errors:
            raise imports.Rejected(errors)
        _record_summary(actor, book, counts)
        return ImportResult(cases=counts)

    return imports.all_or_nothing(write, lambda errors: ImportResult(errors=rx.sort_errors(errors)))


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {NON_FIELD_ERRORS: exc.messages}


class _Import:
    def __init__(self, actor, book: rx.Book, errors: list[SheetError]):
        self.actor, self.book, self.errors = actor, book, errors
        self.case_columns = rx.case_columns()
        codes = {r.org_code for r in book.cases if r.org_code} | {
            r.org_code for r in book.notes or [] if r.org_code
        }
        self.orgs = {o.code: o for o in orgs_for_user(actor, Cap.EDIT_LEDGERS).filter(code__in=codes)}
        self.existing: dict[rx.Key, RecruitmentCase] = {}
        stored = RecruitmentCase.objects.filter(org__in=self.orgs.values()).select_related("org", "person")
        for case in stored.order_by("pk"):
            self.existing.setdefault((case.org.code, case.candidate_name, case.started_on), case)
        self.steps: dict[int, dict[str, RecruitmentStep]] = {}
        for step in RecruitmentStep.objects.filter(case__in=list(self.existing.values())).order_by():
            self.steps.setdefault(step.case_id, {})[step.step] = step

    # -- errors

    def case_error(self, row: rx.CaseRow, name: str, message: str) -> None:
        column = column_of(self.case_columns, name) if name else ""
        self.errors.append(SheetError(rx.CASE_SHEET, row.row, column, message))

    def note_error(self, row: rx.NoteRow, name: str, message: str) -> None:
        column = column_of(rx.NOTE_COLUMNS, name) if name else ""
        self.errors.append(SheetError(rx.NOTE_SHEET, row.row, column, message))

    def _out_of_scope(self, code: str) -> str:
        return _("党支部编码“%(code)s”不存在或不在您的管理范围内") % {"code": code}

    # -- the run

    def run(self) -> Counts:
        notes = self._notes()
        counts = Counts()
        seen: dict[rx.Key, int] = {}
        for row in self.book.cases:
            key = row.key
            if key is None:
                continue
            if key in seen:
                self.case_error(
                    row,
                    "candidate_name",
                    _("与第 %(row)s 行是同一份档案（党支部、姓名、开始日期相同）") % {"row": seen[key]},
                )
                continue
            seen[key] = row.row
            row_notes = notes.pop(key, {})  # a note of a row in error is not a case's of its own
            org = self.orgs.get(row.org_code)
            if org is None:
                self.case_error(row, "org", self._out_of_scope(row.org_code))
            if org is None or row.bad:
                continue  # the cell errors are reported already; the row is not written
            outcome = self._apply(row, org, row_notes)
            if outcome is not None:
                counts.add(outcome)
        for rows in notes.values():
            for note in rows.values():
                self._lone_note(note)
        return counts

    def _notes(self) -> dict[rx.Key, dict[str, rx.NoteRow]]:
        """Key → step → its row in 环节备注, each row checked on its own."""
        found: dict[rx.Key, dict[str, rx.NoteRow]] = {}
        for row in self.book.notes or []:
            key = row.key
            if key is None or "step" in row.bad:
                continue
            if row.org_code not in self.orgs:
                self.note_error(row, "org", self._out_of_scope(row.org_code))
                continue
            earlier = found.setdefault(key, {}).get(row.step)
            if earlier is not None:
                self.note_error(row, "step", _("与第 %(row)s 行是同一档案的同一环节") % {"row": earlier.row})
                continue
            found[key][row.step] = row
        return found

    def _lone_note(self, note: rx.NoteRow) -> None:
        """A note for a case that is not in the 发展党员 sheet: the stored case takes it."""
        key = note.key
        assert key is not None
        case = self.existing.get(key)
        if case is None:
            self.note_error(
                note,
                "candidate_name",
                _("找不到该档案：“发展党员”工作表和系统中都没有%(name)s（开始日期 %(day)s）的档案")
                % {"name": key[1], "day": key[2].isoformat()},
            )
            return
        stored = self.steps.get(case.pk, {}).get(note.step)
        entry = StepEntry(note.step, stored.done_on if stored else None, note.note)
        if stored is None or stored.note != note.note:
            self._record_steps(case, [entry], None, {note.step: note})

    def _apply(self, row: rx.CaseRow, org: OrgUnit, notes: dict[str, rx.NoteRow]) -> str | None:
        assert row.started_on is not None
        case = self.existing.get((row.org_code, row.candidate_name, row.started_on))
        outcome = "unchanged"
        fields = self._case_changes(row, case)
        try:
            if case is None:
                case = actions.create_case(
                    self.actor, org=org, candidate_name=row.candidate_name, started_on=row.started_on
                )
                outcome = "created"
            if fields:
                case = actions.update_case(self.actor, case, **fields)
                outcome = "created" if outcome == "created" else "updated"
        except ValidationError as exc:
            self._case_errors(row, exc)
            return None
        entries = self._entries(row, case, notes)
        if entries and not self._record_steps(case, entries, row, notes):
            return None
        return "updated" if entries and outcome == "unchanged" else outcome

    def _case_changes(self, row: rx.CaseRow, case: RecruitmentCase | None) -> dict:
        wanted = {name: getattr(row, name) for name in ("ended_on", "end_note") if name in self.book.fields}
        if case is None:
            return {k: v for k, v in wanted.items() if v}
        return {k: v for k, v in wanted.items() if getattr(case, k) != v}

    def _entries(
        self, row: rx.CaseRow, case: RecruitmentCase, notes: dict[str, rx.NoteRow]
    ) -> list[StepEntry]:
        """The steps whose date or note the file changes."""
        stored = self.steps.get(case.pk, {})
        entries = []
        for step in STEPS:
            code = step.code
            old = stored.get(code)
            day = row.steps.get(code, old.done_on if old else None)
            note_row = notes.get(code)
            note = note_row.note if note_row is not None else (old.note if old and day else "")
            if old is None and day is None and not note:
                continue
            if old is not None and (old.done_on, old.note) == (day, note):
                continue
            entries.append(StepEntry(code, day, note))
        return entries

    def _record_steps(
        self,
        case: RecruitmentCase,
        entries: list[StepEntry],
        row: rx.CaseRow | None,
        notes: dict[str, rx.NoteRow],
    ) -> bool:
        try:
            actions.record_steps(self.actor, org=case.org, case=case, entries=entries)
        except ValidationError as exc:
            for name, messages in _messages(exc).items():
                kind, code = _step_field(name)
                for message in messages:
                    self._step_error(row, notes, kind, code, message)
            return False
        return True

    def _step_error(
        self, row: rx.CaseRow | None, notes: dict[str, rx.NoteRow], kind: str, code: str, message: str
    ) -> None:
        note_row = notes.get(code)
        if kind == "note" and note_row is not None:
            self.note_error(note_row, "note", message)
        elif row is not None and code in STEP_BY_CODE and code in row.steps:
            self.case_error(row, code, message)
        elif note_row is not None:
            self.note_error(note_row, "step", message)
        elif row is not None:
            self.case_error(row, "org" if kind == "case" else "", message)

    def _case_errors(self, row: rx.CaseRow, exc: ValidationError) -> None:
        for name, messages in _messages(exc).items():
            column = name if name in {c.field for c in rx.CASE_FIELDS} else ""
            for message in messages:
                self.case_error(row, column, message)


def _step_field(name: str) -> tuple[str, str]:
    """ "done_on_talk" → ("done_on", "talk"): the names actions.step_field gives; ("case", "")."""
    for kind in ("done_on", "note", "step"):
        if name.startswith(f"{kind}_"):
            return kind, name.removeprefix(f"{kind}_")
    return "case", ""


def _record_summary(actor, book: rx.Book, counts: Counts) -> None:
    imports.record_import_summary(
        actor,
        "recruitment.import",
        cap=Cap.EDIT_LEDGERS,
        target_type="ledgers.recruitment_import",
        file_name=book.file_name,
        counts={"cases": vars(counts)},
    )


# ---- as a background job (kaohe.jobs) ------------------------------------------------------------


def job_result(result: ImportResult) -> tuple[bool, dict]:
    return result.ok, {"cases": vars(result.cases), **imports.job_errors(result.errors)}


def run_recruitment_import(actor, job) -> tuple[bool, dict]:
    with imports.job_upload(job) as upload:
        return job_result(import_recruitment(actor, upload))
