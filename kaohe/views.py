from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.orgs.queries import subtree_counts


@login_required
def home(request):
    roots = scope_roots(request.user, Cap.VIEW_ORGS)
    counts = subtree_counts(request.user, roots)
    scopes = [{"org": r, **counts[r.pk]} for r in roots]
    return render(
        request, "home.html", {"scopes": scopes, "can_people": has_cap(request.user, Cap.VIEW_PEOPLE)}
    )


def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


def not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)
