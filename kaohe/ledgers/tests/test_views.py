"""Every ledger page with the personas: staff_a may change EA's ledgers, viewer_a may only read
them, staff_b (enterprise B) gets 404, and an anonymous visitor is sent to log in."""

import datetime

import pytest
from django.urls import reverse

from kaohe.audit.models import AuditEntry
from kaohe.ledgers.models import Decision, DuesRecord, Meeting, MeetingKind
from kaohe.ledgers.tests.conftest import add_decision, add_dues, add_meeting, add_org, add_person
from kaohe.ledgers.views import dues as dues_views

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def records(city):
    meeting = add_meeting(city.branch_a, MeetingKind.THEME_DAY, D(2024, 3, 5), title="三月主题党日")
    decision = add_decision(city.ent_a, D(2024, 4, 1), "collective", title="年度预算")
    add_dues(city.person_a, D(2024, 3, 1))
    return meeting, decision


def pages(city, meeting, decision) -> list[str]:
    return [
        reverse("ledgers:org", args=["EA-B1"]),
        reverse("ledgers:org", args=["EA"]),
        reverse("ledgers:duties", args=["EA-B1"]),
        reverse("ledgers:duties", args=["EA"]),
        reverse("ledgers:dues", args=["EA-B1"]),
        reverse("ledgers:dues", args=["EA"]),
        reverse("ledgers:decisions", args=["EA"]),
        reverse("ledgers:meeting", args=[meeting.public_id]),
    ]


def edit_pages(city, meeting, decision) -> list[str]:
    return [
        reverse("ledgers:meeting_create", args=["EA-B1"]),
        reverse("ledgers:meeting_edit", args=[meeting.public_id]),
        reverse("ledgers:decision_create", args=["EA"]),
        reverse("ledgers:decision_edit", args=[decision.public_id]),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, city, records):
    for url in [reverse("ledgers:index"), *pages(city, *records), *edit_pages(city, *records)]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response.url, url


def test_read_pages_follow_the_personas(city, login, records):
    for url in pages(city, *records):
        assert login(city.staff_a).get(url, {"year": "2024"}).status_code == 200, url
        assert login(city.viewer_a).get(url, {"year": "2024"}).status_code == 200, url
        assert login(city.admin).get(url, {"year": "2024"}).status_code == 200, url  # the committee reads all
        assert login(city.staff_b).get(url, {"year": "2024"}).status_code == 404, url
        assert login(city.sysadmin).get(url, {"year": "2024"}).status_code == 404, url  # 三员: no ledgers


def test_edit_pages_follow_the_personas(city, login, records):
    for url in edit_pages(city, *records):
        assert login(city.staff_a).get(url).status_code == 200, url
        assert login(city.viewer_a).get(url).status_code == 403, url
        assert login(city.staff_b).get(url).status_code == 404, url


def test_the_index_lists_the_orgs_in_scope(city, login):
    page = login(city.staff_a).get(reverse("ledgers:index"))
    assert "企业A第一党支部" in page.text and "企业B" not in page.text
    assert reverse("ledgers:import") in page.text
    read_only = login(city.viewer_a).get(reverse("ledgers:index"))
    assert "企业A第一党支部" in read_only.text and reverse("ledgers:import") not in read_only.text
    assert "企业A" not in login(city.staff_b).get(reverse("ledgers:index")).text
    assert login(city.sysadmin).get(reverse("ledgers:index")).status_code == 404


def test_the_index_links_each_orgs_recruitment_ledger(city, login):
    page = login(city.viewer_a).get(reverse("ledgers:index")).text
    for code in ("EA", "EA-B1"):
        assert f'href="{reverse("ledgers:recruitment", args=[code])}"' in page, code
        assert f'href="{reverse("ledgers:decisions", args=[code])}"' in page, code


def test_the_org_home_shows_duties_and_meetings(city, login, records):
    url = reverse("ledgers:org", args=["EA-B1"])
    page = login(city.staff_a).get(url, {"year": "2024"})
    assert "三月主题党日" in page.text and 'data-duty="theme_day"' in page.text
    assert reverse("ledgers:meeting_create", args=["EA-B1"]) in page.text
    read_only = login(city.viewer_a).get(url, {"year": "2024"})
    assert reverse("ledgers:meeting_create", args=["EA-B1"]) not in read_only.text
    partial = login(city.staff_a).get(
        url, {"year": "2024", "kind": "branch_assembly"}, HTTP_HX_REQUEST="true"
    )
    assert "三月主题党日" not in partial.text and "<html" not in partial.text
    enterprise = login(city.staff_a).get(reverse("ledgers:org", args=["EA"]), {"year": "2024"})
    assert "三月主题党日" in enterprise.text and "共 1 个党支部" in enterprise.text


def test_the_duties_page_colours_each_branch(city, login, records):
    page = login(city.viewer_a).get(reverse("ledgers:duties", args=["EA"]), {"year": "2024"})
    assert "企业A第一党支部" in page.text and 'data-colour="red"' in page.text
    detail = login(city.viewer_a).get(reverse("ledgers:duties", args=["EA-B1"]), {"year": "2024"})
    assert "1月未开展主题党日" in detail.text and "第一季度未召开支部党员大会" in detail.text


def test_recording_a_meeting_through_the_form(city, login, records):
    url = reverse("ledgers:meeting_create", args=["EA-B1"])
    data = {
        "kind": "committee_meeting",
        "held_on": "2024-05-06",
        "title": "研究发展党员",
        "expected": "5",
        "present": "5",
        "attendees": [str(city.person_a.public_id)],
    }
    assert login(city.staff_a).post(url, data).status_code == 302
    meeting = Meeting.objects.get(title="研究发展党员")
    assert list(meeting.attendees.all()) == [city.person_a]
    assert login(city.viewer_a).post(url, {**data, "title": "x"}).status_code == 403
    assert login(city.staff_b).post(url, {**data, "title": "y"}).status_code == 404
    assert not Meeting.objects.filter(title__in=["x", "y"]).exists()


def test_the_form_shows_the_actions_errors_under_the_field(city, login):
    url = reverse("ledgers:meeting_create", args=["EA-B1"])
    data = {
        "kind": "committee_meeting",
        "held_on": "2024-05-06",
        "title": "t",
        "expected": "5",
        "present": "7",
    }
    page = login(city.staff_a).post(url, data)
    assert page.status_code == 200 and page.context["form"].errors["present"] == [
        "实到人数（7）不能多于应到人数（5）"
    ]


def test_editing_and_deleting_a_meeting(city, login, records):
    meeting = records[0]
    edit = reverse("ledgers:meeting_edit", args=[meeting.public_id])
    detail = reverse("ledgers:meeting", args=[meeting.public_id])
    assert edit in login(city.staff_a).get(detail).text
    assert edit not in login(city.viewer_a).get(detail).text
    data = {"kind": "theme_day", "held_on": "2024-03-05", "title": "改了", "expected": "10", "present": "10"}
    assert login(city.viewer_a).post(edit, data).status_code == 403
    assert login(city.staff_a).post(edit, data).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).title == "改了"
    delete = reverse("ledgers:meeting_delete", args=[meeting.public_id])
    assert login(city.staff_a).get(delete).status_code == 405
    assert login(city.viewer_a).post(delete).status_code == 403
    assert login(city.staff_b).post(delete).status_code == 404
    assert login(city.staff_a).post(delete).status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    assert AuditEntry.objects.filter(action="meeting.delete").exists()


def test_the_dues_month_form(city, login, records):
    second = add_person(city.branch_a, "李四")
    url = reverse("ledgers:dues", args=["EA-B1"]) + "?month=2024-04"
    page = login(city.staff_a).get(url)
    a, b = city.person_a.public_id, second.public_id
    assert str(page.context["form"][f"due_{a}"].value()) == "20.00"  # March's amount as the default
    data = {
        f"due_{a}": "20",
        f"paid_{a}": "20",
        f"paid_on_{a}": "2024-04-08",
        f"due_{b}": "",
        f"paid_{b}": "",
    }
    assert login(city.viewer_a).post(url, data).status_code == 403
    assert login(city.staff_b).post(url, data).status_code == 404
    response = login(city.staff_a).post(url, data)
    assert response.status_code == 302 and response.url.endswith("?month=2024-04")
    assert DuesRecord.objects.filter(month=D(2024, 4, 1)).count() == 1  # the blank row stays unrecorded
    half = login(city.staff_a).post(url, {f"due_{b}": "20", f"paid_{b}": ""})
    assert "应缴和实缴金额须同时填写" in str(half.context["form"].errors)


def test_the_dues_page_of_a_higher_org_lists_its_branches(city, login, records):
    page = login(city.viewer_a).get(reverse("ledgers:dues", args=["EA"]), {"month": "2024-03"})
    row = page.context["page"][0]
    assert row["owed"] == 1 and row["in_full"] == 1
    assert "2024-03 各党支部党费收缴" in page.text and 'id="month-not-over"' not in page.text


def test_the_dues_page_opens_on_the_last_month_that_is_over(city, login, records, monkeypatch):
    monkeypatch.setattr(dues_views, "today", lambda: D(2024, 4, 12))
    for code in ("EA", "EA-B1"):
        url = reverse("ledgers:dues", args=[code])
        page = login(city.viewer_a).get(url)
        assert page.context["month"] == D(2024, 3, 1), code
        assert 'value="2024-03"' in page.text and 'id="month-not-over"' not in page.text, code
        current = login(city.viewer_a).get(url, {"month": "2024-04"})
        assert current.context["month"] == D(2024, 4, 1) and 'id="month-not-over"' in current.text, code


def test_the_dues_page_of_a_higher_org_pages_its_branches(city, login, records, monkeypatch):
    monkeypatch.setattr(dues_views, "PAGE_SIZE", 2)
    for i in range(3):
        add_org(city.ent_a, f"EA-X{i}")
    url = reverse("ledgers:dues", args=["EA"])
    first = login(city.viewer_a).get(url, {"month": "2024-03"})
    assert len(first.context["page"]) == 2 and "共 4 条" in first.text
    assert "month=2024-03&amp;page=2" in first.text or "month=2024-03&page=2" in first.text
    second = login(city.viewer_a).get(url, {"month": "2024-03", "page": "2"})
    assert len(second.context["page"]) == 2 and second.context["month"] == D(2024, 3, 1)


def test_decisions_list_form_and_delete(city, login, records):
    decision = records[1]
    listing = login(city.viewer_a).get(reverse("ledgers:decisions", args=["EA"]), {"year": "2024"})
    assert (
        "年度预算" in listing.text
        and reverse("ledgers:decision_edit", args=[decision.public_id]) not in listing.text
    )
    incomplete = login(city.viewer_a).get(
        reverse("ledgers:decisions", args=["EA"]), {"year": "2024", "incomplete": "1"}
    )
    assert "年度预算" in incomplete.text
    create = reverse("ledgers:decision_create", args=["EA"])
    data = {"title": "新项目", "category": "project", "decided_on": "2024-06-01", "pre_studied": "on"}
    assert login(city.staff_a).post(create, data).status_code == 302
    assert Decision.objects.get(title="新项目").steps == ["党委前置研究"]
    delete = reverse("ledgers:decision_delete", args=[decision.public_id])
    assert login(city.viewer_a).post(delete).status_code == 403
    assert login(city.staff_a).post(delete).status_code == 302
    assert not Decision.objects.filter(pk=decision.pk).exists()


def test_lists_filter_and_sort(city, login, records):
    add_decision(city.ent_a, D(2024, 1, 2), title="年初事项")
    url = reverse("ledgers:decisions", args=["EA"])
    newest_first = login(city.viewer_a).get(url, {"year": "2024"}).text
    oldest_first = login(city.viewer_a).get(url, {"year": "2024", "sort": "decided_on"}).text
    assert newest_first.index("年度预算") < newest_first.index("年初事项")
    assert oldest_first.index("年初事项") < oldest_first.index("年度预算")
    found = login(city.viewer_a).get(reverse("ledgers:index"), {"q": "第一"})
    assert [org.code for org, _level in found.context["rows"]] == ["EA-B1"]
