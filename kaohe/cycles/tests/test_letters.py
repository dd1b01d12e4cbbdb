"""Target letters: generated per unit (docx, PDF read back), signed copies uploaded, who has signed."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from kaohe.audit.models import AuditEntry
from kaohe.cycles import actions
from kaohe.cycles.models import CycleState, TargetLetter
from kaohe.files.tests.samples import docx_file, pdf, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def signing(city_cycle):
    actions.advance_cycle(None, city_cycle, CycleState.TARGETS)
    return city_cycle


def test_the_docx_letter_lists_the_unit_and_its_targets(city, login, city_cycle):
    url = reverse("cycles:letter_download", args=[city_cycle.public_id, "EA", "docx"])
    response = login(city.staff_a).get(url)
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "2026年度党建工作目标责任书" in text and "乙方（责任单位）：企业A党委" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "党课" in cells and "4" in cells and "乙方（盖章）：" in cells
    assert login(city.staff_b).get(url).status_code == 404


def test_the_pdf_letter_reads_back_with_chinese_text(city, login, city_cycle):
    url = reverse("cycles:letter_download", args=[city_cycle.public_id, "EB", "pdf"])
    response = login(city.staff_b).get(url)
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "目标责任书" in text and "企业B党委" in text and "党课" in text
    assert login(city.viewer_a).get(url).status_code == 404


def test_a_unit_uploads_its_signed_letter_and_the_cycle_shows_it(city, login, signing):
    url = reverse("cycles:letter_upload", args=[signing.public_id, "EA"])

    def data():
        return {"signed_on": "2026-03-20", "file": upload("责任书签字版.pdf", pdf())}

    assert login(city.viewer_a).post(url, data()).status_code == 403
    assert login(city.staff_b).post(url, data()).status_code == 404
    assert login(city.staff_a).post(url, data()).status_code == 302
    letter = TargetLetter.objects.get()
    assert (
        letter.signed_on == datetime.date(2026, 3, 20)
        and letter.signed_file.original_name == "责任书签字版.pdf"
    )
    page = login(city.admin).get(reverse("cycles:letters", args=[signing.public_id]))
    assert "已签订 1 / 2" in page.text
    signed = login(city.viewer_a).get(reverse("cycles:letter_signed", args=[signing.public_id, "EA"]))
    assert signed.status_code == 200 and b"".join(signed.streaming_content).startswith(b"%PDF")
    assert (
        login(city.staff_b).get(reverse("cycles:letter_signed", args=[signing.public_id, "EA"])).status_code
        == 404
    )
    assert AuditEntry.objects.filter(action="letter.signed").count() == 1


def test_a_letter_that_lies_about_its_type_is_refused(city, login, signing):
    url = reverse("cycles:letter_upload", args=[signing.public_id, "EA"])
    response = login(city.staff_a).post(
        url, {"signed_on": "2026-03-20", "file": upload("签字版.pdf", docx_file())}
    )
    assert response.status_code == 200
    assert "内容却是" in " ".join(response.context["form"].errors["file"])
    assert not TargetLetter.objects.exists()


def test_letters_are_uploaded_only_while_the_cycle_runs(city, city_cycle):
    unit = city_cycle.units.get(org=city.ent_a)
    with pytest.raises(ValidationError):
        actions.upload_signed_letter(
            None, city_cycle, unit, upload("a.pdf", pdf()), datetime.date(2026, 3, 1)
        )
    actions.advance_cycle(None, city_cycle, CycleState.TARGETS)
    with pytest.raises(ValidationError):
        actions.upload_signed_letter(
            None, city_cycle, unit, upload("a.pdf", pdf()), datetime.date(2099, 1, 1)
        )
