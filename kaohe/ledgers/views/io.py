"""Excel in and out: the imports (run as jobs), their templates, and the exports of each ledger (jobs
too: exports.py)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.files.models import StoredFile
from kaohe.files.queries import file_response
from kaohe.jobs.actions import start_job
from kaohe.jobs.import_views import UploadForm, import_view, page_context
from kaohe.jobs.models import JobStatus
from kaohe.jobs.queries import get_job_for_user
from kaohe.ledgers import exports, recruitment_xlsx, xlsx
from kaohe.ledgers.models import MeetingKind
from kaohe.ledgers.queries import get_ledger_org_for_user, ledger_orgs_for_user
from kaohe.ledgers.recruitment import STEPS
from kaohe.ledgers.views.common import year_of
from kaohe.orgs.models import OrgKind
from kaohe.tables import xlsx_response


def _require_edit(user) -> None:
    """404 for someone who sees no ledger at all, 403 for a read-only one."""
    if not has_cap(user, Cap.VIEW_LEDGERS):
        raise Http404("not here")
    if not has_cap(user, Cap.EDIT_LEDGERS):
        raise PermissionDenied("read-only")


def _page(request, form: UploadForm, errors=None, status: int = 200):
    sheets = [(xlsx.MEETING_SHEET, xlsx.MEETING_COLUMNS), (xlsx.DUES_SHEET, xlsx.DUES_COLUMNS)]
    context = {**page_context(form, errors), "sheets": sheets, "max_rows": settings.MAX_IMPORT_ROWS}
    return render(request, "ledgers/import.html", context, status=status)


@csrf_exempt  # see kaohe.jobs.import_views
@login_required
def ledger_import(request):
    _require_edit(request.user)
    return import_view(request, _page, "ledgers.import")


@login_required
def template(request):
    _require_edit(request.user)
    # The example meeting sits at a branch the user may edit, so the template itself imports cleanly.
    scope = ledger_orgs_for_user(request.user, Cap.EDIT_LEDGERS)
    example = scope.filter(kind=OrgKind.BRANCH).order_by("path").first() or scope.order_by("path").first()
    return xlsx_response(xlsx.template(example.code if example else ""), _("台账导入模板"))


# ---- exports, run as jobs (exports.py) ------------------------------------------------------------


def _start_export(request, what: str, code: str, back: str):
    """Start building the export and show the job's page; read access is enough."""
    org = get_ledger_org_for_user(request.user, code)
    kind = request.GET.get("kind", "")  # the year and kind come in the form's URL, as the list's filter
    params = exports.job_params(what, org, year_of(request), kind if kind in MeetingKind.values else "", back)
    job = start_job(request.user, exports.JOB_KIND, params=params)
    return redirect("jobs:detail", job.public_id)


@login_required
@require_POST
def meetings_export(request, code: str):
    return _start_export(request, "meetings", code, reverse("ledgers:org", args=[code]))


@login_required
@require_POST
def dues_export(request, code: str):
    return _start_export(request, "dues", code, reverse("ledgers:dues", args=[code]))


@login_required
@require_POST
def decisions_export(request, code: str):
    return _start_export(request, "decisions", code, reverse("ledgers:decisions", args=[code]))


@login_required
@require_POST
def recruitment_export(request, code: str):
    return _start_export(request, "recruitment", code, reverse("ledgers:recruitment", args=[code]))


@login_required
def export_download(request, public_id):
    """The file a finished export job built: its owner's only, and only while they may still read
    the org it is of."""
    job = get_job_for_user(request.user, public_id)
    if job.kind != exports.JOB_KIND or job.status != JobStatus.SUCCEEDED or not job.result:
        raise Http404("no file")
    get_ledger_org_for_user(request.user, job.params["org"])
    stored = StoredFile.objects.filter(public_id=job.result["file"]).first()
    if stored is None:
        raise Http404("no file")
    return file_response(stored)


# ---- 发展党员: import (a job) and template --------------------------------------------------------


def _safe_back(url: str) -> str:
    """A page of this site to return to, or "" (never another host or a javascript: URL)."""
    return url if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None) else ""


def _recruitment_page(request, form: UploadForm, errors=None, status: int = 200):
    context = {
        **page_context(form, errors),
        "sheets": [
            (recruitment_xlsx.CASE_SHEET, recruitment_xlsx.CASE_FIELDS),
            (recruitment_xlsx.NOTE_SHEET, recruitment_xlsx.NOTE_COLUMNS),
        ],
        "steps": STEPS,
        "step_note": recruitment_xlsx.STEP_NOTE,
        "back": _safe_back(request.GET.get("back", "")),
    }
    return render(request, "ledgers/recruitment_import.html", context, status=status)


def _recruitment_params(request) -> dict:
    back = _safe_back(request.POST.get("back", ""))
    return {"back": back} if back else {}


@csrf_exempt  # see kaohe.jobs.import_views
@login_required
def recruitment_import(request):
    _require_edit(request.user)
    return import_view(request, _recruitment_page, "ledgers.recruitment_import", _recruitment_params)


@login_required
def recruitment_template(request):
    _require_edit(request.user)
    scope = ledger_orgs_for_user(request.user, Cap.EDIT_LEDGERS)
    example = scope.filter(kind=OrgKind.BRANCH).order_by("path").first()
    content = recruitment_xlsx.template(example.code if example else "")
    return xlsx_response(content, _("发展党员台账导入模板"))
