import datetime
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
            "每行一个：名称 开始日期 结束日期 权重% 考核的部分，如“平时考核 2026-01-01 2026-06-30 30 平时”；"
            "考核的部分是评分细则中按权重合成的项目的一部分（写编码或名称），权重与它相同；"
            "不填即全年一个时段"
        ),
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


PeriodLine = tuple[str, datetime.date, datetime.date, int, str]


def parse_periods(text: str) -> list[PeriodLine]:
    """Lines of “名称 开始 结束 权重% [部分]” as (name, starts, ends, weight in thousandths, part);
    a ValidationError names the line. The part is checked against the scheme by the action."""
    periods = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) not in (4, 5):
            raise forms.ValidationError(
                {"periods": _("第 %(n)d 行应为“名称 开始日期 结束日期 权重%% 考核的部分”") % {"n": number}}
            )
        name, starts, ends, weight = parts[:4]
        node = parts[4] if len(parts) == 5 else ""
        try:
            start_day, end_day = datetime.date.fromisoformat(starts), datetime.date.fromisoformat(ends)
        except ValueError:
            raise forms.ValidationError(
                {"periods": _("第 %(n)d 行的日期应写作 2026-01-01") % {"n": number}}
            ) from None
        try:
            share = Decimal(weight.rstrip("%％"))
        except InvalidOperation:
            raise forms.ValidationError(
                {"periods": _("第 %(n)d 行的权重“%(w)s”不是数字") % {"n": number, "w": weight}}
            ) from None
        thousandths = share * 10
        if thousandths != thousandths.to_integral_value():
            raise forms.ValidationError({"periods": _("第 %(n)d 行的权重最多一位小数") % {"n": number}})
        periods.append((name, start_day, end_day, int(thousandths), node))
    return periods


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
