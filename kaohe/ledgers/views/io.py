"""Excel in and out: the import (run as a job), its template, and the exports of each ledger."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.jobs.actions import start_job
from kaohe.ledgers import xlsx
from kaohe.ledgers.forms import UploadForm
from kaohe.ledgers.models import DECISION_STEPS, DecisionCategory, MeetingKind
from kaohe.ledgers.queries import (
    decisions_under,
    dues_under,
    get_ledger_org_for_user,
    ledger_orgs_for_user,
    meetings_under,
)
from kaohe.ledgers.views.common import year_of
from kaohe.ledgers.xlsx import SheetError
from kaohe.orgs import xlsx as org_xlsx
from kaohe.orgs.models import OrgKind
from kaohe.tables import table_xlsx, xlsx_response


def _require_edit(user) -> None:
    """404 for someone who sees no ledger at all, 403 for a read-only one."""
    if not has_cap(user, Cap.VIEW_LEDGERS):
        raise Http404("not here")
    if not has_cap(user, Cap.EDIT_LEDGERS):
        raise PermissionDenied("read-only")


def _page(request, form: UploadForm, errors: list[SheetError] | None = None, status: int = 200):
    shown = [vars(e) for e in errors or []]
    return render(
        request,
        "ledgers/import.html",
        {
            "form": form,
            "sheets": [(xlsx.MEETING_SHEET, xlsx.MEETING_COLUMNS), (xlsx.DUES_SHEET, xlsx.DUES_COLUMNS)],
            "result": {"errors": shown, "error_count": len(shown)} if shown else None,
            "max_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024),
            "max_rows": settings.MAX_IMPORT_ROWS,
        },
        status=status,
    )


# CSRF middleware would read the whole upload before the view runs; the size is checked first and
# then CSRF (`_upload` is csrf_protect-ed), as the org importer does.
@csrf_exempt
@login_required
def ledger_import(request):
    _require_edit(request.user)
    if request.method != "POST":
        return _page(request, UploadForm())
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > settings.MAX_UPLOAD_BYTES:
        mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        error = SheetError("", None, "", _("文件太大：上限为 %(mb)s MB，请分批导入") % {"mb": mb})
        return _page(request, UploadForm(), [error], status=413)
    return _upload(request)


@csrf_protect
def _upload(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    job = start_job(request.user, "ledgers.import", form.cleaned_data["file"])
    return redirect("jobs:detail", job.public_id)


@login_required
def template(request):
    _require_edit(request.user)
    # The example meeting sits at a branch the user may edit, so the template itself imports cleanly.
    scope = ledger_orgs_for_user(request.user, Cap.EDIT_LEDGERS)
    example = scope.filter(kind=OrgKind.BRANCH).order_by("path").first() or scope.order_by("path").first()
    return xlsx_response(xlsx.template(example.code if example else ""), _("台账导入模板"))


def _label(choices, value: str) -> str:
    return org_xlsx.choice_label(choices, value)


@login_required
def meetings_export(request, code: str):
    """The year's meetings of the org's subtree, in the import layout (plus when they were entered)."""
    org = get_ledger_org_for_user(request.user, code)
    year = year_of(request)
    meetings = meetings_under(org).filter(held_on__year=year).select_related("org")
    kind = request.GET.get("kind", "")
    if kind in MeetingKind.values:
        meetings = meetings.filter(kind=kind)
    columns = [(c.header, c.width) for c in xlsx.MEETING_COLUMNS] + [("组织名称", 30), ("录入时间", 18)]
    rows = (
        [
            m.org.code,
            _label(MeetingKind, m.kind),
            m.held_on,
            m.title,
            m.expected,
            m.present,
            m.agenda,
            m.minutes,
            m.org.name,
            timezone.localtime(m.recorded_at).replace(tzinfo=None),  # Excel has no time zones
        ]
        for m in meetings.order_by("held_on", "org__path", "pk").iterator(chunk_size=2000)
    )
    return xlsx_response(
        table_xlsx(xlsx.MEETING_SHEET, columns, rows),
        _("%(code)s-%(year)s-会议台账") % {"code": org.code, "year": year},
    )


@login_required
def dues_export(request, code: str):
    """The year's dues records of the org's subtree. ID numbers masked, as every export does."""
    org = get_ledger_org_for_user(request.user, code)
    year = year_of(request)
    records = dues_under(org).filter(month__year=year).select_related("person", "person__org")
    columns = [
        ("姓名", 10),
        ("所在组织", 30),
        ("身份证号", 22),
        ("月份", 10),
        ("应缴金额", 10),
        ("实缴金额", 10),
        ("缴纳日期", 12),
        ("是否足额", 10),
    ]
    masked: dict[int, str] = {}  # decrypting is the slow part: once per person

    def rows():
        for r in records.order_by("person__org__path", "person__name_pinyin", "person_id", "month").iterator(
            chunk_size=2000
        ):
            if r.person_id not in masked:
                masked[r.person_id] = r.person.id_number_masked
            yield [
                r.person.name,
                r.person.org.name,
                masked[r.person_id],
                f"{r.month:%Y-%m}",
                r.due,
                r.paid,
                r.paid_on,
                _("是") if r.in_full else _("否"),
            ]

    return xlsx_response(
        table_xlsx(xlsx.DUES_SHEET, columns, rows()),
        _("%(code)s-%(year)s-党费台账") % {"code": org.code, "year": year},
    )


@login_required
def decisions_export(request, code: str):
    org = get_ledger_org_for_user(request.user, code)
    year = year_of(request)
    decisions = decisions_under(org).filter(decided_on__year=year).select_related("org")
    columns = [("组织编码", 16), ("组织名称", 30), ("决策日期", 12), ("事项", 40), ("类别", 14)]
    columns += [(option, 12) for _name, option in DECISION_STEPS] + [("备注", 30)]
    rows = (
        [d.org.code, d.org.name, d.decided_on, d.title, _label(DecisionCategory, d.category)]
        + [("✓" if getattr(d, name) else "✗") for name, _option in DECISION_STEPS]
        + [d.notes]
        for d in decisions.order_by("decided_on", "org__path", "pk").iterator(chunk_size=2000)
    )
    return xlsx_response(
        table_xlsx("三重一大", columns, rows),
        _("%(code)s-%(year)s-三重一大决策事项") % {"code": org.code, "year": year},
    )
