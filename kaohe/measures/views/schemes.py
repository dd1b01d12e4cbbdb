"""Scheme versions: list, read the table, upload a version, publish it, download it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.engine.scheme_xlsx import RULE_LABELS, TYPE_LABELS, write_xlsx
from kaohe.forms_errors import add_action_errors
from kaohe.measures import actions
from kaohe.measures.forms import SchemeUploadForm
from kaohe.measures.queries import get_scheme_for_user, schemes_for_user
from kaohe.orgs.models import OrgUnit
from kaohe.tables import xlsx_response


def _manageable_owners(user):
    roots = scope_roots(user, Cap.MANAGE_SCHEMES)
    return OrgUnit.objects.filter(pk__in=[r.pk for r in roots]).order_by("path")


@login_required
def scheme_list(request):
    if not scope_roots(request.user, Cap.VIEW_CYCLES):
        raise Http404("no scope")
    versions = list(schemes_for_user(request.user).order_by("-year", "code", "-version"))
    return render(
        request,
        "measures/list.html",
        {"versions": versions, "can_upload": has_cap(request.user, Cap.MANAGE_SCHEMES)},
    )


def scheme_rows(scheme):
    """The scheme's nodes in table order, with their depth, for the page."""
    rows = []

    def walk(nodes, depth):
        for node in nodes:
            rows.append(
                {"node": node, "depth": depth, "rule": RULE_LABELS.get(node.rule.kind) if node.rule else ""}
            )
            walk(node.children, depth + 1)

    walk(scheme.nodes, 0)
    return rows


@login_required
def scheme_detail(request, public_id):
    version = get_scheme_for_user(request.user, public_id)
    scheme = version.scheme
    kinds = [{"kind": k, "type": TYPE_LABELS[k.type]} for k in scheme.facts]
    return render(
        request,
        "measures/detail.html",
        {
            "version": version,
            "scheme": scheme,
            "rows": scheme_rows(scheme),
            "kinds": kinds,
            "can_publish": not version.is_published
            and has_cap(request.user, Cap.MANAGE_SCHEMES, version.owner),
        },
    )


@login_required
def scheme_upload(request):
    owners = _manageable_owners(request.user)
    if not owners:
        raise Http404("nothing to manage")
    form = SchemeUploadForm(request.POST or None, request.FILES or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            scheme = actions.parse_upload(upload.name, upload.read())
            version = actions.add_scheme_version(request.user, form.cleaned_data["owner"], scheme)
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已上传评分细则草稿，核对无误后即可发布"))
            return redirect("measures:detail", public_id=version.public_id)
    return render(request, "measures/upload.html", {"form": form})


@login_required
@require_POST
def scheme_publish(request, public_id):
    version = get_scheme_for_user(request.user, public_id, write=True)
    try:
        actions.publish_scheme(request.user, version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("评分细则已发布，发布后不能再修改"))
    return redirect("measures:detail", public_id=version.public_id)


@login_required
def scheme_download(request, public_id, fmt: str):
    version = get_scheme_for_user(request.user, public_id)
    name = f"{version.code}-v{version.version}"
    if fmt == "xlsx":
        return xlsx_response(write_xlsx(version.scheme), f"{name}.xlsx")
    response = HttpResponse(version.text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.yaml"'
    return response
