from collections.abc import Mapping

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.ledgers.actions import entry_field
from kaohe.ledgers.models import MEETING_ORG_KINDS, DecisionCategory, DuesRecord, MeetingKind
from kaohe.orgs.forms import DateInput
from kaohe.orgs.models import OrgUnit, Person


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=MeetingKind.choices)
    held_on = forms.DateField(label=_("日期"), widget=DateInput)
    title = forms.CharField(label=_("主题"), max_length=200)
    expected = forms.IntegerField(label=_("应到人数"), min_value=1)
    present = forms.IntegerField(label=_("实到人数"), min_value=0)
    agenda = forms.CharField(label=_("议程"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.CharField(label=_("会议记录"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    attendees = forms.ModelMultipleChoiceField(
        label=_("出席人员"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="public_id",
        help_text=_("可选：勾选本组织出席的党员"),
    )

    def __init__(self, *args, org: OrgUnit, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the kinds of meeting this org holds (a 党委 holds no 支部党员大会).
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [
            (value, label) for value, label in MeetingKind.choices if org.kind in MEETING_ORG_KINDS[value]
        ]
        if people is None:
            del self.fields["attendees"]
        else:
            attendees = self.fields["attendees"]
            assert isinstance(attendees, forms.ModelMultipleChoiceField)
            attendees.queryset = people


class DecisionForm(forms.Form):
    title = forms.CharField(label=_("事项"), max_length=200)
    category = forms.ChoiceField(label=_("类别"), choices=DecisionCategory.choices)
    decided_on = forms.DateField(label=_("决策日期"), widget=DateInput)
    pre_studied = forms.BooleanField(label=_("党委前置研究"), required=False)
    collective = forms.BooleanField(label=_("集体决策"), required=False)
    minuted = forms.BooleanField(label=_("会议记录"), required=False)
    followed_up = forms.BooleanField(label=_("执行跟踪"), required=False)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _amount(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )


class MonthDuesForm(forms.Form):
    """One row per member owing dues this month: due, paid, paid on. A blank row is left unrecorded."""

    def __init__(
        self,
        *args,
        people: list[Person],
        stored: dict[int, DuesRecord],
        defaults: Mapping[int, object],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.people = people
        self.rows = []
        for person in people:
            names = {n: entry_field(n, person) for n in ("due", "paid", "paid_on")}
            self.fields[names["due"]] = _amount(_("应缴金额"))
            self.fields[names["paid"]] = _amount(_("实缴金额"))
            self.fields[names["paid_on"]] = forms.DateField(
                label=_("缴纳日期"), required=False, widget=DateInput
            )
            record = stored.get(person.pk)
            if record is not None:
                self.initial.update(
                    {
                        names["due"]: record.due,
                        names["paid"]: record.paid,
                        names["paid_on"]: record.paid_on,
                    }
                )
            elif person.pk in defaults:
                self.initial[names["due"]] = defaults[person.pk]
            self.rows.append((person, record, names))

    def clean(self):
        super().clean()
        data = self.cleaned_data
        for person, _record, names in self.rows:
            due, paid = data.get(names["due"]), data.get(names["paid"])
            if (
                (due is None) != (paid is None)
                and names["due"] not in self.errors
                and names["paid"] not in self.errors
            ):
                missing = names["paid"] if paid is None else names["due"]
                self.add_error(
                    missing, _("%(name)s：应缴和实缴金额须同时填写（未缴请填 0）") % {"name": person.name}
                )
        return data

    def bound_rows(self):
        """(person, stored record, [due, paid, paid-on bound fields]) per row, for the template."""
        for person, record, names in self.rows:
            yield person, record, [self[names["due"]], self[names["paid"]], self[names["paid_on"]]]
