"""The discipline pages. Every one of them is 404 for a user without MANAGE_DISCIPLINE."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.audit.actions import record
from kaohe.discipline import actions, xlsx
from kaohe.discipline.forms import CaseFilterForm, CaseForm, WithdrawForm
from kaohe.discipline.models import ENGINE_OPTION, CaseStatus, DisciplineCase, Outcome
from kaohe.discipline.queries import (
    cases_for_user,
    discipline_orgs,
    get_case_for_user,
    person_by_id_number,
    person_by_public_id,
    require_discipline,
    search_people,
    summary_rows,
)
from kaohe.forms_errors import add_action_errors
from kaohe.htmx import render_page_or_partial
from kaohe.jobs.import_views import UploadForm, import_view, page_context
from kaohe.orgs.models import OrgUnit, Person
from kaohe.tables import table_xlsx, xlsx_response

PAGE_SIZE = 50
# Outcomes sort by weight (the order of the schedule), not by their code.
_SEVERITY = Case(
    *[When(outcome=o.value, then=Value(i)) for i, o in enumerate(Outcome)],
    output_field=IntegerField(),
)
SORTS = {
    "date": ("decided_on", "case_number", "pk"),
    "-date": ("-decided_on", "case_number", "pk"),
    "number": ("case_number", "department", "pk"),
    "-number": ("-case_number", "department", "pk"),
    "org": ("org__path", "-decided_on", "pk"),
    "-org": ("-org__path", "-decided_on", "pk"),
    "outcome": ("severity", "-decided_on", "pk"),
    "-outcome": ("-severity", "-decided_on", "pk"),
}


# ---- the list, its filters and its export ----------------------------------------------------


def _filtered(request) -> tuple[QuerySet[DisciplineCase], dict[str, str], OrgUnit | None, str]:
    """The cases the user may see narrowed by the page's filters, the filters as given, the org
    filtered on, and why the org filter matched nothing (an unknown or foreign code)."""
    require_discipline(request.user)
    qs = cases_for_user(request.user)
    form = CaseFilterForm(request.GET)
    form.is_valid()
    f = {name: str(form.cleaned_data.get(name) or "") for name in form.fields}
    org, problem = None, ""
    if f["org"]:
        org = discipline_orgs(request.user).filter(code=f["org"]).first()
        if org is None:
            problem = _("组织编码“%(code)s”不存在或不在您的管理范围内") % {"code": f["org"]}
            qs = qs.none()
        else:
            qs = qs.filter(org__path__startswith=org.path)
    if f["year"]:
        qs = qs.filter(decided_on__year=int(f["year"]))
    if f["outcome"]:
        qs = qs.filter(outcome=f["outcome"])
    if f["status"]:
        qs = qs.filter(status=f["status"])
    if f["q"]:
        qs = qs.filter(case_number__icontains=f["q"]) | qs.filter(
            person__in=Person.objects.search(f["q"]).values("pk")
        )
    return qs, f, org, problem


def _years(user) -> list[int]:
    years = {d.year for d in cases_for_user(user).dates("decided_on", "year")}
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


@login_required
def case_list(request):
    qs, f, org, problem = _filtered(request)
    sort = request.GET.get("sort", "-date")
    sort = sort if sort in SORTS else "-date"
    # A party group's short name (第一党小组) says little alone: the row names its enterprise and parent.
    related = ("person", "org__enterprise", "org__parent")
    ordered = qs.annotate(severity=_SEVERITY).select_related(*related).order_by(*SORTS[sort])
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {k: v for k, v in f.items() if v}
    context = {
        "page": page,
        "f": f,
        "org": org,
        "org_problem": problem,
        "sort": sort,
        "query": urlencode({**filters, "sort": sort}),
        "filter_query": urlencode(filters),
        "years": _years(request.user),
        "outcomes": Outcome.choices,
        "statuses": CaseStatus.choices,
    }
    return render_page_or_partial(request, "discipline/list.html", "discipline/partials/rows.html", context)


@login_required
def case_export(request):
    qs, f, _org, _problem = _filtered(request)
    cases = qs.select_related("person__org", "org", "recorded_by")
    cases = cases.order_by("-decided_on", "case_number", "pk")
    # The search text may be a name: the log notes that one was used, not what it was.
    filters = {k: ("***" if k == "q" else v) for k, v in f.items() if v}
    with transaction.atomic():
        record(
            request.user,
            "discipline_case.export",
            target_type="discipline.export",
            target_id="-",
            target_repr=_("违纪案件导出"),
            org_path=_scope_path(request.user),
            new=filters or None,
        )
    return xlsx_response(xlsx.export_cases(cases.iterator(chunk_size=2000)), _("违纪案件"))


def _scope_path(user) -> str:
    roots = scope_roots(user, Cap.MANAGE_DISCIPLINE)
    return roots[0].path if roots else ""


# ---- one case ----------------------------------------------------------------------------------


@login_required
def case_detail(request, public_id):
    require_discipline(request.user)
    case = get_case_for_user(request.user, public_id)
    return render(request, "discipline/detail.html", {"case": case, "withdraw_form": WithdrawForm()})


def _chosen_person(user, form: CaseForm) -> Person | None:
    data = form.cleaned_data
    if data["id_number"]:
        person = person_by_id_number(user, data["id_number"])
        if person is None:
            form.add_error("id_number", _("身份证号找不到对应人员，或该人员不在您的管理范围内"))
        return person
    if data["person"]:
        person = person_by_public_id(user, data["person"])
        if person is None:
            form.add_error("person", _("所选人员不存在或不在您的管理范围内"))
        return person
    form.add_error("person", _("请选择当事人：填写身份证号，或按姓名搜索后选择"))
    return None


def _chosen_org(user, form: CaseForm, person: Person) -> OrgUnit | None:
    code = form.cleaned_data["org"].strip()
    if not code:
        return person.org
    org = discipline_orgs(user).filter(code=code).first()
    if org is None:
        form.add_error("org", _("组织编码“%(code)s”不存在或不在您的管理范围内") % {"code": code})
    return org


def _save(request, form: CaseForm, case: DisciplineCase | None) -> DisciplineCase | None:
    """Write the form through the actions; None (with the errors on the form) if refused."""
    person = _chosen_person(request.user, form)
    org = _chosen_org(request.user, form, person) if person is not None else None
    if person is None or org is None:
        return None
    data = form.cleaned_data
    fields = {
        "case_number": data["case_number"],
        "department": data["department"],
        "person": person,
        "org": org,
        "outcome": data["outcome"],
        "decided_on": data["decided_on"],
        "summary": data["summary"],
    }
    try:
        if case is None:
            return actions.record_case(request.user, **fields)
        return actions.update_case(request.user, case, **fields)
    except ValidationError as exc:
        add_action_errors(form, exc)
        return None


def _form_page(request, case: DisciplineCase | None):
    if case is None:
        initial = {"org": request.GET.get("org", "")}
    else:
        initial = {
            "case_number": case.case_number,
            "department": case.department,
            "person": case.person.public_id,
            "org": case.org.code,
            "outcome": case.outcome,
            "decided_on": case.decided_on,
            "summary": case.summary,
        }
    searching = request.method == "POST" and "search" in request.POST
    if searching:
        # The no-script name search: show the matches, keep what was typed, check nothing yet.
        form = CaseForm(initial={**initial, **request.POST.dict()})
    else:
        form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and not searching and form.is_valid():
        saved = _save(request, form, case)
        if saved is not None:
            messages.success(request, _("已保存案件 %(case)s。") % {"case": saved})
            return redirect("discipline:detail", saved.public_id)
    q = (request.POST if request.method == "POST" else request.GET).get("q", "").strip()
    chosen_id = _as_uuid(form["person"].value())
    chosen = person_by_public_id(request.user, chosen_id) if chosen_id else None
    context = {
        "form": form,
        "case": case,
        "q": q,
        "candidates": search_people(request.user, q),
        "chosen": chosen,
        "title": _("编辑案件") if case else _("登记案件"),
    }
    return render(request, "discipline/form.html", context)


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


@login_required
def case_create(request):
    require_discipline(request.user)
    return _form_page(request, None)


@login_required
def case_edit(request, public_id):
    require_discipline(request.user)
    case = get_case_for_user(request.user, public_id, write=True)
    if not case.is_active:
        messages.error(request, _("案件记录已撤销，不能再修改。"))
        return redirect("discipline:detail", case.public_id)
    return _form_page(request, case)


@login_required
def case_withdraw(request, public_id):
    require_discipline(request.user)
    case = get_case_for_user(request.user, public_id, write=True)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.withdraw_case(request.user, case, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已撤销案件记录 %(case)s。") % {"case": case})
            return redirect("discipline:detail", case.public_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "discipline/withdraw.html", {"case": case, "form": form}, status=status)


@login_required
def person_search(request):
    """The person picker's matches (htmx partial), within the user's scope."""
    require_discipline(request.user)
    q = request.GET.get("q", "").strip()
    context = {"candidates": search_people(request.user, q), "q": q, "chosen": None}
    return render(request, "discipline/partials/person_choices.html", context)


# ---- import, template ------------------------------------------------------------------------------


def _import_page(request, form: UploadForm, errors=None, status: int = 200):
    context = {
        **page_context(form, errors, sheet=xlsx.CASE_SHEET),
        "sheet": xlsx.CASE_SHEET,
        "columns": xlsx.CASE_COLUMNS,
        "max_rows": settings.MAX_IMPORT_ROWS,
    }
    return render(request, "discipline/import.html", context, status=status)


@csrf_exempt  # checks the size before CSRF reads the body: see kaohe.jobs.import_views
@login_required
def case_import(request):
    require_discipline(request.user)
    return import_view(request, _import_page, "discipline.import")


@login_required
def case_template(request):
    require_discipline(request.user)
    root = scope_roots(request.user, Cap.MANAGE_DISCIPLINE)[0]
    return xlsx_response(xlsx.case_template(root.code), _("违纪案件导入模板"))


# ---- the summary per org and year -------------------------------------------------------------------


def _summary(request):
    require_discipline(request.user)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    code = request.GET.get("org", "").strip()
    orgs = discipline_orgs(request.user).select_related("parent")
    root = orgs.filter(code=code).first() if code else None
    if root is None:
        root = scope_roots(request.user, Cap.MANAGE_DISCIPLINE)[0]
    rows, total = summary_rows(request.user, root, year)
    return root, year, rows, total


def _share(permille: int | None) -> str:
    return "—" if permille is None else f"{permille // 10}.{permille % 10}%"


@login_required
def summary(request):
    root, year, rows, total = _summary(request)
    parent = root.parent
    context = {
        "root": root,
        "parent": parent
        if parent is not None and has_cap(request.user, Cap.MANAGE_DISCIPLINE, parent)
        else None,
        "year": year,
        "years": _years(request.user),
        "rows": [(row, _share(row.first_form_permille)) for row in rows],
        "total": total,
        "total_share": _share(total.first_form_permille),
        "outcomes": Outcome.choices,
        "query": urlencode({"org": root.code, "year": year}),
    }
    return render(request, "discipline/summary.html", context)


@login_required
def summary_export(request):
    _root, year, rows, total = _summary(request)
    columns = [
        ("组织", 30),
        *[(ENGINE_OPTION[o.value], 10) for o in Outcome],
        ("合计", 8),
        ("第一种形态", 10),
        ("第一种形态占比", 14),
    ]

    def line(name: str, row) -> list:
        return [name, *row.counts, row.total, row.first_form, _share(row.first_form_permille)]

    body = [line(row.org.name + ("（本级）" if row.own_only else ""), row) for row in rows]
    body.append(line("合计", total))
    return xlsx_response(table_xlsx(f"{year}年违纪案件统计", columns, body), _("违纪案件统计"))
