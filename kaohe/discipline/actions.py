"""Writes to discipline cases. Each is one transaction with its audit row; nothing is ever deleted.

The audit log is read by audit admins, who may not see who was disciplined: its entries carry the
case number, the department and the person's public id, never the name. Free text (the summary, the
reason for a withdrawal) may well contain names, so the log notes that it was written or changed,
not what it says; the text itself stays on the case, behind the discipline access check.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import changed, record
from kaohe.discipline.models import CaseStatus, DisciplineCase
from kaohe.orgs.models import OrgUnit, Person
from kaohe.orgs.text import text_problem

EDITABLE_FIELDS = ("case_number", "department", "person", "org", "outcome", "decided_on", "summary")
FREE_TEXT_MARK = "***"


def audit_values(case: DisciplineCase) -> dict:
    """The case as the audit log may show it: no name, no free text."""
    return {
        "case_number": case.case_number,
        "department": case.department,
        "person": str(case.person.public_id),
        "org": case.org.code,
        "outcome": case.outcome,
        "decided_on": case.decided_on,
        "summary": FREE_TEXT_MARK if case.summary else "",
        "status": case.status,
    }


def _require(actor, org: OrgUnit) -> None:
    if actor is not None and not has_cap(actor, Cap.MANAGE_DISCIPLINE, org):
        raise PermissionDenied(_("无权管理此组织的违纪案件"))


def case_problems(
    *,
    case_number: str,
    department: str,
    person: Person,
    org: OrgUnit,
    decided_on: datetime.date | None,
    summary: str,
    today: datetime.date,
) -> dict[str, str]:
    """Field → why the values cannot be stored. Shared by the actions and the xlsx importer."""
    problems: dict[str, str] = {}
    for name, text in (("case_number", case_number), ("department", department), ("summary", summary)):
        if problem := text_problem(text):
            problems[name] = problem
    if not case_number:
        problems["case_number"] = _("请填写案件编号")
    if not department:
        problems["department"] = _("请填写处理部门")
    if decided_on is not None and decided_on > today:
        problems["decided_on"] = _("处理日期不能晚于今天")
    if not person.org.path.startswith(org.path):
        problems["org"] = _("当事人所在组织“%(person_org)s”不在计入组织“%(org)s”之下") % {
            "person_org": person.org.name,
            "org": org.name,
        }
    return problems


def duplicate_problem(existing: DisciplineCase) -> str:
    message = _("该当事人在“%(department)s”已有案件编号为“%(number)s”的记录") % {
        "department": existing.department,
        "number": existing.case_number,
    }
    if existing.status == CaseStatus.WITHDRAWN:
        message += _("（已撤销）")
    return message


def _validate(case: DisciplineCase) -> None:
    problems = case_problems(
        case_number=case.case_number,
        department=case.department,
        person=case.person,
        org=case.org,
        decided_on=case.decided_on,
        summary=case.summary,
        today=timezone.localdate(),
    )
    if "case_number" not in problems and "department" not in problems:
        existing = (
            DisciplineCase.objects.filter(
                case_number=case.case_number, department=case.department, person=case.person
            )
            .exclude(pk=case.pk)
            .first()
        )
        if existing is not None:
            problems["case_number"] = duplicate_problem(existing)
    if problems:
        raise ValidationError(problems)
    case.full_clean(exclude=["person", "org", "recorded_by", "withdrawn_by"])


@transaction.atomic
def record_case(
    actor,
    *,
    case_number: str,
    department: str,
    person: Person,
    outcome: str,
    decided_on: datetime.date,
    org: OrgUnit | None = None,
    summary: str = "",
) -> DisciplineCase:
    """Record one person's outcome in a case; `org` (the org the case counts against) defaults to
    the person's org and must contain them."""
    org = org or person.org
    _require(actor, org)
    case = DisciplineCase(
        case_number=case_number.strip(),
        department=department.strip(),
        person=person,
        org=org,
        outcome=outcome,
        decided_on=decided_on,
        summary=summary.strip(),
        recorded_by=actor if actor is not None and actor.pk else None,
    )
    _validate(case)
    case.save()
    record(actor, "discipline_case.create", case, target_repr=str(case), new=audit_values(case))
    return case


@transaction.atomic
def update_case(actor, case: DisciplineCase, **fields) -> DisciplineCase:
    case = DisciplineCase.objects.select_for_update().select_related("person__org", "org").get(pk=case.pk)
    _require(actor, case.org)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("不能修改此字段") for f in unknown})
    if case.status == CaseStatus.WITHDRAWN:
        raise ValidationError({"status": _("案件记录已撤销，不能再修改")})
    if "org" in fields and fields["org"] != case.org:
        _require(actor, fields["org"])
    old, old_summary = audit_values(case), case.summary
    for name in ("case_number", "department", "summary"):
        if isinstance(fields.get(name), str):
            fields[name] = fields[name].strip()
    for name, value in fields.items():
        setattr(case, name, value)
    _validate(case)
    case.save()
    before, after = changed(old, audit_values(case))
    if case.summary != old_summary and case.summary and old_summary:
        before["summary"], after["summary"] = FREE_TEXT_MARK, f"{FREE_TEXT_MARK} (changed)"
    if after:
        record(actor, "discipline_case.update", case, target_repr=str(case), old=before, new=after)
    return case


@transaction.atomic
def withdraw_case(actor, case: DisciplineCase, *, reason: str) -> DisciplineCase:
    """Mark a case withdrawn (e.g. the decision was revoked): it stays on record, with the reason,
    and no longer counts in any score."""
    case = DisciplineCase.objects.select_for_update().select_related("person", "org").get(pk=case.pk)
    _require(actor, case.org)
    reason = reason.strip()
    if case.status == CaseStatus.WITHDRAWN:
        raise ValidationError({"status": _("案件记录已撤销，不能再次撤销")})
    if not reason:
        raise ValidationError({"withdrawn_reason": _("请填写撤销原因")})
    if problem := text_problem(reason):
        raise ValidationError({"withdrawn_reason": problem})
    case.status = CaseStatus.WITHDRAWN
    case.withdrawn_reason = reason
    case.withdrawn_at = timezone.now()
    case.withdrawn_by = actor if actor is not None and actor.pk else None
    case.save(update_fields=["status", "withdrawn_reason", "withdrawn_at", "withdrawn_by", "updated_at"])
    record(
        actor,
        "discipline_case.withdraw",
        case,
        target_repr=str(case),
        old={"status": CaseStatus.ACTIVE.value},
        new={"status": CaseStatus.WITHDRAWN.value, "withdrawn_reason": FREE_TEXT_MARK},
    )
    return case
