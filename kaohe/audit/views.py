from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.utils.dateparse import parse_date
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import record
from kaohe.audit.export import build_entries
from kaohe.audit.labels import ACTION_LABELS
from kaohe.audit.queries import entries_for_user
from kaohe.htmx import render_page_or_partial
from kaohe.tables import xlsx_response


def _filtered(request):
    """The entries the user may read, narrowed by the page's filters."""
    if not has_cap(request.user, Cap.VIEW_AUDIT):
        raise Http404("not here")
    qs = entries_for_user(request.user)
    f = {k: request.GET.get(k, "").strip() for k in ("actor", "action", "target", "since", "until")}
    if f["actor"]:
        qs = qs.filter(actor_name__icontains=f["actor"])
    if f["action"]:
        qs = qs.filter(action__startswith=f["action"])
    if f["target"]:
        qs = qs.filter(target_repr__icontains=f["target"]) | qs.filter(target_id=f["target"])
    if since := parse_date(f["since"]):
        qs = qs.filter(at__date__gte=since)
    if until := parse_date(f["until"]):
        qs = qs.filter(at__date__lte=until)
    return qs, f


@login_required
def audit_list(request):
    """Audit admins only (三员分立): filter by actor, action, target and date."""
    qs, f = _filtered(request)
    page = Paginator(qs.order_by("-seq"), 50).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in f.items() if v})
    actions = [(code, str(label)) for code, label in ACTION_LABELS.items()]
    return render_page_or_partial(
        request,
        "audit/list.html",
        "audit/partials/rows.html",
        {"page": page, "f": f, "query": query, "actions": actions},
    )


@login_required
def audit_export(request):
    """The filtered entries as xlsx; the export itself is recorded."""
    qs, f = _filtered(request)
    with transaction.atomic():
        record(
            request.user,
            "audit.export",
            target_type="audit",
            target_id="-",
            target_repr=_("审计日志导出"),
            new={k: v for k, v in f.items() if v} or None,
        )
    return xlsx_response(build_entries(qs.order_by("seq").iterator(chunk_size=2000)), _("审计日志"))
