"""The dashboard's figures (ranking, radar, heat map, last year) and who sees which units."""

import datetime

import pytest
from django.urls import reverse

from kaohe.cycles import actions
from kaohe.cycles.models import CycleState
from kaohe.cycles.tests.conftest import advance, enter_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(city, city_cycle):
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    return city_cycle


def test_the_committee_sees_every_unit_ranked_and_where_points_were_lost(city, login, scored):
    page = login(city.admin).get(reverse("cycles:dashboard", args=[scored.public_id]))
    charts = page.context["charts"]
    assert charts["ranking"]["units"] == ["企业A党委", "企业B党委"] and charts["ranking"]["totals"] == [
        10.0,
        7.0,
    ]
    # only the lecture item lost points (EB: 1 of 4 = 25%); the team judgment lost 2 of 6 for EB
    heat = charts["heatmap"]
    assert heat["items"] == ["党课", "综合评价"]
    assert sorted(heat["cells"]) == [[1, 0, 25.0], [1, 1, 33.3]]
    assert charts["trend"] is None and "没有上一年度" in page.text
    assert 'id="kh-charts"' in page.text


def test_the_radar_compares_a_unit_with_the_average(city, login, scored):
    page = login(city.admin).get(reverse("cycles:dashboard", args=[scored.public_id]), {"unit": "EB"})
    radar = page.context["charts"]["radar"]
    assert [i["name"] for i in radar["indicators"]] == ["党课", "综合评价"]
    assert radar["unit"] == [75.0, 66.7] and radar["average"] == [87.5, 83.3]


def test_an_enterprise_sees_only_itself(city, login, scored):
    scored = advance(scored, CycleState.REVIEW)
    page = login(city.staff_b).get(reverse("cycles:dashboard", args=[scored.public_id]), {"unit": "EA"})
    charts = page.context["charts"]
    assert charts["ranking"]["units"] == ["企业B党委"]
    assert charts["radar"]["unit_name"] == "企业B党委"  # asking for EA shows nothing of EA
    assert "企业A党委" not in page.text
    assert login(city.viewer_a).get(reverse("cycles:dashboard", args=[scored.public_id])).status_code == 200


def test_a_foreign_enterprise_gets_404_on_another_s_cycle(city, login, small_scheme):
    cycle = actions.create_cycle(
        None,
        owner=city.ent_a,
        year=2026,
        name="A",
        scheme=small_scheme,
        units=[actions.UnitSpec(city.branch_a)],
    )
    assert login(city.staff_b).get(reverse("cycles:dashboard", args=[cycle.public_id])).status_code == 404


def test_last_year_s_totals_stand_beside_this_year_s(city, login, scored, small_scheme):
    last = actions.create_cycle(
        None,
        owner=city.root,
        year=2025,
        name="2025年度",
        scheme=small_scheme,
        units=[actions.UnitSpec(city.ent_a)],
        targets_due=datetime.date(2025, 3, 1),
    )
    enter = last.units.get()
    actions.set_fact(None, last, enter, "lectures", "2")
    actions.set_fact(None, last, enter, "judgment", "一般")
    actions.recompute(None, last)
    trend = (
        login(city.admin).get(reverse("cycles:dashboard", args=[scored.public_id])).context["charts"]["trend"]
    )
    assert trend == {"units": ["企业A党委", "企业B党委"], "this": [10.0, 7.0], "last": [4.0, None]}
