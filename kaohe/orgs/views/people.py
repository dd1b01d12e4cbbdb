from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.forms_errors import add_action_errors
from kaohe.htmx import render_page_or_partial
from kaohe.orgs import actions
from kaohe.orgs.forms import PersonForm
from kaohe.orgs.models import MemberStatus
from kaohe.orgs.queries import get_org_for_user, get_person_for_user, orgs_for_user, people_for_user

PAGE_SIZE = 50
# Column → ordering; names sort by pinyin as Chinese users expect.
SORTS = {
    "name": ("name_pinyin", "pk"),
    "-name": ("-name_pinyin", "-pk"),
    "join": ("join_date", "name_pinyin", "pk"),
    "-join": ("-join_date", "name_pinyin", "pk"),
    "org": ("org__path", "name_pinyin", "pk"),
    "-org": ("-org__path", "name_pinyin", "pk"),
}


@login_required
def people_list(request):
    if not has_cap(request.user, Cap.VIEW_PEOPLE):
        raise Http404("not here")
    qs = people_for_user(request.user).select_related("org", "org__enterprise")
    org_code = request.GET.get("org", "").strip()
    org = get_org_for_user(request.user, org_code) if org_code else None
    if org is not None:
        qs = qs.in_subtree_of(org)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.search(q)
    status = request.GET.get("status", "")
    if status in MemberStatus.values:
        qs = qs.filter(status=status)
    show_left = request.GET.get("left") == "1"
    if not show_left:
        qs = qs.filter(left_on__isnull=True)
    sort = request.GET.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    page = Paginator(qs.order_by(*SORTS[sort]), PAGE_SIZE).get_page(request.GET.get("page"))
    query = {
        "q": q,
        "status": status,
        "org": org.code if org else "",
        "left": "1" if show_left else "",
        "sort": sort,
    }
    context = {
        "query": urlencode({k: v for k, v in query.items() if v}),
        "filter_query": urlencode({k: v for k, v in query.items() if v and k != "sort"}),
        "sort": sort,
        "show_left": show_left,
        "page": page,
        "org": org,
        "q": q,
        "status": status,
        "statuses": MemberStatus.choices,
        "can_edit": has_cap(request.user, Cap.EDIT_PEOPLE),
    }
    return render_page_or_partial(request, "orgs/people.html", "orgs/partials/people_rows.html", context)


@login_required
def person_detail(request, public_id):
    person = get_person_for_user(request.user, public_id)
    return render(
        request,
        "orgs/person.html",
        {"person": person, "can_edit": has_cap(request.user, Cap.EDIT_PEOPLE, person.org)},
    )


def _org_for_people(request, code: str):
    return orgs_for_user(request.user, Cap.EDIT_PEOPLE).filter(code=code).first()


@login_required
def person_create(request):
    if not has_cap(request.user, Cap.EDIT_PEOPLE):
        raise Http404("not here")
    form = PersonForm(request.POST or None, initial={"org": request.GET.get("org", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = _org_for_people(request, data.pop("org"))
        if org is None:
            form.add_error("org", _("组织编码不存在或不在您的管理范围内"))
        else:
            try:
                person = actions.create_person(request.user, org=org, **data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("已添加 %(name)s。") % {"name": person.name})
                return redirect("orgs:person", person.public_id)
    return render(request, "orgs/form.html", {"form": form, "title": _("添加人员")})


@login_required
def person_edit(request, public_id):
    person = get_person_for_user(request.user, public_id, write=True)
    initial = {
        "name": person.name,
        "gender": person.gender,
        "org": person.org.code,
        "status": person.status,
        "birth_date": person.birth_date,
        "join_date": person.join_date,
        "position": person.position,
        "left_on": person.left_on,
    }
    form = PersonForm(request.POST or None, initial=initial)
    form.fields["phone"].help_text = _("留空则不修改（当前 %(m)s）") % {"m": person.phone_masked or "—"}
    form.fields["id_number"].help_text = _("留空则不修改（当前 %(m)s）") % {
        "m": person.id_number_masked or "—"
    }
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = _org_for_people(request, data.pop("org"))
        if org is None:
            form.add_error("org", _("组织编码不存在或不在您的管理范围内"))
        else:
            phone, id_number = data.pop("phone") or None, data.pop("id_number") or None
            try:
                actions.update_person(request.user, person, org=org, phone=phone, id_number=id_number, **data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("orgs:person", person.public_id)
    return render(request, "orgs/form.html", {"form": form, "title": _("编辑人员"), "person": person})
