from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.consultation.queries import awaiting
from kaohe.orgs.queries import subtree_counts


@login_required
def home(request):
    roots = scope_roots(request.user, Cap.VIEW_ORGS)
    counts = subtree_counts(request.user, roots)
    scopes = [{"org": r, **counts[r.pk]} for r in roots]
    return render(
        request,
        "home.html",
        {
            "scopes": scopes,
            "can_people": has_cap(request.user, Cap.VIEW_PEOPLE),
            "consultations": awaiting(request.user),
        },
    )


def forbidden(request, exception=None):
    return render(request, "errors/403.html", status=403)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        # API clients get the API's one error shape, even for a path it does not have.
        body = {
            "error": {
                "code": "not_found",
                "message": gettext("对象不存在，或不在您的可见范围内"),
                "fields": {},
            }
        }
        return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})
    return render(request, "errors/404.html", status=404)
