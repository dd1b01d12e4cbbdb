from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap, scope_roots
from kaohe.forms_errors import add_action_errors
from kaohe.orgs import actions
from kaohe.orgs.forms import CloseOrgForm, OrgForm
from kaohe.orgs.models import OrgUnit
from kaohe.orgs.queries import get_org_for_user, orgs_for_user, subtree_counts

SEARCH_LIMIT = 200


def _with_children_flag(qs):
    return qs.annotate(has_children=Exists(OrgUnit.objects.filter(parent=OuterRef("pk"))))


def _nodes(user, nodes: list[OrgUnit]) -> list[dict]:
    counts = subtree_counts(user, nodes)
    return [{"org": n, **counts[n.pk]} for n in nodes]


@login_required
def tree(request):
    """The tree from the user's scope down two levels; deeper levels load on demand (htmx)."""
    roots = scope_roots(request.user, Cap.VIEW_ORGS)
    if not roots:
        raise Http404("no organisation in scope")
    show_closed = request.GET.get("closed") == "1"
    q = request.GET.get("q", "").strip()
    visible = orgs_for_user(request.user)
    if not show_closed:
        visible = visible.active()
    if q:
        found = visible.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(code__icontains=q))
        hits = list(found.select_related("parent").order_by("path")[:SEARCH_LIMIT])
        context = {
            "q": q,
            "hits": hits,
            "total": found.count() if len(hits) == SEARCH_LIMIT else len(hits),
            "show_closed": show_closed,
            "can_create": has_cap(request.user, Cap.EDIT_ORGS),
        }
        return render(request, "orgs/tree.html", context)
    top_depth = min(r.depth for r in roots)
    shown = list(_with_children_flag(visible.filter(depth__lte=top_depth + 1)).order_by("path"))
    rows = _nodes(request.user, shown)
    by_parent: dict[int | None, list[dict]] = {}
    ids = {r["org"].pk for r in rows}
    for r in rows:
        parent = r["org"].parent_id if r["org"].parent_id in ids else None
        by_parent.setdefault(parent, []).append(r)
    for r in rows:
        r["children"] = sorted(
            by_parent.get(r["org"].pk, []), key=lambda c: (c["org"].sort_order, c["org"].code)
        )
        r["expanded"] = bool(r["children"])
    top = by_parent.get(None, [])
    return render(
        request,
        "orgs/tree.html",
        {"top": top, "show_closed": show_closed, "q": q, "can_create": has_cap(request.user, Cap.EDIT_ORGS)},
    )


@login_required
def org_children(request, code: str):
    org = get_org_for_user(request.user, code)
    show_closed = request.GET.get("closed") == "1"
    qs = orgs_for_user(request.user).filter(parent=org)
    if not show_closed:
        qs = qs.active()
    children = list(_with_children_flag(qs).order_by("sort_order", "code"))
    return render(
        request,
        "orgs/partials/tree_nodes.html",
        {"nodes": _nodes(request.user, children), "show_closed": show_closed},
    )


@login_required
def org_detail(request, code: str):
    org = get_org_for_user(request.user, code)
    children = list(orgs_for_user(request.user).filter(parent=org).order_by("sort_order", "code"))
    counts = subtree_counts(request.user, [org, *children])
    ancestors = list(orgs_for_user(request.user).filter(pk__in=org.ancestor_ids()).order_by("depth"))
    people = None
    if has_cap(request.user, Cap.VIEW_PEOPLE, org):
        people = org.people.filter(left_on__isnull=True).order_by("name_pinyin")[:50]
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "counts": counts[org.pk],
            "ancestors": ancestors,
            "people": people,
            "children": [{"org": c, **counts[c.pk]} for c in children],
            "successors": org.successors.all(),
            "predecessors": org.predecessors.all(),
            "can_edit": has_cap(request.user, Cap.EDIT_ORGS, org),
        },
    )


def _parent_in_scope(request, code: str) -> OrgUnit | None:
    return orgs_for_user(request.user, Cap.EDIT_ORGS).filter(code=code).first()


@login_required
def org_create(request):
    if not has_cap(request.user, Cap.EDIT_ORGS):
        raise Http404("not here")
    form = OrgForm(request.POST or None, initial={"parent": request.GET.get("parent", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent = _parent_in_scope(request, data.pop("parent"))
        if parent is None:
            form.add_error("parent", _("上级组织编码不存在或不在您的管理范围内"))
        else:
            try:
                org = actions.create_org(request.user, parent=parent, **data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("已新建组织 %(name)s。") % {"name": org.name})
                return redirect("orgs:detail", org.code)
    return render(request, "orgs/form.html", {"form": form, "title": _("新建组织")})


@login_required
def org_edit(request, code: str):
    org = get_org_for_user(request.user, code, write=True)
    initial = {
        "code": org.code,
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.kind,
        "parent": org.parent.code if org.parent else "",
        "secretary": org.secretary,
        "active_from": org.active_from,
    }
    form = OrgForm(request.POST or None, initial=initial)
    if org.parent is None:
        form.fields["parent"].required = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent_code = data.pop("parent")
        parent = (
            org.parent
            if org.parent is None or parent_code == org.parent.code
            else _parent_in_scope(request, parent_code)
        )
        if org.parent is not None and parent is None:
            form.add_error("parent", _("上级组织编码不存在或不在您的管理范围内"))
        else:
            try:
                org = actions.update_org(request.user, org, parent=parent, **data)
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("已保存。"))
                return redirect("orgs:detail", org.code)
    return render(request, "orgs/form.html", {"form": form, "title": _("编辑组织"), "org": org})


@login_required
def org_close(request, code: str):
    org = get_org_for_user(request.user, code, write=True)
    form = CloseOrgForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = [
            c.strip() for c in form.cleaned_data["successors"].replace("，", ",").split(",") if c.strip()
        ]
        found = {o.code: o for o in orgs_for_user(request.user).filter(code__in=codes)}
        missing = [c for c in codes if c not in found]
        if missing:
            form.add_error("successors", _("组织编码不存在：%(codes)s") % {"codes": "、".join(missing)})
        else:
            try:
                actions.close_org(
                    request.user, org, on=form.cleaned_data["on"], successors=list(found.values())
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("已撤销 %(name)s 及其下级组织。") % {"name": org.name})
                return redirect("orgs:detail", org.code)
    return render(request, "orgs/form.html", {"form": form, "title": _("撤销组织"), "org": org})
