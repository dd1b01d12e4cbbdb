"""Facts: typed per kind, read from CSV, and every bad one named by its row, unit and kind."""

from typing import Any

import pytest

from kaohe.engine.errors import FactError
from kaohe.engine.facts import (
    Case,
    Fact,
    Unit,
    build_cycle,
    cycle_facts,
    read_facts_csv,
    read_units_csv,
    write_facts_csv,
)
from kaohe.engine.tests.builders import item, scheme_data
from kaohe.engine.validation import parse_scheme

FACT_KINDS: list[dict[str, Any]] = [
    {"code": "lectures", "title": "党课次数", "type": "count"},
    {"code": "attendance", "title": "出勤率", "type": "rate"},
    {"code": "missing_charter", "title": "未写入章程", "type": "flag", "default": False},
    {"code": "cases", "title": "违纪案件", "type": "cases", "options": ["诫勉", "警告"], "default": []},
    {"code": "votes", "title": "民主测评", "type": "ballot", "options": ["好", "较好", "一般", "差"]},
    {"code": "judgment", "title": "评价", "type": "judgment", "options": ["好", "一般"]},
    {"code": "platform", "title": "平台扣分", "type": "figure", "default": 0},
    {"code": "steps", "title": "程序", "type": "checklist", "options": ["议程", "决议"]},
]
ITEMS = [
    item({"kind": "quota", "fact": "lectures", "required": 4, "amount": "0.5"}, "1", "a", "党课"),
    item(
        {"kind": "rate_steps", "fact": "attendance", "threshold": "90%", "step": "10%", "amount": 1},
        "1",
        "b",
        "出勤",
    ),
    item({"kind": "zeroing", "when": [{"fact": "missing_charter"}]}, "1", "c", "章程"),
    item(
        {
            "kind": "discipline",
            "fact": "cases",
            "schedule": [{"outcome": "诫勉", "deduct": 1}, {"outcome": "警告", "deduct": 3}],
        },
        "1",
        "d",
        "案件",
    ),
    item(
        {"kind": "ballot", "fact": "votes", "values": {"好": 100, "较好": 80, "一般": 60, "差": 40}},
        "1",
        "e",
        "测评",
    ),
    item(
        {
            "kind": "tiered_judgment",
            "fact": "judgment",
            "tiers": [{"grade": "好", "points": 1}, {"grade": "一般", "points": 0}],
        },
        "1",
        "f",
        "评价",
    ),
    item({"kind": "imported", "fact": "platform", "factor": 10, "mode": "deduct"}, "1", "g", "平台"),
    item(
        {
            "kind": "checklist",
            "fact": "steps",
            "items": [{"option": "议程", "points": "0.5"}, {"option": "决议", "points": "0.5"}],
        },
        "1",
        "h",
        "程序",
    ),
]
SCHEME = parse_scheme(scheme_data(ITEMS, FACT_KINDS, points="8"))

GOOD_CSV = """unit,kind,value,source
U1,lectures,4,平台/党课
U1,attendance,92.5%,平台/出勤
U1,cases,"{""case"": ""2026-01"", ""department"": ""纪委"", ""outcome"": ""诫勉""}",纪委台账第3行
U1,cases,"{""case"": ""2026-02"", ""department"": ""纪委"", ""outcome"": ""警告""}",纪委台账第7行
U1,votes,"{""好"": 30, ""较好"": 5}",测评票
U1,judgment,好,考核组
U1,steps,"[""议程""]",决策台账
U2,lectures,3,平台/党课
U2,attendance,0.8,平台/出勤
U2,missing_charter,是,章程
U2,votes,"{""一般"": 1}",测评票
U2,judgment,一般,考核组
U2,platform,0.05,平台
U2,steps,[],决策台账
"""


def test_it_reads_facts_from_csv_with_json_for_complex_values():
    cycle = build_cycle(SCHEME, read_facts_csv(GOOD_CSV))
    assert [u.code for u in cycle.units] == ["U1", "U2"]
    assert cycle.cell("U1", "attendance").value == 925_000
    assert cycle.cell("U2", "missing_charter").value is True
    assert cycle.cell("U1", "missing_charter").value is False  # the kind's default
    assert cycle.cell("U1", "cases").value == (
        Case("2026-01", "纪委", "诫勉", "纪委台账第3行"),
        Case("2026-02", "纪委", "警告", "纪委台账第7行"),
    )
    assert cycle.cell("U1", "votes").value == {"好": 30, "较好": 5, "一般": 0, "差": 0}
    assert cycle.cell("U2", "platform").value == 50
    assert cycle.cell("U2", "steps").value == frozenset()
    assert [c.value for c in cycle.column("lectures")] == [4, 3]


def test_facts_written_and_read_back_give_the_same_cycle():
    cycle = build_cycle(SCHEME, read_facts_csv(GOOD_CSV))
    again = build_cycle(SCHEME, read_facts_csv(write_facts_csv(cycle_facts(cycle, SCHEME))))

    def values(c):
        return {kind: {unit: cell.value for unit, cell in cells.items()} for kind, cells in c.columns.items()}

    assert values(again) == values(cycle)
    cases = again.cell("U1", "cases").value
    assert isinstance(cases, tuple)
    assert cases[1].source == "纪委台账第7行"


@pytest.mark.parametrize(
    ("kind", "value", "says"),
    [
        ("lectures", "-1", "a count cannot be negative, got '-1'"),
        ("lectures", "2.5", "a count must be a whole number, got '2.5'"),
        ("lectures", "NaN", "a count must be a whole number ≥ 0, got 'NaN'"),
        ("lectures", "", "a count must be a whole number ≥ 0, got ''"),
        ("attendance", "120%", "rate cannot be above 100%: '120%'"),
        ("attendance", "1.01", "rate cannot be above 100%: '1.01'"),
        ("attendance", "nan", "rate must be a number, got NaN"),
        ("attendance", "-0.1", "rate cannot be negative: '-0.1'"),
        ("missing_charter", "也许", "a flag is 是 or 否, got '也许'"),
        ("judgment", "较好", "a judgment must be one of 好, 一般; got '较好'"),
        ("platform", "inf", "figure must be finite, got 'inf'"),
        ("votes", "{}", "a ballot with no votes"),
        ("votes", '{"优": 3}', "a ballot option must be one of 好, 较好, 一般, 差; got '优'"),
        ("votes", '{"好": -3}', "a count cannot be negative, got -3"),
        (
            "cases",
            '{"case": "X", "department": "纪委", "outcome": "罚款"}',
            "a case's outcome must be one of 诫勉, 警告",
        ),
        ("cases", '{"case": "X", "outcome": "诫勉"}', "an entry needs 'department'"),
        ("cases", '{"case": "X", ', "value is not valid JSON"),
        ("steps", '["议程", "签字"]', "a checklist item must be one of 议程, 决议; got '签字'"),
    ],
)
def test_a_bad_fact_is_named_by_row_unit_and_kind(kind, value, says):
    facts = [Fact("U1", kind, value, row=7)]
    with pytest.raises(FactError) as caught:
        build_cycle(SCHEME, facts)
    assert caught.value.problems[0].startswith(f"row 7 (unit U1, kind {kind}): {says}")


def test_unknown_unit_and_kind_and_missing_facts_are_all_reported():
    facts = [
        Fact("U1", "lectures", "4", row=2),
        Fact("U9", "lectures", "4", row=3),
        Fact("U1", "sermons", "1", row=4),
        Fact("U1", "lectures", "5", row=5),
    ]
    with pytest.raises(FactError) as caught:
        build_cycle(SCHEME, facts, [Unit("U1")])
    assert caught.value.problems == [
        "row 3 (unit U9, kind lectures): unknown unit 'U9'",
        "row 4 (unit U1, kind sermons): unknown fact kind 'sermons'",
        "row 5 (unit U1, kind lectures): a second value; the first is at row 2",
        "unit U1, kind attendance: no fact, and the kind has no default",
        "unit U1, kind votes: no fact, and the kind has no default",
        "unit U1, kind judgment: no fact, and the kind has no default",
        "unit U1, kind steps: no fact, and the kind has no default",
    ]


def test_csv_problems_name_the_row_as_a_spreadsheet_shows_it():
    with pytest.raises(FactError, match="row 1: missing column"):
        read_facts_csv("unit,kind\nU1,lectures\n")
    rows = read_facts_csv('unit,kind,value\nU1,lectures,"4"\n\nU1,attendance,"9\n0%"\n')
    assert [(f.row, f.source) for f in rows] == [(2, ""), (4, "")]
    with pytest.raises(FactError, match="row 2: 5 cells for 3 columns"):
        read_facts_csv("unit,kind,value\nU1,lectures,4,x,y\n")


def test_units_csv_gives_names_and_peer_groups():
    units = read_units_csv("\ufeffunit,name,group\nE1,明澜能源集团,竞争类\nE2,明澜水务,功能类\n")
    assert units == [Unit("E1", "明澜能源集团", "竞争类"), Unit("E2", "明澜水务", "功能类")]


def test_a_huge_broken_file_reports_a_bounded_number_of_problems():
    facts = [Fact(f"U{n}", "lectures", "-1", row=n) for n in range(1000)]
    with pytest.raises(FactError) as caught:
        build_cycle(SCHEME, facts)
    assert len(caught.value.problems) == 201
    assert caught.value.problems[-1].startswith("... and ")


@pytest.mark.parametrize("kind", ["steps", "cases", "lectures", "attendance", "judgment", "votes"])
@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_value_is_an_error_for_every_kind_and_reported_once(kind, blank):
    facts = [Fact("U9", kind, blank, "x", row=3)]
    with pytest.raises(FactError) as caught:
        build_cycle(SCHEME, facts)
    mine = [p for p in caught.value.problems if f"kind {kind}" in p]
    assert len(mine) == 1
    assert mine[0].startswith(f"row 3 (unit U9, kind {kind}): ")


def test_a_blank_checklist_says_how_to_write_none():
    with pytest.raises(FactError) as caught:
        build_cycle(SCHEME, [Fact("U9", "steps", "", "x", row=3)])
    assert (
        "row 3 (unit U9, kind steps): a blank value; a checklist value with nothing in it is written []"
        in (caught.value.problems)
    )


def test_units_listed_twice_are_named_by_their_rows_in_the_units_file():
    with pytest.raises(FactError) as caught:
        read_units_csv("unit,name\nE1,甲\nE2,乙\nE1,丙\n")
    assert caught.value.problems == ["row 4: unit 'E1' is listed twice; the first is at row 2"]
