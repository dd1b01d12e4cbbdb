"""Appeals in the review window, their review with re-scoring, publication and the bulletin."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from docx import Document

from kaohe.audit.models import AuditEntry
from kaohe.cycles import actions
from kaohe.cycles.actions import appeals
from kaohe.cycles.models import Appeal, AppealStatus, CycleState
from kaohe.cycles.tests.conftest import advance, enter_all
from kaohe.engine.points import parse_points

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_review(city, city_cycle):
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    return advance(city_cycle, CycleState.REVIEW)


def test_units_see_results_only_from_the_review_window(city, login, city_cycle):
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    cycle = advance(city_cycle, CycleState.ASSESSMENT)
    url = reverse("cycles:unit", args=[cycle.public_id, "EB"])
    assert "尚未发布" in login(city.staff_b).get(url).text
    assert (
        login(city.staff_b).get(reverse("cycles:results_export", args=[cycle.public_id])).status_code == 404
    )
    assert "企业B党委" in login(city.admin).get(reverse("cycles:results", args=[cycle.public_id])).text
    advance(cycle, CycleState.REVIEW)
    assert "尚未发布" not in login(city.staff_b).get(url).text


def test_a_unit_appeals_an_item_and_the_upheld_appeal_rescores_it(city, login, in_review):
    unit_b = in_review.units.get(org=city.ent_b)
    url = reverse("cycles:appeal_file", args=[in_review.public_id, "EB", "lecture"])
    assert "申诉" in login(city.staff_b).get(reverse("cycles:unit", args=[in_review.public_id, "EB"])).text
    assert login(city.viewer_a).get(url).status_code == 404  # EB's unit: not theirs
    assert login(city.staff_a).post(url, {"reason": "x"}).status_code == 404
    assert login(city.staff_b).post(url, {"reason": "第四次党课记录漏传，现补充"}).status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.score_before == parse_points("3") and appeal.status == AppealStatus.FILED
    # a second appeal on the same item while the first is open is refused
    with pytest.raises(ValidationError):
        appeals.file_appeal(city.staff_b, in_review, unit_b, "lecture", "再次申诉")
    with pytest.raises(PermissionDenied):
        appeals.decide_appeal(city.staff_b, appeal, upheld=True, decision="自己复核")
    decided = appeals.decide_appeal(
        city.admin,
        appeal,
        upheld=True,
        decision="核实补充记录属实",
        fact="lectures",
        value="4",
        source="复核补录",
    )
    assert decided.status == AppealStatus.UPHELD and decided.score_after == parse_points("4")
    in_review.refresh_from_db()
    assert in_review.current_run.number == 2
    assert in_review.current_run.results.get(unit=unit_b).total == parse_points("8")
    with pytest.raises(ValidationError):
        appeals.decide_appeal(city.admin, decided, upheld=False, decision="再改")  # already decided
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="appeal.").order_by("seq")] == [
        "appeal.file",
        "appeal.decide",
    ]


def test_a_rejected_appeal_keeps_the_score_and_says_why(city, login, in_review):
    unit_b = in_review.units.get(org=city.ent_b)
    appeal = appeals.file_appeal(city.staff_b, in_review, unit_b, "team", "评价偏低")
    decide_url = reverse("cycles:appeal_decide", args=[in_review.public_id, appeal.public_id])
    assert login(city.viewer_a).post(decide_url, {"upheld": "0", "decision": "x"}).status_code == 403
    assert (
        login(city.admin).post(decide_url, {"upheld": "0", "decision": "考核组评价有据"}).status_code == 302
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED and appeal.score_after == appeal.score_before
    page = login(city.staff_b).get(reverse("cycles:appeals", args=[in_review.public_id]))
    assert "考核组评价有据" in page.text
    assert (
        "评价偏低" not in login(city.viewer_a).get(reverse("cycles:appeals", args=[in_review.public_id])).text
    )


def test_appeals_only_in_the_review_window_and_for_scored_items(city, city_cycle, in_review):
    unit_b = in_review.units.get(org=city.ent_b)
    with pytest.raises(ValidationError):
        appeals.file_appeal(city.staff_b, in_review, unit_b, "no-such-item", "x")
    with pytest.raises(ValidationError):
        appeals.file_appeal(city.staff_b, in_review, unit_b, "lecture", "  ")


def test_publication_waits_for_open_appeals_then_the_bulletin_lists_everyone(city, login, in_review):
    unit_b = in_review.units.get(org=city.ent_b)
    appeal = appeals.file_appeal(city.staff_b, in_review, unit_b, "team", "评价偏低")
    with pytest.raises(ValidationError, match="1 件申诉未复核"):
        actions.advance_cycle(city.admin, in_review, CycleState.PUBLISHED)
    assert login(city.staff_b).get(reverse("cycles:bulletin", args=[in_review.public_id])).status_code == 404
    appeals.decide_appeal(city.admin, appeal, upheld=False, decision="维持")
    actions.advance_cycle(city.admin, in_review, CycleState.PUBLISHED)
    page = login(city.staff_b).get(reverse("cycles:bulletin", args=[in_review.public_id]))
    assert "企业A党委" in page.text and "企业B党委" in page.text  # the 通报 goes to every unit
    docx = login(city.viewer_a).get(reverse("cycles:bulletin_download", args=[in_review.public_id]))
    doc = Document(io.BytesIO(docx.content))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "企业B党委" in cells and "较好" in cells
    assert "结果的通报" in doc.paragraphs[0].text
