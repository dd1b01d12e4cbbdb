from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.utils.dateparse import parse_date

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.queries import entries_for_user
from kaohe.htmx import render_page_or_partial


@login_required
def audit_list(request):
    """Audit admins only (三员分立): filter by actor, action, target and date."""
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
    page = Paginator(qs.order_by("-seq"), 50).get_page(request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in f.items() if v)
    return render_page_or_partial(
        request, "audit/list.html", "audit/partials/rows.html", {"page": page, "f": f, "query": query}
    )
