from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.discipline.models import CaseStatus, DisciplineCase, Outcome


class DateInput(forms.DateInput):
    input_type = "date"


class CaseForm(forms.Form):
    """The person is chosen either by ID number or from a name search (the `person` radio)."""

    case_number = forms.CharField(
        label=_("案件编号"), max_length=DisciplineCase._meta.get_field("case_number").max_length
    )
    department = forms.CharField(
        label=_("处理部门"),
        max_length=DisciplineCase._meta.get_field("department").max_length,
        help_text=_("立案或处理的部门，如 市纪委监委、企业纪委"),
    )
    id_number = forms.RegexField(
        label=_("当事人身份证号"),
        regex=r"^\d{17}[\dXx]$",
        required=False,
        error_messages={"invalid": _("身份证号应为 18 位，最后一位可为 X")},
        help_text=_("填写完整身份证号，或在下方按姓名搜索后选择当事人"),
    )
    person = forms.UUIDField(label=_("当事人"), required=False)
    org = forms.CharField(
        label=_("计入组织编码"),
        max_length=40,
        required=False,
        help_text=_("案件计入考核的组织，须是当事人所在组织或其上级；留空则为当事人所在组织"),
    )
    outcome = forms.ChoiceField(label=_("处理结果"), choices=Outcome.choices)
    decided_on = forms.DateField(label=_("处理日期"), widget=DateInput)
    summary = forms.CharField(label=_("简要案情"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销原因"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写撤销原因")},
    )


class CaseFilterForm(forms.Form):
    """The list's filters; bad values are ignored rather than refused (a filter is not an input)."""

    q = forms.CharField(required=False)
    year = forms.IntegerField(required=False, min_value=1900, max_value=2100)
    org = forms.CharField(required=False, max_length=40)
    outcome = forms.ChoiceField(required=False, choices=[("", ""), *Outcome.choices])
    status = forms.ChoiceField(required=False, choices=[("", ""), *CaseStatus.choices])
