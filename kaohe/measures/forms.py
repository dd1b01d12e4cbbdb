from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.measures.models import ClauseLevel, DocumentKind, SchemeVersion
from kaohe.orgs.models import OrgUnit


class SchemeUploadForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("制定单位"), queryset=OrgUnit.objects.none(), to_field_name="code")
    file = forms.FileField(label=_("评分细则（.xlsx 表格或 .yaml 文本）"))

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners


class DocumentCreateForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("制定单位"), queryset=OrgUnit.objects.none(), to_field_name="code")
    title = forms.CharField(label=_("文件名称"), max_length=200)
    kind = forms.ChoiceField(label=_("文种"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("Word 文件（.docx，可选）"),
        required=False,
        help_text=_("按公文格式编号：第一章、第一条、（一）、1.；不上传则从空白开始"),
    )

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners


class DraftUploadForm(forms.Form):
    file = forms.FileField(label=_("修改后的 Word 文件（.docx）"), required=False)


class ClauseForm(forms.Form):
    heading = forms.CharField(label=_("标题"), max_length=200, required=False)
    text = forms.CharField(label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AddClauseForm(ClauseForm):
    level = forms.ChoiceField(label=_("层级"), choices=ClauseLevel.choices)
    after = forms.CharField(required=False, widget=forms.HiddenInput)
    parent = forms.CharField(required=False, widget=forms.HiddenInput)


class SplitForm(forms.Form):
    first = forms.CharField(label=_("前一部分"), widget=forms.Textarea(attrs={"rows": 3}))
    second = forms.CharField(label=_("后一部分"), widget=forms.Textarea(attrs={"rows": 3}))


class MoveForm(forms.Form):
    after = forms.CharField(label=_("移到此项之后"), required=False)
    into = forms.CharField(label=_("移为此项的第一个下级"), required=False)


class AttachSchemeForm(forms.Form):
    scheme = forms.ModelChoiceField(
        label=_("附件：评分细则"),
        queryset=SchemeVersion.objects.none(),
        required=False,
        to_field_name="public_id",
    )

    def __init__(self, *args, schemes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if schemes is not None:
            cast(forms.ModelChoiceField, self.fields["scheme"]).queryset = schemes
