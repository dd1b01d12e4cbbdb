"""The `discipline.cases` fact: exact, name-free, constant in queries, and scored by the engine."""

import datetime
import json

import pytest

from kaohe.cycles import derived
from kaohe.cycles.derived import Span
from kaohe.discipline import actions
from kaohe.discipline.derive import CODE
from kaohe.discipline.models import Outcome
from kaohe.engine.facts import Fact, Unit, build_cycle
from kaohe.engine.reference import score_cycle
from kaohe.engine.text_form import load_scheme
from kaohe.orgs import actions as org_actions
from kaohe.orgs.models import OrgKind

pytestmark = pytest.mark.django_db
YEAR = Span(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


def _case(person, number, outcome, *, department="市纪委监委", day=datetime.date(2025, 5, 1), org=None):
    return actions.record_case(
        None,
        case_number=number,
        department=department,
        person=person,
        outcome=outcome,
        decided_on=day,
        org=org,
        summary=f"{person.name} 的案情",
    )


def _values(units, span=YEAR) -> dict[str, list]:
    out = derived.derive(CODE, units, span)
    return {unit.code: json.loads(out[unit.pk].value) for unit in units}


def test_it_is_registered():
    assert CODE in derived.known()


def test_each_unit_gets_the_cases_in_its_subtree_in_the_span(city, case_a, case_b):
    # Outside the span, and withdrawn: neither counts.
    _case(city.person_a, "JC-2024-99", Outcome.EXPULSION, day=datetime.date(2024, 12, 31))
    withdrawn = _case(city.person_a, "JC-2025-50", Outcome.PROBATION)
    actions.withdraw_case(None, withdrawn, reason="录入错误")
    # Counted against the enterprise itself: it is in EA's subtree, not in the branch's.
    _case(city.person_a, "JC-2025-08", Outcome.ADMONISHMENT, department="企业纪委", org=city.ent_a)
    values = _values([city.ent_a, city.ent_b, city.branch_a, city.root])
    warning = {"case": "JC-2025-07", "department": "市纪委监委", "outcome": "警告"}
    admonition = {"case": "JC-2025-08", "department": "企业纪委", "outcome": "诫勉"}
    reminder = {"case": "QY-2025-01", "department": "企业纪委", "outcome": "谈话提醒"}
    assert values == {
        "EA": [warning, admonition],  # by date
        "EB": [reminder],
        "EA-B1": [warning],
        "C": [warning, reminder, admonition],
    }


def test_a_unit_without_cases_gets_an_empty_list(city):
    out = derived.derive(CODE, [city.ent_a], YEAR)
    assert out[city.ent_a.pk].value == "[]"
    assert "违纪案件台账" in out[city.ent_a.pk].source


def test_two_people_in_one_case_are_two_entries(city, case_a):
    other = org_actions.create_person(None, org=city.branch_a, name="李四", gender="F")
    _case(other, "JC-2025-07", Outcome.ADMONISHMENT)
    assert [e["outcome"] for e in _values([city.ent_a])["EA"]] == ["警告", "诫勉"]


def test_the_fact_never_names_anyone(city, case_a, case_b):
    out = derived.derive(CODE, [city.ent_a, city.ent_b, city.root], YEAR)
    for value in out.values():
        text = value.value + value.source
        assert "张a" not in text and "张b" not in text
        assert "JC-2025-07" in text or "QY-2025-01" in text


def test_the_source_names_the_cases(city, case_a):
    source = derived.derive(CODE, [city.ent_a], YEAR)[city.ent_a.pk].source
    assert source == "违纪案件台账 2025-01-01—2025-12-31：JC-2025-07（市纪委监委）"


def _grow(city, n: int) -> list:
    units = []
    for i in range(n):
        branch = org_actions.create_org(
            None,
            code=f"EA-X{i}",
            name=f"支部{i}",
            kind=OrgKind.BRANCH,
            parent=city.ent_a,
            active_from=datetime.date(2020, 1, 1),
        )
        person = org_actions.create_person(None, org=branch, name=f"党员{i}", gender="M")
        _case(person, f"JC-2025-{i:03d}", Outcome.WARNING)
        units.append(branch)
    return units


def test_it_costs_one_query_for_any_number_of_units(city, django_assert_max_num_queries):
    units = _grow(city, 30)
    with django_assert_max_num_queries(1):
        few = derived.derive(CODE, units[:2], YEAR)
    with django_assert_max_num_queries(1):
        many = derived.derive(CODE, [*units, city.ent_a, city.ent_b], YEAR)
    assert few.keys() < many.keys()
    assert all(len(json.loads(many[u.pk].value)) == 1 for u in units)
    assert len(json.loads(many[city.ent_a.pk].value)) == 30


# ---- end to end through the engine ------------------------------------------------------------

SCHEME = """
code: discipline-test
title: 违纪扣分测试
year: 2025
version: 1
total_points: 10
facts:
  - code: discipline_cases
    title: 党员违纪违法案件
    type: cases
    options: [谈话提醒, 批评教育, 诫勉, 警告, 严重警告, 撤销党内职务, 留党察看, 开除党籍, 移送司法机关]
    default: []
    derive: discipline.cases
nodes:
  - code: integrity
    title: 党风廉政建设
    points: 10
    children:
      - code: integrity.cases
        title: 违纪违法案件
        points: 10
        rule:
          kind: discipline
          fact: discipline_cases
          schedule:
            - {outcome: 谈话提醒, deduct: 0}
            - {outcome: 批评教育, deduct: 0}
            - {outcome: 诫勉, deduct: 1}
            - {outcome: 警告, deduct: 3}
            - {outcome: 严重警告, deduct: 3}
            - {outcome: 撤销党内职务, deduct: 5}
            - {outcome: 留党察看, deduct: 5}
            - {outcome: 开除党籍, deduct: 5}
            - {outcome: 移送司法机关, deduct: 8}
grading:
  bands:
    - {grade: 合格, at_least: 0}
"""


def _score(units):
    scheme = load_scheme(SCHEME)
    values = derived.derive(CODE, units, YEAR)
    facts = [
        Fact(unit.code, "discipline_cases", values[unit.pk].value, values[unit.pk].source) for unit in units
    ]
    cycle = build_cycle(scheme, facts, [Unit(unit.code, unit.name) for unit in units])
    return {r.unit.code: r for r in score_cycle(scheme, cycle).units}


def test_the_same_case_and_department_deducts_once_through_the_engine(city, case_a):
    # A second person in JC-2025-07 at the same department: two rows, one deduction (the heaviest).
    other = org_actions.create_person(None, org=city.branch_a, name="李四", gender="F")
    _case(other, "JC-2025-07", Outcome.ADMONISHMENT)
    # The same case number at another department counts separately.
    _case(city.person_a, "JC-2025-07", Outcome.ADMONISHMENT, department="企业纪委")
    results = _score([city.ent_a, city.ent_b])
    assert len(json.loads(derived.derive(CODE, [city.ent_a], YEAR)[city.ent_a.pk].value)) == 3
    assert results["EA"].total == 6000  # 10 − 3 (警告, counted once) − 1 (诫勉 at 企业纪委)
    assert results["EB"].total == 10000
    lines = results["EA"].nodes["integrity.cases"].lines
    assert any("同一案件同一部门不累计" in line.text for line in lines)
    assert all("李四" not in line.text and "张a" not in line.text for line in lines)
