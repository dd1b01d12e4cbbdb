"""Appeals: a unit files one per item while the review window is open; the organiser decides it
with a recorded reason and, when it stands, corrects the fact and scores the cycle again - all in
one transaction, so the decision and the new results appear together or not at all."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import record
from kaohe.cycles.actions import recompute, set_fact
from kaohe.cycles.models import Appeal, AppealStatus, Cycle, CycleState, CycleUnit, UnitResult
from kaohe.engine.points import format_thousandths
from kaohe.files.actions import store_upload
from kaohe.files.models import FileKind

ATTACHMENT_KINDS = frozenset({FileKind.PDF, FileKind.IMAGE, FileKind.WORD, FileKind.EXCEL, FileKind.OFD})


def _scored_item(cycle: Cycle, code: str):
    for place in cycle.scheme.scheme.walk():
        if place.node.code == code and not place.node.children and place.category != "veto":
            return place.node
    raise ValidationError({"node": _("评分细则中没有评分项“%(code)s”") % {"code": code}})


@transaction.atomic
def file_appeal(actor, cycle: Cycle, unit: CycleUnit, node: str, reason: str, attachment=None) -> Appeal:
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if actor is not None and not has_cap(actor, Cap.FILL_UNIT, unit.org):
        raise PermissionDenied(_("只有被考核单位可以提出申诉"))
    if cycle.state != CycleState.REVIEW:
        raise ValidationError(_("只能在结果反馈与申诉阶段提出申诉"))
    if cycle.review_due and timezone.localdate() > cycle.review_due:
        raise ValidationError(_("申诉已于 %(day)s 截止") % {"day": cycle.review_due.isoformat()})
    item = _scored_item(cycle, node)
    if not reason.strip():
        raise ValidationError({"reason": _("请写明申诉理由")})
    result = UnitResult.objects.filter(run_id=cycle.current_run_id, unit=unit).first()
    if result is None:
        raise ValidationError(_("本单位还没有考核结果"))
    stored = store_upload(actor, attachment, accept=ATTACHMENT_KINDS) if attachment else None
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                unit=unit,
                node=item.code,
                reason=reason.strip(),
                attachment=stored,
                score_before=result.scores.get(item.code, 0),
                filed_by=actor,
            )
    except IntegrityError:
        raise ValidationError({"node": _("“%(item)s”已有待复核的申诉") % {"item": item.title}}) from None
    record(
        actor, "appeal.file", cycle, new={"unit": unit.org.code, "node": item.code, "reason": appeal.reason}
    )
    return appeal


@transaction.atomic
def decide_appeal(
    actor, appeal: Appeal, *, upheld: bool, decision: str, fact: str = "", value: str = "", source: str = ""
) -> Appeal:
    """Decide an appeal. When it stands, `fact`/`value` correct the fact the item reads (or the
    records behind a derived fact were corrected beforehand) and the cycle is scored again."""
    appeal = Appeal.objects.select_for_update().select_related("unit__cycle", "unit__org").get(pk=appeal.pk)
    cycle = appeal.unit.cycle
    if actor is not None and not has_cap(actor, Cap.MANAGE_CYCLES, cycle.owner):
        raise PermissionDenied(_("无权复核申诉"))
    if appeal.status != AppealStatus.FILED:
        decided = f"{timezone.localtime(appeal.decided_at):%Y-%m-%d %H:%M}" if appeal.decided_at else ""
        raise ValidationError(_("该申诉已于 %(at)s 复核") % {"at": decided})
    if cycle.state != CycleState.REVIEW:
        raise ValidationError(_("只能在结果反馈与申诉阶段复核申诉"))
    if not decision.strip():
        raise ValidationError({"decision": _("请写明复核意见")})
    if upheld:
        if fact:
            set_fact(actor, cycle, appeal.unit, fact, value, source or _("申诉复核"))
        run = recompute(actor, cycle)
        after = UnitResult.objects.get(run=run, unit=appeal.unit)
        appeal.score_after, appeal.run_after = after.scores.get(appeal.node, 0), run.number
        if appeal.score_after == appeal.score_before:
            # An upheld appeal must change the score; raising undoes the correction and the run.
            raise ValidationError(
                {
                    "upheld": _(
                        "重新计分后该项得分仍为 %(score)s 分，申诉成立须改变得分："
                        "请先更正相应事实（或台账记录），或由考核组先重新评分，再提交“申诉成立”；"
                        "否则请选择“维持原评分”"
                    )
                    % {"score": format_thousandths(appeal.score_before)}
                }
            )
    else:
        appeal.score_after = appeal.score_before
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.decision, appeal.decided_by, appeal.decided_at = decision.strip(), actor, timezone.now()
    appeal.save()
    record(
        actor,
        "appeal.decide",
        cycle,
        old={"status": AppealStatus.FILED, "score": appeal.score_before},
        new={
            "unit": appeal.unit.org.code,
            "node": appeal.node,
            "status": appeal.status,
            "score": appeal.score_after,
            "decision": appeal.decision,
        },
    )
    return appeal
