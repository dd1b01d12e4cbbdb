"""Weighted and product nodes are explained part by part against full marks, exactly.

Each part of a weighted node appears as its weighted contribution (and what it lost) and each part
of a product node as its factor and what it cost; the node starts from its full points and its
lines add up to its score to the thousandth, with one 折算尾差 line when rounding each part on its
own differs from the reference's one rounding of the whole.
"""

from kaohe.engine.explain import explain, render_text, to_json
from kaohe.engine.points import parse_points
from kaohe.engine.tests.builders import item, scheme_data, score
from kaohe.engine.validation import parse_scheme


def pts(text):
    return parse_points(text)


def figure(code, title=None):
    return {"code": code, "title": title or code, "type": "figure"}


def imported(fact, points="100", title=None, **more):
    return item({"kind": "imported", "fact": fact, "mode": "score"}, points, fact, title or fact) | more


def composed(compose, points, parts, facts):
    node = {"code": "node", "title": "组合项", "points": points, "compose": compose, "children": parts}
    return parse_scheme(scheme_data([node], facts, points=points))


def lines_of(node):
    return [(line.amount, line.text) for line in node.lines]


def test_a_20_point_review_of_weighted_raters_loses_each_raters_weighted_shortfall():
    parts = [
        imported("leader", title="分管领导评价", weight="20%"),
        imported("staff", title="干部职工测评", weight="40%"),
        imported("team", title="考核组评价", weight="40%"),
    ]
    scheme = composed("weighted", "20", parts, [figure("leader"), figure("staff"), figure("team")])
    result = score(scheme, {"U1": {"leader": "85.5", "staff": 80, "team": 70}})
    node = result.units[0].nodes["node"]
    # 20 × 20% = 4, 20 × 40% = 8: 4 × 0.855 = 3.42, 8 × 0.8 = 6.4, 8 × 0.7 = 5.6
    assert lines_of(node) == [
        (pts("-0.58"), "分管领导评价 权重20%：得 85.5/100 → 折合 3.42/4（-0.58）"),
        (pts("-1.6"), "干部职工测评 权重40%：得 80/100 → 折合 6.4/8（-1.6）"),
        (pts("-2.4"), "考核组评价 权重40%：得 70/100 → 折合 5.6/8（-2.4）"),
    ]
    assert (node.base, node.score) == (pts("20"), pts("15.42"))
    assert node.base + sum(line.amount for line in node.lines) == node.score
    # each part's line carries the part's facts and their source records
    assert [[(u.kind, u.sources) for u in line.facts] for line in node.lines] == [
        [("leader", ("记录/U1/leader",))],
        [("staff", ("记录/U1/staff",))],
        [("team", ("记录/U1/team",))],
    ]


def test_a_weighted_node_at_full_marks_loses_nothing():
    parts = [imported("a", weight="50%"), imported("b", weight="50%")]
    scheme = composed("weighted", "10", parts, [figure("a"), figure("b")])
    node = score(scheme, {"U1": {"a": 100, "b": 100}}).units[0].nodes["node"]
    assert [line.amount for line in node.lines] == [0, 0]
    assert node.score == pts("10")


def test_rounding_each_weighted_part_apart_is_corrected_by_one_explicit_tail_line():
    # each part is 1 × 50% × 0.001 = 0.0005, rounded half away from zero to 0.001 on its own; the
    # whole is 0.001 exactly, so the parts' 1 - 0.499 - 0.499 = 0.002 needs a tail of -0.001
    parts = [imported("a", "1", weight="50%"), imported("b", "1", weight="50%")]
    scheme = composed("weighted", "1", parts, [figure("a"), figure("b")])
    node = score(scheme, {"U1": {"a": "0.001", "b": "0.001"}}).units[0].nodes["node"]
    assert lines_of(node) == [
        (pts("-0.499"), "a 权重50%：得 0.001/1 → 折合 0.001/0.5（-0.499）"),
        (pts("-0.499"), "b 权重50%：得 0.001/1 → 折合 0.001/0.5（-0.499）"),
        (pts("-0.001"), "折算尾差：各部分分别取整后合计与整体折算0.001分相差-0.001分"),
    ]
    assert node.score == pts("0.001")
    assert node.base + sum(line.amount for line in node.lines) == node.score


def test_a_product_node_shows_each_factor_and_what_it_cost():
    parts = [imported("ledger", title="党建工作台账完成率"), imported("business", title="经营绩效")]
    scheme = composed("product", "4", parts, [figure("ledger"), figure("business")])
    node = score(scheme, {"U1": {"ledger": 90, "business": 92}}).units[0].nodes["node"]
    # 4 × 0.9 = 3.6; 3.6 × 0.92 = 3.312
    assert lines_of(node) == [
        (pts("-0.4"), "乘以党建工作台账完成率系数 0.9（得 90/100）：4 → 3.6（-0.4）"),
        (pts("-0.288"), "乘以经营绩效系数 0.92（得 92/100）：3.6 → 3.312（-0.288）"),
    ]
    assert (node.base, node.score) == (pts("4"), pts("3.312"))


def test_product_factors_that_do_not_end_are_shown_approximately_and_still_add_up():
    parts = [imported("a", "3"), imported("b", "3")]
    scheme = composed("product", "1", parts, [figure("a"), figure("b")])
    node = score(scheme, {"U1": {"a": 1, "b": 1}}).units[0].nodes["node"]
    # 1 × 1/3 = 0.333…; × 1/3 = 0.111…: each step is the reference's rounding of the exact product
    assert lines_of(node) == [
        (pts("-0.667"), "乘以a系数 ≈0.3333（得 1/3）：1 → 0.333（-0.667）"),
        (pts("-0.222"), "乘以b系数 ≈0.3333（得 1/3）：0.333 → 0.111（-0.222）"),
    ]
    assert node.score == pts("0.111")


def test_the_explanation_counts_the_parts_once_at_their_weight_and_keeps_their_own_lines_apart():
    parts = [imported("leader", title="分管领导评价", weight="20%"), imported("team", weight="80%")]
    scheme = composed("weighted", "10", parts, [figure("leader"), figure("team")])
    result = score(scheme, {"U1": {"leader": 60, "team": 100}})
    unit = result.units[0]
    explanation = explain(result, "U1")
    assert sum(e.amount for e in explanation.entries) == unit.total == pts("9.2")
    losses = [(e.code, e.amount) for e in explanation.entries if e.amount < 0]
    assert losses == [("node", pts("-0.8"))]  # no huge "loss" from the parts' own scales
    assert {e.code for e in explanation.inner} == {"leader", "team"}
    assert [e.amount for e in explanation.inner] == [pts("60"), pts("100")]
    text = render_text(explanation)
    assert "-0.8  分管领导评价 权重20%：得 60/100 → 折合 1.2/2（-0.8）" in text
    assert "分管领导评价：60 / 100（按权重或系数计入上级，见上级各行）" in text
    data = to_json(explanation)
    assert [e["code"] for e in data["inner"]] == ["leader", "team"]
    assert sum(parse_points(e["amount"]) for e in data["entries"]) == unit.total
