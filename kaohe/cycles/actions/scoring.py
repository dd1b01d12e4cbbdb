"""Assessor panels and scoring. The organiser forms the panels; each assessor enters their own
values for the panel items of the units their panel covers, never of their own enterprise, within
the bounds the rule sets, with a reason when they differ from the unit's self-score by more than
the scheme allows."""

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap, User
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import record
from kaohe.cycles.fact_messages import value_problem
from kaohe.cycles.models import (
    Appeal,
    AppealStatus,
    AssessorEntry,
    AssessorPanel,
    Cycle,
    CycleState,
    CycleUnit,
    PanelMember,
)
from kaohe.cycles.queries_self import self_scores
from kaohe.cycles.scoring import PanelItem, assessor_item_score, panel_items
from kaohe.engine.errors import FactError
from kaohe.engine.facts import Finding, Value, parse_plain_value, to_text
from kaohe.engine.points import format_thousandths
from kaohe.engine.rules import RangedDeduction, Zeroing

log = logging.getLogger(__name__)


def conflicted(user: User, unit: CycleUnit) -> bool:
    """An assessor whose own account belongs to the assessed unit (an enterprise in the city's
    cycle, a branch in an enterprise's) must recuse."""
    home = user.org
    return home is not None and home.path.startswith(unit.org.path)


@transaction.atomic
def create_panel(
    actor,
    cycle: Cycle,
    *,
    name: str,
    members: Sequence[User],
    units: Sequence[CycleUnit],
    nodes: Sequence[str] = (),
) -> AssessorPanel:
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if actor is not None and not has_cap(actor, Cap.MANAGE_CYCLES, cycle.owner):
        raise PermissionDenied(_("无权组建考核组"))
    if cycle.reached(CycleState.REVIEW):
        raise ValidationError(_("考核评分已结束，不能再组建考核组"))
    if not name.strip():
        raise ValidationError({"name": _("请填写考核组名称")})
    if AssessorPanel.objects.filter(cycle=cycle, name=name.strip()).exists():
        raise ValidationError({"name": _("已有同名考核组")})
    items = panel_items(cycle.scheme.scheme)
    if not items:
        raise ValidationError(_("评分细则没有由考核组逐人评分的评分项"))
    unknown = [code for code in nodes if code not in items]
    if unknown:
        raise ValidationError({"nodes": _("不是考核组评分项：%(codes)s") % {"codes": "、".join(unknown)}})
    if not members:
        raise ValidationError({"members": _("请选择考核员")})
    if not units:
        raise ValidationError({"units": _("请选择负责的单位")})
    for user in members:
        if not has_cap(user, Cap.SCORE, cycle.owner):
            raise ValidationError({"members": _("%(user)s 不是本单位范围内的考核员") % {"user": user}})
        for unit in units:
            if unit.cycle_id != cycle.pk:
                raise ValidationError({"units": _("“%(unit)s”不在本考核周期中") % {"unit": unit}})
            if conflicted(user, unit):
                raise ValidationError(
                    {"members": _("%(user)s 属于%(unit)s，须回避") % {"user": user, "unit": unit.org.name}}
                )
        overlap = _overlap(cycle, user, units, nodes)
        if overlap:
            raise ValidationError(
                {
                    "members": _("%(user)s 已在“%(panel)s”中负责相同的单位和评分项")
                    % {"user": user, "panel": overlap}
                }
            )
    panel = AssessorPanel.objects.create(cycle=cycle, name=name.strip(), nodes=list(nodes))
    panel.units.set(units)
    labels = _labels_for(cycle, members)
    PanelMember.objects.bulk_create(
        PanelMember(panel=panel, user=user, cycle=cycle, label=labels[user.pk]) for user in members
    )
    record(
        actor,
        "panel.create",
        cycle,
        new={
            "panel": panel.name,
            "members": [u.username for u in members],
            "units": [u.org.code for u in units],
            "nodes": list(nodes),
        },
    )
    return panel


def _labels_for(cycle: Cycle, members: Sequence[User]) -> dict[int, str]:
    """Each member's pseudonym in the cycle: the one they already have on another panel, else the
    next number (考核员N, numbered by first appointment), so a person reads the same everywhere.
    The caller holds the cycle's row lock, so two panels formed at once cannot take one number."""
    known: dict[int, str] = {}
    highest = 0
    for user_id, label in (
        PanelMember.objects.filter(cycle=cycle).order_by("pk").values_list("user_id", "label")
    ):
        known.setdefault(user_id, label)  # a seat from before labels were per person: the first
        digits = re.sub(r"\D", "", label)
        highest = max(highest, int(digits) if digits else 0)
    for user in members:
        if user.pk not in known:
            highest += 1
            known[user.pk] = f"考核员{highest}"
    return {user.pk: known[user.pk] for user in members}


def _overlap(cycle: Cycle, user: User, units: Sequence[CycleUnit], nodes: Sequence[str]) -> str:
    for member in PanelMember.objects.filter(cycle=cycle, user=user).select_related("panel"):
        panel = member.panel
        shared_units = panel.units.filter(pk__in=[u.pk for u in units]).exists()
        shared_nodes = not panel.nodes or not nodes or set(panel.nodes) & set(nodes)
        if shared_units and shared_nodes:
            return panel.name
    return ""


def reopened(cycle: Cycle, unit: CycleUnit) -> set[str]:
    """The items of a unit the panel may score again: those with an appeal awaiting review."""
    if cycle.state != CycleState.REVIEW:
        return set()
    return set(Appeal.objects.filter(unit=unit, status=AppealStatus.FILED).values_list("node", flat=True))


def member_for(user: User, unit: CycleUnit, node: str) -> PanelMember | None:
    """The user's seat on the panel that scores `node` of `unit`, if any."""
    for member in PanelMember.objects.filter(user=user, panel__units=unit).select_related("panel"):
        if not member.panel.nodes or node in member.panel.nodes:
            return member
    return None


@dataclass(frozen=True)
class Score:
    node: str
    values: dict[str, str]  # panel kind -> the assessor's value as typed
    reason: str = ""
    version: int | None = None  # the version the page showed; None for a first entry


@transaction.atomic
def save_scores(actor: User, cycle: Cycle, unit: CycleUnit, scores: Sequence[Score]) -> list[AssessorEntry]:
    """Save one assessor's values for some panel items of a unit, all or none."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    reviewing = reopened(cycle, unit)
    if cycle.state != CycleState.ASSESSMENT and not reviewing:
        raise ValidationError(_("只能在考核评分阶段评分（复核申诉时可重评被申诉的评分项）"))
    if not has_cap(actor, Cap.SCORE, unit.org):
        raise PermissionDenied(_("无权评分"))
    if conflicted(actor, unit):
        raise PermissionDenied(_("考核员不能为本人所在企业评分，须回避"))
    scheme = cycle.scheme.scheme
    items = panel_items(scheme)
    kinds = scheme.fact_kinds()
    threshold = scheme.panel.reason_above if scheme.panel else None
    selfs = self_scores([unit])
    errors: dict[str, list[str]] = {}
    saved = []
    for score in scores:
        item = items.get(score.node)
        if item is None:
            raise ValidationError({"node": _("“%(code)s”不是考核组评分项") % {"code": score.node}})
        if cycle.state != CycleState.ASSESSMENT and score.node not in reviewing:
            raise ValidationError(
                {score.node: _("“%(item)s”没有待复核的申诉，不能重评") % {"item": item.node.title}}
            )
        member = member_for(actor, unit, score.node)
        if member is None:
            raise PermissionDenied(_("您所在的考核组不负责该单位的“%(item)s”") % {"item": item.node.title})
        parsed = {}
        for code in item.kinds:
            raw = score.values.get(code, "")
            try:
                parsed[code] = parse_plain_value(kinds[code], raw)
            except FactError:
                # the engine's text is English, for the command line: say what the fact takes
                why = value_problem(kinds[code], raw, quote=kinds[code].type not in _FORM_BUILT)
                if kinds[code].title != item.node.title:  # else the fact's name says it already
                    why = _("“%(item)s”：%(why)s") % {"item": item.node.title, "why": why}
                errors.setdefault(f"{score.node}.{code}", []).append(why)
        if len(parsed) < len(item.kinds):
            continue
        out_of_range = _findings_out_of_range(item, parsed)
        if out_of_range:
            errors.setdefault(score.node, []).extend(out_of_range)
            continue
        try:
            mine = assessor_item_score(cycle, unit, item, parsed)
        except FactError as error:
            errors.setdefault(score.node, []).append(_unscorable(item, error))
            continue
        own = selfs.get((unit.pk, score.node))
        if (
            threshold is not None
            and own is not None
            and abs(mine - own) > threshold
            and not score.reason.strip()
        ):
            errors.setdefault(score.node, []).append(
                _("“%(item)s”评分 %(mine)s 与自评 %(own)s 相差超过 %(limit)s 分，请写明理由")
                % {
                    "item": item.node.title,
                    "mine": format_thousandths(mine),
                    "own": format_thousandths(own),
                    "limit": format_thousandths(threshold),
                }
            )
            continue
        for code, value in parsed.items():
            saved.append(_store(member, unit, code, to_text(kinds[code], value), score))
    if errors:
        raise ValidationError(errors)
    record(
        actor,
        "panel.score",
        cycle,
        new={"unit": unit.org.code, "entries": {f"{e.member.label}.{e.kind}": e.value for e in saved}},
    )
    return saved


_FORM_BUILT = frozenset({"findings", "checklist"})  # the page builds their JSON: not worth quoting


def _findings_out_of_range(item: PanelItem, parsed: dict[str, Value]) -> list[str]:
    """Findings whose points lie outside the rule's range per case, named with the range."""
    rule = item.node.rule
    while isinstance(rule, Zeroing):
        rule = rule.otherwise
    if not isinstance(rule, RangedDeduction) or rule.fact not in parsed:
        return []
    findings = parsed[rule.fact]
    assert isinstance(findings, tuple)
    low, high = format_thousandths(rule.min_per_case), format_thousandths(rule.max_per_case)
    return [
        _("“%(item)s”的问题“%(case)s”扣 %(points)s 分，超出每例 %(low)s～%(high)s 分的范围")
        % {
            "item": item.node.title,
            "case": finding.case,
            "points": format_thousandths(finding.points),
            "low": low,
            "high": high,
        }
        for finding in findings
        if isinstance(finding, Finding) and not rule.min_per_case <= finding.points <= rule.max_per_case
    ]


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _unscorable(item: PanelItem, error: FactError) -> str:
    """Why the item cannot be scored with these values: the cycles layer's own reasons are in the
    user's language already; the engine's English ones are logged and told plainly."""
    own = [p for p in error.problems if _CJK.search(p)]
    if len(own) < len(error.problems):
        log.info("panel item %s not scorable: %s", item.node.code, "; ".join(error.problems))
    why = "；".join(own) or _("取值不符合评分细则，请检查后重新填写")
    return _("“%(item)s”：%(why)s") % {"item": item.node.title, "why": why}


def _store(member: PanelMember, unit: CycleUnit, kind: str, text: str, score: Score) -> AssessorEntry:
    entry = AssessorEntry.objects.select_for_update().filter(unit=unit, member=member, kind=kind).first()
    if entry is None:
        return AssessorEntry.objects.create(
            unit=unit, member=member, kind=kind, value=text, reason=score.reason
        )
    if score.version is not None and score.version != entry.version:
        # The same assessor saved this item elsewhere since this page was opened.
        raise ValidationError(
            {score.node: _("该评分项已在别处修改（第 %(v)d 版），请刷新页面后再保存") % {"v": entry.version}}
        )
    entry.value, entry.reason, entry.version = text, score.reason, entry.version + 1
    entry.save(update_fields=["value", "reason", "version", "updated_at"])
    return entry
