"""Writes to rectification (整改): open an item (by hand, or for every item a unit lost too many
points on), plan it, submit it as done with evidence, and check it (pass: 销号; fail: back to open
with the reason). Each is one transaction with its audit row and a history event."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import record
from kaohe.cycles.models import Cycle, CycleState, CycleUnit, ResultRun, UnitResult
from kaohe.cycles.models import rectification as rect
from kaohe.cycles.models.evidence import Item, scored_items
from kaohe.cycles.models.rectification import (
    RectificationEvent,
    RectificationEventKind,
    RectificationEvidence,
    RectificationItem,
    RectificationOrigin,
    RectificationStatus,
)
from kaohe.cycles.results import lost_points
from kaohe.engine.explain import explain
from kaohe.engine.facts import build_cycle, read_facts_csv, read_units_csv
from kaohe.engine.points import format_thousandths
from kaohe.engine.reference import score_cycle
from kaohe.files.actions import store_upload
from kaohe.files.models import FileKind
from kaohe.orgs.models import OrgUnit

EVIDENCE_KINDS = frozenset({FileKind.PDF, FileKind.IMAGE, FileKind.WORD, FileKind.EXCEL, FileKind.OFD})
DEFAULT_THRESHOLD = 80  # percent: 得分率低于 80% 的评分项生成整改项
MAX_OWNER_NAME = 40


# -- who may do what (the pages ask the same questions) ---------------------------------------------


def may_manage(user, cycle: Cycle) -> bool:
    return has_cap(user, Cap.MANAGE_CYCLES, cycle.owner)


def may_fill(user, unit: CycleUnit) -> bool:
    return has_cap(user, Cap.FILL_UNIT, unit.org)


def may_open(user, cycle: Cycle, unit: CycleUnit) -> bool:
    """The organiser, or the unit itself for a problem it found on its own."""
    return may_manage(user, cycle) or may_fill(user, unit)


def may_plan(user, item: RectificationItem) -> bool:
    return item.status == RectificationStatus.OPEN and (
        may_manage(user, item.unit.cycle) or may_fill(user, item.unit)
    )


def may_submit(user, item: RectificationItem) -> bool:
    return item.status == RectificationStatus.OPEN and may_fill(user, item.unit)


def may_verify(user, item: RectificationItem) -> bool:
    return item.status == RectificationStatus.SUBMITTED and may_manage(user, item.unit.cycle)


# -- checks shared by the actions --------------------------------------------------------------------


def opening_problem(cycle: Cycle) -> str | None:
    """Why no item can be opened in `cycle` now, or None. Items already opened carry on after the
    cycle is closed: they are worked on until 销号, and late ones count in later years' results."""
    if not cycle.reached(CycleState.TARGETS):
        return _("考核周期尚未启动，被考核单位还未确定，不能登记整改项")
    if cycle.state == CycleState.CLOSED:
        return _("考核周期已结束，不能登记新的整改项")
    return None


def _scored_item(cycle: Cycle, code: str) -> Item:
    for item in scored_items(cycle.scheme.scheme):
        if item.code == code:
            return item
    raise ValidationError({"node": _("评分细则中没有评分项“%(code)s”") % {"code": code}})


def _check_deadline(deadline: datetime.date | None) -> datetime.date:
    if deadline is None:
        raise ValidationError({"deadline": _("请填写整改期限")})
    day = rect.today()
    if deadline < day:
        raise ValidationError(
            {
                "deadline": _("整改期限 %(deadline)s 早于今天（%(today)s）")
                % {"deadline": deadline.isoformat(), "today": day.isoformat()}
            }
        )
    return deadline


def _check_owner(unit: CycleUnit, owner_org: OrgUnit | None, owner_name: str) -> tuple[OrgUnit, str]:
    owner_name = owner_name.strip()
    if len(owner_name) > MAX_OWNER_NAME:
        raise ValidationError({"owner_name": _("责任人不能超过 %(n)d 个字") % {"n": MAX_OWNER_NAME}})
    org = owner_org or unit.org
    if not org.path.startswith(unit.org.path):
        raise ValidationError(
            {"owner_org": _("“%(org)s”不是%(unit)s或其下级组织") % {"org": org.name, "unit": unit.org.name}}
        )
    return org, owner_name


def _lost_in_current_run(cycle: Cycle, unit: CycleUnit, item: Item) -> int | None:
    if cycle.current_run_id is None:
        return None
    scores = (
        UnitResult.objects.filter(run_id=cycle.current_run_id, unit=unit)
        .values_list("scores", flat=True)
        .first()
    )
    if scores is None:
        return None
    lost = item.points - scores.get(item.code, 0)
    return lost if lost > 0 else 0


def _event(item: RectificationItem, kind: str, status_from: str, actor, note: str = "") -> RectificationEvent:
    return RectificationEvent.objects.create(
        item=item, kind=kind, status_from=status_from, status_to=item.status, note=note, actor=actor
    )


def _locked_cycle(pk: int) -> Cycle:
    # Locks the cycle row: two people opening items at once take turns, so nothing is opened twice.
    return Cycle.objects.select_for_update(of=("self",)).select_related("owner", "scheme").get(pk=pk)


def _locked(item: RectificationItem) -> RectificationItem:
    return (
        RectificationItem.objects.select_for_update(of=("self",))
        .select_related("unit__cycle__owner", "unit__cycle__scheme", "unit__org", "owner_org")
        .get(pk=item.pk)
    )


def _wrong_status(item: RectificationItem, doing: str) -> ValidationError:
    return ValidationError(
        _("该整改项当前为“%(status)s”，不能%(doing)s") % {"status": item.get_status_display(), "doing": doing}
    )


# -- the actions --------------------------------------------------------------------------------------


@transaction.atomic
def open_item(
    actor,
    unit: CycleUnit,
    *,
    problem: str,
    deadline: datetime.date | None,
    node: str = "",
    measure: str = "",
    owner_name: str = "",
    owner_org: OrgUnit | None = None,
) -> RectificationItem:
    """Register a problem of `unit` by hand: the organiser's finding, or one the unit found itself."""
    cycle = _locked_cycle(unit.cycle_id)
    if actor is not None and not may_open(actor, cycle, unit):
        raise PermissionDenied(_("无权为该单位登记整改项"))
    problem_text = opening_problem(cycle)
    if problem_text:
        raise ValidationError(problem_text)
    if not problem.strip():
        raise ValidationError({"problem": _("请写明存在的问题")})
    lost = None
    if node:
        item = _scored_item(cycle, node)
        lost = _lost_in_current_run(cycle, unit, item)
    org, owner_name = _check_owner(unit, owner_org, owner_name)
    deadline = _check_deadline(deadline)
    created = RectificationItem.objects.create(
        unit=unit,
        node=node,
        problem=problem.strip(),
        measure=measure.strip(),
        owner_name=owner_name,
        owner_org=org,
        deadline=deadline,
        origin=RectificationOrigin.MANUAL,
        lost_points=lost,
        run_id=cycle.current_run_id if lost is not None else None,
        created_by=actor,
    )
    _event(created, RectificationEventKind.OPENED, "", actor)
    record(
        actor,
        "rectification.open",
        cycle,
        new={
            "item": str(created.public_id),
            "unit": unit.org.code,
            "node": node,
            "problem": created.problem,
            "deadline": deadline.isoformat() if deadline else "",
        },
    )
    return created


def _problem_text(item: Item, score: int, lines: Sequence[str]) -> str:
    head = _("%(item)s：得分 %(score)s / %(points)s，失 %(lost)s 分") % {
        "item": item.label,
        "score": format_thousandths(score),
        "points": format_thousandths(item.points),
        "lost": format_thousandths(item.points - score),
    }
    return f"{head}。{'；'.join(lines)}" if lines else f"{head}。"


def _loss_lines(cycle: Cycle, run: ResultRun, codes: Sequence[str]) -> dict[tuple[str, str], list[str]]:
    """(org code, item code) → the texts of the lines that lost points, from one reference scoring of
    the run's own facts (one scoring for the cycle, not one per unit)."""
    version = cycle.scheme
    if version.digest != run.scheme_digest:
        # A published version never changes, so this means the database was edited by hand.
        raise ValidationError(_("评分细则与计算结果时的版本不一致"))
    scheme = version.scheme
    scored = score_cycle(
        scheme, build_cycle(scheme, read_facts_csv(run.facts_csv), read_units_csv(run.units_csv))
    )
    out: dict[tuple[str, str], list[str]] = {}
    for code in codes:
        for lost in lost_points(explain(scored, code)):
            # A rule that gains points (a tiered judgment) has no negative line: its lines say why.
            lines = lost["lines"] or lost["node"].lines
            out[(code, lost["node"].code)] = [line.text for line in lines]
    return out


@transaction.atomic
def open_from_results(
    actor, cycle: Cycle, *, deadline: datetime.date | None, threshold: int = DEFAULT_THRESHOLD
) -> list[RectificationItem]:
    """One automatic item per (unit, scored item) whose score in the current run is below
    `threshold` percent of its points (得分率低于 80%), problem text from the lines that lost the
    points. Bonus items are not problems. A (unit, item) that already had an automatic item (open or
    closed: a closed one was put right), or has a manual one still unfinished, is skipped, so a
    second run opens nothing new."""
    cycle = _locked_cycle(cycle.pk)
    if actor is not None and not may_manage(actor, cycle):
        raise PermissionDenied(_("无权按失分生成整改项"))
    if not isinstance(threshold, int) or not 1 <= threshold <= 100:
        raise ValidationError({"threshold": _("得分率阈值应为 1 至 100 之间的整数（%）")})
    problem_text = opening_problem(cycle)
    if problem_text:
        raise ValidationError(problem_text)
    run = cycle.current_run
    if run is None:
        raise ValidationError(_("请先计算考核结果"))
    if not cycle.reached(CycleState.REVIEW):
        raise ValidationError(_("考核结果反馈给被考核单位后（结果反馈与申诉阶段起）才能按失分生成整改项"))
    deadline = _check_deadline(deadline)
    items = [i for i in scored_items(cycle.scheme.scheme) if i.category == "basic"]
    taken = set(
        RectificationItem.objects.filter(unit__cycle=cycle)
        .filter(Q(origin=RectificationOrigin.AUTO) | Q(status__in=rect.UNFINISHED))
        .values_list("unit_id", "node")
    )
    wanted: list[tuple[UnitResult, Item, int]] = []
    for result in UnitResult.objects.filter(run=run).select_related("unit__org").order_by("unit__org__code"):
        for item in items:
            score = result.scores.get(item.code, 0)
            # Exact integers: score / points < threshold / 100. An item of 0 points (直接扣分)
            # qualifies as soon as it is below 0.
            below = score < item.points and score * 100 < threshold * item.points
            if below and (result.unit_id, item.code) not in taken:
                wanted.append((result, item, score))
    if not wanted:
        return []
    lines = _loss_lines(cycle, run, sorted({r.code or r.unit.org.code for r, _i, _s in wanted}))
    created = RectificationItem.objects.bulk_create(
        (
            RectificationItem(
                unit=result.unit,
                node=item.code,
                problem=_problem_text(
                    item, score, lines.get((result.code or result.unit.org.code, item.code), [])
                ),
                owner_org=result.unit.org,
                deadline=deadline,
                origin=RectificationOrigin.AUTO,
                lost_points=item.points - score,
                run=run,
                created_by=actor,
            )
            for result, item, score in wanted
        ),
        batch_size=500,
    )
    # SQLite and PostgreSQL (the databases kaohe runs on) return the new primary keys.
    RectificationEvent.objects.bulk_create(
        (
            RectificationEvent(
                item=c,
                kind=RectificationEventKind.OPENED,
                status_to=c.status,
                note=_("按失分自动生成（得分率低于 %(t)d%%）") % {"t": threshold},
                actor=actor,
            )
            for c in created
        ),
        batch_size=500,
    )
    record(
        actor,
        "rectification.auto",
        cycle,
        new={
            "run": run.number,
            "threshold": threshold,
            "deadline": deadline.isoformat() if deadline else "",
            "opened": [f"{c.unit.org.code}:{c.node}" for c in created],
        },
    )
    return created


@transaction.atomic
def plan_item(
    actor, item: RectificationItem, *, measure: str, owner_name: str = "", owner_org: OrgUnit | None = None
) -> RectificationItem:
    """Write down the measures (整改措施) and who is responsible, while the item is being worked on."""
    item = _locked(item)
    if actor is not None and not (may_manage(actor, item.unit.cycle) or may_fill(actor, item.unit)):
        raise PermissionDenied(_("无权修改该整改项"))
    if item.status != RectificationStatus.OPEN:
        raise _wrong_status(item, _("修改整改措施"))
    if not measure.strip():
        raise ValidationError({"measure": _("请填写整改措施")})
    org, owner_name = _check_owner(item.unit, owner_org, owner_name)
    old = {"measure": item.measure, "owner_name": item.owner_name, "owner_org": item.owner_org.code}
    item.measure, item.owner_name, item.owner_org = measure.strip(), owner_name, org
    item.save(update_fields=["measure", "owner_name", "owner_org"])
    _event(item, RectificationEventKind.PLANNED, item.status, actor, item.measure)
    record(
        actor,
        "rectification.plan",
        item.unit.cycle,
        old=old,
        new={
            "item": str(item.public_id),
            "measure": item.measure,
            "owner_name": item.owner_name,
            "owner_org": org.code,
        },
    )
    return item


@transaction.atomic
def submit_done(actor, item: RectificationItem, *, note: str, evidence: Sequence) -> RectificationItem:
    """The unit says the problem is put right, with what it did and the evidence (at least a file)."""
    item = _locked(item)
    if actor is not None and not may_fill(actor, item.unit):
        raise PermissionDenied(_("只有被考核单位可以提交整改完成情况"))
    if item.status != RectificationStatus.OPEN:
        raise _wrong_status(item, _("提交整改完成"))
    errors = {}
    if not item.measure:
        errors["measure"] = _("请先填写整改措施")
    if not note.strip():
        errors["note"] = _("请说明整改完成情况")
    if not evidence:
        errors["evidence"] = _("请上传整改佐证材料（至少一份）")
    if errors:
        raise ValidationError(errors)
    stored = []
    for upload in evidence:
        try:
            stored.append(store_upload(actor, upload, accept=EVIDENCE_KINDS))
        except ValidationError as error:
            raise ValidationError({"evidence": error.messages}) from None
    item.status = RectificationStatus.SUBMITTED
    item.save(update_fields=["status"])
    event = _event(item, RectificationEventKind.SUBMITTED, RectificationStatus.OPEN, actor, note.strip())
    RectificationEvidence.objects.bulk_create(RectificationEvidence(event=event, file=f) for f in stored)
    record(
        actor,
        "rectification.submit",
        item.unit.cycle,
        old={"status": RectificationStatus.OPEN},
        new={
            "item": str(item.public_id),
            "status": item.status,
            "note": note.strip(),
            "files": [f.sha256 for f in stored],
        },
    )
    return item


@transaction.atomic
def verify(actor, item: RectificationItem, *, passed: bool, reason: str = "") -> RectificationItem:
    """The organiser checks a submission: passed closes the item (销号) today; failed sends it back
    to the unit with the reason."""
    item = _locked(item)
    if actor is not None and not may_manage(actor, item.unit.cycle):
        raise PermissionDenied(_("无权验收整改项"))
    if item.status != RectificationStatus.SUBMITTED:
        raise _wrong_status(item, _("验收"))
    reason = reason.strip()
    if not passed and not reason:
        raise ValidationError({"reason": _("退回整改时请写明理由")})
    if passed:
        item.status, item.closed_on = RectificationStatus.CLOSED, rect.today()
        kind, code = RectificationEventKind.CLOSED, "rectification.close"
    else:
        item.status = RectificationStatus.OPEN
        kind, code = RectificationEventKind.RETURNED, "rectification.return"
    item.save(update_fields=["status", "closed_on"])
    _event(item, kind, RectificationStatus.SUBMITTED, actor, reason)
    record(
        actor,
        code,
        item.unit.cycle,
        old={"status": RectificationStatus.SUBMITTED},
        new={
            "item": str(item.public_id),
            "status": item.status,
            "reason": reason,
            "closed_on": item.closed_on.isoformat() if item.closed_on else "",
            "late": item.closed_late,
        },
    )
    return item
