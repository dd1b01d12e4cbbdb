"""Rectification pages (整改清单): the list with its filters and xlsx export, opening items by hand
or from lost points, an item with its history, and the forms to plan, submit and check it."""

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kaohe.cycles.actions import rectification as actions
from kaohe.cycles.models import Cycle, CycleState, CycleUnit
from kaohe.cycles.models import rectification as rect
from kaohe.cycles.models.evidence import scored_items
from kaohe.cycles.models.rectification import (
    RectificationEvidence,
    RectificationItem,
    RectificationQuerySet,
    RectificationStatus,
)
from kaohe.cycles.queries import get_cycle_for_user, results_visible, units_for_user
from kaohe.files.queries import file_response
from kaohe.forms_errors import add_action_errors
from kaohe.orgs.forms import DateInput
from kaohe.orgs.models import OrgUnit
from kaohe.tables import table_xlsx, xlsx_response

PAGE_SIZE = 50
ACCEPT = ".pdf,.jpg,.jpeg,.png,.gif,.webp,.doc,.docx,.wps,.xls,.xlsx,.et,.ofd"
SORTS = {
    "": ("deadline", "unit__org__code", "pk"),
    "-deadline": ("-deadline", "unit__org__code", "pk"),
    "unit": ("unit__org__sort_order", "unit__org__code", "deadline", "pk"),
    "status": ("status", "deadline", "pk"),
    "-created": ("-created_at", "-pk"),
}
_TEXT = {"class": "form-control"}
_AREA = {"class": "form-control", "rows": 3}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the action says when there are none (it names the field)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control", "accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class OpenForm(forms.Form):
    unit = forms.ChoiceField(
        label=gettext_lazy("被考核单位"), widget=forms.Select(attrs={"class": "form-select"})
    )
    node = forms.ChoiceField(
        label=gettext_lazy("对应评分项（可不选）"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    problem = forms.CharField(label=gettext_lazy("问题"), max_length=4000, widget=forms.Textarea(attrs=_AREA))
    measure = forms.CharField(
        label=gettext_lazy("整改措施"), max_length=4000, required=False, widget=forms.Textarea(attrs=_AREA)
    )
    owner_name = forms.CharField(
        label=gettext_lazy("责任人"), max_length=40, required=False, widget=forms.TextInput(_TEXT)
    )
    owner_org = forms.CharField(
        label=gettext_lazy("责任组织编码"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("留空为被考核单位本身；可填其下级组织的编码"),
        widget=forms.TextInput(_TEXT),
    )
    deadline = forms.DateField(label=gettext_lazy("整改期限"), widget=DateInput(attrs=_TEXT))

    def __init__(self, *args, units: list[CycleUnit], nodes: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.units = {u.org.code: u for u in units}
        cast(forms.ChoiceField, self.fields["unit"]).choices = [
            (u.org.code, f"{u.org.code} {u.org.name}") for u in units
        ]
        cast(forms.ChoiceField, self.fields["node"]).choices = [
            ("", gettext_lazy("（不对应评分项）")),
            *nodes,
        ]


class AutoForm(forms.Form):
    threshold = forms.IntegerField(
        label=gettext_lazy("得分率低于（%）"),
        min_value=1,
        max_value=100,
        initial=actions.DEFAULT_THRESHOLD,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "style": "width: 6rem"}),
    )
    deadline = forms.DateField(
        label=gettext_lazy("整改期限"), widget=DateInput(attrs={"class": "form-control form-control-sm"})
    )


class PlanForm(forms.Form):
    measure = forms.CharField(
        label=gettext_lazy("整改措施"), max_length=4000, widget=forms.Textarea(attrs=_AREA)
    )
    owner_name = forms.CharField(
        label=gettext_lazy("责任人"), max_length=40, required=False, widget=forms.TextInput(_TEXT)
    )
    owner_org = forms.CharField(
        label=gettext_lazy("责任组织编码"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("留空为被考核单位本身"),
        widget=forms.TextInput(_TEXT),
    )


class SubmitForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("整改完成情况"), max_length=4000, widget=forms.Textarea(attrs=_AREA)
    )
    evidence = MultipleFileField(label=gettext_lazy("整改佐证材料（PDF、图片、Word、Excel 或 OFD，可多选）"))


class VerifyForm(forms.Form):
    passed = forms.TypedChoiceField(
        label=gettext_lazy("验收结论"),
        choices=[("1", gettext_lazy("验收通过，销号")), ("0", gettext_lazy("未通过，退回整改"))],
        coerce=lambda v: v == "1",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("验收意见（退回时必填）"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs=_AREA),
    )


# -- access ------------------------------------------------------------------------------------------


def items_for_user(user, cycle: Cycle) -> RectificationQuerySet:
    """The organiser's people see every unit's items; a unit's people see their own unit's."""
    return RectificationItem.objects.filter(unit__in=units_for_user(user, cycle))


def get_item_for_user(user, cycle: Cycle, item_id) -> RectificationItem:
    item = (
        items_for_user(user, cycle)
        .filter(public_id=item_id)
        .select_related("unit__org", "unit__cycle__owner", "owner_org", "created_by", "run")
        .first()
    )
    if item is None:
        raise Http404("no such item")
    return item


def _owner_org(unit: CycleUnit, code: str) -> OrgUnit | None:
    """The org named by `code` inside the unit's subtree; the same error for a code elsewhere as
    for no such code, so a form never tells whether another enterprise has it."""
    code = code.strip()
    if not code:
        return None
    org = OrgUnit.objects.subtree_of(unit.org).filter(code=code).first()
    if org is None:
        raise ValidationError(
            {
                "owner_org": _("“%(code)s”不是%(unit)s或其下级组织的编码")
                % {"code": code, "unit": unit.org.name}
            }
        )
    return org


def _item_title(item) -> str:
    # A first-level indicator that is itself the scored item is not named twice.
    return item.label if item.area_code == item.code else f"{item.area}/{item.label}"


def _titles(cycle: Cycle) -> dict[str, str]:
    return {item.code: _item_title(item) for item in scored_items(cycle.scheme.scheme)}


# -- the list ----------------------------------------------------------------------------------------


def _filtered(request, cycle: Cycle) -> tuple[RectificationQuerySet, dict[str, str]]:
    items = items_for_user(request.user, cycle).select_related("unit__org", "owner_org")
    chosen = {
        "unit": request.GET.get("unit", "").strip(),
        "status": request.GET.get("status", ""),
        "overdue": request.GET.get("overdue", ""),
        "sort": request.GET.get("sort", ""),
    }
    if chosen["unit"]:
        items = items.filter(unit__org__code=chosen["unit"])
    if chosen["status"] in RectificationStatus.values:
        items = items.filter(status=chosen["status"])
    else:
        chosen["status"] = ""
    if chosen["overdue"] == "1":
        items = items.overdue(rect.today())
    else:
        chosen["overdue"] = ""
    if chosen["sort"] not in SORTS:
        chosen["sort"] = ""
    return items.order_by(*SORTS[chosen["sort"]]), chosen


def _list_context(request, cycle: Cycle, auto_form: AutoForm | None = None) -> dict:
    items, chosen = _filtered(request, cycle)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    day = rect.today()
    titles = _titles(cycle)
    for item in page:
        item.is_overdue = item.overdue_on(day)  # type: ignore[attr-defined]
        item.title = titles.get(item.node, item.node)  # type: ignore[attr-defined]
    manage = actions.may_manage(request.user, cycle)
    units = list(units_for_user(request.user, cycle))
    # Opening needs a running cycle; the buttons that would only be refused are not offered.
    opening_problem = actions.opening_problem(cycle)
    filters = {k: v for k, v in chosen.items() if v and k != "sort"}
    return {
        "cycle": cycle,
        "page": page,
        "chosen": chosen,
        "units": units,
        "statuses": RectificationStatus.choices,
        "show_points": results_visible(request.user, cycle),
        "can_manage": manage,
        "opening_problem": opening_problem,
        "can_open": not opening_problem and any(actions.may_open(request.user, cycle, u) for u in units),
        "auto_form": auto_form
        if auto_form is not None
        else (AutoForm() if manage and not opening_problem else None),
        "filter_query": urlencode(filters),
        "query": urlencode({**filters, **({"sort": chosen["sort"]} if chosen["sort"] else {})}),
        "unfinished": items_for_user(request.user, cycle).unfinished().count(),
        "overdue_count": items_for_user(request.user, cycle).overdue(day).count(),
    }


@login_required
def rectification_list(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id)
    return render(request, "cycles/rectification.html", _list_context(request, cycle))


def _yes_no(item: RectificationItem, day) -> str:
    if item.overdue_on(day):
        return _("是")
    if item.closed_late:
        return _("是（逾期销号）")
    return _("否")


@login_required
def rectification_export(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id)
    items, _chosen = _filtered(request, cycle)
    day = rect.today()
    columns = [
        (_("单位"), 24),
        (_("问题"), 60),
        (_("整改措施"), 48),
        (_("责任人"), 12),
        (_("期限"), 12),
        (_("状态"), 10),
        (_("是否逾期"), 16),
        (_("销号日期"), 12),
    ]
    rows = (
        (
            item.unit.org.name,
            item.problem,
            item.measure,
            item.owner_name,
            item.deadline,
            item.get_status_display(),
            _yes_no(item, day),
            item.closed_on,
        )
        for item in items.iterator(chunk_size=500)
    )
    return xlsx_response(table_xlsx(_("整改清单"), columns, rows), f"{cycle.year}-{cycle.name}-整改清单")


@login_required
@require_POST
def rectification_auto(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id, manage=True)
    form = AutoForm(request.POST)
    if form.is_valid():
        try:
            opened = actions.open_from_results(
                request.user,
                cycle,
                deadline=form.cleaned_data["deadline"],
                threshold=form.cleaned_data["threshold"],
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            if opened:
                messages.success(request, _("已按失分生成 %(n)d 个整改项") % {"n": len(opened)})
            else:
                messages.info(request, _("没有需要新生成的整改项"))
            return redirect("cycles:rectification", public_id=cycle.public_id)
    return render(request, "cycles/rectification.html", _list_context(request, cycle, form))


# -- opening by hand -----------------------------------------------------------------------------------


@login_required
def rectification_open(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id)
    units = [u for u in units_for_user(request.user, cycle) if actions.may_open(request.user, cycle, u)]
    if not units:
        raise PermissionDenied("read-only")
    problem = actions.opening_problem(cycle)
    if problem:
        messages.error(request, problem)
        return redirect("cycles:rectification", public_id=cycle.public_id)
    nodes = list(_titles(cycle).items())
    initial = {"unit": request.GET.get("unit", ""), "node": request.GET.get("node", "")}
    form = OpenForm(request.POST or None, units=units, nodes=nodes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = form.units[data["unit"]]
        try:
            item = actions.open_item(
                request.user,
                unit,
                problem=data["problem"],
                deadline=data["deadline"],
                node=data["node"],
                measure=data["measure"],
                owner_name=data["owner_name"],
                owner_org=_owner_org(unit, data["owner_org"]),
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已登记整改项"))
            return redirect("cycles:rectification_item", public_id=cycle.public_id, item_id=item.public_id)
    return render(request, "cycles/rectification_form.html", {"cycle": cycle, "form": form})


# -- one item ---------------------------------------------------------------------------------------------


def _item_context(request, cycle: Cycle, item: RectificationItem, **forms_: forms.Form) -> dict:
    user = request.user
    events = item.events.select_related("actor").prefetch_related(
        Prefetch("evidence", queryset=RectificationEvidence.objects.select_related("file"))
    )
    plan_initial = {"measure": item.measure, "owner_name": item.owner_name, "owner_org": item.owner_org.code}
    return {
        "cycle": cycle,
        "item": item,
        "title": _titles(cycle).get(item.node, item.node),
        "events": list(events),
        "is_overdue": item.overdue_on(rect.today()),
        "cycle_closed": cycle.state == CycleState.CLOSED,
        "show_points": results_visible(user, cycle),
        "plan_form": forms_.get("plan")
        or (PlanForm(initial=plan_initial) if actions.may_plan(user, item) else None),
        "submit_form": forms_.get("submit") or (SubmitForm() if actions.may_submit(user, item) else None),
        "verify_form": forms_.get("verify") or (VerifyForm() if actions.may_verify(user, item) else None),
    }


@login_required
def rectification_item(request, public_id, item_id):
    cycle = get_cycle_for_user(request.user, public_id)
    item = get_item_for_user(request.user, cycle, item_id)
    return render(request, "cycles/rectification_item.html", _item_context(request, cycle, item))


def _done(request, cycle: Cycle, item: RectificationItem, notice: str):
    messages.success(request, notice)
    return redirect("cycles:rectification_item", public_id=cycle.public_id, item_id=item.public_id)


@login_required
@require_POST
def rectification_plan(request, public_id, item_id):
    cycle = get_cycle_for_user(request.user, public_id)
    item = get_item_for_user(request.user, cycle, item_id)
    if not (actions.may_manage(request.user, cycle) or actions.may_fill(request.user, item.unit)):
        raise PermissionDenied("read-only")
    form = PlanForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.plan_item(
                request.user,
                item,
                measure=data["measure"],
                owner_name=data["owner_name"],
                owner_org=_owner_org(item.unit, data["owner_org"]),
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return _done(request, cycle, item, _("已保存整改措施"))
    return render(request, "cycles/rectification_item.html", _item_context(request, cycle, item, plan=form))


@login_required
@require_POST
def rectification_submit(request, public_id, item_id):
    cycle = get_cycle_for_user(request.user, public_id)
    item = get_item_for_user(request.user, cycle, item_id)
    if not actions.may_fill(request.user, item.unit):
        raise PermissionDenied("read-only")
    form = SubmitForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.submit_done(
                request.user, item, note=form.cleaned_data["note"], evidence=form.cleaned_data["evidence"]
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return _done(request, cycle, item, _("已提交整改完成情况，等待验收"))
    return render(request, "cycles/rectification_item.html", _item_context(request, cycle, item, submit=form))


@login_required
@require_POST
def rectification_verify(request, public_id, item_id):
    cycle = get_cycle_for_user(request.user, public_id)
    item = get_item_for_user(request.user, cycle, item_id)
    if not actions.may_manage(request.user, cycle):
        raise PermissionDenied("read-only")
    form = VerifyForm(request.POST)
    if form.is_valid():
        passed = form.cleaned_data["passed"]
        try:
            actions.verify(request.user, item, passed=passed, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            return _done(request, cycle, item, _("已验收销号") if passed else _("已退回整改"))
    return render(request, "cycles/rectification_item.html", _item_context(request, cycle, item, verify=form))


@login_required
def rectification_file(request, public_id, item_id, file_id):
    cycle = get_cycle_for_user(request.user, public_id)
    item = get_item_for_user(request.user, cycle, item_id)
    evidence = (
        RectificationEvidence.objects.filter(event__item=item, file__public_id=file_id)
        .select_related("file")
        .first()
    )
    if evidence is None:
        raise Http404("no such file")
    return file_response(evidence.file)
