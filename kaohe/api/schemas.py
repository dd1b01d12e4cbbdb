"""Request and response schemas of /api/v1/.

Objects are named by their public ids (org codes, person UUIDs), never by database keys (DESIGN §3.13).
"""

import datetime
import re
import uuid
from typing import Any, ClassVar

from django.utils.translation import gettext, gettext_lazy
from ninja import Field, Schema
from pydantic import ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.api.auth import token_user
from kaohe.orgs.models import Gender, MemberStatus, OrgKind, OrgUnit
from kaohe.orgs.queries import orgs_for_user

# The same patterns as the person form; "" clears the number.
PHONE_PATTERN = r"^(1\d{10})?$"
ID_NUMBER_PATTERN = r"^(\d{17}[\dXx])?$"
PHONE_MESSAGE = gettext_lazy("手机号应为 11 位数字，以 1 开头")
ID_NUMBER_MESSAGE = gettext_lazy("身份证号应为 18 位，最后一位可为 X")


def _checked(value: str, pattern: str, message: Any) -> str:
    if not re.fullmatch(pattern, value):
        raise PydanticCustomError("pattern_mismatch", str(message))
    return value


# ---- errors ---------------------------------------------------------------------------------


class ErrorBody(Schema):
    code: str = Field(description="机器可读的错误类别，如 not_found、forbidden、invalid")
    message: str = Field(description="给人看的说明")
    fields: dict[str, list[str]] = Field(description="按字段列出的错误；与字段无关时为空")


class ErrorOut(Schema):
    error: ErrorBody


# ---- pages ----------------------------------------------------------------------------------


class PageIn(Schema):
    limit: int = Field(50, ge=1, le=500, description="每页条数")
    offset: int = Field(0, ge=0, description="跳过的条数")


class Page(Schema):
    count: int = Field(description="符合条件的总条数（仅限您可见的范围）")
    limit: int
    offset: int


# ---- orgs -----------------------------------------------------------------------------------


def _visible_code(org: OrgUnit | None, context: Any) -> str | None:
    # A node just above the user's scope is not theirs to see: it is shown as null, as in the tree.
    if org is None or not has_cap(token_user(context["request"]), Cap.VIEW_ORGS, org):
        return None
    return org.code


class OrgOut(Schema):
    code: str
    name: str
    short_name: str
    kind: OrgKind
    parent: str | None = Field(description="上级组织编码；上级不在您的可见范围内时为 null")
    enterprise: str | None = Field(description="所属企业编码；工委或不在您的可见范围内时为 null")
    depth: int
    active_from: datetime.date
    active_to: datetime.date | None
    is_active: bool = Field(description="今天是否存续")
    secretary: str = Field(description="书记姓名；无权查看人员（如三员）时为空")
    sort_order: int

    @staticmethod
    def resolve_secretary(obj: OrgUnit, context: Any) -> str:
        # A secretary's name is personal data: the three administrators see structure only.
        return obj.secretary if has_cap(token_user(context["request"]), Cap.VIEW_PEOPLE, obj) else ""

    @staticmethod
    def resolve_parent(obj: OrgUnit, context: Any) -> str | None:
        return _visible_code(obj.parent, context)

    @staticmethod
    def resolve_enterprise(obj: OrgUnit, context: Any) -> str | None:
        return _visible_code(obj.enterprise, context)


class OrgDetailOut(OrgOut):
    successors: list[str] = Field(description="承继组织编码（合并、拆分），仅限您可见的")
    predecessors: list[str] = Field(description="被本组织承继的组织编码，仅限您可见的")

    @staticmethod
    def resolve_successors(obj: OrgUnit, context: Any) -> list[str]:
        return list(
            orgs_for_user(token_user(context["request"]))
            .filter(predecessors=obj)
            .values_list("code", flat=True)
        )

    @staticmethod
    def resolve_predecessors(obj: OrgUnit, context: Any) -> list[str]:
        return list(
            orgs_for_user(token_user(context["request"]))
            .filter(successors=obj)
            .values_list("code", flat=True)
        )


class OrgPage(Page):
    items: list[OrgOut]


class OrgFilter(Schema):
    kind: OrgKind | None = None
    parent: str | None = Field(None, description="只列此编码组织的直属下级")
    q: str | None = Field(None, description="名称包含")
    active_on: datetime.date | None = Field(None, description="只列此日存续的组织")


class ChildrenFilter(Schema):
    active_on: datetime.date | None = Field(None, description="只列此日存续的组织")


class OrgCreateIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=120)
    kind: OrgKind
    parent: str = Field(description="上级组织编码；最上级组织只能通过命令行创建")
    active_from: datetime.date
    short_name: str = Field("", max_length=40)
    secretary: str = Field("", max_length=40)
    sort_order: int = Field(0, ge=0)


def _null_only_where_allowed_in_doc(schema: dict[str, Any], model: Any) -> None:
    # The fields are typed `X | None` so that pydantic reports a bad value without union noise; the
    # document shows null only where the API accepts it.
    for name, prop in schema.get("properties", {}).items():
        options = [o for o in prop.get("anyOf", []) if o != {"type": "null"}]
        if name not in model.nullable and len(options) == 1:
            del prop["anyOf"]
            prop.update(options[0])


class PatchIn(Schema):
    """A partial update: an omitted field keeps its value; null is accepted only where it means "none"."""

    model_config = ConfigDict(json_schema_extra=_null_only_where_allowed_in_doc)
    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _null_only_where_allowed(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise PydanticCustomError("null_not_allowed", gettext("不能为空；不修改请省略此字段"))
        return value


class OrgPatchIn(PatchIn):
    """只给出要改的字段。撤销组织用 POST /orgs/{code}/close，它连同下级一起撤销。"""

    nullable = frozenset({"parent"})

    code: str | None = Field(None, max_length=40)
    name: str | None = Field(None, max_length=120)
    short_name: str | None = Field(None, max_length=40)
    kind: OrgKind | None = None
    parent: str | None = Field(None, description="新的上级组织编码：改变它即把整个子树移过去")
    active_from: datetime.date | None = None
    secretary: str | None = Field(None, max_length=40)
    sort_order: int | None = Field(None, ge=0)


class OrgCloseIn(Schema):
    on: datetime.date = Field(description="撤销日期；仍存续的下级组织同日撤销")
    successors: list[str] = Field([], description="承继组织编码（合并、拆分时填写）")


# ---- people ---------------------------------------------------------------------------------


class PersonOut(Schema):
    public_id: uuid.UUID
    name: str
    gender: Gender
    status: MemberStatus
    org: str = Field(description="所在组织编码")
    org_name: str
    position: str
    birth_date: datetime.date | None
    join_date: datetime.date | None
    left_on: datetime.date | None
    # Personal numbers leave the server masked only; the clear values are never in the API.
    phone_masked: str
    id_number_masked: str

    @staticmethod
    def resolve_org(obj: Any) -> str:
        return obj.org.code

    @staticmethod
    def resolve_org_name(obj: Any) -> str:
        return obj.org.name


class PersonPage(Page):
    items: list[PersonOut]


class PersonFilter(Schema):
    org: str | None = Field(None, description="只列此编码组织及其全部下级中的人员")
    q: str | None = Field(None, description="姓名或拼音包含")
    status: MemberStatus | None = None
    include_left: bool = Field(False, description="是否包括已离开的人员")


class PersonCreateIn(Schema):
    org: str = Field(description="所在组织编码")
    name: str = Field(max_length=40)
    gender: Gender
    status: MemberStatus = MemberStatus.FULL
    birth_date: datetime.date | None = None
    join_date: datetime.date | None = None
    position: str = Field("", max_length=60)
    phone: str = Field("", description="11 位手机号；只写不读")
    id_number: str = Field("", description="18 位身份证号；只写不读")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return _checked(value, PHONE_PATTERN, PHONE_MESSAGE)

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str) -> str:
        return _checked(value, ID_NUMBER_PATTERN, ID_NUMBER_MESSAGE)


class PersonPatchIn(PatchIn):
    """只给出要改的字段。"""

    nullable = frozenset({"birth_date", "join_date", "left_on"})

    org: str | None = Field(None, description="所在组织编码：改变它即调转组织关系")
    name: str | None = Field(None, max_length=40)
    gender: Gender | None = None
    status: MemberStatus | None = None
    birth_date: datetime.date | None = None
    join_date: datetime.date | None = None
    position: str | None = Field(None, max_length=60)
    left_on: datetime.date | None = Field(None, description="离开日期；null 表示仍在")
    phone: str | None = Field(None, description="11 位手机号；空字符串清除；只写不读")
    id_number: str | None = Field(None, description="18 位身份证号；空字符串清除；只写不读")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else _checked(value, PHONE_PATTERN, PHONE_MESSAGE)

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str | None) -> str | None:
        return None if value is None else _checked(value, ID_NUMBER_PATTERN, ID_NUMBER_MESSAGE)
