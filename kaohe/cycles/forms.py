import datetime
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.engine.scheme import Node, Scheme
from kaohe.measures.models import SchemeVersion
from kaohe.orgs.models import OrgKind, OrgUnit

UNIT_KINDS = [
    (OrgKind.ENTERPRISE, _("企业党委（市属企业）")),
    (OrgKind.COMMITTEE_SUB, _("二级党委")),
    (OrgKind.GENERAL_BRANCH, _("党总支")),
    (OrgKind.BRANCH, _("党支部")),
]


class CycleForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("考核单位"), queryset=OrgUnit.objects.none(), to_field_name="code")
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("名称"), max_length=120)
    scheme = forms.ModelChoiceField(
        label=_("评分细则"), queryset=SchemeVersion.objects.none(), to_field_name="public_id"
    )
    unit_kind = forms.ChoiceField(
        label=_("被考核单位"), choices=UNIT_KINDS, help_text=_("考核单位下属的此类组织全部纳入，创建后可调整")
    )
    periods = forms.CharField(
        label=_("考核时段"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "每行一个：名称 开始日期 结束日期 考核的部分，权重取该部分在评分细则中的权重（也可写在部分之前，"
            "须与细则一致）。如默认评分细则“支部标准化规范化建设”的两部分："
            "“平时监测 2026-01-01 2026-09-30 平时监测”（权重 40%）和"
            "“年终检查 2026-10-01 2026-12-31 年终检查”（权重 60%）；"
            "考核的部分写编码或名称。不填即全年一个时段"
        ),
    )
    groups = forms.CharField(
        label=_("同类分组"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "排名在同类单位中进行。每行一组：组名：单位名称或编码，以顿号、逗号或空格分隔，"
            "如“竞争类：明澜水务集团有限公司党委、明澜燃气集团有限公司党委”；未列出的单位不分组，"
            "创建后在“被考核单位”中可调整"
        ),
    )
    same_units_confirmed = forms.BooleanField(
        label=_("确认另建：该单位当年已有考核同样单位的考核周期"), required=False
    )
    targets_due = forms.DateField(label=_("目标责任书签订截止"), required=False)
    evidence_opens = forms.DateField(label=_("佐证材料上传开始"), required=False)
    evidence_closes = forms.DateField(label=_("佐证材料上传截止"), required=False)
    self_assessment_due = forms.DateField(label=_("自评截止"), required=False)
    assessment_due = forms.DateField(label=_("考核评分截止"), required=False)
    review_due = forms.DateField(label=_("申诉截止"), required=False)

    def __init__(self, *args, owners=None, schemes=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = (
            owners if owners is not None else OrgUnit.objects.none()
        )
        cast(forms.ModelChoiceField, self.fields["scheme"]).queryset = (
            schemes if schemes is not None else SchemeVersion.objects.none()
        )


class FactForm(forms.Form):
    kind = forms.CharField(max_length=80)
    value = forms.CharField(label=_("取值"), max_length=4000)
    source = forms.CharField(label=_("来源"), max_length=200, required=False)


class AppealDecisionForm(forms.Form):
    """The organiser's decision on an appeal. The fact to correct is one the appealed item reads and
    that is entered by hand; facts derived from records are corrected in those records."""

    upheld = forms.TypedChoiceField(
        label=_("复核结论"),
        choices=[("1", _("申诉成立，重新计分")), ("0", _("维持原评分"))],
        coerce=lambda v: v == "1",
    )
    decision = forms.CharField(label=_("复核意见"), widget=forms.Textarea, max_length=4000)
    fact = forms.ChoiceField(label=_("更正的事实"), required=False)
    value = forms.CharField(label=_("更正后的取值"), required=False, max_length=4000)

    def __init__(self, *args, facts: Sequence[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["fact"]).choices = [("", _("不更正事实")), *facts]


PeriodLine = tuple[str, datetime.date, datetime.date, int | None, str]


def _is_weight(token: str) -> bool:
    return bool(re.fullmatch(r"[0-9０-９.．]+[%％]?", token))


def parse_periods(text: str) -> list[PeriodLine]:
    """Lines of “名称 开始 结束 [权重%] [部分]” as (name, starts, ends, weight in thousandths or None,
    part); a ValidationError names the line. A weight left out is the part's (the action takes it
    from the scheme); the part is checked against the scheme by the action."""
    periods = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) not in (3, 4, 5) or (len(parts) == 5 and not _is_weight(parts[3])):
            raise forms.ValidationError(
                {
                    "periods": _("第 %(n)d 行应为“名称 开始日期 结束日期 考核的部分”（权重可写在部分之前）")
                    % {"n": number}
                }
            )
        name, starts, ends, *rest = parts
        weight = rest.pop(0) if rest and _is_weight(rest[0]) else None
        node = rest[0] if rest else ""
        try:
            start_day, end_day = datetime.date.fromisoformat(starts), datetime.date.fromisoformat(ends)
        except ValueError:
            raise forms.ValidationError(
                {"periods": _("第 %(n)d 行的日期应写作 2026-01-01") % {"n": number}}
            ) from None
        periods.append((name, start_day, end_day, _thousandths(weight, number), node))
    return periods


def _thousandths(weight: str | None, number: int) -> int | None:
    if weight is None:
        return None
    try:
        share = Decimal(unicodedata.normalize("NFKC", weight).rstrip("%"))
    except InvalidOperation:
        raise forms.ValidationError(
            {"periods": _("第 %(n)d 行的权重“%(w)s”不是数字") % {"n": number, "w": weight}}
        ) from None
    thousandths = share * 10
    if thousandths != thousandths.to_integral_value():
        raise forms.ValidationError({"periods": _("第 %(n)d 行的权重最多一位小数") % {"n": number}})
    return int(thousandths)


GROUP_SEPARATORS = re.compile(r"[、,，;；\s]+")


def parse_groups(text: str, orgs: Sequence[OrgUnit]) -> dict[int, str]:
    """Lines of “组名：单位、单位” as org pk → group, the units named by name or code among
    `orgs` (the units the cycle will assess); a ValidationError names what is not one of them."""
    by_key = {key: org for org in orgs for key in (org.name, org.code)}
    groups: dict[int, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        found = re.fullmatch(r"\s*([^:：]{1,40}?)\s*[:：](.*)", line)
        if found is None:
            raise forms.ValidationError(
                {"groups": _("第 %(n)d 行应为“组名：单位名称、单位名称”") % {"n": number}}
            )
        name, members = found.groups()
        for key in filter(None, GROUP_SEPARATORS.split(members)):
            org = by_key.get(key)
            if org is None:
                raise forms.ValidationError(
                    {"groups": _("第 %(n)d 行的“%(unit)s”不是被考核单位") % {"n": number, "unit": key}}
                )
            if org.pk in groups and groups[org.pk] != name:
                raise forms.ValidationError(
                    {
                        "groups": _("“%(unit)s”同时在“%(a)s”和“%(b)s”两组中")
                        % {"unit": org.name, "a": groups[org.pk], "b": name}
                    }
                )
            groups[org.pk] = name
    return groups


def weighted_parts(scheme: Scheme) -> list[tuple[Node, tuple[Node, ...]]]:
    """The nodes composed by weight, with their parts: what the periods of a cycle may score."""
    return [(p.node, p.node.children) for p in scheme.walk() if p.node.compose == "weighted"]


def part_codes(periods: list[PeriodLine], scheme: Scheme) -> list[PeriodLine]:
    """People know the parts by title (平时, 年终): a title that is not a code but names exactly one
    part of a weighted node becomes that part's code; anything else is left for the action to refuse."""
    codes = {place.node.code for place in scheme.walk()}
    by_title: dict[str, list[str]] = {}
    for _node, children in weighted_parts(scheme):
        for child in children:
            by_title.setdefault(child.title, []).append(child.code)
    resolved = []
    for name, starts, ends, weight, node in periods:
        found = by_title.get(node, [])
        if node and node not in codes and len(found) == 1:
            node = found[0]
        resolved.append((name, starts, ends, weight, node))
    return resolved
