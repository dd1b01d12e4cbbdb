"""Recording, reading, correcting and deleting meetings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.forms_errors import add_action_errors
from kaohe.ledgers import actions
from kaohe.ledgers.forms import MeetingForm
from kaohe.ledgers.models import DUES_STATUSES, Meeting
from kaohe.ledgers.queries import get_ledger_org_for_user, get_meeting_for_user
from kaohe.ledgers.views.common import org_context
from kaohe.orgs.models import OrgUnit, Person

# Above this many candidates a tick list is no help: the meeting records the counts only.
MAX_ATTENDEE_CHOICES = 200


def _attendee_choices(org: OrgUnit):
    """Members of the org itself and of the party groups right under it; None when too many."""
    people = (
        Person.objects.filter(
            org__path__startswith=org.path, org__depth__lte=org.depth + 1, left_on__isnull=True
        )
        .filter(Q(status__in=DUES_STATUSES))
        .order_by("name_pinyin", "pk")
    )
    return people if people[: MAX_ATTENDEE_CHOICES + 1].count() <= MAX_ATTENDEE_CHOICES else None


def _fields(form: MeetingForm) -> dict:
    data = dict(form.cleaned_data)
    if "attendees" in data:
        data["attendees"] = list(data["attendees"])
    return data


@login_required
def meeting_create(request, code: str):
    org = get_ledger_org_for_user(request.user, code, write=True)
    form = MeetingForm(
        request.POST or None, org=org, people=_attendee_choices(org), initial=request.GET.dict()
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.record_meeting(request.user, org=org, **_fields(form))
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已记录：%(meeting)s。") % {"meeting": meeting})
            return redirect("ledgers:org", org.code)
    return render(
        request,
        "ledgers/form.html",
        {**org_context(request, org, "meetings"), "form": form, "title": _("记录会议")},
    )


@login_required
def meeting_detail(request, public_id):
    meeting = get_meeting_for_user(request.user, public_id)
    return render(
        request,
        "ledgers/meeting.html",
        {
            **org_context(request, meeting.org, "meetings"),
            "meeting": meeting,
            "attendees": meeting.attendees.order_by("name_pinyin"),
            "can_edit": has_cap(request.user, Cap.EDIT_LEDGERS, meeting.org),
        },
    )


@login_required
def meeting_edit(request, public_id):
    meeting: Meeting = get_meeting_for_user(request.user, public_id, write=True)
    org = meeting.org
    initial = {
        "kind": meeting.kind,
        "held_on": meeting.held_on,
        "title": meeting.title,
        "expected": meeting.expected,
        "present": meeting.present,
        "agenda": meeting.agenda,
        "minutes": meeting.minutes,
        "attendees": list(meeting.attendees.all()),
    }
    form = MeetingForm(request.POST or None, org=org, people=_attendee_choices(org), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_meeting(request.user, meeting, **_fields(form))
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("ledgers:meeting", meeting.public_id)
    return render(
        request,
        "ledgers/form.html",
        {
            **org_context(request, org, "meetings"),
            "form": form,
            "title": _("修改会议记录"),
            "object": meeting,
        },
    )


@login_required
@require_POST
def meeting_delete(request, public_id):
    meeting = get_meeting_for_user(request.user, public_id, write=True)
    code = meeting.org.code
    actions.delete_meeting(request.user, meeting)
    messages.success(request, _("已删除会议记录。"))
    return redirect("ledgers:org", code)
