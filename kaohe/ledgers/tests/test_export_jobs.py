"""The ledger exports run as jobs: a POST starts one, the job page offers the file when it is done,
and only the job's owner may download it. Read access is enough to export; staff_b (enterprise B)
gets 404 on EA's exports. Jobs run at once in tests (kaohe/conftest.py)."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kaohe.jobs.models import Job
from kaohe.ledgers.exports import Params, build_dues
from kaohe.ledgers.models import MeetingKind
from kaohe.ledgers.tests.conftest import add_decision, add_dues, add_meeting, add_person

pytestmark = pytest.mark.django_db

D = datetime.date
EXPORTS = [
    "ledgers:meetings_export",
    "ledgers:dues_export",
    "ledgers:decisions_export",
    "ledgers:recruitment_export",
]


@pytest.fixture
def records(city):
    add_meeting(city.branch_a, MeetingKind.THEME_DAY, D(2024, 3, 5), title="三月主题党日")
    add_meeting(city.branch_a, MeetingKind.BRANCH_ASSEMBLY, D(2024, 3, 9), title="党员大会")
    add_meeting(city.branch_b, MeetingKind.THEME_DAY, D(2024, 3, 5), title="别家的会")
    add_decision(city.ent_a, D(2024, 4, 1), "collective", title="年度预算")
    add_dues(city.person_a, D(2024, 3, 1))
    add_dues(city.person_b, D(2024, 3, 1))


def export(client, name: str, code: str = "EA", query: str = "year=2024"):
    """Start the export, follow to the job page, download the file: (job, page, workbook)."""
    response = client.post(f"{reverse(name, args=[code])}?{query}")
    assert response.status_code == 302, response
    job = Job.objects.filter(kind="ledgers.export").latest("created_at")
    assert response.url == reverse("jobs:detail", args=[job.public_id])
    page = client.get(response.url)
    download = reverse("ledgers:export_download", args=[job.public_id])
    assert download in page.text
    file = client.get(download)
    assert file.status_code == 200 and file["Content-Type"].startswith("application/vnd.openxmlformats")
    return job, page, load_workbook(io.BytesIO(b"".join(file.streaming_content)))


def test_the_exports_are_workbooks_of_the_subtree_offered_on_the_job_page(city, login, records):
    client = login(city.viewer_a)  # reading is enough
    job, page, meetings = export(client, "ledgers:meetings_export")
    rows = list(meetings["会议"].values)
    assert rows[0][:3] == ("组织编码", "类型", "日期") and {r[3] for r in rows[1:]} == {
        "三月主题党日",
        "党员大会",
    }
    assert (job.result or {})["rows"] == 2 and "共 2 行" in page.text
    _job, _page, dues = export(client, "ledgers:dues_export")
    (row,) = list(dues["党费"].values)[1:]
    assert row[0] == "张a" and "*" in row[2] and row[3] == "2024-03"  # the ID number masked
    _job, _page, decisions = export(client, "ledgers:decisions_export")
    assert list(decisions.active.values)[1][3] == "年度预算"


def test_the_meetings_export_keeps_the_list_filter(city, login, records):
    _job, _page, book = export(
        login(city.staff_a), "ledgers:meetings_export", query="year=2024&kind=theme_day"
    )
    assert [r[3] for r in list(book["会议"].values)[1:]] == ["三月主题党日"]


def test_the_exports_follow_the_personas(city, login, client, records):
    for name in EXPORTS:
        url = reverse(name, args=["EA"])
        client.logout()
        assert reverse("accounts:login") in client.post(url).url, name
        assert login(city.staff_a).post(url).status_code == 302, name
        assert login(city.viewer_a).post(url).status_code == 302, name
        assert login(city.staff_b).post(url).status_code == 404, name
        assert login(city.sysadmin).post(url).status_code == 404, name  # 三员: no ledgers
        assert login(city.staff_a).get(url).status_code == 405, name  # starting work takes a POST
    assert Job.objects.filter(kind="ledgers.export").count() == 2 * len(EXPORTS)


def test_only_the_jobs_owner_may_download_its_file(city, login, records):
    job, _page, _book = export(login(city.staff_a), "ledgers:dues_export")
    url = reverse("ledgers:export_download", args=[job.public_id])
    assert login(city.viewer_a).get(url).status_code == 404  # same enterprise, not theirs
    assert login(city.staff_b).get(url).status_code == 404


def test_an_export_job_refuses_an_org_its_owner_can_no_longer_read(city, login, records):
    from kaohe.jobs.actions import start_job

    # As if the job was queued before the owner's access was withdrawn.
    job = start_job(city.staff_b, "ledgers.export", params={"what": "dues", "org": "EA", "year": 2024})
    job.refresh_from_db()
    assert job.status == "failed" and "file" not in (job.result or {})
    page = login(city.staff_b).get(reverse("jobs:detail", args=[job.public_id]))
    assert "无权查看该组织的台账" in page.text


def test_the_dues_export_costs_the_same_queries_for_more_members(city):
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            build_dues(Params(city.root, 2024))
        return len(ctx.captured_queries)

    few = queries()
    for i in range(25):
        person = add_person(city.branch_a, f"党员{i}")
        for month in (1, 2, 3):
            add_dues(person, D(2024, month, 1))
    assert queries() == few <= 2
