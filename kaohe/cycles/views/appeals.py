"""Appeals (申诉) in the review window, their review (复核), and the published bulletin (通报)."""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.cycles import derived
from kaohe.cycles.actions import appeals as actions
from kaohe.cycles.bulletin import bulletin_docx, bulletin_rows
from kaohe.cycles.forms import AppealDecisionForm
from kaohe.cycles.models import Appeal, AppealStatus, CycleState
from kaohe.cycles.queries import can_manage, get_cycle_for_user, get_unit_for_user, units_for_user
from kaohe.engine.fact_kinds import FactKind
from kaohe.engine.scheme import Scheme
from kaohe.exports.word import DOCX
from kaohe.files.queries import content_disposition, file_response
from kaohe.forms_errors import add_action_errors


class AppealForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("申诉理由"), widget=forms.Textarea, max_length=4000)
    attachment = forms.FileField(label=gettext_lazy("佐证材料（可选）"), required=False)


# Facts derived from these records are corrected in a branch's or an enterprise's ledger.
LEDGER_DERIVES = "ledger."


@dataclass(frozen=True)
class DerivedFact:
    kind: FactKind
    records: str  # what the records are, as the derive code is registered
    in_ledger: bool


@dataclass
class FactGuide:
    """How the facts an appealed item reads are corrected: entered ones in the decision form,
    derived ones in their records first (a ledger, a case), panel ones by the assessors re-scoring."""

    entered: list[FactKind] = field(default_factory=list)
    derived: list[DerivedFact] = field(default_factory=list)
    panel: list[FactKind] = field(default_factory=list)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(k.code, f"{k.title}（{k.code}）") for k in self.entered]

    @property
    def from_ledgers(self) -> bool:
        return any(d.in_ledger for d in self.derived)


def fact_guide(scheme: Scheme, node_code: str) -> FactGuide:
    kinds = scheme.fact_kinds()
    titles = derived.known()
    guide = FactGuide()
    for place in scheme.walk():
        if place.node.code != node_code or place.node.rule is None:
            continue
        for code in dict.fromkeys(r.code for r in place.node.rule.reads()):
            kind = kinds.get(code)
            if kind is None:
                continue
            if kind.panel:
                guide.panel.append(kind)
            elif kind.derive:
                guide.derived.append(
                    DerivedFact(
                        kind, titles.get(kind.derive, kind.derive), kind.derive.startswith(LEDGER_DERIVES)
                    )
                )
            else:
                guide.entered.append(kind)
    return guide


def _titles(cycle) -> dict[str, str]:
    return {p.node.code: p.path_text for p in cycle.scheme.scheme.walk()}


@login_required
def appeal_list(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id)
    units = units_for_user(request.user, cycle)
    appeals = list(
        Appeal.objects.filter(unit__in=units)
        .select_related("unit__org", "attachment")
        .order_by("status", "filed_at")
    )
    titles = _titles(cycle)
    manage = can_manage(request.user, cycle) and cycle.state == CycleState.REVIEW
    scheme = cycle.scheme.scheme
    for appeal in appeals:
        appeal.title = titles.get(appeal.node, appeal.node)  # type: ignore[attr-defined]
        if manage and appeal.status == AppealStatus.FILED:
            guide = fact_guide(scheme, appeal.node)
            appeal.guide = guide  # type: ignore[attr-defined]
            appeal.form = AppealDecisionForm(facts=guide.choices)  # type: ignore[attr-defined]
    return render(
        request,
        "cycles/appeals.html",
        {"cycle": cycle, "appeals": appeals, "can_decide": manage},
    )


@login_required
def appeal_file(request, public_id, code, node):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    if not has_cap(request.user, Cap.FILL_UNIT, unit.org):
        raise PermissionDenied("read-only")
    title = _titles(cycle).get(node)
    if title is None:
        raise Http404("no such item")
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.file_appeal(
                request.user, cycle, unit, node, form.cleaned_data["reason"], form.cleaned_data["attachment"]
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已提交申诉"))
            return redirect("cycles:appeals", public_id=cycle.public_id)
    return render(
        request, "cycles/appeal_form.html", {"cycle": cycle, "unit": unit, "title": title, "form": form}
    )


@login_required
def appeal_decide(request, public_id, appeal_id):
    cycle = get_cycle_for_user(request.user, public_id, manage=True)
    appeal = Appeal.objects.filter(public_id=appeal_id, unit__cycle=cycle).first()
    if appeal is None:
        raise Http404("no such appeal")
    guide = fact_guide(cycle.scheme.scheme, appeal.node)
    form = AppealDecisionForm(request.POST or None, facts=guide.choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.decide_appeal(
                request.user,
                appeal,
                upheld=data["upheld"],
                decision=data["decision"],
                fact=data["fact"],
                value=data["value"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已复核"))
    elif request.method == "POST":
        problems = [
            f"{form.fields[name].label}：{' '.join(str(e) for e in errors)}"
            for name, errors in form.errors.items()
        ]
        messages.error(request, _("请选择复核结论并写明复核意见") + "（" + "；".join(problems) + "）")
    return redirect("cycles:appeals", public_id=cycle.public_id)


@login_required
def appeal_attachment(request, public_id, appeal_id):
    cycle = get_cycle_for_user(request.user, public_id)
    appeal = (
        Appeal.objects.filter(public_id=appeal_id, unit__in=units_for_user(request.user, cycle))
        .select_related("attachment")
        .first()
    )
    if appeal is None or appeal.attachment is None:
        raise Http404("no such attachment")
    return file_response(appeal.attachment)


def _published(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id)
    if not cycle.reached(CycleState.PUBLISHED):
        raise Http404("not published")
    return cycle


@login_required
def bulletin(request, public_id):
    """The published list: every assessed unit's grade and rank, for everyone in the cycle."""
    cycle = _published(request, public_id)
    return render(request, "cycles/bulletin.html", {"cycle": cycle, "rows": bulletin_rows(cycle)})


@login_required
def bulletin_download(request, public_id):
    cycle = _published(request, public_id)
    response = HttpResponse(bulletin_docx(cycle), content_type=DOCX)
    response["Content-Disposition"] = content_disposition(f"{cycle.name}结果通报.docx")
    return response
