"""Assessor panels (考核组): each assessor scores a panel item on their own, and the item's score is
the mean or the trimmed mean of their scores, rounded once; both evaluators agree to the thousandth.
"""

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
from openpyxl import load_workbook

from kaohe.engine.commands import explain as explain_command
from kaohe.engine.commands import scheme as scheme_command
from kaohe.engine.commands import score as score_command
from kaohe.engine.commands import whatif as whatif_command
from kaohe.engine.commands.common import read_cycle
from kaohe.engine.errors import FactError, SchemeError
from kaohe.engine.explain import explain, render_text, to_json
from kaohe.engine.fact_kinds import FactKind
from kaohe.engine.facts import (
    Fact,
    Finding,
    PanelValues,
    Unit,
    build_cycle,
    cycle_facts,
    describe,
    parse_value,
    read_facts_csv,
    to_text,
    write_facts_csv,
)
from kaohe.engine.fast import outcome_of, score_facts
from kaohe.engine.fast_facts import FactColumns, PanelColumn, columns_from_cycle
from kaohe.engine.points import parse_points
from kaohe.engine.reference import score_cycle
from kaohe.engine.results import CycleResult, NodeScore
from kaohe.engine.scheme import Scheme
from kaohe.engine.scheme_xlsx import FACTS, HEADER, PANEL_COLUMN, XlsxError, read_xlsx, write_xlsx
from kaohe.engine.tests.builders import item, scheme_data
from kaohe.engine.text_form import dump_scheme, load_scheme
from kaohe.engine.validation import parse_scheme


def pts(text: str) -> int:
    return parse_points(text)


GRADES = ["好", "较好", "一般", "差"]
REVIEW = {"code": "review", "title": "考核组评价", "type": "judgment", "options": GRADES, "panel": True}
TIERS = {  # 好6分、较好5分、一般4分、差2分
    "kind": "tiered_judgment",
    "fact": "review",
    "tiers": [{"grade": g, "points": p} for g, p in zip(GRADES, (6, 5, 4, 2), strict=True)],
}
SIX_POINTS = {6: "好", 5: "较好", 4: "一般", 2: "差"}


def panel_data(
    items: list[dict[str, Any]],
    facts: list[dict[str, Any]],
    *,
    points: str = "10",
    method: str = "mean",
    trim: int | None = None,
    **more: Any,
) -> dict[str, Any]:
    data = scheme_data(items, facts, points=points, **more)
    data["panel"] = {"method": method} | ({"trim": trim} if trim is not None else {})
    return data


def panel_scheme(*args: Any, **kwargs: Any) -> Scheme:
    return parse_scheme(panel_data(*args, **kwargs))


def agreed(
    scheme: Scheme, values: Mapping[str, Mapping[str, object]], block: int | None = None
) -> CycleResult:
    """The reference's results, after checking that the fast evaluator gives exactly the same."""
    units = [Unit(code) for code in values]
    facts = [Fact(u, k, v, f"记录/{u}/{k}") for u, row in values.items() for k, v in row.items()]
    cycle = build_cycle(scheme, facts, units)
    reference = score_cycle(scheme, cycle)
    columns = columns_from_cycle(scheme, cycle)
    fast = score_facts(scheme, columns) if block is None else score_facts(scheme, columns, block=block)
    assert fast.outcomes() == [outcome_of(u) for u in reference.units]
    for unit in reference.units:
        assert sum(e.amount for e in explain(reference, unit.unit.code).entries) == unit.total
        for node in unit.nodes.values():
            children = sum(unit.nodes[c].score for c in node.children) if node.counted_children else 0
            assert node.base + children + sum(line.amount for line in node.lines) == node.score
    return reference


def both_refuse(scheme: Scheme, values: Mapping[str, Mapping[str, object]]) -> tuple[list[str], list[str]]:
    """The problems each evaluator names for facts it cannot score."""
    units = [Unit(code) for code in values]
    cycle = build_cycle(scheme, [Fact(u, k, v) for u, row in values.items() for k, v in row.items()], units)
    with pytest.raises(FactError) as reference:
        score_cycle(scheme, cycle)
    with pytest.raises(FactError) as fast:
        score_facts(scheme, columns_from_cycle(scheme, cycle))
    return reference.value.problems, fast.value.problems


def judged(scores: list[int], method: str = "mean", trim: int | None = None) -> NodeScore:
    """A 6-point item judged 好/较好/一般/差 (6/5/4/2) by one assessor per score."""
    scheme = panel_scheme([item(TIERS, "6")], [REVIEW], points="6", method=method, trim=trim)
    review = {f"考核员{n + 1}": SIX_POINTS[s] for n, s in enumerate(scores)}
    return agreed(scheme, {"U1": {"review": review}}).units[0].nodes["item"]


# -- the combination, by hand ----------------------------------------------------------------------


def test_the_mean_of_6_4_and_5_is_5():
    node = judged([6, 4, 5])
    assert node.score == pts("5")
    assert node.base == 0
    [line] = node.lines
    assert line.amount == pts("5")
    assert line.text == "评分组3人评分：考核员1 6分、考核员2 4分、考核员3 5分，平均5分"
    assert [use.value for use in line.facts] == ["考核员1：好", "考核员2：一般", "考核员3：较好"]
    assert line.facts[0].sources == ("记录/U1/review",)


def test_the_trimmed_mean_of_6_4_5_2_6_drops_one_highest_and_one_lowest():
    node = judged([6, 4, 5, 2, 6], "trimmed_mean")
    assert node.score == pts("5")  # (6 + 5 + 4) / 3
    assert node.lines[0].text == (
        "评分组5人评分：考核员1 6分、考核员2 4分、考核员3 5分、考核员4 2分、考核员5 6分，"
        "去掉最高分和最低分后平均5分"
    )


def test_a_trim_of_two_drops_two_highest_and_two_lowest():
    node = judged([6, 6, 5, 4, 2], "trimmed_mean", trim=2)
    assert node.score == pts("5")
    assert node.lines[0].text.endswith("去掉2个最高分和2个最低分后平均5分")


def test_with_too_few_assessors_to_trim_the_plain_mean_is_taken_and_said():
    node = judged([6, 4], "trimmed_mean")
    assert node.score == pts("5")
    assert (
        node.lines[0].text
        == "评分组2人评分：考核员1 6分、考核员2 4分，不足3人，不去掉最高分和最低分，平均5分"
    )


def test_the_mean_is_rounded_once_to_the_thousandth():
    two_points = {  # 好2分、较好1分、一般0.5分、差不得分
        "kind": "tiered_judgment",
        "fact": "review",
        "tiers": [{"grade": g, "points": p} for g, p in zip(GRADES, ("2", "1", "0.5", "0"), strict=True)],
    }
    scheme = panel_scheme([item(two_points, "2")], [REVIEW], points="2")
    result = agreed(scheme, {"U1": {"review": {"考核员1": "较好", "考核员2": "较好", "考核员3": "好"}}})
    assert result.units[0].nodes["item"].score == pts("1.333")  # (1 + 1 + 2) / 3


MISSED = {"code": "missed", "title": "缺席次数", "type": "count", "panel": True}


@pytest.mark.parametrize(
    ("points", "floor", "score"),
    [("0.003", True, "0.002"), ("0", False, "-0.002")],  # 0.0015 and -0.0015: halves away from zero
)
def test_halves_round_away_from_zero_both_ways(points, floor, score):
    rule = {"kind": "per_occurrence", "charges": [{"fact": "missed", "amount": "0.001"}], "floor": floor}
    scheme = panel_scheme([item(rule, points)], [MISSED], points=points)
    result = agreed(scheme, {"U1": {"missed": {"考核员1": 1, "考核员2": 2}}})
    assert result.units[0].nodes["item"].score == pts(score)


FOUND = {"code": "found", "title": "发现问题", "type": "findings", "panel": True}


def test_ranged_findings_of_half_a_point_and_one_point_deduct_three_quarters():
    rule = {"kind": "ranged_deduction", "fact": "found", "min_per_case": "0.5", "max_per_case": "1"}
    scheme = panel_scheme([item(rule, "2")], [FOUND], points="2")
    found = {"考核员1": [{"case": "F1", "points": "0.5"}], "考核员2": [{"case": "F1", "points": 1}]}
    node = agreed(scheme, {"U1": {"found": found}}).units[0].nodes["item"]
    assert node.score == pts("1.25")
    assert node.base == pts("2")
    assert [line.amount for line in node.lines] == [-pts("0.75")]
    assert node.lines[0].text == "评分组2人评分：考核员1 1.5分、考核员2 1分，平均1.25分"
    assert [use.value for use in node.lines[0].facts] == ["考核员1：F1 0.5", "考核员2：F1 1"]


def test_a_checklist_panel_scores_each_assessors_items():
    steps = {"code": "steps", "title": "决策程序", "type": "checklist", "options": ["议程", "决议", "记录"]}
    rule = {
        "kind": "checklist",
        "fact": "steps",
        "items": [
            {"option": "议程", "points": "0.5"},
            {"option": "决议", "points": 1},
            {"option": "记录", "points": "0.5"},
        ],
    }
    scheme = panel_scheme([item(rule, "2")], [steps | {"panel": True}], points="2")
    given = {"考核员1": ["议程", "决议", "记录"], "考核员2": ["议程", "记录"], "考核员3": ["决议"]}
    node = agreed(scheme, {"U1": {"steps": given}}).units[0].nodes["item"]
    assert node.score == pts("1.333")  # (2 + 1 + 1) / 3
    assert "考核员1 2分、考核员2 1分、考核员3 1分，平均1.333分" in node.lines[0].text
    assert node.lines[0].facts[1].value == "考核员2：议程、记录"


RANGED = {"kind": "ranged_deduction", "fact": "found", "min_per_case": 1, "max_per_case": 2}


def test_assessors_pick_different_points_within_the_range_of_a_findings_rule():
    scheme = panel_scheme([item(RANGED, "5")], [FOUND], points="5")
    found = {
        "考核员1": [{"case": "F1", "points": "1.5"}, {"case": "F2", "points": 1}],
        "考核员2": [{"case": "F1", "points": 2}],
        "考核员3": [],
    }
    node = agreed(scheme, {"U1": {"found": found}}).units[0].nodes["item"]
    assert node.score == pts("3.5")  # (2.5 + 3 + 5) / 3


def test_a_finding_outside_the_range_names_the_assessor():
    scheme = panel_scheme([item(RANGED, "5")], [FOUND], points="5")
    found = {"考核员1": [{"case": "F1", "points": "1.5"}], "考核员2": [{"case": "F1", "points": "2.5"}]}
    reference, fast = both_refuse(scheme, {"U1": {"found": found}})
    assert reference == [
        "unit U1, item 组织建设/三会一课: assessor 考核员2: case F1: 2.5 is outside the range 1-2"
    ]
    assert fast == [
        "unit U1, item 组织建设/三会一课: assessor 考核员2: finding 1: 2.5 is outside the range 1-2"
    ]


def test_zeroing_conditions_are_each_assessors():
    flag = {"code": "breach", "title": "发现违规", "type": "flag", "panel": True}
    scheme = panel_scheme([item({"kind": "zeroing", "when": [{"fact": "breach"}]}, "4")], [flag], points="4")
    node = agreed(scheme, {"U1": {"breach": {"考核员1": "是", "考核员2": "否", "考核员3": "否"}}}).units[0]
    assert node.nodes["item"].score == pts("2.667")  # (0 + 4 + 4) / 3


def test_a_panel_item_inside_a_weighted_node_counts_at_its_weight():
    review = {
        "code": "rated",
        "title": "综合评价",
        "points": 10,
        "compose": "weighted",
        "children": [
            item(TIERS, "6", "panel-part", "考核组评价") | {"weight": "40%"},
            item({"kind": "imported", "fact": "staff", "mode": "score"}, "100", "staff-part", "职工测评")
            | {"weight": "60%"},
        ],
    }
    staff = {"code": "staff", "title": "职工测评", "type": "figure"}
    scheme = panel_scheme([review], [REVIEW, staff])
    values = {"review": {"考核员1": "好", "考核员2": "一般", "考核员3": "较好"}, "staff": 80}
    result = agreed(scheme, {"U1": values})
    assert result.units[0].nodes["panel-part"].score == pts("5")
    assert result.units[0].nodes["rated"].score == pts("8.133")  # 10 × (40% × 5/6 + 60% × 0.8)


def test_a_trimmed_mean_agrees_across_blocks_of_units_with_different_panels():
    scheme = panel_scheme([item(TIERS, "6")], [REVIEW], points="6", method="trimmed_mean")
    panels = [[6], [6, 2], [6, 5, 2], [2, 2, 4, 6], [5, 5, 6, 2, 4]]
    values = {
        f"U{n}": {"review": {f"考核员{a + 1}": SIX_POINTS[s] for a, s in enumerate(scores)}}
        for n, scores in enumerate(panels)
    }
    result = agreed(scheme, values, block=2)
    assert [u.nodes["item"].score for u in result.units] == [6000, 4000, 5000, 3000, pts("4.667")]


# -- defaults and assessors that do not match ------------------------------------------------------


def test_a_default_stands_in_as_one_value_when_no_assessor_gave_one():
    scheme = panel_scheme([item(RANGED, "5")], [FOUND | {"default": []}], points="5")
    found = {"考核员1": [{"case": "F1", "points": 2}], "考核员2": []}
    result = agreed(scheme, {"U1": {"found": found}, "U2": {}})
    assert result.units[0].nodes["item"].score == pts("4")
    node = result.units[1].nodes["item"]
    assert (node.score, node.lines) == (pts("5"), ())  # scored once, as any item: nothing deducted


LATE = {"code": "late", "title": "迟到次数", "type": "count", "panel": True}
TWO_CHARGES = {
    "kind": "per_occurrence",
    "charges": [{"fact": "late", "amount": 1}, {"fact": "missed", "amount": 2}],
}


def test_a_default_stands_in_for_every_assessor_beside_another_panel_kind():
    scheme = panel_scheme([item(TWO_CHARGES)], [LATE, MISSED | {"default": 0}])
    result = agreed(scheme, {"U1": {"late": {"考核员1": 1, "考核员2": 3}}})
    node = result.units[0].nodes["item"]
    assert node.score == pts("8")  # (9 + 7) / 2
    uses = [(use.kind, use.value, use.sources) for use in node.lines[0].facts]
    assert uses == [
        ("late", "考核员1：1", ("记录/U1/late",)),
        ("missed", "0", ("默认值",)),  # the default, the same for each assessor
        ("late", "考核员2：3", ("记录/U1/late",)),
    ]


def test_an_assessor_missing_from_one_panel_kind_of_an_item_is_named():
    scheme = panel_scheme([item(TWO_CHARGES)], [LATE, MISSED])
    values = {"late": {"考核员1": 1, "考核员2": 0}, "missed": {"考核员1": 0, "考核员3": 1}}
    reference, fast = both_refuse(scheme, {"U1": values})
    where = "unit U1, item 组织建设/三会一课"
    assert (
        reference
        == fast
        == [
            f"{where}: assessor 考核员2 has a value of kind late but none of kind missed",
            f"{where}: assessor 考核员3 has a value of kind missed but none of kind late",
        ]
    )


def test_mismatches_are_found_among_the_kinds_that_have_values_whatever_stands_in_before_them():
    absent = {"code": "absent", "title": "缺勤", "type": "count", "panel": True, "default": 0}
    three = {
        "kind": "per_occurrence",
        "charges": [{"fact": f, "amount": 1} for f in ("absent", "late", "missed")],
    }
    scheme = panel_scheme([item(three)], [absent, LATE, MISSED])
    values = {"U1": {"late": {"考核员1": 1}, "missed": {"考核员1": 0}}}
    assert agreed(scheme, values).units[0].nodes["item"].score == pts("9")
    values["U2"] = {"late": {"考核员1": 1, "考核员2": 1}, "missed": {"考核员2": 0}}
    reference, fast = both_refuse(scheme, values)
    assert (
        reference
        == fast
        == [
            "unit U2, item 组织建设/三会一课: "
            "assessor 考核员1 has a value of kind late but none of kind missed"
        ]
    )


# -- validation ------------------------------------------------------------------------------------


def problems_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(SchemeError) as caught:
        parse_scheme(data)
    return caught.value.problems


def test_a_panel_kind_needs_the_schemes_panel():
    data = scheme_data([item(TIERS, "6")], [REVIEW], points="6")
    assert problems_of(data) == [
        "facts/review: a panel kind needs the scheme's panel (考核组: method, trim) "
        "to combine assessors' scores"
    ]


def test_a_ballot_cannot_be_a_panel_kind():
    ballot = {"code": "votes", "title": "民主测评", "type": "ballot", "options": GRADES, "panel": True}
    rule = {"kind": "ballot", "fact": "votes", "values": {"好": 100, "较好": 80, "一般": 60, "差": 40}}
    assert problems_of(panel_data([item(rule)], [ballot])) == [
        "facts/votes: a ballot cannot be a panel kind: its votes are already many people's"
    ]


def test_a_veto_cannot_read_a_panel_kind():
    breach = {"code": "breach", "title": "重大事故", "type": "flag", "panel": True}
    veto = {
        "code": "veto",
        "title": "否决项",
        "category": "veto",
        "children": [
            {
                "code": "accident",
                "title": "安全事故",
                "veto": {"when": [{"fact": "breach"}], "cap": "差", "reason": "事故"},
            }
        ],
    }
    data = panel_data([item(TIERS, "6")], [REVIEW, breach], points="6", extra_nodes=(veto,))
    data["grading"] = {"bands": [{"grade": "好", "at_least": 3}, {"grade": "差", "below": 3}]}
    assert problems_of(data) == [
        "否决项/安全事故: condition on fact kind 'breach': a panel kind (one value per assessor) cannot "
        "decide a veto; the committee decides it"
    ]


def test_rank_points_cannot_read_a_panel_kind_and_the_panel_settings_are_checked():
    gain = {"code": "gain", "title": "创效", "type": "figure", "panel": True}
    data = panel_data([item({"kind": "rank_points", "fact": "gain"})], [gain], trim=2)
    data["panel"]["reason_above"] = "-1"
    assert problems_of(data) == [
        "panel: trim is for method trimmed_mean; the mean keeps every score",
        "panel: reason_above -1 is below zero",
        "组织建设/三会一课: rank points compare the units' values; fact kind 'gain' is a panel kind "
        "(one value per assessor)",
    ]


def test_the_panel_method_must_be_declared():
    data = panel_data([item(TIERS, "6")], [REVIEW], points="6")
    data["panel"] = {"trim": 1}
    assert problems_of(data) == ["scheme: panel.method: required, missing"]


# -- facts: CSV, values, round trips ---------------------------------------------------------------

PANEL_CSV = """unit,kind,value,source
U1,review,"{""考核员2"": ""较好"", ""考核员10"": ""一般"", ""考核员1"": ""好""}",考核组评分表
U1,found,"{""考核员1"": [{""case"": ""F1"", ""points"": 1.5}], ""考核员2"": [], ""考核员10"": []}",考核组
U2,review,"{""考核员1"": ""好""}",评分表1
U2,review,"{""考核员2"": ""差""}",评分表2
U2,found,"{""考核员1"": [{""case"": ""F1"", ""points"": 1}]}",评分表1
U2,found,"{""考核员1"": [{""case"": ""F2"", ""points"": 2}], ""考核员2"": []}",评分表2
"""


def csv_scheme() -> Scheme:
    return panel_scheme(
        [item(TIERS, "6", "a", "评价"), item(RANGED, "5", "b", "问题")], [REVIEW, FOUND], points="11"
    )


def test_a_panel_value_is_a_json_object_of_each_assessors_value_in_natural_order():
    cycle = build_cycle(csv_scheme(), read_facts_csv(PANEL_CSV))
    review = cycle.cell("U1", "review").value
    assert isinstance(review, PanelValues)
    assert review.values == (("考核员1", "好"), ("考核员2", "较好"), ("考核员10", "一般"))
    assert cycle.cell("U1", "found").value == PanelValues(
        (("考核员1", (Finding("F1", 1500, source="考核组"),)), ("考核员2", ()), ("考核员10", ()))
    )


def test_rows_of_one_unit_and_kind_add_their_assessors_and_a_list_adds_its_entries():
    cycle = build_cycle(csv_scheme(), read_facts_csv(PANEL_CSV))
    assert cycle.cell("U2", "review").value == PanelValues((("考核员1", "好"), ("考核员2", "差")))
    found = cycle.cell("U2", "found").value
    assert isinstance(found, PanelValues)
    assert [f.case for f in found.value("考核员1")] == ["F1", "F2"]  # type: ignore[union-attr]
    result = score_cycle(csv_scheme(), cycle)
    line = result.unit("U2").nodes["a"].lines[0]
    assert [(use.value, use.sources) for use in line.facts] == [
        ("考核员1：好", ("评分表1",)),
        ("考核员2：差", ("评分表2",)),
    ]


def test_panel_facts_written_and_read_back_give_the_same_cycle():
    scheme = csv_scheme()
    cycle = build_cycle(scheme, read_facts_csv(PANEL_CSV))
    text = write_facts_csv(cycle_facts(cycle, scheme))
    again = build_cycle(scheme, read_facts_csv(text))
    for kind in ("review", "found"):
        assert [c.value for c in again.column(kind)] == [c.value for c in cycle.column(kind)]
    row = next(csv.DictReader(io.StringIO(text)))
    assert json.loads(row["value"]) == {"考核员1": "好", "考核员2": "较好", "考核员10": "一般"}


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ({"code": "n", "title": "次数", "type": "count"}, {"考核员1": 3, "考核员2": "0"}),
        ({"code": "r", "title": "比率", "type": "rate"}, {"考核员1": "87.5%", "考核员2": "0.9"}),
        ({"code": "f", "title": "是否", "type": "flag"}, {"考核员1": True, "考核员2": "否"}),
        ({"code": "x", "title": "数值", "type": "figure"}, {"考核员1": "-1.25", "考核员2": 3}),
        (
            {"code": "c", "title": "要素", "type": "checklist", "options": ["甲", "乙"]},
            {"考核员1": ["乙", "甲"]},
        ),
        (
            {"code": "a", "title": "表彰", "type": "awards", "options": ["省级"]},
            {"考核员1": [{"level": "省级", "title": "先进"}]},
        ),
        (
            {"code": "k", "title": "案件", "type": "cases", "options": ["警告"]},
            {"考核员1": [{"case": "C1", "department": "纪委", "outcome": "警告"}], "考核员2": []},
        ),
    ],
)
def test_every_kind_but_a_ballot_round_trips_as_a_panel_value(kind, value):
    kind_model = FactKind.model_validate(kind | {"panel": True})
    parsed = parse_value(kind_model, value)
    assert isinstance(parsed, PanelValues)
    assert parse_value(kind_model, to_text(kind_model, parsed)) == parsed
    assert describe(kind_model, parsed).startswith("考核员1：")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ('{"考核员1": "优"}', "assessor 考核员1: a judgment must be one of 好, 较好, 一般, 差; got '优'"),
        ("好", "got '好'; a panel kind's value is an object of each assessor's value"),
        ("", "a blank value; a panel kind's value is an object"),
        ("{}", "a panel value names no assessor"),
        ('{"考核员1": "好", "考核员1": "差"}', "'考核员1' is given twice in one object"),
        ('{"考核员1": "好", " 考核员1 ": "差"}', "assessor 考核员1 is given twice"),
        ('{"考核员1": ', "value is not valid JSON"),
    ],
)
def test_a_bad_panel_value_names_row_unit_kind_and_assessor(value, problem):
    text = f"unit,kind,value\nU1,review,{json.dumps(value, ensure_ascii=False)}\n"
    text = text.replace('\\"', '""')
    with pytest.raises(FactError) as caught:
        build_cycle(csv_scheme(), read_facts_csv(text))
    assert caught.value.problems[0].startswith(f"row 2 (unit U1, kind review): {problem}")


def test_an_assessor_given_twice_in_two_rows_is_named_with_the_first_row():
    text = 'unit,kind,value\nU1,review,"{""考核员1"": ""好""}"\nU1,review,"{""考核员1"": ""差""}"\n'
    with pytest.raises(FactError) as caught:
        build_cycle(csv_scheme(), read_facts_csv(text))
    assert caught.value.problems[0] == (
        "row 3 (unit U1, kind review): assessor 考核员1: a second value; the first is at row 2"
    )


def test_panel_columns_given_as_arrays_are_checked():
    scheme = panel_scheme([item(TIERS, "6")], [REVIEW], points="6")
    slots = (np.array([0, 1]), np.array([0, 0]))
    good = FactColumns(
        scheme.facts,
        {"review": PanelColumn(np.array([[0, 1], [1, -1]]), slots)},
        units=["U1", "U2"],
        assessors=["考核员1", "考核员2"],
    )
    assert [int(v) for v in score_facts(scheme, good).scores["item"]] == [6000, 5000]
    bad = {
        "gap": (np.array([[-1, 0], [0, -1]]), "a unit's assessors fill its first slots, without gaps"),
        "order": (np.array([[1, 0], [0, -1]]), "a unit's assessors in the labels' order, each once"),
        "unknown": (np.array([[0, 2], [0, -1]]), "an assessor beyond the 2 labels"),
    }
    for who, message in bad.values():
        with pytest.raises(FactError, match=message):
            FactColumns(
                scheme.facts,
                {"review": PanelColumn(who, slots)},
                units=["U1", "U2"],
                assessors=["考核员1", "考核员2"],
            )
    with pytest.raises(FactError, match="a panel kind: one column per assessor slot"):
        FactColumns(scheme.facts, {"review": np.array([0, 1])}, units=["U1", "U2"])
    with pytest.raises(FactError, match="natural order"):
        FactColumns(
            scheme.facts,
            {"review": PanelColumn(bad["gap"][0], slots)},
            units=["U1", "U2"],
            assessors=["b", "a"],
        )


# -- the scheme's text forms -----------------------------------------------------------------------


def full_panel_scheme() -> Scheme:
    data = panel_data([item(TIERS, "6")], [REVIEW], points="6", method="trimmed_mean", trim=2)
    data["panel"]["reason_above"] = "1.5"
    return parse_scheme(data)


def test_the_panel_round_trips_through_yaml():
    scheme = full_panel_scheme()
    text = dump_scheme(scheme)
    assert "panel:\n  method: trimmed_mean\n  trim: 2\n  reason_above: 1.5\n" in text
    assert "  panel: true\n" in text
    assert load_scheme(text) == scheme
    assert scheme.panel is not None and scheme.panel.reason_above == pts("1.5")


def test_the_panel_round_trips_through_the_xlsx_table():
    scheme = full_panel_scheme()
    content = write_xlsx(scheme)
    assert read_xlsx(content) == scheme
    book = load_workbook(io.BytesIO(content))
    header = {row[1]: row[2] for row in book[HEADER].iter_rows(min_row=2, values_only=True)}
    assert header["panel.method"] == "去掉最高分和最低分后平均（trimmed_mean）"
    assert (header["panel.trim"], header["panel.reason_above"]) == (2, 1.5)
    facts = book[FACTS]
    column = [c.value for c in facts[1]].index(PANEL_COLUMN)
    assert facts.cell(2, column + 1).value == "是"
    plain = parse_scheme(
        scheme_data([item(TIERS | {"fact": "j"}, "6")], [REVIEW | {"code": "j", "panel": False}], points="6")
    )
    assert read_xlsx(write_xlsx(plain)) == plain


def test_a_bad_panel_method_cell_is_named_by_sheet_row_and_column():
    book = load_workbook(io.BytesIO(write_xlsx(full_panel_scheme())))
    sheet = book[HEADER]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 2).value == "panel.method")
    sheet.cell(row, 3).value = "随便"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(XlsxError) as caught:
        read_xlsx(out.getvalue())
    assert caught.value.problems[0].startswith(
        f"sheet '方案', row {row}, column C '值': unknown panel method '随便'"
    )


# -- explanations and commands ---------------------------------------------------------------------


def test_the_explanation_adds_up_and_names_each_assessors_facts():
    result = score_cycle(csv_scheme(), build_cycle(csv_scheme(), read_facts_csv(PANEL_CSV)))
    explanation = explain(result, "U1")
    assert sum(e.amount for e in explanation.entries) == result.unit("U1").total
    text = render_text(explanation)
    assert "评分组3人评分：考核员1 6分、考核员2 5分、考核员10 4分，平均5分" in text
    assert "依据：发现问题 = 考核员1：F1 1.5（来源：考核组）" in text
    assert "依据：发现问题 = 考核员2：0 项（来源：考核组）" in text
    entries = to_json(explanation)["entries"]
    assert [e["amount"] for e in entries if e["code"] == "b"] == ["5", "-0.5"]  # (3.5 + 5 + 5) / 3 = 4.5


PANEL_YAML = """
code: panel-demo
title: 考核组评分示例
year: 2026
version: 1
total_points: 20
panel: {method: trimmed_mean, trim: 1, reason_above: 2}
facts:
  - {code: review, title: 考核组评价, type: judgment, options: [好, 较好, 一般, 差], panel: true}
  - {code: found, title: 发现问题, type: findings, panel: true, default: []}
  - {code: lectures, title: 党课次数, type: count}
nodes:
  - code: org
    title: 基层组织建设
    points: 20
    children:
      - code: org.review
        title: 组织生活质量
        points: 6
        rule:
          kind: tiered_judgment
          fact: review
          tiers:
            - {grade: 好, points: 6}
            - {grade: 较好, points: 5}
            - {grade: 一般, points: 4}
            - {grade: 差, points: 2}
      - code: org.found
        title: 检查发现问题
        points: 10
        rule: {kind: ranged_deduction, fact: found, min_per_case: 1, max_per_case: 2}
      - code: org.lectures
        title: 党课
        points: 4
        rule: {kind: quota, fact: lectures, required: 4, amount: 1}
grading:
  bands: [{grade: 好, at_least: 18}, {grade: 较好, at_least: 15, below: 18}, {grade: 一般, below: 15}]
"""


def run(command: Any, argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = command.run(argv, out, err)
    return status, out.getvalue(), err.getvalue()


def test_the_commands_score_explain_and_compare_panel_facts(tmp_path):
    scheme_path, facts_path, units_path = (tmp_path / n for n in ("S.yaml", "F.csv", "U.csv"))
    scheme_path.write_text(PANEL_YAML, encoding="utf-8")
    status, out, _ = run(scheme_command, ["check", str(scheme_path)])
    assert (status, out.split(" fact kinds")[1]) == (0, ", 2 panel items (trimmed_mean)\n")
    argv = ["facts", str(scheme_path), "--units", "25", "--seed", "4", "--out", str(facts_path)]
    assert run(scheme_command, [*argv, "--units-out", str(units_path)]) == (0, "", "")
    rows = list(csv.DictReader(io.StringIO(facts_path.read_text(encoding="utf-8"))))
    review = json.loads(next(r["value"] for r in rows if r["kind"] == "review"))
    assert list(review)[:3] == ["考核员1", "考核员2", "考核员3"]

    scheme = load_scheme(PANEL_YAML)
    cycle = read_cycle(scheme, str(facts_path), str(units_path))
    status, out, err = run(score_command, [str(scheme_path), str(facts_path), "--units", str(units_path)])
    assert (status, err) == (0, "")
    assert out == score_command.results_csv(scheme, score_cycle(scheme, cycle))

    status, out, err = run(
        explain_command, [str(scheme_path), str(facts_path), "U01", "--units", str(units_path)]
    )
    assert (status, err) == (0, "")
    assert "去掉最高分和最低分后平均" in out or "不足3人" in out

    mean = tmp_path / "mean.yaml"
    mean.write_text(PANEL_YAML.replace("method: trimmed_mean, trim: 1", "method: mean"), encoding="utf-8")
    status, out, err = run(whatif_command, [str(scheme_path), str(mean), str(facts_path)])
    assert (status, err) == (0, "")
    assert "考核组计分：去掉最高分和最低分各1个后平均（不足3人时平均） → 平均" in out
