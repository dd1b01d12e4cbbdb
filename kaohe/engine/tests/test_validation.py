"""Scheme validation: every problem found at once, each naming the node path (and line) and the problem."""

import copy

import pytest

from kaohe.engine.errors import SchemeError
from kaohe.engine.tests.builders import FOUR_GRADES, item, scheme_data
from kaohe.engine.text_form import dump_scheme, load_scheme
from kaohe.engine.validation import parse_scheme

QUOTA = {"kind": "quota", "fact": "lectures", "required": 4, "amount": "0.5"}
FACTS = [{"code": "lectures", "title": "党课次数", "type": "count"}]


def nested(children_points=("6", "6"), node_points="10"):
    """党的建设 / 组织建设 / 三会一课 with children worth `children_points`."""
    children = [item(QUOTA, p, f"item{n}", f"第{n}项") for n, p in enumerate(children_points)]
    meetings = {"code": "meetings", "title": "三会一课", "points": node_points, "children": children}
    org = {"code": "org", "title": "组织建设", "points": node_points, "children": [meetings]}
    data = scheme_data([], [dict(f) for f in FACTS], points=node_points)
    data["nodes"] = [{"code": "party", "title": "党的建设", "points": node_points, "children": [org]}]
    return data


def problems_of(data):
    with pytest.raises(SchemeError) as caught:
        parse_scheme(data)
    return caught.value.problems


def test_children_exceeding_the_node_name_the_path():
    assert problems_of(nested(("6", "6"))) == [
        "党的建设/组织建设/三会一课: children's points 12 exceed the node's 10"
    ]


def test_children_falling_short_name_the_path():
    assert problems_of(nested(("4", "4"))) == [
        "党的建设/组织建设/三会一课: children's points 8 fall short of the node's 10"
    ]


def test_first_level_points_must_add_up_to_the_total():
    data = nested(("5", "5"))
    data["total_points"] = 100
    assert "scheme: first-level basic points add up to 10, not the total of 100" in problems_of(data)


def test_unknown_fact_kind_and_wrong_fact_type():
    data = scheme_data(
        [
            item({**QUOTA, "fact": "sermons"}, "5", "a", "党课"),
            item(
                {"kind": "rate_steps", "fact": "lectures", "threshold": "90%", "step": "10%", "amount": 1},
                "5",
                "b",
                "出勤",
            ),
        ],
        FACTS,
    )
    assert problems_of(data) == [
        "组织建设/党课: unknown fact kind 'sermons'",
        "组织建设/出勤: fact kind 'lectures' is a count; this reads rate",
    ]


def test_a_cap_below_zero():
    rule = {"kind": "per_occurrence", "cap": "-1", "charges": [{"fact": "lectures", "amount": 1}]}
    assert problems_of(scheme_data([item(rule)], FACTS)) == ["组织建设/三会一课: cap -1 is below zero"]


def test_duplicate_codes_of_nodes_and_fact_kinds():
    data = scheme_data([item(QUOTA, "5", "same", "甲"), item(QUOTA, "5", "same", "乙")], FACTS + FACTS)
    assert problems_of(data) == [
        "facts/lectures: duplicate fact kind code 'lectures'",
        "组织建设/乙: duplicate code 'same'",
    ]


def test_an_unknown_rule_kind_names_the_node_and_the_known_kinds():
    [problem] = problems_of(scheme_data([item({"kind": "vibes", "fact": "lectures"})], FACTS))
    assert problem.startswith(
        "组织建设/三会一课: rule: unknown rule kind 'vibes'; the kinds are per_occurrence, "
    )


def test_field_errors_name_the_node_and_the_field():
    data = scheme_data([item({**QUOTA, "amount": "0.1234", "colour": "red"})], FACTS)
    assert problems_of(data) == [
        "组织建设/三会一课: rule.amount: points has more than 3 decimals: '0.1234'",
        "组织建设/三会一课: rule.colour: unknown field",
    ]


def test_band_gap_and_overlap():
    data = scheme_data([item(QUOTA)], FACTS)
    data["grading"] = {
        "bands": [
            {"grade": "优秀", "at_least": 90},
            {"grade": "达标", "at_least": 76, "at_most": 89},  # 76-89 as written leaves (89, 90) ungraded
            {"grade": "一般", "at_least": 70, "at_most": 76},  # and 76 now has two grades
            {"grade": "不达标", "below": 70},
        ]
    }
    assert problems_of(data) == [
        "grading: gap between bands '达标' and '优秀': a total between 89 and 90 has no grade",
        "grading: bands '一般' and '达标' overlap at 76..76",
    ]


def test_bands_must_cover_every_reachable_total():
    data = scheme_data([item(QUOTA)], FACTS)
    data["grading"] = {
        "bands": [{"grade": "合格", "at_least": 6, "at_most": 9}, {"grade": "不合格", "below": 6}]
    }
    assert problems_of(data) == ["grading: the bands give no grade to a total of 10"]


def test_exclusive_bounds_meeting_leave_the_boundary_without_a_grade():
    data = scheme_data([item(QUOTA)], FACTS)
    data["grading"] = {"bands": [{"grade": "好", "above": 9}, {"grade": "差", "below": 9}]}
    assert problems_of(data) == ["grading: gap between bands '差' and '好': a total exactly 9 has no grade"]


def test_weights_of_a_weighted_node_must_make_100_percent():
    parts = [
        item(QUOTA, "100", f"p{n}", f"评价{n}") | {"weight": w} for n, w in enumerate(["20%", "40%", "30%"])
    ]
    node = {"code": "review", "title": "述职评议", "points": 10, "compose": "weighted", "children": parts}
    assert problems_of(scheme_data([node], FACTS)) == ["组织建设/述职评议: weights add up to 90%, not 100%"]


def test_veto_problems():
    veto = {
        "code": "veto",
        "title": "否决项",
        "category": "veto",
        "children": [
            {
                "code": "v1",
                "title": "事故",
                "veto": {"when": [{"fact": "lectures"}], "force": "优", "reason": "事故"},
            },
            {"code": "v2", "title": "空", "veto": {"when": [{"fact": "lectures"}], "reason": "无动作"}},
        ],
    }
    data = scheme_data([item(QUOTA)], FACTS, extra_nodes=(veto,), grading={"bands": FOUR_GRADES})
    data["total_points"] = data["nodes"][0]["points"] = data["nodes"][0]["children"][0]["points"] = 100
    assert problems_of(data) == [
        "否决项/事故: unknown grade '优'",
        "否决项/空: a veto must force a grade, cap the grade, or remove award eligibility",
    ]


def test_every_problem_is_reported_not_just_the_first():
    data = nested(("6", "6"))
    data["facts"].append({"code": "ballot", "title": "测评", "type": "ballot"})
    data["grading"]["quotas"] = [{"grade": "不合格", "at_most": "10%", "rounding": "down", "ties": "keep"}]
    data["grading"]["tie_break"] = ["nowhere"]
    assert problems_of(data) == [
        "facts/ballot: a ballot fact kind needs options",
        "党的建设/组织建设/三会一课: children's points 12 exceed the node's 10",
        "grading: quota on the lowest grade '不合格' has nowhere to demote to",
        "grading: tie_break names unknown node 'nowhere'",
    ]


def test_problems_in_yaml_carry_their_line():
    text = dump_scheme(parse_scheme(nested(("5", "5"))))
    broken = text.replace("amount: 0.5", "amount: 0.5555", 1)
    with pytest.raises(SchemeError) as caught:
        load_scheme(broken)
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if text.endswith("amount: 0.5555"))
    assert caught.value.problems == [
        "党的建设/组织建设/三会一课/第0项: rule.amount: points has more than 3 decimals: 0.5555"
        f" (line {line})"
    ]
    overflowing = text.replace("points: 5", "points: 6", 1)
    with pytest.raises(SchemeError) as caught:
        load_scheme(overflowing)
    meetings_line = next(
        n for n, text in enumerate(overflowing.splitlines(), 1) if text.endswith("code: meetings")
    )
    assert caught.value.problems == [
        f"党的建设/组织建设/三会一课: children's points 11 exceed the node's 10 (line {meetings_line})"
    ]


def test_the_model_is_frozen_so_a_published_scheme_cannot_change_in_memory():
    scheme = parse_scheme(nested(("5", "5")))
    with pytest.raises(ValueError, match="frozen"):
        scheme.nodes[0].points = 1  # type: ignore[misc]
    assert parse_scheme(copy.deepcopy(nested(("5", "5")))) == scheme


def test_fact_kind_declarations_are_checked():
    data = scheme_data(
        [item(QUOTA)],
        [
            *FACTS,
            {"code": "judged", "title": "评价", "type": "judgment", "options": ["好", "好"]},
            {"code": "rate", "title": "出勤率", "type": "rate", "options": ["高"], "default": "120%"},
        ],
    )
    assert problems_of(data) == [
        "facts/judged: options repeat",
        "facts/rate: a rate fact kind has no options",
        "facts/rate: default: rate cannot be above 100%: '120%'",
    ]
