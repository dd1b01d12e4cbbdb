"""One error shape for the whole API (DESIGN §3.9):

    {"error": {"code": "not_found", "message": "…", "fields": {"parent": ["…"]}}}

400 the action refused the data, 401 no valid token, 403 visible but not writable, 404 not there or
not visible (the two are never told apart), 422 the request does not match the schema.
"""

import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

STATUS_CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    422: "invalid_input",
}


class ApiError(Exception):
    """An error with its status, code, message and fields decided by the endpoint."""

    def __init__(self, status: int, message: str, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = fields or {}


def not_found(message: str, field: str | None = None) -> ApiError:
    return ApiError(404, message, {field: [message]} if field else None)


def _response(
    api: NinjaAPI, request: HttpRequest, status: int, message: str, fields: dict[str, list[str]] | None = None
) -> HttpResponse:
    body = {"error": {"code": STATUS_CODES.get(status, "error"), "message": message, "fields": fields or {}}}
    return api.create_response(request, body, status=status)


def _join(messages: list[str]) -> str:
    return "；".join(messages)


def _from_action(exc: DjangoValidationError) -> tuple[str, dict[str, list[str]]]:
    if not hasattr(exc, "error_dict"):
        return _join(exc.messages), {}
    by_field = exc.message_dict
    general = by_field.pop(NON_FIELD_ERRORS, [])
    return _join(general + [m for ms in by_field.values() for m in ms]), by_field


# Pydantic's messages are English; these are the ones a client of this API can meet.
_SCHEMA_MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda ctx: _("此字段为必填项"),
    "string_type": lambda ctx: _("应为文本"),
    "int_type": lambda ctx: _("应为整数"),
    "int_parsing": lambda ctx: _("应为整数"),
    "int_from_float": lambda ctx: _("应为整数"),
    "bool_type": lambda ctx: _("应为 true 或 false"),
    "bool_parsing": lambda ctx: _("应为 true 或 false"),
    "date_type": lambda ctx: _("日期应为 YYYY-MM-DD 格式"),
    "date_parsing": lambda ctx: _("日期应为 YYYY-MM-DD 格式"),
    "date_from_datetime_parsing": lambda ctx: _("日期应为 YYYY-MM-DD 格式"),
    "date_from_datetime_inexact": lambda ctx: _("日期应为 YYYY-MM-DD 格式"),
    "uuid_type": lambda ctx: _("不是有效的 UUID"),
    "uuid_parsing": lambda ctx: _("不是有效的 UUID"),
    "list_type": lambda ctx: _("应为列表"),
    "dict_type": lambda ctx: _("应为 JSON 对象"),
    "model_attributes_type": lambda ctx: _("应为 JSON 对象"),
    "enum": lambda ctx: (
        _("应为以下之一：%(expected)s") % {"expected": "、".join(re.findall(r"'([^']*)'", ctx["expected"]))}
    ),
    "string_too_long": lambda ctx: _("最多 %(max_length)s 个字符") % ctx,
    "string_too_short": lambda ctx: _("至少 %(min_length)s 个字符") % ctx,
    "greater_than_equal": lambda ctx: _("不能小于 %(ge)s") % ctx,
    "less_than_equal": lambda ctx: _("不能大于 %(le)s") % ctx,
}


def _field_name(loc: tuple | list) -> str:
    # loc is (source, [body parameter,] field, …). The body parameter's name is the view's, never
    # seen by the client, so it is dropped; an error about the whole body is reported on "body".
    source, *rest = [str(p) for p in loc]
    if source == "body":
        rest = rest[1:] or ["body"]
    return ".".join(rest or [source])


def _from_schema(exc: SchemaValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        translate = _SCHEMA_MESSAGES.get(err["type"])
        message = translate(err.get("ctx", {})) if translate else err["msg"]
        fields.setdefault(_field_name(err["loc"]), []).append(message)
    return fields


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApiError)
    def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return _response(api, request, exc.status, exc.message, exc.fields)

    @api.exception_handler(DjangoValidationError)
    def action_refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        message, fields = _from_action(exc)
        return _response(api, request, 400, message, fields)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = _response(api, request, 401, _("缺少有效的 API 令牌（Authorization: Bearer …）"))
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        # Actions raise PermissionDenied with a message meant for the user.
        return _response(api, request, 403, str(exc) or _("无权执行此操作"))

    @api.exception_handler(Http404)
    def missing(request: HttpRequest, exc: Http404) -> HttpResponse:
        # Http404's own text is for developers; the API answers the same for absent and hidden.
        return _response(api, request, 404, _("对象不存在，或不在您的可见范围内"))

    @api.exception_handler(SchemaValidationError)
    def schema_mismatch(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
        fields = _from_schema(exc)
        message = _join([f"{name}：{m}" for name, ms in fields.items() for m in ms])
        return _response(api, request, 422, message, fields)

    @api.exception_handler(HttpError)
    def other_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # Ninja raises these with English text: 400 when the body is not JSON, 429 when throttled.
        ours = {400: _("请求体无法解析，应为 JSON"), 429: _("请求过于频繁，请稍后再试")}
        return _response(api, request, exc.status_code, ours.get(exc.status_code, exc.message))
