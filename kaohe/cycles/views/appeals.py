"""Appeals (申诉) in the review window, their review (复核), and the published bulletin (通报)."""

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
from kaohe.cycles.actions import appeals as actions
from kaohe.cycles.bulletin import bulletin_docx, bulletin_rows
from kaohe.cycles.models import Appeal, CycleState
from kaohe.cycles.queries import can_manage, get_cycle_for_user, get_unit_for_user, units_for_user
from kaohe.exports.word import DOCX
from kaohe.files.queries import content_disposition, file_response
from kaohe.forms_errors import add_action_errors


class AppealForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("申诉理由"), widget=forms.Textarea, max_length=4000)
    attachment = forms.FileField(label=gettext_lazy("佐证材料（可选）"), required=False)


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=gettext_lazy("复核结论"),
        choices=[("1", gettext_lazy("申诉成立，重新计分")), ("0", gettext_lazy("维持原评分"))],
        coerce=lambda v: v == "1",
    )
    decision = forms.CharField(label=gettext_lazy("复核意见"), widget=forms.Textarea, max_length=4000)
    fact = forms.CharField(label=gettext_lazy("更正的事实"), required=False, max_length=80)
    value = forms.CharField(label=gettext_lazy("更正后的取值"), required=False, max_length=4000)


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
    for appeal in appeals:
        appeal.title = titles.get(appeal.node, appeal.node)  # type: ignore[attr-defined]
    manage = can_manage(request.user, cycle) and cycle.state == CycleState.REVIEW
    return render(
        request,
        "cycles/appeals.html",
        {
            "cycle": cycle,
            "appeals": appeals,
            "can_decide": manage,
            "form": DecisionForm() if manage else None,
        },
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
    form = DecisionForm(request.POST or None)
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
        messages.error(request, _("请选择复核结论并写明复核意见"))
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
