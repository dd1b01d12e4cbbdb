"""Writes to evidence: a unit uploads or withdraws a file for a scoring item; an assessor gives a
verdict on a file. Each is one transaction with its audit row."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import record
from kaohe.cycles.models import Cycle, CycleState, CycleUnit
from kaohe.cycles.models.evidence import EvidenceFile, EvidenceVerdict, Item, Verdict, scored_items
from kaohe.files.actions import store_upload
from kaohe.files.models import FileKind

EVIDENCE_KINDS = frozenset({FileKind.PDF, FileKind.IMAGE, FileKind.WORD, FileKind.EXCEL, FileKind.OFD})


def window_text(cycle: Cycle) -> str:
    """The upload window as people read it: 2026-03-01 至 2026-11-30."""
    opens, closes = cycle.evidence_opens, cycle.evidence_closes
    if opens and closes:
        return _("%(opens)s 至 %(closes)s") % {"opens": opens.isoformat(), "closes": closes.isoformat()}
    if opens:
        return _("%(opens)s 起") % {"opens": opens.isoformat()}
    if closes:
        return _("截至 %(closes)s") % {"closes": closes.isoformat()}
    return _("考核周期进行期间")


def window_problem(cycle: Cycle, today: datetime.date) -> str | None:
    """Why evidence cannot be uploaded or withdrawn today, or None: the cycle must be between
    signing the targets and the assessment, and today inside evidence_opens..evidence_closes."""
    if not cycle.reached(CycleState.TARGETS):
        return _("考核周期尚未启动，佐证材料上传时间为 %(window)s") % {"window": window_text(cycle)}
    if cycle.reached(CycleState.ASSESSMENT):
        return _("考核周期已进入“%(state)s”阶段，佐证材料上传已结束（上传时间为 %(window)s）") % {
            "state": cycle.get_state_display(),
            "window": window_text(cycle),
        }
    if cycle.evidence_opens and today < cycle.evidence_opens:
        return _("佐证材料上传时间为 %(window)s，尚未开始") % {"window": window_text(cycle)}
    if cycle.evidence_closes and today > cycle.evidence_closes:
        return _("佐证材料上传时间为 %(window)s，已截止") % {"window": window_text(cycle)}
    return None


def can_upload(user, unit: CycleUnit) -> bool:
    return has_cap(user, Cap.FILL_UNIT, unit.org) or has_cap(user, Cap.MANAGE_CYCLES, unit.cycle.owner)


def recusal_problem(user, unit: CycleUnit) -> str | None:
    """An assessor never judges the enterprise their own account belongs to (回避)."""
    home = unit.org.enterprise or unit.org
    own = getattr(user, "org", None)
    if own is not None and own.path.startswith(home.path):
        return _("您的账号属于%(org)s，须回避，不能审核该单位的佐证材料") % {"org": home.name}
    return None


def _item(cycle: Cycle, node_code: str) -> Item:
    for item in scored_items(cycle.scheme.scheme):
        if item.code == node_code:
            return item
    raise ValidationError({"node": _("评分细则中没有评分项“%(code)s”") % {"code": node_code}})


def _locked_cycle(unit: CycleUnit) -> Cycle:
    # Locks the cycle row: an upload and a phase change never pass each other.
    return (
        Cycle.objects.select_related("owner", "scheme").select_for_update(of=("self",)).get(pk=unit.cycle_id)
    )


@transaction.atomic
def upload_evidence(
    actor, unit: CycleUnit, node_code: str, material: str, upload, note: str = ""
) -> EvidenceFile:
    cycle = _locked_cycle(unit)
    if actor is not None and not can_upload(actor, unit):
        raise PermissionDenied(_("无权上传该单位的佐证材料"))
    problem = window_problem(cycle, timezone.localdate())
    if problem:
        raise ValidationError({"file": problem})
    item = _item(cycle, node_code)
    material = material.strip()
    if material and material not in item.materials:
        raise ValidationError(
            {
                "material": _("“%(material)s”不是“%(item)s”要求的佐证材料")
                % {"material": material, "item": item.title}
            }
        )
    note = note.strip()
    if len(note) > 200:
        raise ValidationError({"note": _("说明最多 200 字")})
    stored = store_upload(actor, upload, accept=EVIDENCE_KINDS)
    evidence = EvidenceFile.objects.create(
        unit=unit, node_code=item.code, material=material, file=stored, note=note, uploaded_by=actor
    )
    record(
        actor,
        "evidence.upload",
        evidence,
        new={
            "cycle": str(cycle.public_id),
            "unit": unit.org.code,
            "item": item.code,
            "material": material,
            "name": stored.original_name,
            "sha256": stored.sha256,
        },
        org_path=unit.org.path,
    )
    return evidence


@transaction.atomic
def withdraw_evidence(actor, evidence: EvidenceFile) -> EvidenceFile:
    """The unit takes back an upload while the window is open; the file and its verdicts stay."""
    evidence = EvidenceFile.objects.select_related("unit__org", "file").get(pk=evidence.pk)
    unit = evidence.unit
    cycle = _locked_cycle(unit)
    unit.cycle = cycle
    if actor is not None and not can_upload(actor, unit):
        raise PermissionDenied(_("无权撤回该单位的佐证材料"))
    if evidence.withdrawn:
        raise ValidationError(_("“%(name)s”已撤回") % {"name": evidence.file.original_name})
    problem = window_problem(cycle, timezone.localdate())
    if problem:
        raise ValidationError(problem)
    evidence.withdrawn, evidence.withdrawn_by, evidence.withdrawn_at = True, actor, timezone.now()
    evidence.save(update_fields=["withdrawn", "withdrawn_by", "withdrawn_at"])
    record(
        actor,
        "evidence.withdraw",
        evidence,
        old={"withdrawn": False},
        new={
            "unit": unit.org.code,
            "item": evidence.node_code,
            "name": evidence.file.original_name,
            "withdrawn": True,
        },
        org_path=unit.org.path,
    )
    return evidence


@transaction.atomic
def give_verdict(actor, evidence: EvidenceFile, verdict: str, comment: str = "") -> EvidenceVerdict:
    """An assessor's verdict on one file; giving it again changes their own, until review."""
    evidence = EvidenceFile.objects.select_related("unit__org__enterprise", "file").get(pk=evidence.pk)
    unit = evidence.unit
    cycle = _locked_cycle(unit)
    if not has_cap(actor, Cap.SCORE, unit.org):
        raise PermissionDenied(_("无权审核该单位的佐证材料"))
    problem = recusal_problem(actor, unit)
    if problem:
        raise PermissionDenied(problem)
    if not cycle.reached(CycleState.TARGETS):
        raise ValidationError(_("考核周期尚未启动"))
    if cycle.reached(CycleState.REVIEW):
        raise ValidationError(
            _("考核周期已进入“%(state)s”阶段，审核意见不能再修改") % {"state": cycle.get_state_display()}
        )
    if evidence.withdrawn:
        raise ValidationError(_("“%(name)s”已被撤回，无需审核") % {"name": evidence.file.original_name})
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": _("请选择审核意见")})
    comment = comment.strip()
    if verdict != Verdict.PASS and not comment:
        raise ValidationError(
            {"comment": _("认定为“%(verdict)s”的，须写明理由") % {"verdict": Verdict(verdict).label}}
        )
    row = EvidenceVerdict.objects.filter(evidence=evidence, decided_by=actor).first()
    old = {"verdict": row.verdict, "comment": row.comment} if row else None
    if row is None:
        row = EvidenceVerdict(evidence=evidence, decided_by=actor)
    row.verdict, row.comment = verdict, comment
    row.save()
    record(
        actor,
        "evidence.verdict",
        evidence,
        old=old,
        new={
            "unit": unit.org.code,
            "item": evidence.node_code,
            "name": evidence.file.original_name,
            "verdict": verdict,
            "comment": comment,
        },
        org_path=unit.org.path,
    )
    return row
