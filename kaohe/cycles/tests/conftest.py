"""A small published scheme and a city cycle over the two enterprises of the fixture city."""

import datetime

import pytest

from kaohe.cycles import actions
from kaohe.engine.text_form import load_scheme
from kaohe.measures import actions as measure_actions

SMALL_SCHEME = """
code: test-scheme
title: 测试评分细则
year: 2026
version: 1
total_points: 10
facts:
  - {code: lectures, title: 党课次数, type: count}
  - {code: judgment, title: 考核组评价, type: judgment, options: [好, 较好, 一般, 差]}
  - {code: criticisms, title: 通报批评次数, type: count, default: 0}
nodes:
  - code: lecture
    title: 党课
    points: 4
    rule: {kind: quota, fact: lectures, required: 4, amount: 1}
  - code: team
    title: 综合评价
    points: 6
    rule:
      kind: tiered_judgment
      fact: judgment
      tiers:
        - {grade: 好, points: 6}
        - {grade: 较好, points: 4}
        - {grade: 一般, points: 2}
        - {grade: 差, points: 0}
  - code: minus
    title: 直接扣分
    points: 0
    floor: false
    rule: {kind: per_occurrence, charges: [{fact: criticisms, amount: 0.5, label: 通报批评}], floor: false}
grading:
  bands:
    - {grade: 好, at_least: 9}
    - {grade: 较好, at_least: 7, below: 9}
    - {grade: 一般, at_least: 5, below: 7}
    - {grade: 差, below: 5}
"""


@pytest.fixture
def small_scheme(city):
    version = measure_actions.add_scheme_version(None, city.root, load_scheme(SMALL_SCHEME))
    return measure_actions.publish_scheme(None, version)


@pytest.fixture
def city_cycle(city, small_scheme):
    return actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name="2026年度党建考核",
        scheme=small_scheme,
        units=[actions.UnitSpec(city.ent_a, "竞争类"), actions.UnitSpec(city.ent_b, "竞争类")],
        targets_due=datetime.date(2026, 3, 31),
    )


def enter_all(cycle, city, a=("4", "好"), b=("3", "较好")):
    unit_a = cycle.units.get(org=city.ent_a)
    unit_b = cycle.units.get(org=city.ent_b)
    for unit, (lectures, judgment) in ((unit_a, a), (unit_b, b)):
        actions.set_fact(None, cycle, unit, "lectures", lectures, "党课台账")
        actions.set_fact(None, cycle, unit, "judgment", judgment, "考核组")
    return unit_a, unit_b


def advance(cycle, to):
    """Move a cycle forward phase by phase until it reaches `to`."""
    from kaohe.cycles.models import STATE_ORDER

    while cycle.state != to:
        cycle = actions.advance_cycle(None, cycle, STATE_ORDER[cycle.state_index + 1])
    return cycle
