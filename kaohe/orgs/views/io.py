"""Excel import and export of the org tree and of people."""

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.jobs.import_views import UploadForm, import_view, page_context
from kaohe.orgs import xlsx
from kaohe.orgs.models import OrgKind
from kaohe.orgs.queries import get_org_for_user, orgs_for_user, people_for_user
from kaohe.tables import xlsx_response


@dataclass(frozen=True)
class _Io:
    """What differs between the org and the people import pages."""

    view_cap: str
    edit_cap: str
    title: str | Promise  # translated lazily, at render time
    sheet: str
    columns: tuple[xlsx.Column, ...]
    template_url: str
    export_url: str
    done_url: str
    job_kind: str


ORGS = _Io(
    view_cap=Cap.VIEW_ORGS,
    edit_cap=Cap.EDIT_ORGS,
    title=gettext_lazy("导入组织"),
    sheet=xlsx.ORG_SHEET,
    columns=xlsx.ORG_COLUMNS,
    template_url="orgs:org_template",
    export_url="orgs:org_export",
    done_url="orgs:tree",
    job_kind="orgs.import",
)
PEOPLE = _Io(
    view_cap=Cap.VIEW_PEOPLE,
    edit_cap=Cap.EDIT_PEOPLE,
    title=gettext_lazy("导入人员"),
    sheet=xlsx.PEOPLE_SHEET,
    columns=xlsx.PEOPLE_COLUMNS,
    template_url="orgs:people_template",
    export_url="orgs:people_export",
    done_url="orgs:people",
    job_kind="people.import",
)


def _require_edit(user, io: _Io) -> None:
    """404 for someone who cannot see this kind of record at all, 403 for a read-only one."""
    if not has_cap(user, io.view_cap):
        raise Http404("not here")
    if not has_cap(user, io.edit_cap):
        raise PermissionDenied("read-only")


def _page(io: _Io, request, form: UploadForm, errors=None, status: int = 200):
    context = {
        **page_context(form, errors),
        "title": io.title,
        "sheet": io.sheet,
        "columns": io.columns,
        "template_url": reverse(io.template_url),
        "export_url": reverse(io.export_url),
        "back_url": reverse(io.done_url),
        "max_rows": settings.MAX_IMPORT_ROWS,
        "people": io is PEOPLE,
    }
    return render(request, "orgs/import.html", context, status=status)


def _import_view(request, io: _Io):
    _require_edit(request.user, io)
    return import_view(request, partial(_page, io), io.job_kind)


# CSRF middleware would parse the whole upload before the view runs; these views check the size
# first and then CSRF themselves (see kaohe.jobs.import_views).
@csrf_exempt
@login_required
def org_import(request):
    return _import_view(request, ORGS)


@csrf_exempt
@login_required
def people_import(request):
    return _import_view(request, PEOPLE)


def _subtree_filter(request):
    """The org named by ?org= (404 if the user may not see it), or None for everything visible."""
    code = request.GET.get("org", "").strip()
    return get_org_for_user(request.user, code) if code else None


@login_required
def org_export(request):
    if not has_cap(request.user, Cap.VIEW_ORGS):
        raise Http404("not here")
    orgs = orgs_for_user(request.user).select_related("parent")
    org = _subtree_filter(request)
    if org is not None:
        orgs = orgs.subtree_of(org)
    with_secretaries = has_cap(request.user, Cap.VIEW_PEOPLE)
    return xlsx_response(
        xlsx.build_orgs(orgs.order_by("path"), with_secretaries=with_secretaries), _("组织架构")
    )


@login_required
def people_export(request):
    if not has_cap(request.user, Cap.VIEW_PEOPLE):
        raise Http404("not here")
    people = people_for_user(request.user).select_related("org")
    org = _subtree_filter(request)
    if org is not None:
        people = people.in_subtree_of(org)
    if request.GET.get("left") != "1":
        people = people.filter(left_on__isnull=True)
    ordered = people.order_by("org__path", "name_pinyin", "pk").iterator(chunk_size=2000)
    return xlsx_response(xlsx.build_people(ordered), _("党员与人员"))


@login_required
def org_template(request):
    _require_edit(request.user, ORGS)
    root = scope_roots(request.user, Cap.EDIT_ORGS)[0]
    return xlsx_response(xlsx.org_template(root.code), _("组织导入模板"))


@login_required
def people_template(request):
    _require_edit(request.user, PEOPLE)
    # The example sits in a branch the user may edit, so the template itself imports cleanly.
    scope = orgs_for_user(request.user, Cap.EDIT_PEOPLE)
    example = scope.filter(kind=OrgKind.BRANCH).order_by("path").first() or scope.order_by("path").first()
    return xlsx_response(xlsx.people_template(example.code if example else ""), _("人员导入模板"))
