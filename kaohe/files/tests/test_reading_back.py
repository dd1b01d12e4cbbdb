import pytest
from django.http import FileResponse
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.test import RequestFactory

from kaohe.files import storage
from kaohe.files.actions import store_upload
from kaohe.files.queries import file_response, open_stored, verify
from kaohe.files.tests import samples
from kaohe.files.tests.samples import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(city):
    return store_upload(city.staff_a, upload("目标责任书.pdf", samples.pdf()))


def body(response) -> bytes:
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


def test_it_serves_a_download_under_its_chinese_name_and_sniffed_type(letter):
    response = file_response(letter)

    assert response["Content-Disposition"] == (
        "attachment; filename=\"download.pdf\"; filename*=UTF-8''"
        "%E7%9B%AE%E6%A0%87%E8%B4%A3%E4%BB%BB%E4%B9%A6.pdf"
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert int(response["Content-Length"]) == letter.size
    assert body(response) == samples.pdf()


def test_it_keeps_an_ascii_name_as_it_is(city):
    stored = store_upload(city.staff_a, upload("minutes 2024.docx", samples.docx_file()))
    response = file_response(stored)
    assert response["Content-Disposition"] == (
        "attachment; filename=\"minutes 2024.docx\"; filename*=UTF-8''minutes%202024.docx"
    )
    response.close()


def test_it_shows_an_image_inline_in_a_sandbox(city):
    photo = store_upload(city.staff_a, upload("现场照片.png", samples.png()))
    response = file_response(photo, inline=True)

    assert response["Content-Disposition"].startswith("inline; ")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"] == "sandbox"
    response.close()


def test_it_shows_a_pdf_inline_without_the_sandbox_that_blocks_browser_pdf_viewers(letter):
    response = file_response(letter, inline=True)

    assert response["Content-Disposition"].startswith("inline; ")
    assert response["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_the_site_policy_does_not_replace_the_sandbox(letter):
    middleware = ContentSecurityPolicyMiddleware(lambda request: file_response(letter))
    response = middleware(RequestFactory().get("/"))
    assert isinstance(response, FileResponse)
    assert response["Content-Security-Policy"] == "sandbox"
    response.close()


def test_open_stored_reads_the_bytes_back(letter):
    with open_stored(letter) as f:
        assert f.read() == samples.pdf()


def test_verify_detects_a_changed_blob(letter):
    assert verify(letter)

    path = storage.blob_path(letter.sha256)
    path.chmod(0o640)
    path.write_bytes(samples.pdf().replace(b"200 200", b"300 300"))
    assert not verify(letter)


def test_verify_reports_a_missing_blob(letter):
    storage.blob_path(letter.sha256).unlink()
    assert not verify(letter)


def test_a_second_upload_repairs_a_damaged_blob_and_keeps_the_damaged_one_aside(city, letter):
    path = storage.blob_path(letter.sha256)
    path.chmod(0o640)
    path.write_bytes(b"%PDF-changed")

    store_upload(city.staff_b, upload("副本.pdf", samples.pdf()))
    assert verify(letter)
    assert path.with_name(f"{letter.sha256}.damaged").read_bytes() == b"%PDF-changed"
