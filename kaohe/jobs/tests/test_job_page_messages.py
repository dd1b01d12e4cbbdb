"""What the job page tells a person when a job crashes or refuses its input."""

import pytest
from django.urls import reverse

from kaohe.jobs.actions import start_job
from kaohe.jobs.models import JobStatus
from kaohe.jobs.tests.test_jobs import GOOD, _org_sheet

pytestmark = pytest.mark.django_db


def test_a_crashed_job_shows_a_plain_message_with_its_number_not_the_exception(city, login, monkeypatch):
    def boom(actor, job):
        raise RuntimeError("disk on fire at /var/lib/kaohe")

    monkeypatch.setattr("kaohe.orgs.importing.run_org_import", boom)
    job = start_job(city.staff_a, "orgs.import", _org_sheet(GOOD))
    page = login(city.staff_a).get(reverse("jobs:detail", args=[job.public_id]))
    assert "任务失败" in page.text and "请联系管理员" in page.text and str(job.public_id) in page.text
    assert "disk on fire" not in page.text and "RuntimeError" not in page.text
    job.refresh_from_db()
    assert "disk on fire" in job.message  # kept for the administrator


def test_a_refused_import_still_lists_its_problems_on_the_job_page(city, login):
    sheet = _org_sheet(("EA-G1", "机关", "党总支", "NOPE", "2021-01-01"))
    job = start_job(city.staff_a, "orgs.import", sheet)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    page = login(city.staff_a).get(reverse("jobs:detail", args=[job.public_id]))
    assert 'id="import-errors"' in page.text and "NOPE" in page.text
    assert "任务失败" not in page.text
