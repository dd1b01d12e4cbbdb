"""The `rectification.overdue` fact: a unit's items of earlier years not put right in time, counted
exactly, in one query, and read by a scheme through `derive`."""

import datetime

import pytest

from kaohe.cycles import (
    actions,
    derived,
    rectification_derive,  # noqa: F401  (registers rectification.overdue)
)
from kaohe.cycles.actions import rectification as rectify
from kaohe.cycles.facts import gather
from kaohe.cycles.models import CycleState
from kaohe.cycles.models import rectification as rect
from kaohe.cycles.tests.conftest import SMALL_SCHEME, enter_all
from kaohe.cycles.tests.test_rectification import advance
from kaohe.engine.points import parse_points
from kaohe.engine.text_form import load_scheme
from kaohe.files.tests.samples import pdf, upload
from kaohe.measures import actions as measure_actions

pytestmark = pytest.mark.django_db

SPAN_2026 = derived.Span(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
d = datetime.date


@pytest.fixture
def on_day(monkeypatch):
    def move(day: datetime.date) -> None:
        monkeypatch.setattr(rect, "today", lambda: day)

    return move


def make_cycle(city, scheme, year: int, state=CycleState.TARGETS):
    cycle = actions.create_cycle(
        None,
        owner=city.root,
        year=year,
        name=f"{year}年度党建考核",
        scheme=scheme,
        units=[actions.UnitSpec(city.ent_a), actions.UnitSpec(city.ent_b)],
    )
    return advance(cycle, state)


def item(city, cycle, org, on_day, *, opened, deadline, closed=None, submitted=None):
    """An item opened on `opened`, submitted on `submitted` (or on `closed`) and closed on `closed`."""
    on_day(opened)
    unit = cycle.units.get(org=org)
    made = rectify.open_item(city.admin, unit, problem="问题", deadline=deadline, measure="措施")
    if submitted or closed:
        on_day(submitted or closed)
        rectify.submit_done(
            city.staff_a if org == city.ent_a else city.staff_b,
            made,
            note="完成",
            evidence=[upload("a.pdf", pdf())],
        )
    if closed:
        on_day(closed)
        rectify.verify(city.admin, made, passed=True)
    return made


@pytest.fixture
def history(city, small_scheme, on_day):
    """EA's 2025 items: three count against 2026, three do not; EB: one submitted and late; and an
    overdue item of EA's 2026 cycle, which never counts against 2026 itself."""
    c2025 = make_cycle(city, small_scheme, 2025)
    a, b = city.ent_a, city.ent_b
    item(city, c2025, a, on_day, opened=d(2025, 9, 1), deadline=d(2026, 3, 31))  # open, overdue: counts
    item(
        city, c2025, a, on_day, opened=d(2025, 9, 1), deadline=d(2026, 3, 31), closed=d(2026, 3, 1)
    )  # on time
    item(
        city, c2025, a, on_day, opened=d(2025, 9, 1), deadline=d(2026, 3, 31), closed=d(2026, 5, 1)
    )  # late: counts
    item(
        city, c2025, a, on_day, opened=d(2025, 9, 1), deadline=d(2025, 10, 31), closed=d(2025, 12, 1)
    )  # late in 2025
    item(city, c2025, a, on_day, opened=d(2025, 9, 1), deadline=d(2027, 3, 31))  # not due within 2026
    item(
        city, c2025, a, on_day, opened=d(2025, 9, 1), deadline=d(2026, 6, 30), closed=d(2027, 1, 15)
    )  # counts
    item(
        city, c2025, b, on_day, opened=d(2025, 9, 1), deadline=d(2026, 1, 31), submitted=d(2026, 1, 20)
    )  # counts
    c2026 = make_cycle(city, small_scheme, 2026)
    item(city, c2026, a, on_day, opened=d(2026, 2, 1), deadline=d(2026, 3, 31))  # its own year: never
    return c2025, c2026


def test_it_counts_items_not_put_right_in_time_exactly(city, history):
    values = derived.derive("rectification.overdue", [city.ent_a, city.ent_b], SPAN_2026)
    assert values[city.ent_a.pk].value == "3"
    assert values[city.ent_b.pk].value == "1"
    assert "2025年度党建考核：逾期未销号 1 项，逾期销号 2 项" in values[city.ent_a.pk].source
    assert "截至 2026-12-31" in values[city.ent_a.pk].source


def test_it_reads_every_unit_in_one_query(city, history, django_assert_num_queries):
    with django_assert_num_queries(1):
        derived.derive(
            "rectification.overdue", [city.ent_a, city.ent_b, city.branch_a, city.branch_b], SPAN_2026
        )


def test_items_closed_on_time_have_no_effect(city, small_scheme, on_day):
    c2025 = make_cycle(city, small_scheme, 2025)
    for closed in (d(2026, 3, 1), d(2026, 3, 31)):  # before and on the deadline
        item(city, c2025, city.ent_a, on_day, opened=d(2025, 9, 1), deadline=d(2026, 3, 31), closed=closed)
    values = derived.derive("rectification.overdue", [city.ent_a], SPAN_2026)
    assert values[city.ent_a.pk].value == "0" and "均已按期销号" in values[city.ent_a.pk].source


def test_a_year_later_only_what_was_still_late_then_counts(city, history):
    values = derived.derive(
        "rectification.overdue",
        [city.ent_a],
        derived.Span(datetime.date(2027, 1, 1), datetime.date(2027, 12, 31)),
    )
    # 2027: the still-open 2026-03-31 item (2025), the one not due until 2027-03-31 (2025), the one
    # closed late on 2027-01-15 (2025) and the 2026 cycle's own overdue item.
    assert values[city.ent_a.pk].value == "4"


def test_no_units_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert derived.derive("rectification.overdue", [], SPAN_2026) == {}


def test_a_scheme_scores_the_count_through_derive(city, history):
    text = SMALL_SCHEME.replace("version: 1", "version: 2").replace(
        "{code: criticisms, title: 通报批评次数, type: count, default: 0}",
        "{code: criticisms, title: 基层党建问题未按期整改销号数, type: count, default: 0,"
        " derive: rectification.overdue}",
    )
    scheme = measure_actions.publish_scheme(
        None, measure_actions.add_scheme_version(None, city.root, load_scheme(text))
    )
    cycle = actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name="2026年度党建考核（含整改）",
        scheme=scheme,
        units=[actions.UnitSpec(city.ent_a), actions.UnitSpec(city.ent_b)],
    )
    rows = {code: {r.kind.code: r for r in table} for code, table in gather(cycle).table.items()}
    assert rows["EA"]["criticisms"].value == "3" and rows["EA"]["criticisms"].origin == "derived"
    enter_all(cycle, city)
    run = actions.recompute(None, cycle)
    results = {r.unit.org.code: r for r in run.results.select_related("unit__org")}
    assert results["EA"].scores["minus"] == -parse_points("1.5")  # 3 × 0.5
    assert results["EB"].scores["minus"] == -parse_points("0.5")
