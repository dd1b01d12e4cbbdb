"""/api/v1/consultation: rounds on draft measures, their register, and a participant's comment.

Reads and the write go through kaohe.consultation.queries and actions, as the pages do: the
organiser's staff see every round of their subtree, a participant the rounds they were invited to
(anonymous participants shown as such to the others), anyone else gets 404.
"""

import uuid
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from kaohe.api.auth import token_user
from kaohe.api.errors import not_found
from kaohe.api.schemas import CommentIn, ErrorOut, PageIn, RoundPage, SuggestionOut
from kaohe.consultation import actions
from kaohe.consultation.models import Round
from kaohe.consultation.queries import (
    RegisterRow,
    get_round_for_user,
    register_rows,
    rounds_for_user,
    sees_all,
)

consultation_router = Router(tags=["consultation"])

READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _round(request: HttpRequest, public_id: uuid.UUID) -> Round:
    try:
        return get_round_for_user(token_user(request), public_id)
    except Http404:
        raise not_found(_("征求意见不存在，或不在您的可见范围内")) from None


def _out(row: RegisterRow) -> dict:
    s = row.suggestion
    return {
        "number": row.number,
        "submitter": row.submitter,
        "org": row.org,
        "org_category": row.org_category,
        "channel": s.channel,
        "target": row.target,
        "clause": s.clause.key if s.clause is not None else None,
        "indicator": s.indicator,
        "topic": row.topic,
        "text": row.text,
        "proposed": row.proposed,
        "disposition": s.disposition if row.disposition else "",  # answers are public once concluded
        "reason": row.reason,
    }


@consultation_router.get("", response={200: RoundPage, **READ_ERRORS}, summary="征求意见列表（新的在前）")
def list_rounds(request: HttpRequest, page: Query[PageIn]) -> dict:
    qs = rounds_for_user(token_user(request)).order_by("-created_at")
    return {
        "count": qs.count(),
        "limit": page.limit,
        "offset": page.offset,
        "items": list(qs[page.offset : page.offset + page.limit]),
    }


@consultation_router.get(
    "/{id}/suggestions",
    response={200: list[SuggestionOut], **READ_ERRORS},
    summary="意见建议及处理情况（登记表）",
)
def list_suggestions(request: HttpRequest, id: uuid.UUID) -> list[dict]:
    round_ = _round(request, id)
    return [_out(row) for row in register_rows(round_, reveal=sees_all(token_user(request), round_))]


@consultation_router.post(
    "/{id}/comments", response={201: SuggestionOut, **WRITE_ERRORS}, summary="参与人提交书面意见"
)
def add_comment(request: HttpRequest, id: uuid.UUID, payload: CommentIn) -> Status:
    round_ = _round(request, id)
    user = token_user(request)
    suggestion = actions.comment(
        user,
        round_,
        payload.text,
        proposed=payload.proposed,
        clause_key=str(payload.clause) if payload.clause else "",
        indicator=payload.indicator,
    )
    row = next(
        r for r in register_rows(round_, reveal=sees_all(user, round_)) if r.suggestion.pk == suggestion.pk
    )
    return Status(201, _out(row))
