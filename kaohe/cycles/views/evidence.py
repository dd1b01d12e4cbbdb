"""Evidence pages: a unit's items with their materials, uploads and verdicts; the cycle overview of
units × completeness; uploading, withdrawing, downloading, and the assessors' verdicts."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.cycles.actions import evidence as actions
from kaohe.cycles.models import Cycle, CycleState, CycleUnit
from kaohe.cycles.models.evidence import (
    EvidenceFile,
    EvidenceVerdict,
    Item,
    Status,
    Upload,
    Verdict,
    evidence_states,
    item_state,
    scored_items,
)
from kaohe.cycles.queries import get_cycle_for_user, get_unit_for_user, units_for_user
from kaohe.files.queries import file_response
from kaohe.forms_errors import add_action_errors
from kaohe.htmx import is_htmx

OVERVIEW_PAGE_SIZE = 50
ACCEPT = ".pdf,.jpg,.jpeg,.png,.gif,.webp,.doc,.docx,.wps,.xls,.xlsx,.et,.ofd"


class UploadForm(forms.Form):
    node = forms.CharField(max_length=80, widget=forms.HiddenInput)
    material = forms.CharField(label=gettext_lazy("佐证材料"), max_length=200, required=False)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)
    file = forms.FileField(label=gettext_lazy("文件（PDF、图片、Word、Excel 或 OFD）"))


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(label=gettext_lazy("审核意见"), choices=Verdict.choices)
    comment = forms.CharField(label=gettext_lazy("理由"), max_length=2000, required=False)


def today():
    return timezone.localdate()


# -- the unit page ---------------------------------------------------------------------------------


def _abilities(user, cycle: Cycle, unit: CycleUnit) -> dict:
    window = actions.window_problem(cycle, today())
    may_judge = has_cap(user, Cap.SCORE, unit.org)
    return {
        "can_upload": actions.can_upload(user, unit) and window is None,
        "window_problem": window,
        "window": actions.window_text(cycle),
        "may_judge": may_judge,
        "recusal": actions.recusal_problem(user, unit) if may_judge else None,
        "judging_open": cycle.reached(CycleState.TARGETS) and not cycle.reached(CycleState.REVIEW),
    }


def _files(unit: CycleUnit, code: str | None = None) -> dict[str, list[EvidenceFile]]:
    """item code → its files (withdrawn ones too), with the verdicts and their assessors."""
    files = (
        EvidenceFile.objects.filter(unit=unit)
        .select_related("file", "uploaded_by")
        .prefetch_related(Prefetch("verdicts", queryset=EvidenceVerdict.objects.select_related("decided_by")))
    )
    if code is not None:
        files = files.filter(node_code=code)
    out: dict[str, list[EvidenceFile]] = {}
    for f in files:
        out.setdefault(f.node_code, []).append(f)
    return out


def _row(user, cycle: Cycle, item: Item, files: list[EvidenceFile], form: UploadForm | None = None) -> dict:
    live = [f for f in files if not f.withdrawn]
    for f in files:
        verdicts = list(f.verdicts.all())
        f.mine = next((v for v in verdicts if v.decided_by_id == user.pk), None)  # type: ignore[attr-defined]
    uploads = [Upload(f.material, tuple(v.verdict for v in f.verdicts.all()), f) for f in live]
    return {
        "item": item,
        "state": item_state(item.materials, uploads, closes=cycle.evidence_closes, today=today()),
        "withdrawn": [f for f in files if f.withdrawn],
        "form": form,
    }


def _context(request, cycle: Cycle, unit: CycleUnit) -> dict:
    items = scored_items(cycle.scheme.scheme)
    files = _files(unit)
    only = request.GET.get("only", "")
    rows = [_row(request.user, cycle, item, files.get(item.code, [])) for item in items]
    required = [r for r in rows if r["item"].materials]
    if only == "required":
        rows = required
    elif only == "missing":
        rows = [r for r in rows if not r["state"].complete]
    areas: list[tuple[str, list[dict]]] = []
    for row in rows:
        if not areas or areas[-1][0] != row["item"].area:
            areas.append((row["item"].area, []))
        areas[-1][1].append(row)
    return {
        "cycle": cycle,
        "unit": unit,
        "areas": areas,
        "only": only,
        "required_count": len(required),
        "complete_count": sum(1 for r in required if r["state"].complete),
        "overdue_count": sum(1 for r in required if r["state"].overdue),
        "verdicts": Verdict.choices,
        "statuses": Status,
        **_abilities(request.user, cycle, unit),
    }


@login_required
def unit_evidence(request, public_id, code):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    return render(request, "cycles/evidence.html", _context(request, cycle, unit))


def _item_response(
    request, cycle: Cycle, unit: CycleUnit, code: str, *, form=None, notice: str = "", error=""
):
    """After a POST: the item's card again for htmx, else a redirect back to the item."""
    if is_htmx(request):
        item = next((i for i in scored_items(cycle.scheme.scheme) if i.code == code), None)
        if item is None:
            raise Http404("no such item")
        row = _row(request.user, cycle, item, _files(unit, code).get(code, []), form)
        context = {"cycle": cycle, "unit": unit, "row": row, "notice": notice, "error": error}
        context |= {"verdicts": Verdict.choices, "statuses": Status, **_abilities(request.user, cycle, unit)}
        return render(request, "cycles/partials/evidence_item.html", context)
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    url = reverse("cycles:unit_evidence", args=[cycle.public_id, unit.org.code])
    return redirect(f"{url}#item-{code}")


@login_required
@require_POST
def evidence_upload(request, public_id, code):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    if not actions.can_upload(request.user, unit):
        raise PermissionDenied("read-only")
    form = UploadForm(request.POST, request.FILES)
    node = request.POST.get("node", "")
    if form.is_valid():
        data = form.cleaned_data
        try:
            evidence = actions.upload_evidence(
                request.user, unit, data["node"], data["material"], data["file"], data["note"]
            )
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            notice = _("已上传“%(name)s”") % {"name": evidence.file.original_name}
            return _item_response(request, cycle, unit, evidence.node_code, notice=notice)
    if is_htmx(request):
        return _item_response(request, cycle, unit, node, form=form)
    context = _context(request, cycle, unit)
    for _area, rows in context["areas"]:
        for row in rows:
            if row["item"].code == node:
                row["form"] = form
    context["failed"] = node
    return render(request, "cycles/evidence.html", context)


def _evidence_of(unit: CycleUnit, file_id) -> EvidenceFile:
    evidence = EvidenceFile.objects.filter(unit=unit, public_id=file_id).select_related("file").first()
    if evidence is None:
        raise Http404("no such file")
    return evidence


@login_required
def evidence_download(request, public_id, code, file_id):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    return file_response(_evidence_of(unit, file_id).file)


@login_required
@require_POST
def evidence_withdraw(request, public_id, code, file_id):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code)
    if not actions.can_upload(request.user, unit):
        raise PermissionDenied("read-only")
    evidence = _evidence_of(unit, file_id)
    try:
        actions.withdraw_evidence(request.user, evidence)
    except ValidationError as exc:
        return _item_response(request, cycle, unit, evidence.node_code, error=" ".join(exc.messages))
    notice = _("已撤回“%(name)s”") % {"name": evidence.file.original_name}
    return _item_response(request, cycle, unit, evidence.node_code, notice=notice)


@login_required
@require_POST
def evidence_verdict(request, public_id, code, file_id):
    cycle = get_cycle_for_user(request.user, public_id)
    unit = get_unit_for_user(request.user, cycle, code, cap=Cap.SCORE)
    evidence = _evidence_of(unit, file_id)
    form = VerdictForm(request.POST)
    if not form.is_valid():
        return _item_response(request, cycle, unit, evidence.node_code, error=_("请选择审核意见"))
    try:
        actions.give_verdict(
            request.user, evidence, form.cleaned_data["verdict"], form.cleaned_data["comment"]
        )
    except (ValidationError, PermissionDenied) as exc:
        # PermissionDenied here is the recusal of an assessor of the unit's own enterprise: it says why.
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return _item_response(request, cycle, unit, evidence.node_code, error=text)
    notice = _("已保存对“%(name)s”的审核意见") % {"name": evidence.file.original_name}
    return _item_response(request, cycle, unit, evidence.node_code, notice=notice)


# -- the cycle overview ----------------------------------------------------------------------------

OVERVIEW_SORTS: dict[str, Callable[[dict[str, Any]], tuple]] = {
    "": lambda r: (r["unit"].org.sort_order, r["unit"].org.code),
    "complete": lambda r: (r["complete"] * 1000 // max(r["required"], 1), r["unit"].org.code),
    "overdue": lambda r: (-r["overdue"], r["unit"].org.code),
}


@login_required
def evidence_overview(request, public_id):
    cycle = get_cycle_for_user(request.user, public_id)
    units = units_for_user(request.user, cycle)
    q = request.GET.get("q", "").strip()
    if q:
        units = units.filter(Q(org__name__icontains=q) | Q(org__code__icontains=q))
    shown = list(units)
    items = [i for i in scored_items(cycle.scheme.scheme) if i.materials]
    states = evidence_states(items, shown, closes=cycle.evidence_closes, today=today())
    rows: list[dict[str, Any]] = []
    for unit in shown:
        mine = [states[(unit.pk, item.code)] for item in items]
        rows.append(
            {
                "unit": unit,
                "required": len(items),
                "complete": sum(1 for s in mine if s.complete),
                "overdue": sum(1 for s in mine if s.overdue),
                "questioned": sum(1 for s in mine if s.status == Status.QUESTIONED),
                "accepted": sum(1 for s in mine if s.status == Status.ACCEPTED),
            }
        )
    only = request.GET.get("only", "")
    if only == "overdue":
        rows = [r for r in rows if r["overdue"]]
    elif only == "incomplete":
        rows = [r for r in rows if r["complete"] < r["required"]]
    sort = request.GET.get("sort", "")
    sort = sort if sort in OVERVIEW_SORTS else ""
    rows.sort(key=OVERVIEW_SORTS[sort])
    for row in rows:
        row["percent"] = row["complete"] * 100 // row["required"] if row["required"] else 100
    page = Paginator(rows, OVERVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"q": q, "only": only, "sort": sort}
    return render(
        request,
        "cycles/evidence_overview.html",
        {
            "cycle": cycle,
            "page": page,
            "q": q,
            "only": only,
            "sort": sort,
            "item_count": len(items),
            "window": actions.window_text(cycle),
            "closed": cycle.evidence_closes is not None and today() > cycle.evidence_closes,
            "query": urlencode({k: v for k, v in query.items() if v}),
            "filter_query": urlencode({k: v for k, v in query.items() if v and k != "sort"}),
        },
    )
