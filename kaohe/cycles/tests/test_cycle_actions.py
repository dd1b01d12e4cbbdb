"""Creating cycles, moving through phases, entering facts and computing results."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kaohe.audit.models import AuditEntry
from kaohe.cycles import actions, derived
from kaohe.cycles.models import CycleState, UnitResult
from kaohe.cycles.results import explanation
from kaohe.cycles.tests.conftest import SMALL_SCHEME, enter_all
from kaohe.engine.points import parse_points
from kaohe.engine.text_form import load_scheme
from kaohe.measures import actions as measure_actions

pytestmark = pytest.mark.django_db


def test_it_creates_a_cycle_with_a_default_year_period_and_an_audit_row(city, city_cycle):
    period = city_cycle.periods.get()
    assert (period.starts, period.ends, period.weight) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 12, 31),
        1000,
    )
    assert [u.org.code for u in city_cycle.units.all()] == ["EA", "EB"]
    assert city_cycle.state == CycleState.DRAFTING
    entry = AuditEntry.objects.get(action="cycle.create")
    assert entry.new is not None and entry.new["units"] == ["EA", "EB"]


def test_it_refuses_a_draft_scheme(city):
    draft = measure_actions.add_scheme_version(None, city.root, load_scheme(SMALL_SCHEME))
    with pytest.raises(ValidationError) as error:
        actions.create_cycle(None, owner=city.root, year=2026, name="x", scheme=draft, units=[])
    assert "scheme" in error.value.error_dict


def test_it_refuses_a_scheme_of_another_enterprise(city):
    theirs = measure_actions.publish_scheme(
        None, measure_actions.add_scheme_version(None, city.ent_b, load_scheme(SMALL_SCHEME))
    )
    with pytest.raises(ValidationError) as error:
        actions.create_cycle(
            None,
            owner=city.ent_a,
            year=2026,
            name="x",
            scheme=theirs,
            units=[actions.UnitSpec(city.branch_a)],
        )
    assert "scheme" in error.value.error_dict


def test_it_refuses_units_outside_the_owner_and_unknown_derive_codes(city, small_scheme):
    with pytest.raises(ValidationError) as error:
        actions.create_cycle(
            None,
            owner=city.ent_a,
            year=2026,
            name="x",
            scheme=small_scheme,
            units=[actions.UnitSpec(city.branch_b)],
        )
    assert "企业B第一党支部" in error.value.error_dict["units"][0].message
    text = SMALL_SCHEME.replace("version: 1", "version: 2").replace(
        "{code: lectures, title: 党课次数, type: count}",
        "{code: lectures, title: 党课次数, type: count, derive: ledger.no_such_thing}",
    )
    odd = measure_actions.publish_scheme(
        None, measure_actions.add_scheme_version(None, city.root, load_scheme(text))
    )
    with pytest.raises(ValidationError) as error:
        actions.create_cycle(None, owner=city.root, year=2026, name="y", scheme=odd, units=[])
    assert "ledger.no_such_thing" in error.value.error_dict["scheme"][0].message


def test_period_weights_must_add_up_to_100_percent(city, small_scheme):
    # Several periods score the parts of a weighted node at its weights (test_periods.py); a single
    # period is the whole scheme and must weigh 100%.
    periods = [actions.PeriodSpec("全年", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), 900)]
    with pytest.raises(ValidationError) as error:
        actions.create_cycle(
            None, owner=city.root, year=2026, name="x", scheme=small_scheme, units=[], periods=periods
        )
    assert "90" in error.value.error_dict["periods"][0].message


def test_deadlines_must_come_in_order(city, small_scheme):
    with pytest.raises(ValidationError) as error:
        actions.create_cycle(
            None,
            owner=city.root,
            year=2026,
            name="x",
            scheme=small_scheme,
            units=[],
            evidence_opens=datetime.date(2026, 6, 1),
            evidence_closes=datetime.date(2026, 5, 1),
        )
    assert "evidence_closes" in error.value.error_dict


def test_only_the_owner_s_managers_create_and_run_a_cycle(city, small_scheme, city_cycle):
    with pytest.raises(PermissionDenied):
        actions.create_cycle(
            city.staff_a, owner=city.root, year=2026, name="x", scheme=small_scheme, units=[]
        )
    with pytest.raises(PermissionDenied):
        actions.advance_cycle(city.staff_a, city_cycle, CycleState.TARGETS)
    actions.advance_cycle(city.admin, city_cycle, CycleState.TARGETS)


def test_phases_move_one_step_at_a_time_and_a_second_click_is_refused(city, city_cycle):
    with pytest.raises(ValidationError):
        actions.advance_cycle(None, city_cycle, CycleState.IN_PROGRESS)  # skipping a phase
    actions.advance_cycle(None, city_cycle, CycleState.TARGETS)
    with pytest.raises(ValidationError):
        actions.advance_cycle(None, city_cycle, CycleState.TARGETS)  # someone else already did
    city_cycle.refresh_from_db()
    assert city_cycle.state == CycleState.TARGETS
    entry = AuditEntry.objects.filter(action="cycle.advance").get()
    assert (entry.old, entry.new) == ({"state": "drafting"}, {"state": "targets"})


def test_units_are_fixed_once_the_cycle_starts(city, city_cycle):
    actions.set_units(None, city_cycle, [actions.UnitSpec(city.ent_a, "功能类")])
    assert [(u.org.code, u.group) for u in city_cycle.units.all()] == [("EA", "功能类")]
    actions.advance_cycle(None, city_cycle, CycleState.TARGETS)
    with pytest.raises(ValidationError):
        actions.set_units(None, city_cycle, [actions.UnitSpec(city.ent_b)])


def test_a_fact_is_checked_against_its_kind_and_stored_in_canonical_form(city, city_cycle):
    unit = city_cycle.units.get(org=city.ent_a)
    with pytest.raises(ValidationError) as error:
        actions.set_fact(None, city_cycle, unit, "lectures", "-1")
    assert "negative" in error.value.error_dict["value"][0].message
    with pytest.raises(ValidationError) as error:
        actions.set_fact(None, city_cycle, unit, "judgment", "优秀")
    assert "好, 较好, 一般, 差" in error.value.error_dict["value"][0].message
    with pytest.raises(ValidationError):
        actions.set_fact(None, city_cycle, unit, "no_such_kind", "1")
    entry = actions.set_fact(None, city_cycle, unit, "lectures", " 3 ", "党课台账")
    assert entry.value == "3"
    assert AuditEntry.objects.filter(action="cycle.fact").count() == 1


def test_recompute_scores_ranks_and_explains(city, city_cycle):
    enter_all(city_cycle, city)
    run = actions.recompute(None, city_cycle)
    city_cycle.refresh_from_db()
    assert city_cycle.current_run == run
    results = {r.unit.org.code: r for r in UnitResult.objects.filter(run=run)}
    assert (
        results["EA"].total == parse_points("10") and results["EA"].grade == "好" and results["EA"].rank == 1
    )
    # EB: one lecture short (−1), 较好 → 4: 3 + 4 = 7
    assert results["EB"].total == parse_points("7") and results["EB"].grade == "较好"
    assert results["EB"].scores["lecture"] == parse_points("3")
    explained = explanation(city_cycle, run, city_cycle.units.get(org=city.ent_b))
    assert sum(e.amount for e in explained.entries) == results["EB"].total
    assert any("党课台账" in f.sources for e in explained.entries for f in e.facts)


def test_recompute_names_every_missing_fact_and_keeps_the_old_results(city, city_cycle):
    enter_all(city_cycle, city)
    first = actions.recompute(None, city_cycle)
    actions.clear_fact(None, city_cycle, city_cycle.units.get(org=city.ent_b), "judgment")
    with pytest.raises(ValidationError) as error:
        actions.recompute(None, city_cycle)
    assert any("EB" in m and "judgment" in m for m in error.value.messages)
    city_cycle.refresh_from_db()
    assert city_cycle.current_run == first


def test_a_recompute_interrupted_half_way_leaves_the_previous_results(city, city_cycle, monkeypatch):
    enter_all(city_cycle, city)
    first = actions.recompute(None, city_cycle)
    before = list(UnitResult.objects.values_list("unit_id", "total").order_by("unit_id"))
    actions.set_fact(None, city_cycle, city_cycle.units.get(org=city.ent_b), "lectures", "4")

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(UnitResult.objects, "bulk_create", crash)
    with pytest.raises(RuntimeError):
        actions.recompute(None, city_cycle)
    city_cycle.refresh_from_db()
    assert city_cycle.current_run == first
    assert city_cycle.runs.count() == 1
    assert list(UnitResult.objects.values_list("unit_id", "total").order_by("unit_id")) == before


def test_derived_facts_come_from_registered_records(city, small_scheme, monkeypatch):
    calls = []

    def lectures(units, span):
        calls.append(span)
        return {org.pk: derived.Derived(str(i + 2), f"党课台账 {org.code}") for i, org in enumerate(units)}

    monkeypatch.setitem(derived._DERIVERS, "ledger.test_lectures", (lectures, "测试"))
    text = SMALL_SCHEME.replace("version: 1", "version: 2").replace(
        "{code: lectures, title: 党课次数, type: count}",
        "{code: lectures, title: 党课次数, type: count, derive: ledger.test_lectures}",
    )
    scheme = measure_actions.publish_scheme(
        None, measure_actions.add_scheme_version(None, city.root, load_scheme(text))
    )
    cycle = actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name="派生",
        scheme=scheme,
        units=[actions.UnitSpec(city.ent_a), actions.UnitSpec(city.ent_b)],
    )
    with pytest.raises(ValidationError):
        actions.set_fact(
            None, cycle, cycle.units.get(org=city.ent_a), "lectures", "4"
        )  # derived: not by hand
    for unit in cycle.units.all():
        actions.set_fact(None, cycle, unit, "judgment", "好")
    run = actions.recompute(None, cycle)
    assert calls == [derived.Span(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))]
    totals = dict(UnitResult.objects.filter(run=run).values_list("unit__org__code", "total"))
    assert totals == {"EA": parse_points("8"), "EB": parse_points("9")}
    assert "党课台账 EA" in run.facts_csv


def test_published_results_freeze_the_facts(city, city_cycle):
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    for state in ("targets", "in_progress", "self_assessment", "assessment", "review", "published"):
        actions.advance_cycle(None, city_cycle, state)
    with pytest.raises(ValidationError):
        actions.set_fact(None, city_cycle, city_cycle.units.first(), "lectures", "1")
    with pytest.raises(ValidationError):
        actions.recompute(None, city_cycle)


def test_a_unit_renamed_after_a_run_is_still_explained_from_that_run(city, city_cycle):
    from kaohe.orgs import actions as org_actions

    enter_all(city_cycle, city)
    run = actions.recompute(None, city_cycle)
    org_actions.update_org(None, city.ent_b, code="EB2")
    explained = explanation(city_cycle, run, city_cycle.units.get(org=city.ent_b))
    assert explained.unit.code == "EB" and sum(e.amount for e in explained.entries) == parse_points("7")
