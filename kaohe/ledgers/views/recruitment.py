"""发展党员: the cases of an org's subtree, one case's 25 steps as a timeline (dates editable by
those who may), and the case form."""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.forms_errors import add_action_errors
from kaohe.ledgers import actions
from kaohe.ledgers.actions import StepEntry, step_field
from kaohe.ledgers.models import RecruitmentCase, RecruitmentStep
from kaohe.ledgers.queries import get_ledger_org_for_user
from kaohe.ledgers.recruitment import LAST_STEP, STAGES, STEPS, Stage, Step, Violation, check, current_stage
from kaohe.ledgers.views.common import PAGE_SIZE, org_context, today
from kaohe.orgs.forms import DateInput
from kaohe.orgs.models import OrgKind, OrgUnit, Person

# Above this many people a drop-down is no help: the case keeps the name only.
MAX_PERSON_CHOICES = 300


def get_case_for_user(user, public_id, *, write: bool = False) -> RecruitmentCase:
    """404 when the user may not see the case's branch, 403 when they may see but not change it."""
    case = RecruitmentCase.objects.filter(public_id=public_id).select_related("org", "person").first()
    if case is None or not has_cap(user, Cap.VIEW_LEDGERS, case.org):
        raise Http404("not here")
    if write and not has_cap(user, Cap.EDIT_LEDGERS, case.org):
        raise PermissionDenied("read-only")
    return case


def cases_under(org: OrgUnit) -> QuerySet[RecruitmentCase]:
    return RecruitmentCase.objects.filter(org__path__startswith=org.path)


def step_dates(cases: QuerySet[RecruitmentCase]) -> dict[int, dict[str, datetime.date]]:
    """case pk → step code → day done, for all the given cases in one query."""
    dates: dict[int, dict[str, datetime.date]] = {}
    rows = RecruitmentStep.objects.filter(case__in=cases).values_list("case_id", "step", "done_on")
    for case_id, step, done_on in rows.order_by():
        dates.setdefault(case_id, {})[step] = done_on
    return dates


# ---- forms --------------------------------------------------------------------------------------


class CaseForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=gettext_lazy("党支部"), queryset=OrgUnit.objects.none(), to_field_name="code"
    )
    candidate_name = forms.CharField(label=gettext_lazy("姓名"), max_length=40, required=False)
    person = forms.ModelChoiceField(
        label=gettext_lazy("对应人员"),
        queryset=Person.objects.none(),
        required=False,
        to_field_name="public_id",
        help_text=gettext_lazy("可选：已录入人员信息的，选择其本人（未填姓名时取其姓名）"),
    )
    started_on = forms.DateField(
        label=gettext_lazy("开始日期"),
        widget=DateInput,
        help_text=gettext_lazy("一般为递交入党申请书的日期；各环节的日期不能早于它"),
    )
    ended_on = forms.DateField(
        label=gettext_lazy("终止日期"),
        widget=DateInput,
        required=False,
        help_text=gettext_lazy("未被批准、转出或本人放弃的，填写终止日期，此后不再计算期限"),
    )
    end_note = forms.CharField(label=gettext_lazy("终止原因"), max_length=200, required=False)

    def __init__(self, *args, branches=None, people=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if branches is None:
            del self.fields["branch"]
        else:
            branch = self.fields["branch"]
            assert isinstance(branch, forms.ModelChoiceField)
            branch.queryset = branches
        if people is None:
            del self.fields["person"]
        else:
            person = self.fields["person"]
            assert isinstance(person, forms.ModelChoiceField)
            person.queryset = people
        if not editing:
            del self.fields["ended_on"], self.fields["end_note"]


class TimelineForm(forms.Form):
    """A date and a note for each of the 25 steps (field names: actions.step_field)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for step in STEPS:
            self.fields[step_field("done_on", step.code)] = forms.DateField(
                label=step.name, required=False, widget=DateInput
            )
            self.fields[step_field("note", step.code)] = forms.CharField(
                label=gettext_lazy("备注"), max_length=actions.MAX_NOTE, required=False
            )


def _people(org: OrgUnit):
    """Who a case at `org` may point to (anyone there, member or not); None when too many."""
    people = Person.objects.filter(org__path__startswith=org.path, left_on__isnull=True).order_by(
        "name_pinyin", "pk"
    )
    return people if people[: MAX_PERSON_CHOICES + 1].count() <= MAX_PERSON_CHOICES else None


def _branches(org: OrgUnit):
    return OrgUnit.objects.filter(path__startswith=org.path, kind=OrgKind.BRANCH).active().order_by("path")


# ---- the list -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    case: RecruitmentCase
    stage: Stage | None
    last: Step | None  # the furthest step recorded
    violations: list[Violation]

    @property
    def status(self) -> str:
        if self.case.ended_on is not None:
            return "ended"
        return "archived" if self.last == LAST_STEP else "open"


def _row(case: RecruitmentCase, dates: dict[str, datetime.date], day: datetime.date) -> Row:
    recorded = [s for s in STEPS if s.code in dates]
    return Row(
        case,
        current_stage(dates),
        recorded[-1] if recorded else None,
        check(dates, today=day, ended_on=case.ended_on),
    )


STATUSES = [
    ("open", gettext_lazy("进行中")),
    ("archived", gettext_lazy("已归档")),
    ("ended", gettext_lazy("已终止")),
]
SORTS = {
    "-started_on": lambda r: (-r.case.started_on.toordinal(), -r.case.pk),
    "started_on": lambda r: (r.case.started_on.toordinal(), r.case.pk),
    "-violations": lambda r: (-len(r.violations), -r.case.started_on.toordinal(), -r.case.pk),
}


@login_required
def case_list(request, code: str):
    """Every case of the org's subtree with its stage and its breaches. Four queries whatever the
    number of cases: the rules run in Python over the steps read at once."""
    org = get_ledger_org_for_user(request.user, code)
    # The branch's parent tells apart two branches of the same short name (工程部党支部).
    cases = cases_under(org).select_related("org__parent")
    q = request.GET.get("q", "").strip()
    if q:
        cases = cases.filter(candidate_name__icontains=q)
    dates, day = step_dates(cases), today()
    rows = [_row(c, dates.get(c.pk, {}), day) for c in cases]
    stage = request.GET.get("stage", "")
    if stage in {s.code for s in STAGES}:
        rows = [r for r in rows if r.stage is not None and r.stage.code == stage]
    status = request.GET.get("status", "")
    if status in dict(STATUSES):
        rows = [r for r in rows if r.status == status]
    problems = request.GET.get("problems") == "1"
    if problems:
        rows = [r for r in rows if r.violations]
    sort = request.GET.get("sort", "-started_on")
    sort = sort if sort in SORTS else "-started_on"
    rows.sort(key=SORTS[sort])
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {"q": q, "stage": stage, "status": status, "problems": "1" if problems else "", "sort": sort}
    return render(
        request,
        "ledgers/recruitment.html",
        {
            **org_context(request, org, "recruitment"),
            "page": page,
            "q": q,
            "stage": stage,
            "stages": STAGES,
            "status": status,
            "statuses": STATUSES,
            "problems": problems,
            "sort": sort,
            "violation_total": sum(len(r.violations) for r in rows),
            "query": urlencode({k: v for k, v in query.items() if v}),
            "filter_query": urlencode({k: v for k, v in query.items() if v and k != "sort"}),
        },
    )


# ---- one case -----------------------------------------------------------------------------------


def _timeline(form: TimelineForm, stored: dict[str, RecruitmentStep], violations: list[Violation]):
    """Per stage, its steps with their form fields, what is stored and the breaches shown on them."""
    on_step: dict[str, list[Violation]] = {}
    for v in violations:
        on_step.setdefault(v.step, []).append(v)
    return [
        {
            "stage": stage,
            "steps": [
                {
                    "step": step,
                    "stored": stored.get(step.code),
                    "date": form[step_field("done_on", step.code)],
                    "note": form[step_field("note", step.code)],
                    "violations": on_step.get(step.code, []),
                }
                for step in STEPS
                if step.stage == stage.code
            ],
        }
        for stage in STAGES
    ]


@login_required
def case_detail(request, public_id):
    """The case and its 25 steps; a POST saves the dates and notes of all of them at once."""
    case = get_case_for_user(request.user, public_id, write=request.method == "POST")
    stored = {s.step: s for s in RecruitmentStep.objects.filter(case=case).select_related("recorded_by")}
    initial: dict[str, object] = {}
    for code, row in stored.items():
        initial[step_field("done_on", code)] = row.done_on
        initial[step_field("note", code)] = row.note
    form = TimelineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        entries = [
            StepEntry(
                step.code,
                form.cleaned_data[step_field("done_on", step.code)],
                form.cleaned_data[step_field("note", step.code)],
            )
            for step in STEPS
        ]
        try:
            actions.record_steps(request.user, org=case.org, case=case, entries=entries)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已保存发展党员各环节的日期。"))
            return redirect("ledgers:recruitment_case", case.public_id)
    dates = {code: row.done_on for code, row in stored.items()}
    violations = check(dates, today=today(), ended_on=case.ended_on)
    return render(
        request,
        "ledgers/recruitment_case.html",
        {
            **org_context(request, case.org, "recruitment"),
            "case": case,
            "form": form,
            "stage": current_stage(dates),
            "violations": violations,
            "timeline": _timeline(form, stored, violations),
        },
    )


@login_required
def case_create(request, code: str):
    org = get_ledger_org_for_user(request.user, code, write=True)
    branches = None if org.kind == OrgKind.BRANCH else _branches(org)
    form = CaseForm(request.POST or None, branches=branches, people=_people(org))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        branch = data.pop("branch", None) or org
        try:
            case = actions.create_case(request.user, org=branch, **data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已建立%(name)s的发展党员档案。") % {"name": case.candidate_name})
            return redirect("ledgers:recruitment_case", case.public_id)
    return render(
        request,
        "ledgers/recruitment_form.html",
        {**org_context(request, org, "recruitment"), "form": form, "title": _("新建发展党员档案")},
    )


@login_required
def case_edit(request, public_id):
    case = get_case_for_user(request.user, public_id, write=True)
    initial = {
        "candidate_name": case.candidate_name,
        "person": case.person,
        "started_on": case.started_on,
        "ended_on": case.ended_on,
        "end_note": case.end_note,
    }
    form = CaseForm(request.POST or None, people=_people(case.org), editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_case(request.user, case, **form.cleaned_data)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("ledgers:recruitment_case", case.public_id)
    return render(
        request,
        "ledgers/recruitment_form.html",
        {
            **org_context(request, case.org, "recruitment"),
            "form": form,
            "title": _("修改发展党员档案"),
            "case": case,
        },
    )


@login_required
@require_POST
def case_delete(request, public_id):
    case = get_case_for_user(request.user, public_id, write=True)
    code = case.org.code
    actions.delete_case(request.user, case)
    messages.success(request, _("已删除%(name)s的发展党员档案。") % {"name": case.candidate_name})
    return redirect("ledgers:recruitment", code)
