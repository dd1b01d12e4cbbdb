from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.orgs.models import Gender, MemberStatus, OrgKind


class DateInput(forms.DateInput):
    input_type = "date"


class OrgForm(forms.Form):
    code = forms.CharField(label=_("编码"), max_length=40)
    name = forms.CharField(label=_("名称"), max_length=120)
    short_name = forms.CharField(label=_("简称"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=OrgKind.choices)
    parent = forms.CharField(label=_("上级组织编码"), max_length=40)
    secretary = forms.CharField(label=_("书记"), max_length=40, required=False)
    active_from = forms.DateField(label=_("成立日期"), widget=DateInput)


class CloseOrgForm(forms.Form):
    on = forms.DateField(label=_("撤销日期"), widget=DateInput)
    successors = forms.CharField(label=_("承继组织编码（合并、拆分时填写，逗号分隔）"), required=False)


class PersonForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=40)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    org = forms.CharField(label=_("所在组织编码"), max_length=40)
    status = forms.ChoiceField(label=_("人员类别"), choices=MemberStatus.choices)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DateInput)
    join_date = forms.DateField(label=_("入党日期"), required=False, widget=DateInput)
    position = forms.CharField(label=_("职务"), max_length=60, required=False)
    phone = forms.RegexField(
        label=_("手机号"),
        regex=r"^1\d{10}$",
        required=False,
        error_messages={"invalid": _("手机号应为 11 位数字，以 1 开头")},
    )
    left_on = forms.DateField(
        label=_("离开日期"),
        required=False,
        widget=DateInput,
        help_text=_("调离、退休、去世等离开本系统的日期；记录保留，列表默认不再显示"),
    )
    id_number = forms.RegexField(
        label=_("身份证号"),
        regex=r"^\d{17}[\dXx]$",
        required=False,
        error_messages={"invalid": _("身份证号应为 18 位，最后一位可为 X")},
    )
