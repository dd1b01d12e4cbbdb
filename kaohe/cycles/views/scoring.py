"""Assessor panels and the side-by-side scoring page: per item the unit's self-score, the facts,
each assessor's values (the assessor's own form), and the panel's score."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.accounts.models import Cap, Role, RoleAssignment, User
from kaohe.accounts.queries import has_cap
from kaohe.cycles.actions import scoring as actions
from kaohe.cycles.fact_display import shown_plain_value, shown_value
from kaohe.cycles.facts import gather
from kaohe.cycles.models import AssessorEntry, AssessorPanel, CycleState, PanelMember, UnitResult
from kaohe.cycles.queries import can_manage, get_cycle_for_user, get_unit_for_user
from kaohe.cycles.queries_self import self_explanations, self_scores
from kaohe.cycles.scoring import assessor_item_score, panel_items
from kaohe.engine.errors import FactError
from kaohe.engine.facts import parse_plain_value
from kaohe.engine.points import format_rate, format_thousandths, parse_points
from kaohe.engine.reference import combine_scores
from kaohe.engine.rules import RangedDeduction, Zeroing


class PanelForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("考核组名称"), max_length=60)


def _assessors(cycle):
    """Accounts holding the assessor role over the cycle's owner."""
    above = [*cycle.owner.ancestor_ids(), cycle.owner.pk]
    ids = RoleAssignment.objects.filter(role=Role.ASSESSOR, org_id__in=above).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).select_related("org").order_by("username")


@login_required
def panels_page(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id)
    manage = can_manage(request.user, cycle)
    if not manage and not has_cap(request.user, Cap.SCORE, cycle.owner):
        raise PermissionDenied("read-only")
    scheme = cycle.scheme.scheme
    items = panel_items(scheme)
    form = PanelForm(request.POST or None)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied("read-only")
        units = list(cycle.units.filter(org__code__in=request.POST.getlist("unit")))
        members = list(_assessors(cycle).filter(username__in=request.POST.getlist("member")))
        nodes = [code for code in request.POST.getlist("node") if code]
        if form.is_valid():
            try:
                actions.create_panel(
                    request.user,
                    cycle,
                    name=form.cleaned_data["name"],
                    members=members,
                    units=units,
                    nodes=nodes,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("已组建考核组"))
                return redirect("cycles:panels", public_id=cycle.public_id)
    panels = list(AssessorPanel.objects.filter(cycle=cycle).prefetch_related("units__org", "members__user"))
    return render(
        request,
        "cycles/panels.html",
        {
            "cycle": cycle,
            "panels": panels,
            "items": items,
            "form": form if manage and not cycle.reached(CycleState.REVIEW) else None,
            "assessors": _assessors(cycle) if manage else [],
            "units": cycle.units.select_related("org") if manage else [],
            "show_names": manage,
        },
    )


def _widget(kind) -> str:
    if kind.type == "judgment":
        return "select"
    if kind.type == "checklist":
        return "checks"
    if kind.type == "findings":
        return "findings"
    return "text"


def _shown(kind, text: str) -> str:
    """An assessor's stored value as the form shows it again."""
    if kind.type == "findings":
        return "\n".join(
            f"{f['case']} {f['points']} {f.get('note', '')}".strip() for f in json.loads(text or "[]")
        )
    return text


def _typed(kind, request, name: str) -> str:
    """The form's input as the engine's text form (findings: one per line, “编号 分值 说明”)."""
    if kind.type == "checklist":
        return json.dumps(request.POST.getlist(name), ensure_ascii=False)
    raw = request.POST.get(name, "").strip()
    if kind.type != "findings":
        return raw
    entries = []
    for number, line in enumerate(raw.splitlines(), start=1):
        parts = line.split(maxsplit=2)
        if not parts:
            continue
        if len(parts) < 2:
            raise ValidationError(_("第 %(n)d 行应为“编号 分值 说明”") % {"n": number})
        try:
            points = format_thousandths(parse_points(parts[1]))
        except ValueError:
            raise ValidationError(
                _("第 %(n)d 行的分值“%(v)s”不是数字") % {"n": number, "v": parts[1]}
            ) from None
        entries.append({"case": parts[0], "points": points, "note": parts[2] if len(parts) > 2 else ""})
    return json.dumps(entries, ensure_ascii=False)


def _points_shown(place) -> dict:
    """What the 分值 column says of an item: its points, and for a part of a weighted item that
    those points are on the part's own scale (counted by weight), for a 直接扣分 item how much it
    may take instead of its 0 points."""
    node = place.node
    if node.points == 0 and (not node.floor or (node.rule is not None and node.rule.may_go_negative())):
        return {"text": _("直接扣分"), "note": _deduction_range(node.rule)}
    weighted = _weighted_part(place)
    if weighted is not None:
        return {
            "text": format_thousandths(node.points),
            "note": _("按权重 %(weight)s 计入“%(node)s”")
            % {"weight": format_rate(weighted.node.weight or 0), "node": weighted.parent.node.title},
        }
    return {"text": format_thousandths(node.points), "note": ""}


def _weighted_part(place):
    """The place, or its nearest ancestor, that is a part of a node composed by weight."""
    while place is not None:
        if place.parent is not None and place.parent.node.compose == "weighted":
            return place
        place = place.parent
    return None


def _deduction_range(rule) -> str:
    while isinstance(rule, Zeroing):
        rule = rule.otherwise
    per_case = ""
    if isinstance(rule, RangedDeduction):
        per_case = _("每例扣 %(low)s～%(high)s 分，") % {
            "low": format_thousandths(rule.min_per_case),
            "high": format_thousandths(rule.max_per_case),
        }
    cap = getattr(rule, "cap", None)
    if cap is not None:
        return per_case + _("最多扣 %(cap)s 分") % {"cap": format_thousandths(cap)}
    return per_case + _("扣分不设上限")


def _score_shown(computed: int | None, panel: dict | None, mine: int | None) -> dict | None:
    """The 得分 cell: the panel's score from the entries as they stand (what the next computation
    takes), else the computed result, else the assessor's own score of the item."""
    if panel and panel["panel"] is not None:
        label = _("考核组当前评分（%(n)d 人）") % {"n": panel["count"]}
        return {"value": panel["panel"], "label": label}
    if computed is not None:
        return {"value": computed, "label": ""}
    if mine is not None:
        return {"value": mine, "label": _("本人评分")}
    return None


def _findings_hint(item, kind) -> str:
    """Under a findings box: how to write it, with the rule's range per case when it has one."""
    hint = _("每行一项：编号 分值 说明，如“1 1.5 发现的问题”；没有问题的留空")
    rule = item.node.rule
    while isinstance(rule, Zeroing):
        rule = rule.otherwise
    if isinstance(rule, RangedDeduction) and rule.fact == kind.code:
        hint += _("；每例扣 %(low)s～%(high)s 分") % {
            "low": format_thousandths(rule.min_per_case),
            "high": format_thousandths(rule.max_per_case),
        }
    return hint


def _item_score(cycle, unit, item, entries, kinds) -> int | None:
    """One assessor's score of an item from their entries (all of the item's kinds), or None."""
    values = {e.kind: e.value for e in entries}
    if set(values) != set(item.kinds):
        return None
    try:
        parsed = {k: parse_plain_value(kinds[k], values[k]) for k in item.kinds}
        return assessor_item_score(cycle, unit, item, parsed)
    except FactError:
        return None


def _panel_scores(cycle, unit, items, entries, kinds, panel) -> dict[str, dict]:
    """Per panel item, the scores the entries give as they stand: each member's, and the panel's
    (combined as the scheme says) - the score the next computation will take."""
    out: dict[str, dict] = {}
    for code, item in items.items():
        by_member: dict[int, list] = {}
        for entry in entries:
            if entry.kind in item.kinds:
                by_member.setdefault(entry.member_id, []).append(entry)
        members = {}
        for member_id, own in by_member.items():
            score = _item_score(cycle, unit, item, own, kinds)
            if score is not None:
                members[member_id] = score
        combined = combine_scores(panel, list(members.values()))[0] if members and panel else None
        out[code] = {"members": members, "panel": combined, "count": len(members)}
    return out


@login_required
def unit_scoring(request, public_id, code):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    scheme = cycle.scheme.scheme
    kinds = scheme.fact_kinds()
    items = panel_items(scheme)
    manage = can_manage(request.user, cycle)
    seats = {m.panel_id: m for m in PanelMember.objects.filter(user=request.user, panel__units=unit)}
    reviewing = actions.reopened(cycle, unit)
    can_score = (
        bool(seats)
        and (cycle.state == CycleState.ASSESSMENT or bool(reviewing))
        and has_cap(request.user, Cap.SCORE, unit.org)
        and not actions.conflicted(request.user, unit)
    )
    if request.method == "POST":
        if not can_score:
            raise PermissionDenied("not on a panel for this unit")
        try:
            scores = []
            for code_, posted in items.items():
                if actions.member_for(request.user, unit, code_) is None:
                    continue
                if cycle.state != CycleState.ASSESSMENT and code_ not in reviewing:
                    continue
                values = {k: _typed(kinds[k], request, f"{code_}.{k}") for k in posted.kinds}
                if not any(v not in ("", "[]") for v in values.values()):
                    continue  # left blank: not scored yet
                version = request.POST.get(f"{code_}.version")
                scores.append(
                    actions.Score(
                        code_,
                        values,
                        request.POST.get(f"{code_}.reason", ""),
                        int(version) if version else None,
                    )
                )
            actions.save_scores(request.user, cycle, unit, scores)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已保存评分"))
            return redirect("cycles:unit_scoring", public_id=cycle.public_id, code=unit.org.code)
    entries = list(AssessorEntry.objects.filter(unit=unit).select_related("member"))
    see_all = manage or cycle.reached(CycleState.REVIEW)
    mine = {e.kind: e for e in entries if e.member.user_id == request.user.pk}
    selfs, notes = self_scores([unit]), self_explanations([unit])
    result = UnitResult.objects.filter(run_id=cycle.current_run_id, unit=unit).first()
    facts = {row.kind.code: row for row in gather(cycle, [unit]).table[unit.org.code]}
    live = _panel_scores(cycle, unit, items, entries, kinds, scheme.panel)
    my_seats = {m.pk for m in seats.values()}
    rows = []
    for place in scheme.walk():
        node = place.node
        if node.children or place.category == "veto":
            continue
        item = items.get(node.code)
        reads = [r.code for r in node.rule.reads()] if node.rule else []
        others = [
            {
                "title": kinds[c].title,
                "value": shown_value(kinds[c], facts[c].value)
                if facts[c].value is not None
                else shown_plain_value(kinds[c], kinds[c].default),
            }
            for c in reads
            if c in facts and not kinds[c].panel
        ]
        panel_entries = [e for e in entries if item and e.kind in item.kinds]
        now = live.get(node.code, {"members": {}, "panel": None, "count": 0})
        rows.append(
            {
                "node": node,
                "points": _points_shown(place),
                "path": place.path_text,
                "self": selfs.get((unit.pk, node.code)),
                "self_note": notes.get((unit.pk, node.code), ""),
                "facts": others,
                "item": item,
                "inputs": [
                    {
                        "kind": kinds[k],
                        "widget": _widget(kinds[k]),
                        "name": f"{node.code}.{k}",
                        "value": _shown(kinds[k], mine[k].value) if k in mine else "",
                        "chosen": json.loads(mine[k].value)
                        if k in mine and kinds[k].type == "checklist"
                        else [],
                        "hint": _findings_hint(item, kinds[k]) if kinds[k].type == "findings" else "",
                    }
                    for k in (item.kinds if item else ())
                ],
                "version": max((mine[k].version for k in item.kinds if k in mine), default=None)
                if item
                else None,
                "reason": next((mine[k].reason for k in item.kinds if k in mine), "") if item else "",
                "mine_here": bool(item)
                and actions.member_for(request.user, unit, node.code) is not None
                and (cycle.state == CycleState.ASSESSMENT or node.code in reviewing),
                "others": [
                    {
                        "member": e.member,
                        "value": shown_plain_value(kinds[e.kind], e.value),
                        "reason": e.reason,
                    }
                    for e in panel_entries
                    if see_all or e.member.user_id == request.user.pk
                ],
                "shown": _score_shown(
                    result.scores.get(node.code) if result and see_all else None,
                    # an assessor sees only their own score, never the panel's (independence)
                    now if see_all else None,
                    next((v for m, v in now["members"].items() if m in my_seats), None),
                ),
            }
        )
    return render(
        request,
        "cycles/scoring.html",
        {
            "cycle": cycle,
            "unit": unit,
            "rows": rows,
            "can_score": can_score,
            "recused": bool(seats) and actions.conflicted(request.user, unit),
            "show_names": manage,
            "panel": scheme.panel,
        },
    )
