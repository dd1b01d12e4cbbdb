"""Every rule kind of DOMAIN.md §4, on the wording of real scoring tables (§5)."""

import pytest

from kaohe.engine.errors import FactError
from kaohe.engine.points import parse_points
from kaohe.engine.tests.builders import score_item

COUNT = {"type": "count"}


def kind(code, type_, **more):
    return {"code": code, "title": more.pop("title", code), "type": type_, **more}


def pts(text):
    return parse_points(text)


# -- quota of events -------------------------------------------------------------------------------

LECTURES = {"kind": "quota", "fact": "lectures", "required": 4, "amount": "0.5"}
LECTURE_FACTS = [kind("lectures", "count", title="党课次数")]


@pytest.mark.parametrize(("held", "score"), [(4, "2"), (5, "2"), (3, "1.5"), (1, "0.5"), (0, "0")])
def test_quota_party_lectures_four_a_year_each_missing_costs_half_a_point(held, score):
    # 党课一年4次，少一次扣0.5分
    node = score_item(LECTURES, LECTURE_FACTS, {"lectures": held}, points="2")
    assert node.score == pts(score)


def test_quota_explains_required_held_and_missing():
    node = score_item(LECTURES, LECTURE_FACTS, {"lectures": 3}, points="2")
    assert node.base == pts("2")
    [line] = node.lines
    assert line.amount == -pts("0.5")
    assert "应4次，实3次，少1次" in line.text
    assert line.facts[0].sources == ("记录/U1/lectures",)


def test_quota_floors_at_zero_when_the_losses_exceed_the_points():
    # 扣完为止: 12 missing committee meetings × 0.2 = 2.4 on a 2-point item
    rule = {"kind": "quota", "fact": "meetings", "required": 12, "amount": "0.2"}
    node = score_item(rule, [kind("meetings", "count")], {"meetings": 0}, points="2")
    assert node.score == 0
    assert [line.text for line in node.lines][-1] == "扣完为止"
    assert node.base + sum(line.amount for line in node.lines) == 0


# -- rate scaling ----------------------------------------------------------------------------------

ATTENDANCE = {"kind": "rate_steps", "fact": "attendance", "threshold": "90%", "step": "10%", "amount": 1}
ATTENDANCE_FACTS = [kind("attendance", "rate", title="出勤率")]


@pytest.mark.parametrize(
    ("rate", "score"),
    [("100%", "2"), ("90%", "2"), ("89.9%", "1"), ("85%", "1"), ("80%", "1"), ("79.9%", "0"), ("40%", "0")],
)
def test_rate_steps_below_90_percent_each_10_percent_lower_costs_a_point(rate, score):
    # 出勤率90%以下，每低10%扣1分; a part of a step counts as a step unless declared otherwise
    node = score_item(ATTENDANCE, ATTENDANCE_FACTS, {"attendance": rate}, points="2")
    assert node.score == pts(score)


@pytest.mark.parametrize(("partial", "score"), [("count", "1"), ("ignore", "2"), ("prorate", "1.5")])
def test_rate_steps_part_steps_as_declared(partial, score):
    node = score_item({**ATTENDANCE, "partial": partial}, ATTENDANCE_FACTS, {"attendance": "85%"}, points="2")
    assert node.score == pts(score)


def test_completion_ratio_scores_completion_over_target_capped_at_the_points():
    # 按完成值占目标值比重计分
    rule = {"kind": "completion_ratio", "fact": "trained", "target": 120}
    facts = [kind("trained", "figure")]
    assert score_item(rule, facts, {"trained": 90}, points="2").score == pts("1.5")
    over = score_item(rule, facts, {"trained": 150}, points="2")
    assert over.score == pts("2")
    assert "超过目标按目标计" in over.lines[0].text


def test_completion_ratio_with_a_target_fact_and_with_a_rate():
    rule = {"kind": "completion_ratio", "fact": "posts", "target_fact": "target"}
    facts = [kind("posts", "figure"), kind("target", "figure")]
    node = score_item(rule, facts, {"posts": 15, "target": 20}, points="3")
    assert node.score == pts("2.25")
    assert {u.kind for u in node.lines[0].facts} == {"posts", "target"}
    rate = score_item(
        {"kind": "completion_ratio", "fact": "done"}, [kind("done", "rate")], {"done": "92.2%"}, "3"
    )
    assert rate.score == pts("2.766")


def test_completion_ratio_refuses_a_zero_target_fact():
    rule = {"kind": "completion_ratio", "fact": "posts", "target_fact": "target"}
    with pytest.raises(FactError, match="unit U1, item 组织建设/三会一课: the target target is 0"):
        score_item(rule, [kind("posts", "figure"), kind("target", "figure")], {"posts": 1, "target": 0})


# -- per occurrence --------------------------------------------------------------------------------


def test_per_occurrence_each_member_each_time_costs_a_tenth():
    # 党费未按月足额缴纳，每人每次扣0.1分
    rule = {"kind": "per_occurrence", "charges": [{"fact": "dues", "amount": "0.1"}]}
    facts = [kind("dues", "count", title="党费未足额缴纳人次")]
    assert score_item(rule, facts, {"dues": 3}, points="1.5").score == pts("1.2")
    assert score_item(rule, facts, {"dues": 40}, points="1.5").score == 0


def test_per_occurrence_with_a_schedule_per_type():
    # 决策部署落实: 整改通知书 −0.3 per time; 督查通报 −0.5 per time
    rule = {
        "kind": "per_occurrence",
        "charges": [
            {"fact": "notices", "amount": "0.3", "label": "整改通知书"},
            {"fact": "bulletins", "amount": "0.5", "label": "督查通报"},
        ],
    }
    node = score_item(
        rule, [kind("notices", "count"), kind("bulletins", "count")], {"notices": 2, "bulletins": 1}, "4"
    )
    assert node.score == pts("2.9")
    assert [line.text for line in node.lines] == ["整改通知书2次，每次扣0.3分", "督查通报1次，每次扣0.5分"]


def test_per_occurrence_cap_limits_the_total_taken():
    # 每次扣0.5分，最多扣2分
    rule = {"kind": "per_occurrence", "cap": 2, "charges": [{"fact": "n", "amount": "0.5"}]}
    node = score_item(rule, [kind("n", "count")], {"n": 7}, points="4")
    assert node.score == pts("2")
    assert node.lines[-1].text == "本项最多扣2分"


def test_without_floor_a_direct_deduction_goes_below_zero():
    rule = {"kind": "per_occurrence", "floor": False, "charges": [{"fact": "n", "amount": "0.5"}]}
    data_points = "0"
    node = score_item(rule, [kind("n", "count")], {"n": 3}, points=data_points)
    assert node.score == -pts("1.5")


def test_per_occurrence_counts_the_entries_of_a_list_fact():
    rule = {"kind": "per_occurrence", "charges": [{"fact": "found", "amount": 1}]}
    facts = [kind("found", "findings")]
    node = score_item(rule, facts, {"found": [{"case": "A", "points": 1}, {"case": "B", "points": 1}]}, "5")
    assert node.score == pts("3")


# -- ranged judgment -------------------------------------------------------------------------------

SELECTION = {"kind": "ranged_deduction", "fact": "findings", "min_per_case": 1, "max_per_case": 2}
SELECTION_FACTS = [kind("findings", "findings", title="选人用人问题")]


def test_ranged_deduction_takes_what_the_assessor_picked_per_case():
    # 每例扣1-2分
    values = {
        "findings": [{"case": "XR-1", "points": "1.5", "note": "程序倒置"}, {"case": "XR-2", "points": 1}]
    }
    node = score_item(SELECTION, SELECTION_FACTS, values, points="3")
    assert node.score == pts("0.5")
    assert node.lines[0].text == "XR-1：程序倒置，扣1.5分（每例1-2分）"
    assert node.lines[0].facts[0].value == "XR-1 1.5"


def test_ranged_deduction_out_of_range_is_an_error_not_clamped():
    values = {"findings": [{"case": "XR-1", "points": "2.5"}, {"case": "XR-2", "points": "0.5"}]}
    with pytest.raises(FactError) as caught:
        score_item(SELECTION, SELECTION_FACTS, values, points="3")
    assert caught.value.problems == [
        "unit U1, item 组织建设/三会一课: case XR-1: 2.5 is outside the range 1-2",
        "unit U1, item 组织建设/三会一课: case XR-2: 0.5 is outside the range 1-2",
    ]


# -- zeroing ---------------------------------------------------------------------------------------

ELECTIONS = {"kind": "zeroing", "when": [{"fact": "overdue", "at_least": 1}]}


@pytest.mark.parametrize(("overdue", "score"), [(0, "2"), (1, "0"), (3, "0")])
def test_zeroing_one_case_and_the_item_scores_nothing(overdue, score):
    # 凡出现一例，本项不得分
    assert score_item(ELECTIONS, [kind("overdue", "count")], {"overdue": overdue}, "2").score == pts(score)


def test_zeroing_on_a_flag_then_otherwise_another_rule():
    # 未列支党建经费的本项不得分；专职党务人员每缺1人扣0.5分
    rule = {
        "kind": "zeroing",
        "when": [{"fact": "no_budget"}],
        "otherwise": {"kind": "per_occurrence", "charges": [{"fact": "short", "amount": "0.5"}]},
    }
    facts = [kind("no_budget", "flag", title="未列支党建经费"), kind("short", "count")]
    zeroed = score_item(rule, facts, {"no_budget": "是", "short": 1}, "2")
    assert zeroed.score == 0
    assert zeroed.lines[0].text == "未列支党建经费：是，本项不得分"
    assert score_item(rule, facts, {"no_budget": "否", "short": 1}, "2").score == pts("1.5")


def test_zeroing_on_a_rate_below_and_on_a_judgment():
    rate_rule = {"kind": "zeroing", "when": [{"fact": "rate", "below": "60%"}]}
    assert score_item(rate_rule, [kind("rate", "rate")], {"rate": "59.9%"}, "2").score == 0
    assert score_item(rate_rule, [kind("rate", "rate")], {"rate": "60%"}, "2").score == pts("2")
    judged = {"kind": "zeroing", "when": [{"fact": "j", "grades": ["较差"]}]}
    facts = [kind("j", "judgment", options=["好", "较差"])]
    assert score_item(judged, facts, {"j": "较差"}, "2").score == 0
    assert score_item(judged, facts, {"j": "好"}, "2").score == pts("2")


# -- count tiers -----------------------------------------------------------------------------------

ABSENCE = {
    "kind": "count_tiers",
    "fact": "absent",
    "tiers": [{"at_least": 1, "deduct": 3}, {"at_least": 2, "deduct": 5}, {"at_least": 3, "zero": True}],
}


@pytest.mark.parametrize(("absent", "score"), [(0, "8"), (1, "5"), (2, "3"), (3, "0"), (7, "0")])
def test_count_tiers_once_3_twice_5_three_times_nothing(absent, score):
    # 无故缺席一次扣3分，两次扣5分，三次及以上不得分
    assert score_item(ABSENCE, [kind("absent", "count")], {"absent": absent}, "8").score == pts(score)


# -- checklist -------------------------------------------------------------------------------------

MINUTES = {
    "kind": "checklist",
    "fact": "steps",
    "items": [
        {"option": "议程", "points": "0.5"},
        {"option": "决议", "points": 1},
        {"option": "记录", "points": "0.5"},
    ],
}
MINUTES_FACTS = [kind("steps", "checklist", options=["议程", "决议", "记录"])]


def test_checklist_agenda_half_resolution_one_minutes_half():
    # 议程0.5 + 决议1 + 记录0.5
    node = score_item(MINUTES, MINUTES_FACTS, {"steps": ["议程", "记录"]}, "2")
    assert node.score == pts("1")
    assert [line.text for line in node.lines] == [
        "议程：有，得0.5分",
        "决议：缺，该项1分不得",
        "记录：有，得0.5分",
    ]


def test_checklist_is_capped_at_the_item_points():
    # 议程1、决议1、记录1、落实1，本项最多3分
    rule = {
        "kind": "checklist",
        "fact": "steps",
        "items": [{"option": o, "points": 1} for o in ("议程", "决议", "记录", "落实")],
    }
    facts = [kind("steps", "checklist", options=["议程", "决议", "记录", "落实"])]
    node = score_item(rule, facts, {"steps": '["议程", "决议", "记录", "落实"]'}, "3")
    assert node.score == pts("3")
    assert node.lines[-1].text == "以本项分值3分为限"


# -- tiered judgment -------------------------------------------------------------------------------

JUDGED = {
    "kind": "tiered_judgment",
    "fact": "j",
    "tiers": [
        {"grade": "好", "points": 3},
        {"grade": "较好", "points": "2.5"},
        {"grade": "一般", "points": "1.5"},
        {"grade": "较差", "points": 0},
    ],
}


@pytest.mark.parametrize(("grade", "score"), [("好", "3"), ("较好", "2.5"), ("一般", "1.5"), ("较差", "0")])
def test_tiered_judgment_good_fair_ordinary_poor(grade, score):
    # 好X分、较好Y分、一般Z分、较差不得分
    facts = [kind("j", "judgment", options=["好", "较好", "一般", "较差"])]
    assert score_item(JUDGED, facts, {"j": grade}, "3").score == pts(score)


# -- bonus -----------------------------------------------------------------------------------------

AWARDS = {
    "kind": "bonus",
    "fact": "awards",
    "levels": [
        {"level": "国家级", "points": 3},
        {"level": "省级", "points": 2},
        {"level": "市级", "points": 1},
    ],
}
AWARD_FACTS = [kind("awards", "awards", options=["国家级", "省级", "市级"], default=[])]


def test_bonus_takes_the_highest_award_only():
    # 受表彰加1-3分，取最高级别不累计
    values = {"awards": [{"level": "市级", "title": "先进党组织"}, {"level": "省级", "title": "五星支部"}]}
    node = score_item(AWARDS, AWARD_FACTS, values, "3")
    assert node.score == pts("2")
    assert node.lines[0].text == "五星支部（省级），加2分"
    assert node.lines[-1].text == "另有1项表彰，取最高级别不累计"


def test_bonus_accumulating_is_capped_at_the_item():
    rule = {**AWARDS, "highest_only": False}
    values = {"awards": [{"level": "省级"}, {"level": "省级"}]}
    assert score_item(rule, AWARD_FACTS, values, "3").score == pts("3")
    assert score_item(rule, AWARD_FACTS, {}, "3").score == 0  # the kind's default: no awards


# -- discipline schedule ---------------------------------------------------------------------------

OUTCOMES = ["谈话提醒", "诫勉", "警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍", "移送司法机关"]
DISCIPLINE = {
    "kind": "discipline",
    "fact": "cases",
    "schedule": [
        {"outcome": "谈话提醒", "deduct": 0},
        {"outcome": "诫勉", "deduct": 1},
        {"outcome": "警告", "deduct": 3},
        {"outcome": "严重警告", "deduct": 3},
        {"outcome": "撤销党内职务", "deduct": 5},
        {"outcome": "留党察看", "deduct": 5},
        {"outcome": "开除党籍", "deduct": 5},
        {"outcome": "移送司法机关", "deduct": 8},
    ],
}
CASE_FACTS = [kind("cases", "cases", options=OUTCOMES, default=[])]
CASES = [
    {"case": "2026-01", "department": "机关纪委", "outcome": "警告"},
    {"case": "2026-01", "department": "机关纪委", "outcome": "诫勉"},  # same case, same department
    {"case": "2026-01", "department": "纪检监察组", "outcome": "诫勉"},  # same case, another department
    {"case": "2026-02", "department": "机关纪委", "outcome": "谈话提醒"},
]


def test_discipline_same_case_same_department_counts_once_at_its_heaviest():
    # 诫勉 −1; 警告 −3; ...; 同一案件同一部门不累计，不同部门分别扣分
    node = score_item(DISCIPLINE, CASE_FACTS, {"cases": CASES}, "10")
    assert node.score == pts(
        "6"
    )  # 10 − 3 (警告, the 诫勉 of the same case not added) − 1 (another department)
    first = node.lines[0]
    assert first.text == "案件2026-01（机关纪委）：警告，扣3分；同一案件同一部门不累计，另1条记录未计"
    assert len(first.facts) == 2


def test_discipline_without_dedup_counts_every_record():
    node = score_item({**DISCIPLINE, "dedup": False}, CASE_FACTS, {"cases": CASES}, "10")
    assert node.score == pts("5")


def test_discipline_cases_come_one_row_each_and_add_up():
    scheme_values = {"cases": '{"case": "2026-09", "department": "机关纪委", "outcome": "移送司法机关"}'}
    assert score_item(DISCIPLINE, CASE_FACTS, scheme_values, "5").score == 0


# -- imported score --------------------------------------------------------------------------------


def test_imported_platform_deductions_count_ten_times():
    # 平台扣分按10倍扣分
    rule = {"kind": "imported", "fact": "platform", "factor": 10, "mode": "deduct"}
    node = score_item(rule, [kind("platform", "figure")], {"platform": "0.15"}, "4")
    assert node.score == pts("2.5")
    assert node.lines[0].text == "platform0.15分，按10倍扣1.5分"


def test_imported_score_times_a_factor_rounds_half_up_once():
    rule = {"kind": "imported", "fact": "business", "factor": "0.5", "mode": "score"}
    # 0.125 × 0.5 = 0.0625 -> 0.063 (四舍五入 at the thousandth)
    assert score_item(rule, [kind("business", "figure")], {"business": "0.125"}, "5").score == 63
    assert score_item(rule, [kind("business", "figure")], {"business": 200}, "5").score == pts("5")
    assert score_item(rule, [kind("business", "figure")], {"business": -4}, "5").score == 0


def test_imported_deduction_refuses_a_negative_figure():
    rule = {"kind": "imported", "fact": "platform", "factor": 10, "mode": "deduct"}
    with pytest.raises(FactError, match="cannot be negative"):
        score_item(rule, [kind("platform", "figure")], {"platform": "-1"}, "4")


# -- ballot ----------------------------------------------------------------------------------------

BALLOT = {"kind": "ballot", "fact": "votes", "values": {"好": 100, "较好": 80, "一般": 60, "差": 40}}
BALLOT_FACTS = [kind("votes", "ballot", options=["好", "较好", "一般", "差"], title="民主测评")]


def test_ballot_mean_of_100_80_60_40_scaled_to_the_item():
    # 好100、较好80、一般60、差40 的平均
    node = score_item(BALLOT, BALLOT_FACTS, {"votes": {"好": 6, "较好": 3, "一般": 1}}, "10")
    assert node.score == pts("9")  # (600 + 240 + 60) / 10 = 90 of 100
    assert node.lines[0].text == "民主测评10票，平均90分（满分100），折合9分"


def test_ballot_rounds_once_at_the_end():
    node = score_item(BALLOT, BALLOT_FACTS, {"votes": {"好": 1, "较好": 1, "一般": 1}}, "7")
    assert node.score == 5600  # 7 × 80 / 100
    node = score_item(BALLOT, BALLOT_FACTS, {"votes": {"好": 2, "差": 1}}, "1")
    assert node.score == 800  # 1 × 240 / 300 = 0.8
    node = score_item(BALLOT, BALLOT_FACTS, {"votes": {"好": 1, "较好": 2}}, "1")
    assert node.score == 867  # 260 / 300 = 0.8666… -> 0.867
