"""What if: two scheme versions on the same facts agree with the reference for each version alone."""

import csv
import io

import pytest

from kaohe.engine import yaml_text
from kaohe.engine.commands import whatif as whatif_command
from kaohe.engine.errors import FactError
from kaohe.engine.facts import build_cycle, write_facts_csv, write_units_csv
from kaohe.engine.generate import random_facts, random_units
from kaohe.engine.points import parse_points
from kaohe.engine.reference import score_cycle
from kaohe.engine.text_form import default_scheme, dump_scheme
from kaohe.engine.validation import parse_scheme
from kaohe.engine.whatif import ADDED, CHANGED, REMOVED, compare, render_text


@pytest.fixture(scope="module")
def scheme():
    return default_scheme()


@pytest.fixture(scope="module")
def units():
    return random_units(40, seed=11)


@pytest.fixture(scope="module")
def facts(scheme, units):
    return random_facts(scheme, units, seed=11)


def modified(scheme, change):
    data = yaml_text.parse(dump_scheme(scheme))  # plain, mutable data
    change(data)
    return parse_scheme(data)


def node(data, code):
    stack = list(data["nodes"])
    while stack:
        item = stack.pop()
        if item["code"] == code:
            return item
        stack.extend(item.get("children", []))
    raise KeyError(code)


def heavier_first_topic(data):
    node(data, "political.first-topic")["rule"]["amount"] = "1"


def lower_good_band(data):
    data["grading"]["bands"][0]["at_least"] = "85"
    data["grading"]["bands"][1]["below"] = "85"


def split_first_topic(data):
    item = node(data, "political.first-topic")
    item["points"] = "1"
    parent = node(data, "political")
    parent["children"].append(
        {
            "code": "political.first-topic-notes",
            "title": "“第一议题”学习记录",
            "points": "1",
            "rule": {"kind": "quota", "fact": "first_topic_sessions", "required": 12, "amount": "0.1"},
        }
    )


def agrees_with_the_reference(whatif, old, new, facts, units):
    for scheme, side in ((old, "old"), (new, "new")):
        reference = score_cycle(scheme, build_cycle(scheme, facts, units))
        for unit in reference.units:
            change = whatif.unit(unit.unit.code)
            assert getattr(change, f"{side}_total") == unit.total
            assert getattr(change, f"{side}_grade") == unit.grade
            assert getattr(change, f"{side}_rank") == unit.rank


def test_a_scheme_compared_with_itself_shows_no_change(scheme, facts, units):
    whatif = compare(scheme, scheme, facts, units)
    assert not any(u.changed for u in whatif.units)
    assert whatif.scheme_changes == ()
    assert "无变化" in render_text(whatif)


def test_a_heavier_deduction_is_named_as_the_cause(scheme, facts, units):
    new = modified(scheme, heavier_first_topic)
    whatif = compare(scheme, new, facts, units)
    agrees_with_the_reference(whatif, scheme, new, facts, units)
    [definition] = whatif.scheme_changes
    assert (definition.code, definition.status, definition.fields) == (
        "political.first-topic",
        CHANGED,
        ("rule",),
    )
    hit = [u for u in whatif.units if u.delta]
    assert hit, "some unit missed first-topic sessions"
    for change in hit:
        codes = [n.code for n in change.nodes]
        assert "political.first-topic" in codes and "political" in codes
        assert set(codes) <= {"political.first-topic", "political"}
        first = next(n for n in change.nodes if n.code == "political.first-topic")
        assert first.delta == change.delta < 0
        assert abs(change.nodes[0].delta) >= abs(change.nodes[-1].delta)
    ordered = whatif.by_rank_shift()
    assert [abs(u.rank_shift) for u in ordered] == sorted((abs(u.rank_shift) for u in ordered), reverse=True)


def test_a_moved_band_boundary_changes_grades_only(scheme, facts, units):
    new = modified(scheme, lower_good_band)
    whatif = compare(scheme, new, facts, units)
    agrees_with_the_reference(whatif, scheme, new, facts, units)
    assert all(u.delta == 0 and u.nodes == () for u in whatif.units)
    for change in whatif.units:
        if change.old_grade != change.new_grade:
            assert (change.old_grade, change.new_grade) == ("较好", "好")
            assert parse_points(85) <= change.new_total < parse_points(90)


def test_an_added_node_is_named_as_added_and_removed_the_other_way(scheme, facts, units):
    new = modified(scheme, split_first_topic)
    whatif = compare(scheme, new, facts, units)
    agrees_with_the_reference(whatif, scheme, new, facts, units)
    statuses = {c.code: c.status for c in whatif.scheme_changes}
    assert statuses == {"political.first-topic-notes": ADDED, "political.first-topic": CHANGED}
    added = [n for u in whatif.units for n in u.nodes if n.code == "political.first-topic-notes"]
    assert added and all(n.status == ADDED and n.old is None and n.delta > 0 for n in added)
    back = compare(new, scheme, facts, units)
    removed = [n for u in back.units for n in u.nodes if n.code == "political.first-topic-notes"]
    assert removed and all(n.status == REMOVED and n.new is None for n in removed)


def test_facts_a_new_scheme_needs_are_named(scheme, facts, units):
    def needs_a_new_fact(data):
        data["facts"].append({"code": "study_reports", "title": "学习心得篇数", "type": "count"})
        node(data, "political.first-topic")["rule"] = {
            "kind": "quota",
            "fact": "study_reports",
            "required": 2,
            "amount": "0.5",
        }

    new = modified(scheme, needs_a_new_fact)
    with pytest.raises(FactError) as caught:
        compare(scheme, new, facts, units)
    text = "\n".join(caught.value.problems)
    assert "new scheme" in text and "study_reports (学习心得篇数)" in text

    def with_default(data):
        needs_a_new_fact(data)
        data["facts"][-1]["default"] = 0

    new = modified(scheme, with_default)
    whatif = compare(scheme, new, facts, units)
    agrees_with_the_reference(whatif, scheme, new, facts, units)


def test_whatif_command(tmp_path, scheme, facts, units):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    facts_csv, units_csv, changes = tmp_path / "F.csv", tmp_path / "U.csv", tmp_path / "C.csv"
    old.write_text(dump_scheme(scheme), encoding="utf-8")
    new.write_text(dump_scheme(modified(scheme, heavier_first_topic)), encoding="utf-8")
    facts_csv.write_text(write_facts_csv(facts), encoding="utf-8")
    units_csv.write_text(write_units_csv(units), encoding="utf-8")
    arguments = [str(old), str(new), str(facts_csv), "--units", str(units_csv)]

    out, err = io.StringIO(), io.StringIO()
    assert whatif_command.run([*arguments, "--out", str(changes)], out, err) == 0, err.getvalue()
    text = out.getvalue()
    assert "原总分" in text and "名次变化" in text and "political.first-topic" in text
    raw = changes.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert {r["unit"] for r in rows} == {u.code for u in units}
    assert any(r["node_code"] == "political.first-topic" for r in rows)

    hit = next(r["unit"] for r in rows if r["node_code"] == "political.first-topic")
    out = io.StringIO()
    assert whatif_command.run([*arguments, "--unit", hit], out, err) == 0
    assert "的节点变化" in out.getvalue() and "political.first-topic" in out.getvalue()

    err = io.StringIO()
    assert whatif_command.run([*arguments, "--unit", "NOPE"], io.StringIO(), err) == 1
    assert "unknown unit 'NOPE'" in err.getvalue()
    assert whatif_command.run([str(old)], io.StringIO(), io.StringIO()) == 2

    same = io.StringIO()
    assert whatif_command.run([str(old), str(old), str(facts_csv)], same, err) == 0
    assert "无变化" in same.getvalue()


def test_grading_changes_are_listed_and_explain_the_grades_they_change(scheme, facts, units):
    new = modified(scheme, lower_good_band)
    whatif = compare(scheme, new, facts, units)
    assert "等次区间 好：≥90 → ≥85" in whatif.grading_changes
    assert "等次区间 较好：≥80且<90 → ≥80且<85" in whatif.grading_changes
    moved = [u for u in whatif.units if u.old_grade != u.new_grade]
    assert moved, "some unit scored 85 to 90"
    for change in moved:
        assert change.changed
        assert any(r.startswith("等次区间调整：") and "好 ≥90 → ≥85" in r for r in change.reasons)
    ordered = whatif.by_rank_shift()
    assert all(u.changed for u in ordered[: len([u for u in ordered if u.changed])])
    text = render_text(whatif)
    assert "方案改动：" in text and "等次区间 好：≥90 → ≥85" in text and "等次区间调整" in text
    assert "无变化" not in text


def test_pay_quota_and_rank_outcome_changes_are_listed_and_named_per_unit(scheme, facts, units):
    def uses(data):
        data["uses"]["pay"]["好"] = "1.2"
        data["grading"]["quotas"][0]["at_most"] = "10%"

    new = modified(scheme, uses)
    whatif = compare(scheme, new, facts, units)
    assert "薪酬系数 好：1.1 → 1.2" in whatif.grading_changes
    assert (
        "等次名额 好：≤30%（向下取整，并列一并调整） → ≤10%（向下取整，并列一并调整）"
        in whatif.grading_changes
    )
    kept = [u for u in whatif.units if u.old_grade == u.new_grade == "好"]
    assert kept and all(u.changed and u.new_pay == parse_points("1.2") for u in kept)
    assert all("薪酬系数调整：“好” 1.1 → 1.2" in u.reasons for u in kept)
    demoted = [u for u in whatif.units if u.old_grade == "好" and u.new_grade != "好"]
    assert demoted, "the smaller quota demotes someone"
    assert all(any(r.startswith("等次名额调整：“好”") for r in u.reasons) for u in demoted)
    agrees_with_the_reference(whatif, scheme, new, facts, units)

    def outcomes(data):
        data["grading"]["rank_outcomes"][0]["top"] = 3

    whatif = compare(scheme, modified(scheme, outcomes), facts, units)
    assert "排名结果：前6名 通报表扬；后2名 约谈 → 前3名 通报表扬；后2名 约谈" in whatif.grading_changes
    lost = [u for u in whatif.units if u.old_actions != u.new_actions]
    assert lost and all(u.changed and u.reasons for u in lost)


def test_whatif_scores_with_the_fast_evaluator_not_the_reference(scheme, facts, units, monkeypatch):
    from kaohe.engine import whatif as whatif_module

    def reference(*_args, **_kwargs):
        raise AssertionError("what-if needs no explanations: the fast evaluator scores it")

    monkeypatch.setattr(whatif_module, "score_cycle", reference, raising=False)
    new = modified(scheme, heavier_first_topic)
    agrees_with_the_reference(compare(scheme, new, facts, units), scheme, new, facts, units)
