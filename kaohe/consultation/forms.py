from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.consultation.models import Disposition


class RoundForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=200)
    deadline = forms.DateTimeField(
        label=_("截止时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    instructions = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    orgs = forms.MultipleChoiceField(label=_("参与单位（其全部可邀请人员）"), required=False)
    participants = forms.MultipleChoiceField(label=_("参与人"), required=False)
    anonymous = forms.MultipleChoiceField(label=_("对其他参与人匿名"), required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(p["user"].pk), p["label"]) for p in people]
        orgs = {p["org"].code: p["org"].name for p in people}
        # ModelChoiceField-free choices: the view resolves them against the same list of people.
        self.fields["orgs"].choices = list(orgs.items())  # type: ignore[attr-defined]
        self.fields["participants"].choices = choices  # type: ignore[attr-defined]
        self.fields["anonymous"].choices = choices  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    text = forms.CharField(label=_("意见建议"), widget=forms.Textarea(attrs={"rows": 3}))
    proposed = forms.CharField(
        label=_("建议修改为"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    clause = forms.CharField(required=False, widget=forms.HiddenInput)
    indicator = forms.CharField(label=_("指标"), required=False)


class SymposiumForm(forms.Form):
    title = forms.CharField(label=_("会议名称"), max_length=200)
    held_on = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("地点"), max_length=120)
    chair = forms.CharField(label=_("主持人"), max_length=60)
    attendees = forms.CharField(
        label=_("参会人员"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("每行一人：姓名，单位，职务，发言顺序（不发言则留空），用中文或英文逗号分隔"),
    )
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RemarkForm(forms.Form):
    attendee = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("意见建议"), widget=forms.Textarea(attrs={"rows": 2}))
    proposed = forms.CharField(label=_("建议修改为"), required=False)
    clause = forms.CharField(label=_("条款"), required=False)
    indicator = forms.CharField(label=_("指标"), required=False)
    topic = forms.IntegerField(label=_("议题"), required=False)


class AnswerForm(forms.Form):
    disposition = forms.ChoiceField(label=_("处理意见"), choices=Disposition.choices)
    reason = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LinkForm(forms.Form):
    clause = forms.CharField(label=_("条款"), required=False)
    indicator = forms.CharField(label=_("指标"), required=False)
