"""The panel items of a scheme, and one assessor's score of an item, computed by the engine's own
rule from that assessor's values and the unit's other facts - the score the panel averages."""

from dataclasses import dataclass

from kaohe.cycles.facts import gather
from kaohe.cycles.models import Cycle, CycleUnit
from kaohe.engine.errors import FactError
from kaohe.engine.facts import Cell, Unit, Value, parse_plain_value
from kaohe.engine.facts import Cycle as EngineCycle
from kaohe.engine.reference import UnitFacts, evaluate_rule, rule_problems
from kaohe.engine.scheme import Node, Scheme


@dataclass(frozen=True)
class PanelItem:
    node: Node
    kinds: tuple[str, ...]  # the panel fact kinds its rule reads, in order


def panel_items(scheme: Scheme) -> dict[str, PanelItem]:
    reads = scheme.panel_reads()
    return {
        place.node.code: PanelItem(place.node, reads[place.node.code])
        for place in scheme.walk()
        if place.node.code in reads
    }


def assessor_item_score(cycle: Cycle, unit: CycleUnit, item: PanelItem, values: dict[str, Value]) -> int:
    """The item's score (thousandths) with this assessor's values; FactError says what is missing
    or out of the rule's bounds (a finding's points outside its range)."""
    scheme = cycle.scheme.scheme
    kinds = scheme.fact_kinds()
    assert item.node.rule is not None
    read = [r.code for r in item.node.rule.reads()]
    others = [code for code in read if code not in values]
    cells: dict[str, dict[str, Cell]] = {
        code: {unit.org.code: Cell(value, ())} for code, value in values.items()
    }
    if others:
        rows = {row.kind.code: row for row in gather(cycle, [unit]).table[unit.org.code]}
        for code in others:
            row = rows[code]
            if row.value is not None:
                value = parse_plain_value(kinds[code], row.value)
            elif kinds[code].default is not None:
                value = parse_plain_value(kinds[code], kinds[code].default)
            else:
                raise FactError([f"{kinds[code].title}：缺少此项事实"])
            cells[code] = {unit.org.code: Cell(value, ())}
    engine_unit = Unit(unit.org.code, unit.org.name, unit.group)
    facts = UnitFacts(engine_unit, EngineCycle([engine_unit], cells), kinds, lambda kind, group: 0)
    problems = rule_problems(item.node.rule, facts)
    if problems:
        raise FactError(problems)
    outcome = evaluate_rule(item.node.rule, item.node.points, facts)
    return outcome.base + sum(line.amount for line in outcome.lines)
