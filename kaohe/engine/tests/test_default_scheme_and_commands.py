"""The built-in 2026 scheme: valid, complete, and scored end to end through the command functions."""

import csv
import io
import json

import pytest

from kaohe.engine import rules
from kaohe.engine.commands import explain as explain_command
from kaohe.engine.commands import scheme as scheme_command
from kaohe.engine.commands import score as score_command
from kaohe.engine.explain import explain, explain_unit, render_text, to_json
from kaohe.engine.facts import build_cycle
from kaohe.engine.generate import random_facts, random_units
from kaohe.engine.points import parse_points
from kaohe.engine.reference import score_cycle
from kaohe.engine.text_form import default_scheme, default_scheme_text


@pytest.fixture(scope="module")
def scheme():
    return default_scheme()


@pytest.fixture(scope="module")
def cycle(scheme):
    units = random_units(60, seed=7)
    return build_cycle(scheme, random_facts(scheme, units, seed=7), units)


def test_the_default_scheme_is_a_complete_100_point_scheme(scheme):
    places = list(scheme.walk())
    items = [p for p in places if not p.node.children and p.category == "basic"]
    assert (scheme.year, scheme.total_points) == (2026, parse_points(100))
    assert len([n for n in scheme.nodes if (n.category or "basic") == "basic" and n.points]) == 8
    assert 40 <= len(items) <= 60
    assert any(p.category == "bonus" for p in places)
    assert sum(1 for p in places if p.node.veto is not None) >= 5
    assert scheme.grading.grades() == ["好", "较好", "一般", "差"]


def test_every_scoring_item_and_veto_of_the_default_scheme_has_its_scoring_wording(scheme):
    nodes = [p.node for p in scheme.walk() if p.node.rule is not None or p.node.veto is not None]
    assert len(nodes) > 50
    assert [n.code for n in nodes if not n.scoring.strip()] == []


def test_the_default_scheme_uses_every_rule_kind_and_composition(scheme):
    used = set()

    def collect(rule):
        used.add(type(rule))
        if isinstance(rule, rules.Zeroing) and rule.otherwise is not None:
            collect(rule.otherwise)

    for place in scheme.walk():
        if place.node.rule is not None:
            collect(place.node.rule)
    assert {t.__name__ for t in rules.Rule.__args__[0].__args__} == {t.__name__ for t in used}  # type: ignore[attr-defined]
    assert len(used) == len(rules.RULE_KINDS)
    composes = {p.node.compose for p in scheme.walk() if p.node.children}
    assert composes == {"sum", "weighted", "product"}
    vetoes = [p.node.veto for p in scheme.walk() if p.node.veto is not None]
    assert {"force", "cap", "no_awards"} <= {
        a for v in vetoes for a in ("force", "cap", "no_awards") if getattr(v, a) not in (None, False)
    }
    assert [t.include_bonus for t in scheme.uses.totals] == [True, False]


def test_explanations_sum_exactly_to_the_totals(scheme, cycle):
    result = score_cycle(scheme, cycle)
    for unit in result.units:
        explanation = explain(result, unit.unit.code)
        assert sum(e.amount for e in explanation.entries) == unit.total
        for node in unit.nodes.values():
            children = sum(unit.nodes[c].score for c in node.children) if node.counted_children else 0
            assert node.base + children + sum(line.amount for line in node.lines) == node.score


def test_a_generated_cycle_reaches_every_grade_and_every_kind_of_veto(scheme):
    units = random_units(300, seed=3)
    result = score_cycle(scheme, build_cycle(scheme, random_facts(scheme, units, seed=3), units))
    assert {u.grade for u in result.units} == {"好", "较好", "一般", "差"}
    kinds = {s.kind for u in result.units for s in u.steps}
    assert {"band", "force", "cap", "no_awards"} <= kinds
    for group in {u.unit.group for u in result.units}:
        members = [u for u in result.units if u.unit.group == group]
        assert sum(u.grade == "好" for u in members) <= len(members) * 30 // 100


def test_explain_text_shows_items_losses_facts_sources_and_the_grade(scheme, cycle):
    unit = cycle.units[0].code
    text = render_text(explain_unit(scheme, cycle, unit))
    assert f"单位：{unit}" in text
    assert "党课：" in text
    assert "依据：" in text and "来源：生成/" in text
    assert "等次：" in text and "排名：本组" in text
    data = to_json(explain_unit(scheme, cycle, unit))
    total = sum(parse_points(e["amount"]) for e in data["entries"])
    assert total == parse_points(data["total"])


def test_evaluation_is_deterministic(scheme, cycle):
    first = score_cycle(scheme, cycle)
    second = score_cycle(scheme, cycle)
    assert [(u.total, u.grade, u.rank, u.actions) for u in first.units] == [
        (u.total, u.grade, u.rank, u.actions) for u in second.units
    ]


# -- the commands ----------------------------------------------------------------------------------


def run(command, argv):
    out, err = io.StringIO(), io.StringIO()
    status = command.run(argv, out, err)
    return status, out.getvalue(), err.getvalue()


def test_scheme_check_default_facts_score_and_explain_end_to_end(tmp_path):
    scheme_path, facts_path, units_path, results_path = (
        tmp_path / name for name in ("S.yaml", "F.csv", "U.csv", "R.csv")
    )
    assert run(scheme_command, ["default", "--out", str(scheme_path)])[0] == 0
    assert scheme_path.read_text(encoding="utf-8") == default_scheme_text()

    status, out, _ = run(scheme_command, ["check", str(scheme_path)])
    assert status == 0
    assert "valid" in out and "48 scoring items" in out

    argv = ["facts", str(scheme_path), "--units", "25", "--seed", "5", "--out", str(facts_path)]
    assert run(scheme_command, [*argv, "--units-out", str(units_path)])[0] == 0

    status, out, err = run(
        score_command,
        [str(scheme_path), str(facts_path), "--units", str(units_path), "--out", str(results_path)],
    )
    assert (status, err) == (0, "")
    assert out.startswith("25 units scored with soe-party-building v1")
    rows = list(csv.DictReader(io.StringIO(results_path.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 25
    assert {
        "unit",
        "total",
        "grade",
        "rank",
        "pay",
        "economic-responsibility",
        "organization.meetings.lecture",
    } <= set(rows[0])
    for row in rows:
        assert parse_points(row["total"]) == parse_points(row["basic"]) + parse_points(row["bonus"])

    status, out, err = run(
        explain_command, [str(scheme_path), str(facts_path), "U03", "--units", str(units_path)]
    )
    assert (status, err) == (0, "")
    assert "单位：U03 第3单位" in out
    status, out, _ = run(explain_command, [str(scheme_path), str(facts_path), "U03", "--json"])
    assert json.loads(out)["unit"]["code"] == "U03"


def test_commands_report_bad_input_with_status_1_and_bad_usage_with_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(default_scheme_text().replace("points: 15", "points: 16", 1), encoding="utf-8")
    status, _, err = run(scheme_command, ["check", str(bad)])
    assert status == 1
    assert f"{bad}: 党的政治建设: children's points 15 fall short of the node's 16 (line " in err
    assert f"{bad}: scheme: first-level basic points add up to 101, not the total of 100" in err

    facts = tmp_path / "F.csv"
    facts.write_text("unit,kind,value,source\nU1,party_lectures,-2,平台\n", encoding="utf-8")
    status, _, err = run(score_command, [str(bad).replace("bad", "missing"), str(facts)])
    assert status == 1 and "No such file" in err
    good = tmp_path / "S.yaml"
    good.write_text(default_scheme_text(), encoding="utf-8")
    status, _, err = run(score_command, [str(good), str(facts)])
    assert status == 1
    assert (
        err.splitlines()[0]
        == f"{facts}: row 2 (unit U1, kind party_lectures): a count cannot be negative, got '-2'"
    )

    status, _, err = run(explain_command, [str(good)])
    assert status == 2 and "the following arguments are required" in err
    status, _, err = run(scheme_command, ["facts", str(good), "--units", "0"])
    assert status == 2


def test_csv_problems_name_the_file_they_are_in_once(tmp_path):
    good = tmp_path / "S.yaml"
    good.write_text(default_scheme_text(), encoding="utf-8")
    facts = tmp_path / "F.csv"
    facts.write_text("unit,kind,value,source\nU1,party_lectures,4,平台\n", encoding="utf-8")
    units = tmp_path / "U.csv"
    units.write_text("unit,name\nU1,甲\nU1,乙\n", encoding="utf-8")
    status, _, err = run(score_command, [str(good), str(facts), "--units", str(units)])
    assert status == 1
    assert err.splitlines() == [f"{units}: row 3: unit 'U1' is listed twice; the first is at row 2"]

    gbk = tmp_path / "c5.csv"
    gbk.write_bytes("unit,kind,value,source\nU1,party_lectures,4,智慧党建平台\n".encode("gbk"))
    status, _, err = run(score_command, [str(good), str(gbk)])
    assert status == 1
    (line,) = err.splitlines()
    assert line.startswith(f"{gbk}: not UTF-8 text")
    assert line.count("c5.csv") == 1
    assert "CSV UTF-8（逗号分隔）" in line
