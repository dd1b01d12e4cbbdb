import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from kaohe.jobs import actions
from kaohe.jobs.actions import start_job
from kaohe.jobs.models import Job, JobStatus
from kaohe.orgs.models import OrgUnit

pytestmark = pytest.mark.django_db


def _org_sheet(*rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.title = "组织"
    ws.append(["编码", "名称", "类型", "上级编码", "成立日期"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("组织.xlsx", buffer.getvalue())


GOOD = ("EA-G1", "机关党总支", "党总支", "EA", "2021-01-01")


@pytest.fixture
def database_backend(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when done
def test_a_queued_job_waits_for_the_worker_then_shows_its_result(city, login, database_backend):
    job = start_job(city.staff_a, "orgs.import", _org_sheet(GOOD))
    client = login(city.staff_a)
    page = client.get(reverse("jobs:detail", args=[job.public_id]))
    assert 'data-status="queued"' in page.text and 'hx-trigger="every 1s"' in page.text
    assert not OrgUnit.objects.filter(code="EA-G1").exists()

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and (job.result or {})["created"] == 1
    assert not job.input_file  # the uploaded file is not kept once read
    partial = client.get(reverse("jobs:detail", args=[job.public_id]), HTTP_HX_REQUEST="true")
    assert "<html" not in partial.text and "every 1s" not in partial.text and "新增 1 条" in partial.text
    assert OrgUnit.objects.get(code="EA-G1").parent == city.ent_a


def test_a_job_is_seen_by_its_owner_only(city, login, client):
    job = start_job(city.staff_a, "orgs.import", _org_sheet(GOOD))
    url = reverse("jobs:detail", args=[job.public_id])
    assert login(city.staff_a).get(url).status_code == 200
    assert login(city.viewer_a).get(url).status_code == 404  # same enterprise, not theirs
    assert login(city.staff_b).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_refused_file_fails_the_job_and_writes_nothing(city):
    job = start_job(
        city.staff_a, "orgs.import", _org_sheet(("EA-G1", "机关", "党总支", "NOPE", "2021-01-01"))
    )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    first_error = (job.result or {})["errors"][0]
    assert first_error["row"] == 2 and "上级编码" in first_error["column"]
    assert not OrgUnit.objects.filter(code="EA-G1").exists()


def test_a_job_keeps_the_language_it_was_started_in_for_its_messages(city, database_backend):
    with translation.override("en"):
        job = start_job(
            city.staff_a, "orgs.import", _org_sheet(("EA-G1", "机关", "党总支", "NOPE", "2021-01-01"))
        )
    assert job.language == "en" and job.status == JobStatus.QUEUED

    # A worker has no request and so no user language: the job's own language is used.
    assert translation.get_language() != "en"
    assert actions.run_job(job.pk) == JobStatus.FAILED

    job.refresh_from_db()
    message = (job.result or {})["errors"][0]["message"]
    assert message == "Parent code “NOPE” does not exist, is outside your scope, and is not in this file"


def test_a_job_started_in_chinese_reports_in_chinese(city):
    job = start_job(
        city.staff_a, "orgs.import", _org_sheet(("EA-G1", "机关", "党总支", "NOPE", "2021-01-01"))
    )
    job.refresh_from_db()
    assert job.language == "zh-hans"
    assert "不存在" in (job.result or {})["errors"][0]["message"]


def test_a_crashing_job_ends_visibly(city, monkeypatch):
    def boom(actor, job):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("kaohe.orgs.importing.run_org_import", boom)
    job = start_job(city.staff_a, "orgs.import", _org_sheet(GOOD))
    job.refresh_from_db()
    assert job.status == JobStatus.CRASHED and "disk on fire" in job.message


def test_a_job_runs_once_even_if_delivered_twice(city, database_backend):
    from kaohe.jobs.actions import run_job

    job = start_job(city.staff_a, "orgs.import", _org_sheet(GOOD))
    assert run_job(job.pk) == JobStatus.SUCCEEDED
    assert run_job(job.pk) == JobStatus.SUCCEEDED  # the second delivery finds it done
    assert OrgUnit.objects.filter(code="EA-G1").count() == 1
    assert (Job.objects.get(pk=job.pk).result or {})["created"] == 1


def test_the_writes_of_a_job_are_audited_with_the_address_it_was_started_from(city, login):
    from kaohe.audit.models import AuditEntry

    login(city.staff_a).post(reverse("orgs:org_import"), {"file": _org_sheet(GOOD)}, REMOTE_ADDR="10.9.8.7")
    assert AuditEntry.objects.get(action="org.create", target_id="EA-G1").ip == "10.9.8.7"
