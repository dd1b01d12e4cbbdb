"""The 发展党员 step rules (recruitment.check) on dates made by hand: order, gaps, each time limit."""

import datetime

import pytest

from kaohe.ledgers import recruitment
from kaohe.ledgers.recruitment import STEPS, add_months, check, current_stage, next_step

D = datetime.date
LATER = D(2030, 1, 1)  # a "today" long after every date below

# A case done by the book: every step, in order, every limit kept (some on the limit's last day).
CLEAN = {
    "apply": D(2022, 1, 5),
    "talk": D(2022, 2, 5),  # the last day of the month allowed
    "activist": D(2022, 3, 1),
    "activist_filed": D(2022, 3, 10),
    "mentors": D(2022, 3, 8),  # same rank as 备案: either may come first
    "cultivation": D(2023, 2, 20),
    "candidate": D(2023, 3, 1),  # a year to the day after 确定入党积极分子
    "candidate_filed": D(2023, 3, 15),
    "introducers": D(2023, 4, 1),
    "political_review": D(2023, 4, 10),
    "training": D(2023, 4, 5),  # 政审 and 集中培训 run side by side
    "committee_review": D(2023, 5, 1),
    "pre_review": D(2023, 5, 10),
    "pledge_form": D(2023, 5, 20),
    "admission_meeting": D(2023, 6, 1),
    "approval_talk": D(2023, 6, 10),
    "admission_approval": D(2023, 9, 1),  # three months to the day
    "admission_filed": D(2023, 9, 10),
    "placement": D(2023, 9, 5),
    "oath": D(2023, 9, 2),
    "probation_review": D(2024, 5, 1),
    "confirmation_request": D(2024, 5, 15),
    "confirmation_meeting": D(2024, 6, 1),  # the 预备期 is over that day
    "confirmation_approval": D(2024, 7, 1),
    "archived": D(2024, 7, 15),
}


def first(n: int) -> dict[str, datetime.date]:
    """The clean case up to step n."""
    return {s.code: CLEAN[s.code] for s in STEPS[:n]}


def rules(violations) -> list[tuple[str, str, datetime.date]]:
    return [(v.rule, v.step, v.on) for v in violations]


def test_there_are_25_steps_in_five_stages_numbered_in_order():
    assert [s.number for s in STEPS] == list(range(1, 26))
    assert [s.stage for s in STEPS].count("admission") == 7
    assert len({s.code for s in STEPS}) == 25 and len(recruitment.STAGES) == 5
    assert [str(s.name) for s in STEPS[:3]] == ["递交入党申请书", "党组织派人谈话", "推荐和确定入党积极分子"]
    assert recruitment.step_label("confirmation_meeting") == "23. 支部大会讨论"


def test_a_case_done_by_the_book_breaks_nothing():
    assert check(CLEAN, today=LATER) == []
    for n in range(1, 26):
        assert check(first(n), today=first(n)[STEPS[n - 1].code]) == [], n


def test_a_step_dated_before_the_step_before_it_is_out_of_order():
    dates = first(3) | {"activist": D(2022, 1, 20)}  # before the talk of 2022-02-05
    [v] = check(dates, today=LATER)
    assert (v.rule, v.step, v.on) == ("order", "activist", D(2022, 1, 20))
    assert "早于前一环节“党组织派人谈话”（2022-02-05）" in v.reason


def test_one_mistyped_date_is_one_violation_not_one_per_later_step():
    dates = CLEAN | {"committee_review": D(2023, 12, 1)}  # typed for 2023-05-01
    assert rules(check(dates, today=LATER)) == [("order", "pre_review", D(2023, 5, 10))]


def test_steps_of_one_rank_may_come_in_any_order():
    dates = CLEAN | {"training": D(2023, 3, 20), "political_review": D(2023, 4, 20), "oath": D(2023, 9, 1)}
    assert check(dates, today=LATER) == []


def test_a_step_may_be_done_the_same_day_as_the_one_before():
    assert check(first(3) | {"activist": D(2022, 2, 5)}, today=LATER) == []


def test_a_missing_step_is_skipped_once_a_later_one_is_recorded():
    dates = dict(CLEAN)
    del dates["political_review"]
    [v] = check(dates, today=LATER)
    # Dated when the gap showed: the first later step done (支部委员会审查).
    assert (v.rule, v.step, v.on) == ("skipped", "political_review", D(2023, 5, 1))
    assert v.reason == "未记录“进行政治审查”，而后续环节“支部委员会审查”已于 2023-05-01 完成"


def test_a_missing_step_of_the_same_rank_as_the_last_one_is_not_yet_skipped():
    dates = first(4)  # 上级党委备案 done, 指定培养联系人 (same rank) still to come
    assert check(dates, today=D(2022, 3, 10)) == []
    assert rules(check(dates | {"cultivation": D(2023, 2, 20)}, today=LATER)) == [
        ("skipped", "mentors", D(2023, 2, 20))
    ]


def test_steps_not_yet_reached_are_not_violations():
    assert check({"apply": D(2024, 1, 10), "talk": D(2024, 1, 20)}, today=LATER) == []


# ---- the time limits ----------------------------------------------------------------------------


def test_the_talk_comes_within_a_month_of_the_application():
    apply = {"apply": D(2024, 1, 31)}  # one month on is 2024-02-29
    assert check(apply | {"talk": D(2024, 2, 29)}, today=LATER) == []
    [v] = check(apply | {"talk": D(2024, 3, 1)}, today=LATER)
    assert (v.rule, v.step, v.on) == ("talk_within", "talk", D(2024, 3, 1))
    assert "截至 2024-02-29" in v.reason and "实际为 2024-03-01" in v.reason and "细则第七条" in v.reason


def test_a_talk_still_missing_breaks_the_limit_the_day_after_the_deadline():
    apply = {"apply": D(2024, 1, 10)}
    assert check(apply, today=D(2024, 2, 10)) == []
    [v] = check(apply, today=D(2024, 2, 11))
    assert (v.rule, v.step, v.on) == ("talk_within", "talk", D(2024, 2, 11))
    assert "至今未记录" in v.reason


def test_a_case_that_ended_runs_no_deadline_after_its_end():
    apply = {"apply": D(2024, 1, 10)}
    assert check(apply, today=LATER, ended_on=D(2024, 2, 5)) == []
    assert rules(check(apply, today=LATER, ended_on=D(2024, 3, 1))) == [
        ("talk_within", "talk", D(2024, 2, 11))
    ]


def test_a_missing_talk_with_later_steps_is_one_gap_not_also_a_missed_deadline():
    dates = {"apply": D(2024, 1, 10), "activist": D(2024, 3, 1)}
    assert rules(check(dates, today=LATER)) == [("skipped", "talk", D(2024, 3, 1))]


def test_an_activist_is_cultivated_a_full_year_before_becoming_a_candidate():
    early = first(7) | {"cultivation": D(2023, 2, 1), "candidate": D(2023, 2, 28)}
    [v] = check(early, today=LATER)
    assert (v.rule, v.step, v.on) == ("cultivation_at_least", "candidate", D(2023, 2, 28))
    assert "须满1年" in v.reason and "最早 2023-03-01" in v.reason and "细则第十三条" in v.reason
    assert check(early | {"candidate": D(2023, 3, 1)}, today=LATER) == []


def test_the_committee_approves_within_three_months_of_the_branch_meeting():
    late = first(17) | {"admission_approval": D(2023, 9, 2)}
    assert rules(check(late, today=LATER)) == [
        ("admission_approval_within", "admission_approval", D(2023, 9, 2))
    ]
    waiting = first(16)
    assert check(waiting, today=D(2023, 9, 1)) == []
    assert rules(check(waiting, today=D(2023, 9, 2))) == [
        ("admission_approval_within", "admission_approval", D(2023, 9, 2))
    ]


def test_the_confirmation_meeting_comes_a_full_year_after_admission_not_earlier():
    early = first(23) | {"confirmation_meeting": D(2024, 5, 31)}
    [v] = check(early, today=D(2024, 6, 1))
    assert (v.rule, v.step, v.on) == ("probation_at_least", "confirmation_meeting", D(2024, 5, 31))
    assert "党章第七条" in v.reason


def test_the_confirmation_is_approved_within_three_months():
    dates = first(23) | {"confirmation_meeting": D(2024, 11, 30)}  # three months on: 2025-02-28
    assert check(dates | {"confirmation_approval": D(2025, 2, 28)}, today=LATER) == []
    assert rules(check(dates | {"confirmation_approval": D(2025, 3, 1)}, today=LATER)) == [
        ("confirmation_approval_within", "confirmation_approval", D(2025, 3, 1))
    ]
    assert rules(check(dates, today=D(2025, 3, 1))) == [
        ("confirmation_approval_within", "confirmation_approval", D(2025, 3, 1))
    ]


def test_violations_come_earliest_first():
    dates = {"apply": D(2024, 1, 10), "talk": D(2024, 3, 1), "activist": D(2024, 2, 20)}
    assert rules(check(dates, today=LATER)) == [
        ("talk_within", "talk", D(2024, 2, 11)),
        ("order", "activist", D(2024, 2, 20)),
    ]


def test_unknown_step_codes_are_ignored():
    assert check({"apply": D(2024, 1, 10), "talk": D(2024, 1, 11), "x": D(2000, 1, 1)}, today=LATER) == []


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 11, 30), 3, D(2025, 2, 28)),
        (D(2024, 10, 15), 3, D(2025, 1, 15)),
    ],
)
def test_months_are_counted_on_the_calendar(day, months, expected):
    assert add_months(day, months) == expected


def test_the_stage_is_the_furthest_step_recorded():
    assert current_stage({}) is None and next_step({}) == STEPS[0]
    dates = first(8)
    stage = current_stage(dates)
    assert stage is not None and stage.code == "candidate"
    assert next_step(dates) == STEPS[8]
    assert next_step(CLEAN) is None
