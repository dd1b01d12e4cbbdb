"""The what-if of a draft scoring table on last cycle's facts agrees with scoring a cycle under the
draft for real, and the page shows those numbers."""

import datetime

import pytest
from django.urls import reverse

from kaohe.consultation.whatif import last_cycle, what_if
from kaohe.cycles import actions
from kaohe.cycles.results import current_results
from kaohe.cycles.tests.conftest import SMALL_SCHEME, enter_all
from kaohe.engine.points import format_thousandths
from kaohe.engine.text_form import load_scheme
from kaohe.measures import actions as measure_actions
from kaohe.measures.actions import documents as document_actions
from kaohe.measures.outline import ARTICLE, Outline, OutlineNode

pytestmark = pytest.mark.django_db

# The proposal: two 党课 a year are enough for full points.
DRAFT = SMALL_SCHEME.replace("required: 4", "required: 2").replace("version: 1", "version: 2")


def test_the_whatif_matches_a_real_recompute_under_the_draft(city, city_cycle, login):
    enter_all(city_cycle, city, a=("2", "较好"), b=("4", "好"))
    actions.recompute(None, city_cycle)
    city_cycle.refresh_from_db()
    draft = measure_actions.add_scheme_version(None, city.root, load_scheme(DRAFT))
    assert last_cycle(city.root) == city_cycle
    result, problems = what_if(city_cycle, draft)
    assert problems == [] and result is not None

    # The same facts scored for real under the draft, in a cycle of its own.
    draft = measure_actions.publish_scheme(None, draft)
    real = actions.create_cycle(
        None,
        owner=city.root,
        year=2027,
        name="按修改稿计分",
        scheme=draft,
        units=[actions.UnitSpec(city.ent_a, "竞争类"), actions.UnitSpec(city.ent_b, "竞争类")],
        targets_due=datetime.date(2027, 3, 31),
    )
    enter_all(real, city, a=("2", "较好"), b=("4", "好"))
    actions.recompute(None, real)
    real.refresh_from_db()
    scored = {r.unit.org.code: (r.total, r.grade, r.rank) for r in current_results(real)}
    before = {r.unit.org.code: (r.total, r.grade, r.rank) for r in current_results(city_cycle)}
    for change in result.units:
        assert (change.new_total, change.new_grade, change.new_rank) == scored[change.unit.code]
        assert (change.old_total, change.old_grade, change.old_rank) == before[change.unit.code]
    a = result.unit("EA")
    assert a.delta == 2000 and [n.code for n in a.nodes] == ["lecture"]  # 2 lectures now earn all 4 points

    # The page of a round on a document whose annex is the draft shows the same figures.
    version = document_actions.create_document(
        None, city.root, "办法", "measures", Outline("办法", nodes=[OutlineNode(ARTICLE, 1, text="总则。")])
    )
    document_actions.attach_scheme(None, version, draft)
    from django.utils import timezone

    from kaohe.consultation import actions as consultation_actions

    round_ = consultation_actions.open_round(
        city.admin,
        version,
        title="征求意见",
        deadline=timezone.now() + datetime.timedelta(days=3),
        people=[(city.staff_a, city.ent_a, False)],
    )
    page = login(city.admin).get(reverse("consultation:whatif", args=[round_.public_id])).text
    for change in result.units:
        assert format_thousandths(change.new_total) in page and format_thousandths(change.old_total) in page
    assert login(city.staff_b).get(reverse("consultation:whatif", args=[round_.public_id])).status_code == 404


def test_participants_see_the_whatif_only_on_published_results(people, consultation, city_cycle, login):
    from kaohe.cycles.models import CycleState
    from kaohe.cycles.tests.conftest import advance

    enter_all(city_cycle, people)
    actions.recompute(None, city_cycle)
    url = reverse("consultation:whatif", args=[consultation.public_id])
    assert "企业B党委" in login(people.admin).get(url).text  # the organiser, at once
    assert "企业B党委" not in login(people.staff_a).get(url).text  # not before the 通报
    city_cycle.refresh_from_db()
    cycle = advance(city_cycle, CycleState.REVIEW)
    actions.recompute(None, cycle)
    advance(cycle, CycleState.PUBLISHED)
    assert "企业B党委" in login(people.staff_a).get(url).text
