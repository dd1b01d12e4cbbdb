"""Writes to a unit's self-assessment: save scores (a draft), submit with the declaration, return
it to the unit. Each is one transaction with its audit row."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import record
from kaohe.cycles.models import Cycle, CycleState, CycleUnit
from kaohe.cycles.models.evidence import scored_items
from kaohe.cycles.models.self_assessment import (
    SelfAssessment,
    SelfScore,
    SelfStatus,
    needs_explanation,
    score_problem,
    totals,
)
from kaohe.engine.points import format_thousandths

MAX_EXPLANATION = 2000


@dataclass(frozen=True)
class ScoreInput:
    """One item as the unit fills it in: a score in thousandths (None: not scored yet) and why."""

    score: int | None
    explanation: str = ""


def _locked(unit: CycleUnit) -> SelfAssessment:
    """The unit's self-assessment row, created on first use, locked for this transaction: two
    people saving or submitting at once take turns, and the second sees what the first did."""
    found = SelfAssessment.objects.select_for_update().filter(unit=unit).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            SelfAssessment.objects.create(unit=unit)
    except IntegrityError:  # someone else created it just now
        pass
    return SelfAssessment.objects.select_for_update().get(unit=unit)


def _cycle(unit: CycleUnit) -> Cycle:
    return Cycle.objects.select_related("owner", "scheme").get(pk=unit.cycle_id)


def _check_open(cycle: Cycle, sa: SelfAssessment, *, submitting: bool = False) -> None:
    """Scores change only in the self-assessment phase, before the due date unless returned."""
    if cycle.state != CycleState.SELF_ASSESSMENT:
        raise ValidationError(
            _("考核周期当前处于“%(state)s”阶段，不能填报自评") % {"state": cycle.get_state_display()}
        )
    if sa.status == SelfStatus.SUBMITTED:
        when = timezone.localtime(sa.submitted_at).strftime("%Y-%m-%d %H:%M") if sa.submitted_at else ""
        if submitting:
            raise ValidationError(_("本单位自评已提交（%(at)s），不能重复提交") % {"at": when})
        raise ValidationError(_("本单位自评已提交（%(at)s），不能再修改") % {"at": when})
    due = cycle.self_assessment_due
    if due and timezone.localdate() > due and sa.status != SelfStatus.RETURNED:
        raise ValidationError(_("自评已于 %(due)s 截止") % {"due": due.isoformat()})


def _require_fill(actor, unit: CycleUnit) -> None:
    if actor is not None and not has_cap(actor, Cap.FILL_UNIT, unit.org):
        raise PermissionDenied(_("无权填报该单位的自评"))


@transaction.atomic
def save_self_scores(actor, unit: CycleUnit, entries: Mapping[str, ScoreInput]) -> SelfAssessment:
    """Save a batch of items (node code → input) as the draft; all of them or none."""
    _require_fill(actor, unit)
    sa = _locked(unit)
    cycle = _cycle(unit)
    _check_open(cycle, sa)
    items = {item.code: item for item in scored_items(cycle.scheme.scheme)}
    errors: dict[str, list[str]] = {}
    for code, entry in entries.items():
        item = items.get(code)
        if item is None:
            errors.setdefault("scores", []).append(_("评分细则中没有评分项“%(code)s”") % {"code": code})
            continue
        problem = score_problem(item, entry.score) if entry.score is not None else None
        if problem:
            errors.setdefault(code, []).append(problem)
        if len(entry.explanation.strip()) > MAX_EXPLANATION:
            errors.setdefault(code, []).append(
                _("“%(item)s”说明最多 %(n)d 字") % {"item": item.title, "n": MAX_EXPLANATION}
            )
    if errors:
        raise ValidationError(errors)

    existing = {s.node_code: s for s in SelfScore.objects.filter(unit=unit, node_code__in=list(entries))}
    old: dict[str, str] = {}
    new: dict[str, str] = {}
    for code, entry in entries.items():
        row = existing.get(code)
        explanation = entry.explanation.strip()
        before = _shown(row.score, row.explanation) if row else ""
        after = _shown(entry.score, explanation) if entry.score is not None else ""
        if before == after:
            continue
        old[code], new[code] = before, after
        if entry.score is None:
            if row is not None:
                row.delete()  # a cleared cell is an unscored item again; the audit row keeps it
        elif row is None:
            SelfScore.objects.create(
                unit=unit, node_code=code, score=entry.score, explanation=explanation, updated_by=actor
            )
        else:
            row.score, row.explanation, row.updated_by = entry.score, explanation, actor
            row.save(update_fields=["score", "explanation", "updated_by", "updated_at"])
    if new:
        record(actor, "self.save", sa, old=old, new=new, org_path=unit.org.path, target_repr=str(unit))
    return sa


def _shown(score: int | None, explanation: str) -> str:
    text = format_thousandths(score) if score is not None else ""
    return f"{text}｜{explanation}" if explanation else text


@transaction.atomic
def submit_self_assessment(actor, unit: CycleUnit, *, declaration: bool) -> SelfAssessment:
    """Every item scored, explained where below full points, the declaration accepted: then the
    self-assessment is locked. A second submission (a double click) is told it is 已提交."""
    _require_fill(actor, unit)
    sa = _locked(unit)
    cycle = _cycle(unit)
    _check_open(cycle, sa, submitting=True)
    scores = {s.node_code: s for s in SelfScore.objects.filter(unit=unit)}
    errors: dict[str, list[str]] = {}
    for item in scored_items(cycle.scheme.scheme):
        row = scores.get(item.code)
        if row is None:
            errors.setdefault(item.code, []).append(_("“%(item)s”尚未自评") % {"item": item.title})
        elif needs_explanation(item, row.score) and not row.explanation.strip():
            errors.setdefault(item.code, []).append(
                _("“%(item)s”自评分低于满分，请填写说明") % {"item": item.title}
            )
    if not declaration:
        errors["declaration"] = [_("请勾选承诺：本单位对自评分数及佐证材料的真实性、完整性负责")]
    if errors:
        raise ValidationError(errors)
    total = totals(cycle.scheme.scheme, {c: s.score for c, s in scores.items()})
    old_status = sa.status
    sa.status, sa.declaration_accepted = SelfStatus.SUBMITTED, True
    sa.submitted_at, sa.submitted_by = timezone.now(), actor
    sa.save(update_fields=["status", "declaration_accepted", "submitted_at", "submitted_by"])
    record(
        actor,
        "self.submit",
        sa,
        old={"status": old_status},
        new={"status": sa.status, "total": format_thousandths(total.total), "items": len(scores)},
        org_path=unit.org.path,
        target_repr=str(unit),
    )
    return sa


@transaction.atomic
def return_self_assessment(actor, unit: CycleUnit, reason: str) -> SelfAssessment:
    """The organiser sends a submitted self-assessment back to the unit, saying why."""
    cycle = _cycle(unit)
    if actor is not None and not has_cap(actor, Cap.MANAGE_CYCLES, cycle.owner):
        raise PermissionDenied(_("无权退回该单位的自评"))
    sa = _locked(unit)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因")})
    if sa.status != SelfStatus.SUBMITTED:
        raise ValidationError(_("本单位自评尚未提交，无需退回"))
    if cycle.state != CycleState.SELF_ASSESSMENT:
        raise ValidationError(
            _("考核周期当前处于“%(state)s”阶段，不能退回自评") % {"state": cycle.get_state_display()}
        )
    sa.status, sa.declaration_accepted = SelfStatus.RETURNED, False
    sa.returned_reason, sa.returned_by, sa.returned_at = reason, actor, timezone.now()
    sa.save(update_fields=["status", "declaration_accepted", "returned_reason", "returned_by", "returned_at"])
    record(
        actor,
        "self.return",
        sa,
        old={"status": SelfStatus.SUBMITTED.value},
        new={"status": sa.status, "reason": reason},
        org_path=unit.org.path,
        target_repr=str(unit),
    )
    return sa
