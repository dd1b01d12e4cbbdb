"""Scoring a cycle: compositions, rank points among peers, grades, vetoes, quotas, ranks and uses."""

import pytest

from kaohe.engine.points import parse_points
from kaohe.engine.tests.builders import FOUR_GRADES, item, scheme_data, score
from kaohe.engine.validation import parse_scheme


def pts(text):
    return parse_points(text)


def figure(code, title=None):
    return {"code": code, "title": title or code, "type": "figure"}


def imported(fact, points="100", code=None, title=None, **more):
    return (
        item({"kind": "imported", "fact": fact, "mode": "score"}, points, code or fact, title or fact) | more
    )


# -- rank points -----------------------------------------------------------------------------------


def test_rank_points_first_gets_the_points_others_in_proportion_within_their_group():
    # 第1名得6分，其余按与第1名的比例得分
    rule = {"kind": "rank_points", "fact": "value"}
    scheme = parse_scheme(scheme_data([item(rule, "6")], [figure("value", "攻坚项目创效")], points="6"))
    values = {"A": {"value": 200}, "B": {"value": 150}, "C": {"value": 0}, "D": {"value": 50}}
    result = score(scheme, values, groups={"A": "竞争类", "B": "竞争类", "C": "竞争类", "D": "功能类"})
    scores = {u.unit.code: u.nodes["item"].score for u in result.units}
    assert scores == {"A": pts("6"), "B": pts("4.5"), "C": 0, "D": pts("6")}
    assert "本组第1名200" in result.unit("B").nodes["item"].lines[0].text


# -- compositions ----------------------------------------------------------------------------------


def test_weighted_raters_20_40_40():
    # 分管领导 20% + 干部职工 40% + 考核组 40%
    review = {
        "code": "review",
        "title": "述职评议",
        "points": 10,
        "compose": "weighted",
        "children": [
            imported("leader", weight="20%"),
            imported("staff", weight="40%"),
            imported("team", weight="40%"),
        ],
    }
    scheme = parse_scheme(scheme_data([review], [figure(c) for c in ("leader", "staff", "team")]))
    result = score(scheme, {"U1": {"leader": 90, "staff": 80, "team": 70}})
    node = result.units[0].nodes["review"]
    assert node.score == pts("7.8")  # 10 × (0.2 × 0.9 + 0.4 × 0.8 + 0.4 × 0.7)
    # folded in: from the full 10 points, each rater's weighted shortfall (the parts are not added)
    assert node.base == pts("10") and not node.counted_children
    assert [line.amount for line in node.lines] == [pts("-0.2"), pts("-0.8"), pts("-1.2")]
    assert node.score == node.base + sum(line.amount for line in node.lines)
    assert {line.rule for line in node.lines} == {"weighted"}


def test_weighted_periods_daily_and_year_end():
    periods = {
        "code": "standard",
        "title": "支部标准化",
        "points": 4,
        "compose": "weighted",
        "children": [imported("daily", "100", weight="40%"), imported("year_end", "50", weight="60%")],
    }
    scheme = parse_scheme(scheme_data([periods], [figure("daily"), figure("year_end")], points="4"))
    result = score(scheme, {"U1": {"daily": "94.6", "year_end": 40}})
    assert result.units[0].nodes["standard"].score == pts("3.434")  # 4 × (0.4 × 0.946 + 0.6 × 0.8)


def test_product_of_party_building_rate_and_business_score():
    # 双乘数: 党建得分率 × 经营绩效得分
    dual = {
        "code": "dual",
        "title": "双挂钩",
        "points": 4,
        "compose": "product",
        "children": [imported("ledger"), imported("business")],
    }
    scheme = parse_scheme(scheme_data([dual], [figure("ledger"), figure("business")], points="4"))
    result = score(scheme, {"U1": {"ledger": 90, "business": 80}})
    assert result.units[0].nodes["dual"].score == pts("2.88")


BONUS_SECTION = {
    "code": "bonus",
    "title": "加分项",
    "points": 5,
    "category": "bonus",
    "children": [
        item({"kind": "imported", "fact": "b1", "mode": "score"}, "3", "b1", "表彰"),
        item({"kind": "imported", "fact": "b2", "mode": "score"}, "3", "b2", "创新"),
    ],
}


def test_bonus_section_caps_all_bonuses_and_a_named_total_leaves_them_out():
    # 加分最多5分; 计入经济责任制考核时不含附加分
    data = scheme_data(
        [imported("base", "10")],
        [figure("base"), figure("b1"), figure("b2")],
        extra_nodes=(BONUS_SECTION,),
        uses={"totals": [{"code": "econ", "title": "经济责任制", "include_bonus": False}]},
    )
    scheme = parse_scheme(data)
    unit = score(scheme, {"U1": {"base": 8, "b1": 3, "b2": 3}}).units[0]
    assert unit.nodes["bonus"].score == pts("5")
    assert unit.nodes["bonus"].lines[0].text == "小计6分，超过本项分值，按5分计"
    assert (unit.basic, unit.bonus, unit.total) == (pts("8"), pts("5"), pts("13"))
    assert unit.totals == {"econ": pts("8")}


# -- grades ----------------------------------------------------------------------------------------


def graded(extra_nodes=(), facts=(), **grading):
    data = scheme_data(
        [imported("score", "100", title="综合得分")],
        [figure("score"), *facts],
        points="100",
        extra_nodes=extra_nodes,
        grading={"bands": FOUR_GRADES, **grading},
        uses={
            "pay": {"好": "1.1", "较好": 1, "一般": "0.9", "差": "0.8"},
            "actions": {"好": ["通报表扬"], "差": ["约谈", "整改"]},
            "award_actions": ["通报表扬"],
        },
    )
    return parse_scheme(data)


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", "好"),
        ("90", "好"),
        ("89.999", "较好"),
        ("80", "较好"),
        ("79.999", "一般"),
        ("60", "一般"),
        ("59.999", "差"),
    ],
)
def test_band_edges_are_exactly_as_written(total, grade):
    # ≥90 好: a total of exactly 90 is "≥ 90", and 89.999 is not
    result = score(graded(), {"U1": {"score": total}}).units[0]
    assert (result.band_grade, result.grade) == (grade, grade)
    assert result.steps[0].kind == "band"


def test_grade_gives_the_pay_coefficient_and_the_actions():
    good, poor = score(graded(), {"A": {"score": 95}, "B": {"score": 50}}).units
    assert (good.pay, good.actions) == (pts("1.1"), ["通报表扬"])
    assert (poor.pay, poor.actions) == (pts("0.8"), ["约谈", "整改"])


VETO_FACTS = [
    {"code": "accident", "title": "重大安全事故", "type": "flag", "default": False},
    {"code": "target_missed", "title": "未完成经营目标", "type": "flag", "default": False},
    {"code": "leaders", "title": "班子成员受处分人数", "type": "count", "default": 0},
]
VETOES = {
    "code": "veto",
    "title": "否决项",
    "category": "veto",
    "children": [
        {
            "code": "veto.accident",
            "title": "安全事故",
            "veto": {"when": [{"fact": "accident"}], "force": "差", "reason": "发生重大安全事故，一票否决"},
        },
        {
            "code": "veto.target",
            "title": "经营目标",
            "veto": {
                "when": [{"fact": "target_missed"}],
                "cap": "较好",
                "reason": "未完成经营目标，不得评为“好”",
            },
        },
        {
            "code": "veto.leaders",
            "title": "班子成员受处分",
            "veto": {
                "when": [{"fact": "leaders", "at_least": 1}],
                "no_awards": True,
                "reason": "班子成员受处分，取消评先资格",
            },
        },
    ],
}


def test_vetoes_act_on_the_grade_not_the_score_and_say_why():
    scheme = graded(extra_nodes=(VETOES,), facts=VETO_FACTS)
    values: dict[str, dict[str, object]] = {
        "forced": {"score": 95, "accident": "是"},
        "capped": {"score": 95, "target_missed": "是"},
        "cap_moot": {"score": 70, "target_missed": "是"},
        "no_awards": {"score": 95, "leaders": 1},
    }
    result = score(scheme, values)
    forced = result.unit("forced")
    assert (forced.total, forced.band_grade, forced.grade) == (pts("95"), "好", "差")
    assert forced.steps[-1].text == "发生重大安全事故，一票否决：定为“差”"
    assert forced.steps[-1].node == "veto.accident"
    assert forced.steps[-1].facts[0].title == "重大安全事故"
    assert result.unit("capped").grade == "较好"
    assert result.unit("cap_moot").grade == "一般"  # a cap never raises a grade
    no_awards = result.unit("no_awards")
    assert no_awards.grade == "好"
    assert no_awards.awards_eligible is False
    assert no_awards.actions == []
    assert no_awards.withheld == ["通报表扬"]


MILD_FORCE = {
    "code": "veto",
    "title": "否决项",
    "category": "veto",
    "children": [
        {
            "code": "veto.mild",
            "title": "定为一般",
            "veto": {"when": [{"fact": "accident"}], "force": "一般", "reason": "发生事故，定为“一般”"},
        },
        {
            "code": "veto.target",
            "title": "经营目标",
            "veto": {"when": [{"fact": "target_missed"}], "cap": "差", "reason": "未完成经营目标"},
        },
    ],
}


def test_a_forced_grade_never_raises_the_grade_and_says_it_did_not_apply():
    from kaohe.engine.facts import Fact, Unit, build_cycle
    from kaohe.engine.fast import outcome_of, score_cycle_fast

    scheme = graded(extra_nodes=(MILD_FORCE,), facts=VETO_FACTS)
    values: dict[str, dict[str, object]] = {
        "lowers": {"score": 95, "accident": "是"},
        "band_worse": {"score": 50, "accident": "是"},
        "cap_worse": {"score": 95, "accident": "是", "target_missed": "是"},
    }
    result = score(scheme, values)
    assert result.unit("lowers").grade == "一般"
    assert result.unit("lowers").steps[-1].text == "发生事故，定为“一般”：定为“一般”"
    for code in ("band_worse", "cap_worse"):
        unit = result.unit(code)
        assert unit.grade == "差"
        assert unit.pay == pts("0.8")
        assert unit.steps[-1].kind == "force"
        assert unit.steps[-1].grade == "差"
        assert "不适用" in unit.steps[-1].text
    units = [Unit(code) for code in values]
    facts = [Fact(u, k, v, "记录") for u, row in values.items() for k, v in row.items()]
    fast = score_cycle_fast(scheme, build_cycle(scheme, facts, units))
    assert fast.outcomes() == [outcome_of(u) for u in result.units]
    assert [fast.decided(row)[0] for row in range(3)] == ["force", "band", "cap"]


def test_quota_demotes_the_lowest_ranked_over_the_limit():
    # "好" ≤ 40% of the group: 5 units -> at most 2
    scheme = graded(quotas=[{"grade": "好", "at_most": "40%", "rounding": "down", "ties": "demote"}])
    values = {u: {"score": s} for u, s in {"A": 99, "B": 95, "C": 93, "D": 91, "E": 50}.items()}
    result = score(scheme, values)
    assert [u.grade for u in result.units] == ["好", "好", "较好", "较好", "差"]
    step = result.unit("C").steps[-1]
    assert step.kind == "quota"
    assert "5个单位中至多2个" in step.text


@pytest.mark.parametrize(
    ("ties", "grades"), [("demote", ["好", "较好", "较好"]), ("keep", ["好", "好", "好"])]
)
def test_quota_ties_at_the_limit_go_as_declared(ties, grades):
    scheme = graded(quotas=[{"grade": "好", "at_most": "50%", "rounding": "down", "ties": ties}])
    values = {"A": {"score": 99}, "B": {"score": 92}, "C": {"score": 92}, "D": {"score": 10}}
    result = score(scheme, values)
    assert [result.unit(u).grade for u in "ABC"] == grades


def test_a_declared_tie_break_separates_equal_totals():
    data = scheme_data(
        [imported("a", "50", title="党风廉政"), imported("b", "50", title="组织建设")],
        [figure("a"), figure("b")],
        points="100",
        grading={
            "bands": FOUR_GRADES,
            "tie_break": ["a"],
            "quotas": [{"grade": "好", "at_most": "25%", "rounding": "down", "ties": "demote"}],
        },
    )
    scheme = parse_scheme(data)
    result = score(
        scheme,
        {"X": {"a": 45, "b": 47}, "Y": {"a": 47, "b": 45}, "Z": {"a": 1, "b": 1}, "W": {"a": 1, "b": 1}},
    )
    assert (result.unit("Y").rank, result.unit("X").rank) == (1, 2)
    assert (result.unit("Y").grade, result.unit("X").grade) == ("好", "较好")
    assert result.unit("Z").rank == result.unit("W").rank == 3  # still tied: they share the rank


def test_rank_outcomes_top_and_bottom_within_each_peer_group():
    scheme = graded(rank_outcomes=[{"top": 1, "action": "通报表扬"}, {"bottom": 1, "action": "约谈"}])
    values = {u: {"score": s} for u, s in {"A": 88, "B": 70, "C": 60, "D": 85, "E": 84}.items()}
    groups = {"A": "竞争类", "B": "竞争类", "C": "竞争类", "D": "功能类", "E": "功能类"}
    result = score(scheme, values, groups)
    assert {u.unit.code: u.outcomes for u in result.units} == {
        "A": ["通报表扬"],
        "B": [],
        "C": ["约谈"],
        "D": ["通报表扬"],
        "E": ["约谈"],
    }
    assert (result.unit("C").rank, result.unit("C").group_size) == (3, 3)


def test_a_result_is_pinned_to_the_scheme_version():
    result = score(graded(), {"U1": {"score": 70}})
    assert (result.scheme_code, result.scheme_version) == ("test", 1)


def test_scoring_refuses_an_unchecked_scheme_and_a_cycle_built_for_another_scheme():
    from kaohe.engine.errors import FactError, SchemeError
    from kaohe.engine.facts import Fact, build_cycle
    from kaohe.engine.reference import score_cycle
    from kaohe.engine.scheme import Scheme

    data = scheme_data([imported("a", "6"), imported("b", "6")], [figure("a"), figure("b")])
    unchecked = Scheme.model_validate(data)  # field types only: the points do not add up
    with pytest.raises(SchemeError, match="children's points 12 exceed the node's 10"):
        score_cycle(unchecked, build_cycle(unchecked, [Fact("U1", "a", 1), Fact("U1", "b", 1)]))
    other = parse_scheme(scheme_data([imported("c", "10")], [figure("c")]))
    scheme = parse_scheme(scheme_data([imported("a", "10")], [figure("a")]))
    with pytest.raises(FactError, match="unit U1, kind a: no fact"):
        score_cycle(scheme, build_cycle(other, [Fact("U1", "c", 1)]))
