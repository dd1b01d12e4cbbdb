"""Files kept with a meeting: uploading on the meeting page, a file lying about its type refused,
downloading within the meeting's access, withdrawing (audited; the stored file stays)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from kaohe.audit.models import AuditEntry
from kaohe.files.models import StoredFile
from kaohe.files.tests.samples import docx_file, pdf, png, upload
from kaohe.ledgers import actions
from kaohe.ledgers.models import MeetingAttachment, MeetingKind
from kaohe.ledgers.tests.conftest import add_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(city):
    return add_meeting(
        city.branch_a, MeetingKind.BRANCH_ASSEMBLY, datetime.date(2024, 3, 5), title="三月党员大会"
    )


@pytest.fixture
def attachment(city, meeting):
    return actions.attach_to_meeting(city.staff_a, meeting, upload("会议记录.pdf", pdf()))


def upload_url(meeting) -> str:
    return reverse("ledgers:attachment_upload", args=[meeting.public_id])


def download_url(attachment) -> str:
    return reverse("ledgers:attachment_download", args=[attachment.meeting.public_id, attachment.public_id])


def withdraw_url(attachment) -> str:
    return reverse("ledgers:attachment_withdraw", args=[attachment.meeting.public_id, attachment.public_id])


def test_party_staff_upload_on_the_meeting_page_with_its_audit_row(city, login, meeting):
    client = login(city.staff_a)
    page = client.get(reverse("ledgers:meeting", args=[meeting.public_id]))
    assert upload_url(meeting) in page.text and "暂无附件" in page.text
    response = client.post(upload_url(meeting), {"file": upload("签到表.jpg", png())})
    assert response.status_code == 302 and response.url.endswith("#attachments")
    attachment = MeetingAttachment.objects.get()
    assert attachment.meeting == meeting and attachment.uploaded_by == city.staff_a
    assert attachment.file.original_name == "签到表.jpg" and attachment.file.kind == "image"
    entry = AuditEntry.objects.get(action="meeting.attachment.upload")
    assert entry.actor == city.staff_a and entry.target_id == str(attachment.public_id)
    assert entry.org_path == city.branch_a.path and (entry.new or {})["name"] == "签到表.jpg"
    page = client.get(reverse("ledgers:meeting", args=[meeting.public_id]))
    assert "签到表.jpg" in page.text and download_url(attachment) in page.text


def test_uploading_follows_the_personas(client, city, login, meeting):
    anonymous = client.post(upload_url(meeting), {"file": upload("a.pdf", pdf())})
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous.url
    assert login(city.viewer_a).post(upload_url(meeting), {"file": upload("b.pdf", pdf())}).status_code == 403
    assert login(city.staff_b).post(upload_url(meeting), {"file": upload("c.pdf", pdf())}).status_code == 404
    assert not MeetingAttachment.objects.exists()
    read_only = login(city.viewer_a).get(reverse("ledgers:meeting", args=[meeting.public_id]))
    assert upload_url(meeting) not in read_only.text


def test_a_file_lying_about_its_type_is_refused_and_the_reason_shown(city, login, meeting):
    page = login(city.staff_a).post(upload_url(meeting), {"file": upload("会议记录.pdf", png())})
    assert page.status_code == 200
    [error] = page.context["attachment_form"].errors["file"]
    assert error == "文件“会议记录.pdf”的扩展名是 PDF，内容却是 图片"
    assert "内容却是" in page.text
    assert not MeetingAttachment.objects.exists()


def test_kinds_other_than_the_meeting_ones_are_refused(city, meeting):
    with pytest.raises(ValidationError) as info:
        actions.attach_to_meeting(city.staff_a, meeting, upload("笔记.txt", b"hello"))
    assert "只接受以下类型" in info.value.message_dict["file"][0]
    with pytest.raises(ValidationError):
        actions.attach_to_meeting(city.staff_a, meeting, upload("setup.exe", b"MZ" + b"\0" * 64))
    word = actions.attach_to_meeting(city.staff_a, meeting, upload("讲话稿.docx", docx_file()))
    assert word.file.kind == "word"


def test_an_empty_upload_form_says_what_is_missing(city, login, meeting):
    page = login(city.staff_a).post(upload_url(meeting), {})
    assert page.status_code == 200 and page.context["attachment_form"].errors["file"]


def test_downloading_follows_the_meetings_access(client, city, login, attachment):
    url = download_url(attachment)
    assert reverse("accounts:login") in client.get(url).url
    for user in (city.staff_a, city.viewer_a):
        response = login(user).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == pdf()
        assert (
            response["Content-Type"] == "application/pdf" and "attachment;" in response["Content-Disposition"]
        )
    assert login(city.staff_b).get(url).status_code == 404


def test_a_file_is_downloaded_only_through_its_own_meeting(city, login, attachment):
    other = add_meeting(city.branch_a, MeetingKind.COMMITTEE_MEETING, datetime.date(2024, 3, 6))
    url = reverse("ledgers:attachment_download", args=[other.public_id, attachment.public_id])
    assert login(city.staff_a).get(url).status_code == 404


def test_withdrawing_hides_the_file_keeps_it_stored_and_is_audited(city, login, attachment):
    url = withdraw_url(attachment)
    assert login(city.viewer_a).post(url).status_code == 403
    assert login(city.staff_b).post(url).status_code == 404
    assert login(city.staff_a).get(url).status_code == 405
    response = login(city.staff_a).post(url)
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.withdrawn and attachment.withdrawn_by == city.staff_a
    assert StoredFile.objects.filter(pk=attachment.file_id).exists()
    entry = AuditEntry.objects.get(action="meeting.attachment.withdraw")
    assert entry.old == {"withdrawn": False} and (entry.new or {})["name"] == "会议记录.pdf"
    assert entry.org_path == city.branch_a.path
    assert login(city.staff_a).get(download_url(attachment)).status_code == 404
    page = login(city.staff_a).get(reverse("ledgers:meeting", args=[attachment.meeting.public_id]))
    assert "会议记录.pdf" not in page.text
    assert login(city.staff_a).post(url).status_code == 404  # gone from the meeting


def test_withdrawing_twice_or_without_the_right_is_refused(city, attachment):
    with pytest.raises(PermissionDenied):
        actions.withdraw_attachment(city.viewer_a, attachment)
    actions.withdraw_attachment(city.staff_a, attachment)
    with pytest.raises(ValidationError):
        actions.withdraw_attachment(city.staff_a, attachment)
    assert AuditEntry.objects.filter(action="meeting.attachment.withdraw").count() == 1


def test_a_meeting_with_files_can_still_be_deleted_and_the_files_stay_stored(city, attachment):
    actions.delete_meeting(city.staff_a, attachment.meeting)
    assert not MeetingAttachment.objects.exists()
    assert StoredFile.objects.filter(pk=attachment.file_id).exists()
