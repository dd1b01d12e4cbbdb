"""Files kept with a meeting: uploading on the meeting page, downloading, withdrawing."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.files.queries import file_response
from kaohe.forms_errors import add_action_errors
from kaohe.ledgers import actions
from kaohe.ledgers.models import Meeting, MeetingAttachment
from kaohe.ledgers.queries import get_meeting_for_user
from kaohe.ledgers.views.common import org_context


class AttachmentForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("附件（PDF、图片、Word、Excel 或 OFD）"))


def _attachment_of(meeting: Meeting, file_id) -> MeetingAttachment:
    """A file still kept with the meeting; a withdrawn one is gone from it (404)."""
    attachment = MeetingAttachment.objects.live().filter(meeting=meeting, public_id=file_id).first()
    if attachment is None:
        raise Http404("no such file")
    return attachment


def _meeting_page(request, meeting: Meeting, form: AttachmentForm):
    """The meeting page (as views.meetings.meeting_detail shows it) with the upload form's errors."""
    return render(
        request,
        "ledgers/meeting.html",
        {
            **org_context(request, meeting.org, "meetings"),
            "meeting": meeting,
            "attendees": meeting.attendees.order_by("name_pinyin"),
            "can_edit": has_cap(request.user, Cap.EDIT_LEDGERS, meeting.org),
            "attachment_form": form,
        },
    )


def _back(meeting: Meeting):
    return redirect(reverse("ledgers:meeting", args=[meeting.public_id]) + "#attachments")


@login_required
@require_POST
def attachment_upload(request, public_id):
    meeting = get_meeting_for_user(request.user, public_id, write=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = actions.attach_to_meeting(request.user, meeting, form.cleaned_data["file"])
        except ValidationError as exc:
            add_action_errors(form, exc)
        else:
            messages.success(request, _("已上传“%(name)s”。") % {"name": attachment.file.original_name})
            return _back(meeting)
    return _meeting_page(request, meeting, form)


@login_required
def attachment_download(request, public_id, file_id):
    meeting = get_meeting_for_user(request.user, public_id)
    return file_response(_attachment_of(meeting, file_id).file)


@login_required
@require_POST
def attachment_withdraw(request, public_id, file_id):
    meeting = get_meeting_for_user(request.user, public_id, write=True)
    attachment = _attachment_of(meeting, file_id)
    try:
        actions.withdraw_attachment(request.user, attachment)
    except ValidationError as exc:  # withdrawn a moment ago, in another tab
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已撤回“%(name)s”。") % {"name": attachment.file.original_name})
    return _back(meeting)
