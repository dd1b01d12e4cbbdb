"""The import pages' shared request side (kaohe.jobs.import_views), on each app's import page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kaohe.accounts.models import Role
from kaohe.conftest import make_user
from kaohe.jobs.models import Job

pytestmark = pytest.mark.django_db

IMPORT_PAGES = [
    "orgs:org_import",
    "orgs:people_import",
    "ledgers:import",
    "ledgers:recruitment_import",
    "discipline:import",
]


def _editor(city, url_name: str):
    if url_name.startswith("discipline:"):
        return make_user("disc_a", Role.DISCIPLINE_STAFF, city.ent_a)
    return city.staff_a


@pytest.mark.parametrize("url_name", IMPORT_PAGES)
def test_it_refuses_an_upload_over_the_size_limit_before_reading_the_body(city, settings, url_name):
    settings.MAX_UPLOAD_BYTES = 1024
    # With CSRF enforced and no token, reading the body would fail first with 403.
    client = Client(enforce_csrf_checks=True)
    client.force_login(_editor(city, url_name))
    upload = SimpleUploadedFile("big.xlsx", b"x" * 4096)
    response = client.post(reverse(url_name), {"file": upload})
    assert response.status_code == 413
    assert "文件太大" in response.text and not Job.objects.exists()


@pytest.mark.parametrize("url_name", IMPORT_PAGES)
def test_an_upload_without_a_file_shows_the_form_again(city, login, url_name):
    response = login(_editor(city, url_name)).post(reverse(url_name), {})
    assert response.status_code == 400 and response.context["form"].errors
    assert not Job.objects.exists()
