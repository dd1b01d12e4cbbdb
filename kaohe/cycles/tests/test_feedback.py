"""The per-unit feedback report: Word and PDF read back, with every lost point and the
rectification items; only for people who may see the unit's results."""

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document
from pypdf import PdfReader

from kaohe.cycles import actions
from kaohe.cycles.actions import rectification
from kaohe.cycles.models import CycleState
from kaohe.cycles.models import rectification as rectification_model
from kaohe.cycles.tests.conftest import advance, enter_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(city, city_cycle):
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    return advance(city_cycle, CycleState.REVIEW)


def test_the_word_report_lists_the_lost_points_and_the_rectification(city, login, reviewed, monkeypatch):
    monkeypatch.setattr(rectification_model, "today", lambda: datetime.date(2027, 1, 10))
    rectification.open_from_results(city.admin, reviewed, threshold=80, deadline=datetime.date(2027, 6, 30))
    url = reverse("cycles:unit_feedback", args=[reviewed.public_id, "EB", "docx"])
    doc = Document(io.BytesIO(login(city.staff_b).get(url).content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "得分7分" in text and "等次为“较好”" in text and "排名第2/2" in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "党课" in cells and "1" in cells  # lost 1 of 4: one lecture short
    assert any("少1次" in c for c in cells)
    assert any("（待制定）" in c for c in cells)  # the auto-opened item, measures still to come


def test_the_pdf_report_reads_back(city, login, reviewed):
    url = reverse("cycles:unit_feedback", args=[reviewed.public_id, "EB", "pdf"])
    response = login(city.admin).get(url)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "情况反馈" in text and "企业B党委" in text and "失分情况" in text


def test_others_get_no_report(city, login, reviewed, small_scheme):
    url = reverse("cycles:unit_feedback", args=[reviewed.public_id, "EB", "docx"])
    assert login(city.viewer_a).get(url).status_code == 404
    assert login(city.staff_a).get(url).status_code == 404
    before = actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name="未到反馈",
        scheme=small_scheme,
        units=[actions.UnitSpec(city.ent_b)],
    )
    unit = before.units.get()
    actions.set_fact(None, before, unit, "lectures", "4")
    actions.set_fact(None, before, unit, "judgment", "好")
    actions.recompute(None, before)
    early = reverse("cycles:unit_feedback", args=[before.public_id, "EB", "docx"])
    assert login(city.staff_b).get(early).status_code == 404  # not before the review window
    assert login(city.admin).get(early).status_code == 200
