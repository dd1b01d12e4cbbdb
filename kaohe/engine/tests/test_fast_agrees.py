"""The fast evaluator gives exactly what the reference evaluator gives: every node's score, the
totals, the grades with the steps that decided them, ranks, quotas and result uses."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaohe.engine.errors import FactError
from kaohe.engine.facts import Fact, Unit, build_cycle
from kaohe.engine.fast import outcome_of, score_cycle_fast, score_facts
from kaohe.engine.fast_facts import FactColumns, Ragged, columns_from_cycle
from kaohe.engine.fast_generate import random_columns, synthetic_scheme
from kaohe.engine.points import parse_points
from kaohe.engine.reference import score_cycle
from kaohe.engine.tests.builders import FOUR_GRADES, item, scheme_data
from kaohe.engine.tests.strategies import cycles, schemes
from kaohe.engine.validation import parse_scheme

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_agree(scheme, cycle, block=None):
    expected = [outcome_of(unit) for unit in score_cycle(scheme, cycle).units]
    facts = columns_from_cycle(scheme, cycle)
    fast = score_facts(scheme, facts) if block is None else score_facts(scheme, facts, block=block)
    assert fast.outcomes() == expected
    return fast


@st.composite
def scheme_and_cycle(draw, *, copies=False):
    scheme = draw(schemes())
    units, facts = draw(cycles(scheme))
    if copies:  # units with the same facts as another: equal totals, shared ranks, quota ties
        for n in range(draw(st.integers(min_value=1, max_value=4))):
            model = draw(st.sampled_from(units))
            twin = Unit(f"T{n}", group=draw(st.sampled_from([model.group, "甲组", "乙组"])))
            units.append(twin)
            facts += [Fact(twin.code, f.kind, f.value, f.source) for f in facts if f.unit == model.code]
    return scheme, build_cycle(scheme, facts, units)


@SETTINGS
@given(scheme_and_cycle())
def test_the_fast_evaluator_agrees_exactly_on_random_schemes_and_facts(pair):
    assert_agree(*pair)


@SETTINGS
@given(scheme_and_cycle(copies=True), st.integers(min_value=1, max_value=4))
def test_it_agrees_on_ties_and_whatever_the_blocks_of_units(pair, block):
    scheme, cycle = pair
    assert_agree(scheme, cycle, block=block)


def test_it_agrees_on_the_benchmark_scheme_across_several_blocks():
    scheme = synthetic_scheme(30)
    facts = random_columns(scheme, 600, seed=3)
    reference = score_cycle(scheme, facts.to_cycle())
    fast = score_facts(scheme, facts, block=256)
    assert fast.outcomes() == [outcome_of(u) for u in reference.units]
    # the same facts through the reference's form and back
    again = columns_from_cycle(scheme, facts.to_cycle())
    assert score_facts(scheme, again).outcomes() == fast.outcomes()


# -- edges -----------------------------------------------------------------------------------------


def figure(code):
    return {"code": code, "title": code, "type": "figure"}


def graded(**grading):
    data = scheme_data(
        [item({"kind": "imported", "fact": "score", "mode": "score"}, "100", "score", "综合得分")],
        [figure("score")],
        points="100",
        grading={"bands": FOUR_GRADES, **grading},
        uses={
            "pay": {"好": "1.1", "较好": 1, "一般": "0.9", "差": "0.8"},
            "actions": {"好": ["通报表扬"], "差": ["约谈", "整改"]},
            "award_actions": ["通报表扬"],
        },
    )
    return parse_scheme(data)


def cycle_of(scheme, values, groups=None):
    units = [Unit(code, group=(groups or {}).get(code, "")) for code in values]
    facts = [Fact(u, k, v) for u, row in values.items() for k, v in row.items()]
    return build_cycle(scheme, facts, units)


def test_a_total_of_exactly_90_is_good_and_89_999_is_not():
    scheme = graded()
    totals = {"A": "90", "B": "89.999", "C": "80", "D": "79.999", "E": "60", "F": "59.999", "G": "100"}
    fast = assert_agree(scheme, cycle_of(scheme, {u: {"score": t} for u, t in totals.items()}))
    assert [o.grade for o in fast.outcomes()] == ["好", "较好", "较好", "一般", "一般", "差", "好"]
    assert fast.decided(0) == ("band", None)


def test_equal_totals_share_a_rank_within_their_peer_group():
    scheme = graded(rank_outcomes=[{"top": 1, "action": "通报表扬"}, {"bottom": 1, "action": "约谈"}])
    values = {u: {"score": s} for u, s in {"A": 95, "B": 95, "C": 70, "D": 70, "E": 88}.items()}
    groups = {"A": "甲", "B": "甲", "C": "甲", "D": "乙", "E": "乙"}
    fast = assert_agree(scheme, cycle_of(scheme, values, groups))
    ranks = {o.unit: (o.rank, o.rank_from_bottom, o.group_size, o.outcomes) for o in fast.outcomes()}
    assert ranks == {
        "A": (1, 2, 3, ("通报表扬",)),
        "B": (1, 2, 3, ("通报表扬",)),
        "C": (3, 1, 3, ("约谈",)),
        "D": (2, 1, 2, ("约谈",)),
        "E": (1, 2, 2, ("通报表扬",)),
    }


@pytest.mark.parametrize(
    ("ties", "grades"), [("demote", ["好", "较好", "较好"]), ("keep", ["好", "好", "好"])]
)
def test_quota_ties_at_the_limit_go_as_declared(ties, grades):
    scheme = graded(quotas=[{"grade": "好", "at_most": "50%", "rounding": "down", "ties": ties}])
    values = {"A": {"score": 99}, "B": {"score": 92}, "C": {"score": 92}, "D": {"score": 10}}
    fast = assert_agree(scheme, cycle_of(scheme, values))
    assert [o.grade for o in fast.outcomes()[:3]] == grades
    if ties == "demote":
        assert fast.decided(1) == ("quota", None)
        assert fast.outcomes()[1].steps[-1].text.endswith("按规定一并调整")


def test_a_peer_group_without_units_and_a_cycle_without_units():
    scheme = parse_scheme(
        scheme_data([item({"kind": "rank_points", "fact": "value"}, "6")], [figure("value")], points="6")
    )
    columns = {"value": np.array([200_000, 150_000, -5_000], dtype=np.int64)}
    facts = FactColumns(
        scheme.facts, columns, units=["A", "B", "C"], group=np.array([0, 0, 2]), groups=("甲", "空", "乙")
    )
    result = score_facts(scheme, facts)
    assert [int(v) for v in result.scores["item"]] == [6000, 4500, 0]
    assert [int(v) for v in result.grades.group_size] == [2, 2, 1]
    assert result.outcomes() == [outcome_of(u) for u in score_cycle(scheme, facts.to_cycle()).units]
    empty = FactColumns(scheme.facts, {"value": np.zeros(0, dtype=np.int64)}, units=[])
    assert score_facts(scheme, empty).outcomes() == []


DEDUCTIONS = [{"code": "missed", "title": "缺席次数", "type": "count"}]


@pytest.mark.parametrize(
    ("rule", "missed", "score"),
    [
        ({"cap": "3"}, 10, "7"),  # 最多扣3分
        ({}, 30, "0"),  # 扣完为止
        ({"floor": False}, 30, "-5"),  # 直接扣分: below zero
        ({"floor": False, "cap": "12"}, 30, "-2"),
    ],
)
def test_caps_and_the_floor_at_zero(rule, missed, score):
    per = {"kind": "per_occurrence", "charges": [{"fact": "missed", "amount": "0.5"}], **rule}
    data = scheme_data([item(per)], DEDUCTIONS, grading={"bands": [{"grade": "合格", "at_least": -100}]})
    scheme = parse_scheme(data)
    fast = assert_agree(scheme, cycle_of(scheme, {"U1": {"missed": missed}}))
    assert int(fast.scores["item"][0]) == parse_points(score)


def test_a_bonus_section_caps_all_bonuses():
    bonus = {
        "code": "bonus",
        "title": "加分项",
        "points": 5,
        "category": "bonus",
        "children": [
            item({"kind": "imported", "fact": "b1", "mode": "score"}, "3", "b1", "表彰"),
            item({"kind": "imported", "fact": "b2", "mode": "score"}, "3", "b2", "创新"),
        ],
    }
    data = scheme_data(
        [item({"kind": "imported", "fact": "base", "mode": "score"}, "10", "base")],
        [figure("base"), figure("b1"), figure("b2")],
        extra_nodes=(bonus,),
        uses={"totals": [{"code": "econ", "title": "经济责任制", "include_bonus": False}]},
    )
    scheme = parse_scheme(data)
    fast = assert_agree(scheme, cycle_of(scheme, {"U1": {"base": 8, "b1": 3, "b2": 3}}))
    outcome = fast.outcome(0)
    assert (outcome.basic, outcome.bonus, outcome.total, outcome.totals) == (
        8000,
        5000,
        13000,
        {"econ": 8000},
    )


def test_amounts_beyond_int64_are_still_exact():
    # 10**14 points × a factor of 1000: the arithmetic leaves int64 and goes on in Python ints.
    rule = {"kind": "imported", "fact": "platform", "factor": "1000", "mode": "deduct", "floor": False}
    data = scheme_data(
        [item(rule)], [figure("platform")], grading={"bands": [{"grade": "合格", "at_most": "10"}]}
    )
    scheme = parse_scheme(data)
    values = {"U1": {"platform": "99999999999999.999"}, "U2": {"platform": "0.001"}}
    fast = assert_agree(scheme, cycle_of(scheme, values))
    assert fast.scores["item"].dtype == object
    # the factor 1000 is 1,000,000 thousandths: the deduction is the figure × 1000
    assert fast.outcome(0).scores["item"] == 10_000 - 99_999_999_999_999_999 * 1000
    assert fast.outcome(0).total == 0  # the area stops at 0


def test_rank_points_and_ratios_of_huge_figures_are_exact_within_a_weighted_node():
    review = {
        "code": "review",
        "title": "综合评价",
        "points": 10,
        "compose": "weighted",
        "children": [
            item({"kind": "rank_points", "fact": "gain"}, "6", "rank", "创效") | {"weight": "30%"},
            item({"kind": "completion_ratio", "fact": "done", "target_fact": "goal"}, "7", "ratio", "完成")
            | {"weight": "70%"},
        ],
    }
    scheme = parse_scheme(scheme_data([review], [figure("gain"), figure("done"), figure("goal")]))
    huge = "99999999999999.999"
    values = {
        "A": {"gain": huge, "done": "33333333333333.333", "goal": huge},
        "B": {"gain": "77777777777777.777", "done": huge, "goal": "0.001"},
        "C": {"gain": "1", "done": "-5", "goal": "3"},
    }
    fast = assert_agree(scheme, cycle_of(scheme, values), block=2)
    assert fast.scores["rank"].dtype == object
    # A: 10 × (30% × 6/6 + 70% × 2.333/7); B: 10 × (30% × 4.667/6 + 70% × 7/7)
    assert [o.scores["review"] for o in fast.outcomes()] == [5333, 9334, 0]


def test_facts_a_rule_cannot_use_are_named_like_the_reference_does():
    findings = {"code": "found", "title": "问题", "type": "findings"}
    rule = {"kind": "ranged_deduction", "fact": "found", "min_per_case": "1", "max_per_case": "2"}
    scheme = parse_scheme(scheme_data([item(rule)], [findings]))
    columns = {"found": Ragged(np.array([0, 1, 3]), np.array([1500, 500, 2500]))}
    facts = FactColumns(scheme.facts, columns, units=["U1", "U2"])
    with pytest.raises(FactError) as error:
        score_facts(scheme, facts)
    assert error.value.problems == [
        "unit U2, item 组织建设/三会一课: finding 1: 0.5 is outside the range 1-2; "
        "finding 2: 2.5 is outside the range 1-2"
    ]
    with pytest.raises(FactError, match="unit U2, item 组织建设/三会一课"):
        score_cycle(scheme, facts.to_cycle())


def test_columns_for_another_scheme_or_bad_values_are_refused():
    scheme = graded()
    other = parse_scheme(
        scheme_data(
            [item({"kind": "quota", "fact": "n", "required": 2, "amount": 1})],
            [{"code": "n", "title": "次数", "type": "count"}],
        )
    )
    facts = FactColumns(other.facts, {"n": np.array([1])}, units=["U1"])
    with pytest.raises(FactError, match="kind score: no column"):
        score_facts(scheme, facts)
    with pytest.raises(FactError, match="a count cannot be negative, first at unit row 1"):
        FactColumns(other.facts, {"n": np.array([1, -1])}, units=["U1", "U2"])
    with pytest.raises(FactError, match="expected integers"):
        FactColumns(other.facts, {"n": np.array([1.5])}, units=["U1"])


def test_a_cycle_scored_fast_says_what_decided_each_grade():
    scheme = synthetic_scheme(20)
    facts = random_columns(scheme, 400, seed=5)
    fast = score_cycle_fast(scheme, facts.to_cycle())
    decided = {fast.decided(row)[0] for row in range(facts.size)}
    assert {"band", "force"} <= decided
    forced = next(row for row in range(facts.size) if fast.decided(row)[0] == "force")
    assert fast.outcome(forced).grade == "差"
    assert fast.decided(forced)[1] == "veto1"
