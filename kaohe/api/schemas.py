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


# ---- cycles ---------------------------------------------------------------------------------

from kaohe.cycles.models import CycleState  # noqa: E402  # this section is appended to the module

# Points leave the server as exact decimal strings ("87.5", "-0.25"), never as JSON numbers: a float
# could turn 89.999 into 90 and change a grade on the client's side.

POINTS = '分数，精确的十进制字符串（如 "87.5"、"-0.25"），不是浮点数'


class CycleStateOut(Schema):
    code: CycleState = Field(description="阶段编码；各阶段按此处列出的先后进行")
    label: str = Field(description="阶段名称")


class CycleSchemeOut(Schema):
    code: str = Field(description="评分细则编码")
    version: int = Field(description="版本号；结果固定在此版本上")
    title: str


class CycleDeadlinesOut(Schema):
    targets_due: datetime.date | None = Field(description="目标责任书签订截止")
    evidence_opens: datetime.date | None = Field(description="佐证材料上传开始")
    evidence_closes: datetime.date | None = Field(description="佐证材料上传截止")
    self_assessment_due: datetime.date | None = Field(description="自评截止")
    assessment_due: datetime.date | None = Field(description="考核评分截止")
    review_due: datetime.date | None = Field(description="申诉截止")


class CycleOut(Schema):
    id: uuid.UUID = Field(description="考核周期的公开编号，即路径中的 {id}")
    year: int
    name: str
    owner: str = Field(description="考核单位（组织考核的一方）编码")
    owner_name: str
    state: CycleStateOut
    scheme: CycleSchemeOut
    deadlines: CycleDeadlinesOut
    unit_count: int = Field(description="您可见的被考核单位数：考核单位看到全部，被考核单位只看到本单位")
    run: int | None = Field(description="当前计算结果的批次号；尚未计算时为 null")
    published_at: datetime.datetime | None = Field(description="通报时间；尚未通报时为 null")

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        return obj.owner.code

    @staticmethod
    def resolve_owner_name(obj: Any) -> str:
        return obj.owner.name

    @staticmethod
    def resolve_state(obj: Any) -> dict[str, str]:
        return {"code": obj.state, "label": str(obj.get_state_display())}

    @staticmethod
    def resolve_scheme(obj: Any) -> dict[str, Any]:
        return {"code": obj.scheme.code, "version": obj.scheme.version, "title": obj.scheme.title}

    @staticmethod
    def resolve_deadlines(obj: Any) -> Any:
        return obj  # the deadline fields live on the cycle itself

    @staticmethod
    def resolve_run(obj: Any) -> int | None:
        return obj.run_number  # annotated by the endpoint: loading the run would load its facts


class CyclePage(Page):
    items: list[CycleOut]


class CycleFilter(Schema):
    year: int | None = Field(None, description="只列此年度的考核周期")
    state: CycleState | None = Field(None, description="只列处于此阶段的考核周期")
    q: str | None = Field(None, description="名称包含")


class CyclePeriodOut(Schema):
    name: str
    starts: datetime.date
    ends: datetime.date
    weight_permille: int = Field(description="权重（千分之几，整数）；一个周期的各时段合计 1000")
    node: str = Field(
        description="该时段考核的评分细则部分（按权重合成的项目之一）的编码；只有一个时段时为空"
    )

    @staticmethod
    def resolve_weight_permille(obj: Any) -> int:
        return obj.weight


class CycleUnitOut(Schema):
    org: str = Field(description="被考核单位的组织编码")
    name: str
    group: str = Field(description="同类分组（同组内排名）；不分组时为空")

    @staticmethod
    def resolve_org(obj: Any) -> str:
        return obj.org.code

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.org.name


class CycleDetailOut(CycleOut):
    periods: list[CyclePeriodOut] = Field(description="考核时段（日常、年终等）及其权重")
    units: list[CycleUnitOut] = Field(description="您可见的被考核单位")

    @staticmethod
    def resolve_periods(obj: Any) -> list[Any]:
        return list(obj.periods.all())

    @staticmethod
    def resolve_units(obj: Any) -> list[Any]:
        return obj.visible_units  # set by the endpoint through the access helper


class GradeStepOut(Schema):
    kind: str = Field(description="决定等次的一步：band（按分数段）、cap、force、no_awards、quota")
    grade: str | None = Field(description="这一步之后的等次；no_awards 为 null")
    text: str = Field(description="给人看的说明")
    node: str | None = Field(None, description="起作用的否决项编码；与否决项无关时为 null")


class UnitResultOut(Schema):
    org: str = Field(description="被考核单位的组织编码")
    name: str
    group: str
    total: str = Field(description=f"总分；{POINTS}")
    basic: str = Field(description=f"基本分；{POINTS}")
    bonus: str = Field(description=f"加分；{POINTS}")
    band_grade: str = Field(description="按分数段得到的等次（否决、限档之前）")
    grade: str = Field(description="最终等次")
    rank: int = Field(description="同组排名，1 为最好；并列同名次")
    group_size: int = Field(description="同组单位数")
    awards_eligible: bool = Field(description="是否保留评先评优资格")
    pay: str | None = Field(description='薪酬系数，精确的十进制字符串（如 "1.05"）；方案未设时为 null')
    outcomes: list[str] = Field(description="按名次得到的结果，如 通报表扬、约谈")
    actions: list[str] = Field(description="结果运用")
    withheld: list[str] = Field(description="因取消评先评优资格而不予的结果运用")
    steps: list[GradeStepOut] = Field(description="决定等次的各步，按先后")


class CycleResultsOut(Page):
    available: bool = Field(description="您此时能否看到本周期的结果；为 false 时 items 为空，reason 说明原因")
    reason: str | None = Field(
        description="看不到结果的原因：not_computed（尚未计算）、not_visible_yet（被考核单位自"
        "“结果反馈与申诉”阶段起才能看到）；能看到时为 null"
    )
    message: str = Field(description="给人看的说明；能看到结果时为空")
    run: int | None = Field(description="结果所属的计算批次号")
    items: list[UnitResultOut] = Field(description="您可见的单位的当前结果，按同类分组、名次、编码排序")


class ResultsFilter(Schema):
    group: str | None = Field(None, description="只列此同类分组")


class FactUseOut(Schema):
    kind: str = Field(description="事实编码")
    title: str
    value: str = Field(description="事实取值，按显示的文字")
    sources: list[str] = Field(description="事实所依据的记录（台账、佐证材料、案件编号等）")


class ExplanationEntryOut(Schema):
    node: str = Field(description="分数所属的指标编码")
    path: list[str] = Field(description="从最上级指标到本指标的名称")
    amount: str = Field(description=f"带符号的分值（得分为正、扣分为负）；{POINTS}")
    text: str
    rule: str = Field(description="规则类别；base 为本项起始分值")
    facts: list[FactUseOut]


class ExplanationItemOut(Schema):
    node: str = Field(description="指标编码")
    title: str
    path: list[str] = Field(description="从最上级指标到本指标的名称")
    category: str = Field(description="basic（基本考核项）、bonus（加分项）、veto（否决项）")
    points: str = Field(description=f"本项满分；{POINTS}")
    score: str = Field(description=f"本项得分；{POINTS}")


class ExplanationStepOut(GradeStepOut):
    facts: list[FactUseOut] = Field(description="这一步所依据的事实")


class UnitExplanationOut(Schema):
    """A unit's result explained: `entries` add up exactly to `total`."""

    cycle: uuid.UUID
    run: int = Field(description="结果所属的计算批次号")
    scheme: CycleSchemeOut
    org: str
    name: str
    group: str
    total: str = Field(description=f"总分，等于 entries 各 amount 之和；{POINTS}")
    basic: str = Field(description=f"基本分；{POINTS}")
    bonus: str = Field(description=f"加分；{POINTS}")
    totals: dict[str, str] = Field(description=f"方案定义的其他合计（如不含加分），按合计编码；{POINTS}")
    band_grade: str
    grade: str
    rank: int
    group_size: int
    awards_eligible: bool
    pay: str | None = Field(description="薪酬系数，精确的十进制字符串；方案未设时为 null")
    items: list[ExplanationItemOut] = Field(description="每个指标的满分与得分，上级在前")
    entries: list[ExplanationEntryOut] = Field(
        description="每一笔得分与扣分：各项起始分值、各规则的每一行、上级指标的封顶与保底；合计恰为 total"
    )
    inner: list[ExplanationEntryOut] = Field(
        description="加权或乘积指标内部各部分按其自身分制的明细，只说明来由，不计入合计"
    )
    steps: list[ExplanationStepOut] = Field(description="决定等次的各步，按先后")


# ---- consultation ----------------------------------------------------------------------------


class RoundOut(Schema):
    id: uuid.UUID = Field(description="征求意见的公开编号，即路径中的 {id}")
    title: str
    organiser: str = Field(description="组织单位编码")
    organiser_name: str
    document: str = Field(description="征求意见稿的文件标题")
    draft_number: int = Field(description="征求意见稿是该文件的第几稿")
    status: str = Field(description="open 征求中 / closed 已截止 / concluded 已办结")
    deadline: datetime.datetime
    final_number: int | None = Field(description="正式稿是第几稿；尚未办结时为 null")
    package_digest: str = Field(description="发布包内容的 SHA-256；尚未办结时为空")

    @staticmethod
    def resolve_id(obj: Any) -> uuid.UUID:
        return obj.public_id

    @staticmethod
    def resolve_organiser(obj: Any) -> str:
        return obj.organiser.code

    @staticmethod
    def resolve_organiser_name(obj: Any) -> str:
        return obj.organiser.name

    @staticmethod
    def resolve_document(obj: Any) -> str:
        return obj.draft.title

    @staticmethod
    def resolve_draft_number(obj: Any) -> int:
        return obj.draft.number

    @staticmethod
    def resolve_final_number(obj: Any) -> int | None:
        return obj.final.number if obj.final_id else None


class RoundPage(Page):
    items: list[RoundOut]


class SuggestionOut(Schema):
    number: int = Field(description="意见在本次征求意见中的序号")
    submitter: str = Field(description="提出人；匿名的参与人对其他参与人显示为“匿名”")
    org: str
    org_category: str
    channel: str = Field(description="written 书面意见 / symposium 座谈会")
    target: str = Field(description="条款（如 第三条）、指标（指标 编码 名称）或 总体意见")
    clause: uuid.UUID | None = Field(description="所针对条款的稳定编号（跨版本不变）；不针对条款时为 null")
    indicator: str = Field(description="所针对评分细则指标的编码；不针对指标时为空")
    topic: str
    text: str
    proposed: str = Field(description="建议修改为")
    disposition: str = Field(
        description="adopted 采纳 / partly 部分采纳 / rejected 不采纳 / covered 已有规定；待处理为空"
    )
    reason: str


class CommentIn(Schema):
    text: str = Field(description="意见建议")
    proposed: str = Field("", description="建议修改为（可选）")
    clause: uuid.UUID | None = Field(
        None, description="针对的条款（稳定编号）；与 indicator 二选一，都不填为总体意见"
    )
    indicator: str = Field("", description="针对的评分细则指标编码")
