"""/api/v1/orgs and /api/v1/people: the same access helpers and actions as the pages.

Reads go through kaohe.orgs.queries (404 when not visible, 403 when visible but not writable); writes
go through kaohe.orgs.actions, which check permissions again, validate and write the audit row.
"""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from kaohe.api.auth import token_user
from kaohe.api.errors import ApiError, not_found
from kaohe.api.schemas import (
    ChildrenFilter,
    ErrorOut,
    OrgCloseIn,
    OrgCreateIn,
    OrgDetailOut,
    OrgFilter,
    OrgPage,
    OrgPatchIn,
    PageIn,
    PersonCreateIn,
    PersonFilter,
    PersonOut,
    PersonPage,
    PersonPatchIn,
)
from kaohe.orgs import actions
from kaohe.orgs.models import OrgQuerySet, OrgUnit, Person
from kaohe.orgs.queries import get_org_for_user, get_person_for_user, orgs_for_user, people_for_user

orgs_router = Router(tags=["orgs"])
people_router = Router(tags=["people"])

READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _page(qs: QuerySet, page: PageIn) -> dict:
    return {
        "count": qs.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": list(qs[page.offset : page.offset + page.limit]),
    }


def _org(request: HttpRequest, code: str, *, write: bool = False, field: str | None = None) -> OrgUnit:
    """The node by code through the access helper; `field` names the input that referred to it."""
    try:
        return get_org_for_user(token_user(request), code, write=write)
    except Http404:
        raise not_found(_("组织“%(code)s”不存在，或不在您的可见范围内") % {"code": code}, field) from None
    except PermissionDenied:
        raise ApiError(403, _("您对组织“%(code)s”只有查看权限，不能修改") % {"code": code}) from None


def _person(request: HttpRequest, public_id: uuid.UUID, *, write: bool = False) -> Person:
    try:
        return get_person_for_user(token_user(request), public_id, write=write)
    except Http404:
        raise not_found(_("人员不存在，或不在您的可见范围内")) from None
    except PermissionDenied:
        raise ApiError(403, _("您对此人员只有查看权限，不能修改")) from None


def _orgs(request: HttpRequest) -> OrgQuerySet:
    # parent and enterprise are shown by code: joined here so a page costs one query.
    return orgs_for_user(token_user(request)).select_related("parent", "enterprise")


# ---- orgs -----------------------------------------------------------------------------------


@orgs_router.get("", response={200: OrgPage, **READ_ERRORS}, summary="组织列表（按树的顺序）")
def list_orgs(request: HttpRequest, filters: Query[OrgFilter], page: Query[PageIn]) -> dict:
    qs = _orgs(request)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.parent:
        qs = qs.filter(parent=_org(request, filters.parent, field="parent"))
    q = (filters.q or "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    if filters.active_on:
        qs = qs.active_on(filters.active_on)
    return _page(qs.order_by("path"), page)


@orgs_router.get("/{code}", response={200: OrgDetailOut, **READ_ERRORS}, summary="组织详情")
def get_org(request: HttpRequest, code: str) -> OrgUnit:
    return _org(request, code)


@orgs_router.get("/{code}/children", response={200: OrgPage, **READ_ERRORS}, summary="直属下级组织")
def list_children(
    request: HttpRequest, code: str, filters: Query[ChildrenFilter], page: Query[PageIn]
) -> dict:
    qs = _orgs(request).filter(parent=_org(request, code))
    if filters.active_on:
        qs = qs.active_on(filters.active_on)
    return _page(qs.order_by("sort_order", "code"), page)


@orgs_router.post("", response={201: OrgDetailOut, **WRITE_ERRORS}, summary="新建组织")
def create_org(request: HttpRequest, payload: OrgCreateIn) -> Status:
    data = payload.model_dump()
    parent = _org(request, data.pop("parent"), field="parent")
    return Status(201, actions.create_org(token_user(request), parent=parent, **data))


@orgs_router.patch(
    "/{code}", response={200: OrgDetailOut, **WRITE_ERRORS}, summary="修改组织（改上级即移动子树）"
)
def update_org(request: HttpRequest, code: str, payload: OrgPatchIn) -> OrgUnit:
    org = _org(request, code, write=True)
    fields = payload.model_dump(exclude_unset=True)
    if fields.get("parent") is not None:
        fields["parent"] = _org(request, fields["parent"], field="parent")
    return actions.update_org(token_user(request), org, **fields)


@orgs_router.post("/{code}/close", response={200: OrgDetailOut, **WRITE_ERRORS}, summary="撤销组织及其下级")
def close_org(request: HttpRequest, code: str, payload: OrgCloseIn) -> OrgUnit:
    org = _org(request, code, write=True)
    codes = list(dict.fromkeys(c.strip() for c in payload.successors if c.strip()))
    found = {o.code: o for o in orgs_for_user(token_user(request)).filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        message = _("组织编码不存在，或不在您的可见范围内：%(codes)s") % {"codes": "、".join(missing)}
        raise not_found(message, "successors")
    return actions.close_org(token_user(request), org, on=payload.on, successors=[found[c] for c in codes])


# ---- people ---------------------------------------------------------------------------------


@people_router.get("", response={200: PersonPage, **READ_ERRORS}, summary="人员列表（按姓名拼音）")
def list_people(request: HttpRequest, filters: Query[PersonFilter], page: Query[PageIn]) -> dict:
    qs = people_for_user(token_user(request)).select_related("org")
    if filters.org:
        qs = qs.in_subtree_of(_org(request, filters.org, field="org"))
    q = (filters.q or "").strip()
    if q:
        qs = qs.search(q)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if not filters.include_left:
        qs = qs.filter(left_on__isnull=True)
    return _page(qs.order_by("name_pinyin", "pk"), page)


@people_router.get("/{public_id}", response={200: PersonOut, **READ_ERRORS}, summary="人员详情")
def get_person(request: HttpRequest, public_id: uuid.UUID) -> Person:
    return _person(request, public_id)


@people_router.post("", response={201: PersonOut, **WRITE_ERRORS}, summary="添加人员")
def create_person(request: HttpRequest, payload: PersonCreateIn) -> Status:
    data = payload.model_dump()
    org = _org(request, data.pop("org"), field="org")
    return Status(201, actions.create_person(token_user(request), org=org, **data))


@people_router.patch(
    "/{public_id}", response={200: PersonOut, **WRITE_ERRORS}, summary="修改人员（改组织即调转）"
)
def update_person(request: HttpRequest, public_id: uuid.UUID, payload: PersonPatchIn) -> Person:
    person = _person(request, public_id, write=True)
    fields = payload.model_dump(exclude_unset=True)
    if "org" in fields:
        fields["org"] = _org(request, fields["org"], field="org")
    return actions.update_person(token_user(request), person, **fields)
