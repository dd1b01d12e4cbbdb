from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.orgs.models import OrgUnit


class SchemeUploadForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("制定单位"), queryset=OrgUnit.objects.none(), to_field_name="code")
    file = forms.FileField(label=_("评分细则（.xlsx 表格或 .yaml 文本）"))

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None:
            cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners
