"""Importing the case sheet: validate the whole file, then write it in one transaction.

Nothing is written unless every row is valid; the errors each name the sheet, the Excel row and
the column. A row is the same record as a stored case with the same 案件编号, 处理部门 and person
(by ID number): that case is updated, any other row creates one. Rows go through record_case /
update_case, so each gets the same checks and the same name-free audit entry as a form edit, plus
one "discipline_case.import" summary entry.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.discipline import actions
from kaohe.discipline.models import CaseStatus, DisciplineCase
from kaohe.discipline.queries import discipline_orgs, discipline_people
from kaohe.discipline.xlsx import CASE_COLUMNS, CASE_SHEET, CaseRow, header_of, read_cases
from kaohe.jobs import imports
from kaohe.orgs.crypto import digest
from kaohe.orgs.models import OrgUnit, Person
from kaohe.orgs.xlsx import RowError, Sheet, sort_errors

ImportResult = imports.SheetImportResult


def _error(row: CaseRow, name: str, message: str) -> RowError:
    return RowError(row.row, header_of(name), message)


def _action_errors(row: CaseRow, exc: Exception) -> list[RowError]:
    headers = {c.field: c.header for c in CASE_COLUMNS}
    headers["person"] = header_of("id_number")
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [
            RowError(row.row, headers.get(name, ""), message)
            for name, errors in exc.message_dict.items()
            for message in errors
        ]
    messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    return [RowError(row.row, "", m) for m in messages]


def import_cases(actor, upload) -> ImportResult:
    """Create or update the cases in the uploaded sheet, all or nothing, within the actor's scope."""
    if not has_cap(actor, Cap.MANAGE_DISCIPLINE):
        raise PermissionDenied(_("无权管理违纪案件"))
    sheet, errors = read_cases(upload)
    if sheet is None:
        return ImportResult(errors=errors)
    return imports.all_or_nothing(
        lambda: _import(actor, sheet, errors),
        lambda errors: ImportResult(errors=sort_errors(errors, CASE_COLUMNS)),
    )


class _Plan:
    """The file's rows matched against the database: people, orgs and stored cases."""

    def __init__(self, actor, sheet: Sheet[CaseRow], errors: list[RowError]):
        self.actor, self.sheet, self.errors = actor, sheet, errors
        self.people: dict[str, Person] = {}  # ID number digest → person in scope
        self.orgs: dict[str, OrgUnit] = {}
        self.stored: dict[tuple[str, str, int], DisciplineCase] = {}
        self._load()

    def _load(self) -> None:
        rows = self.sheet.rows
        people = discipline_people(self.actor).select_related("org")
        for chunk in imports.chunks(digest(r.id_number) for r in rows if r.id_number):
            self.people.update((p.id_number_digest, p) for p in people.filter(id_number_digest__in=chunk))
        for chunk in imports.chunks(r.org_code for r in rows if r.org_code):
            self.orgs.update((o.code, o) for o in discipline_orgs(self.actor).filter(code__in=chunk))
        # All stored records of these case numbers, in scope or not: a row must not create a
        # second record of a case the actor cannot see.
        cases = DisciplineCase.objects.select_related("org", "person__org")
        for chunk in imports.chunks(r.case_number for r in rows if r.case_number):
            for case in cases.filter(case_number__in=chunk):
                self.stored[(case.case_number, case.department, case.person_id)] = case

    def person_of(self, row: CaseRow) -> Person | None:
        return self.people.get(digest(row.id_number)) if row.id_number else None

    def check(self, row: CaseRow) -> None:
        person = self.person_of(row)
        if row.id_number and person is None:
            # One message whether the number is unknown or the person out of scope: nobody learns
            # from a trial upload who is registered in another enterprise.
            self.errors.append(
                _error(row, "id_number", _("身份证号找不到对应人员，或该人员不在您的管理范围内"))
            )
            return
        if person is None:
            return
        if "name" in self.sheet.fields and row.name and row.name != person.name:
            self.errors.append(
                _error(
                    row,
                    "name",
                    _("姓名“%(given)s”与身份证号对应人员的姓名“%(name)s”不一致")
                    % {"given": row.name, "name": person.name},
                )
            )
        stored = self.stored.get((row.case_number, row.department, person.pk))
        if stored is not None:
            if not has_cap(self.actor, Cap.MANAGE_DISCIPLINE, stored.org):
                self.errors.append(_error(row, "case_number", _("与已有的案件记录冲突，请联系上级纪检部门")))
                return
            if stored.status == CaseStatus.WITHDRAWN:
                self.errors.append(_error(row, "case_number", _("该案件记录已撤销，不能通过导入修改")))
                return
        org = self.org_of(row, person, stored)
        if org is None:
            self.errors.append(
                _error(row, "org", _("组织编码“%(code)s”不存在或不在您的管理范围内") % {"code": row.org_code})
            )
            return
        problems = actions.case_problems(
            case_number=row.case_number,
            department=row.department,
            person=person,
            org=org,
            decided_on=row.decided_on,
            summary=row.summary,
            today=timezone.localdate(),
        )
        # Text and dates were checked cell by cell when read; what is left is the org.
        if message := problems.get("org"):
            self.errors.append(_error(row, "org", message))

    def org_of(self, row: CaseRow, person: Person, stored: DisciplineCase | None) -> OrgUnit | None:
        if row.org_code:
            return self.orgs.get(row.org_code)
        return stored.org if stored is not None else person.org


def _import(actor, sheet: Sheet[CaseRow], errors: list[RowError]) -> ImportResult:
    plan = _Plan(actor, sheet, errors)
    for row in sheet.rows:
        if not row.bad & {"case_number", "department", "id_number"}:
            plan.check(row)
    if errors:
        raise imports.Rejected(errors)
    result = ImportResult()
    for row in sheet.rows:
        try:
            outcome = _write(actor, plan, row)
        except (ValidationError, PermissionDenied) as exc:
            # The checks above should make this unreachable; a concurrent change can still get here.
            raise imports.Rejected(_action_errors(row, exc)) from exc
        result.add(outcome)
    _record_import(actor, sheet, result)
    return result


def _write(actor, plan: _Plan, row: CaseRow) -> str:
    person = plan.person_of(row)
    assert person is not None and row.decided_on is not None  # checked above
    stored = plan.stored.get((row.case_number, row.department, person.pk))
    org = plan.org_of(row, person, stored)
    assert org is not None  # checked above
    if stored is None:
        actions.record_case(
            actor,
            case_number=row.case_number,
            department=row.department,
            person=person,
            org=org,
            outcome=row.outcome,
            decided_on=row.decided_on,
            summary=row.summary,
        )
        return "created"
    wanted: dict[str, object] = {"org": org, "outcome": row.outcome, "decided_on": row.decided_on}
    if "summary" in plan.sheet.fields:
        wanted["summary"] = row.summary
    changes = {name: value for name, value in wanted.items() if getattr(stored, name) != value}
    if not changes:
        return "unchanged"
    actions.update_case(actor, stored, **changes)
    return "updated"


def _record_import(actor, sheet: Sheet[CaseRow], result: ImportResult) -> None:
    imports.record_import_summary(
        actor,
        "discipline_case.import",
        cap=Cap.MANAGE_DISCIPLINE,
        target_type="discipline.import",
        file_name=sheet.file_name,
        counts={"rows": len(sheet.rows), **result.as_dict()},
    )


# ---- as a background job (kaohe.jobs) ------------------------------------------------------------


def job_result(result: ImportResult) -> tuple[bool, dict]:
    return result.ok, {
        "sheet": CASE_SHEET,
        **result.as_dict(),
        **imports.job_errors(result.errors, CASE_SHEET),
    }


def run_case_import(actor, job) -> tuple[bool, dict]:
    with imports.job_upload(job) as upload:
        return job_result(import_cases(actor, upload))
