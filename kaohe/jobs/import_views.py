"""The request side of the workbook imports: the upload form, the size check made before anything
reads the body, and queuing the import as a job. Each app keeps its own page (template, columns,
what the page explains) and its access check, and calls `import_view` after it.

CSRF middleware would read the whole upload before the view runs, so the import views are
csrf_exempt and check the declared size first; the upload is then csrf_protect-ed here.
"""

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_protect

from kaohe.jobs.actions import start_job
from kaohe.orgs.xlsx import RowError

# page(request, form, errors=None, status=200): the app's import page
Page = Callable[..., HttpResponse]


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Excel 文件（.xlsx）"))


def max_upload_mb() -> int:
    return settings.MAX_UPLOAD_BYTES // (1024 * 1024)


def page_context(form: UploadForm, errors, sheet: str | None = None) -> dict:
    """What every import page shows: the form, the errors of a refused upload (each named by
    `sheet` when given) and the size limit."""
    shown = [{"sheet": sheet, **vars(e)} if sheet is not None else vars(e) for e in errors or ()]
    result = {"errors": shown, "error_count": len(shown)}
    if sheet is not None:
        result["sheet"] = sheet  # as a one-sheet import's job result names it
    return {"form": form, "result": result if shown else None, "max_mb": max_upload_mb()}


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def import_view(
    request: HttpRequest,
    page: Page,
    job_kind: str,
    params: Callable[[HttpRequest], dict] | None = None,
) -> HttpResponse:
    """The form, or the upload queued as a `job_kind` job once its declared size is allowed;
    `params` gives the job's parameters from the request. The caller checks access first."""
    if request.method != "POST":
        return page(request, UploadForm())
    # Refused from the declared length alone, before anything reads the body.
    if _declared_length(request) > settings.MAX_UPLOAD_BYTES:
        error = RowError(None, "", _("文件太大：上限为 %(mb)s MB，请分批导入") % {"mb": max_upload_mb()})
        return page(request, UploadForm(), [error], status=413)
    return _upload(request, page, job_kind, params)


@csrf_protect
def _upload(request: HttpRequest, page: Page, job_kind: str, params) -> HttpResponse:
    """Store the file and queue its import; the job page shows progress and then the result."""
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return page(request, form, status=400)
    job = start_job(
        request.user, job_kind, form.cleaned_data["file"], params=params(request) if params else None
    )
    return redirect("jobs:detail", job.public_id)
