"""The what-if of a draft scoring table: last cycle's facts, as its current run kept them, scored
with the cycle's own scheme and with the draft (the engine's compare), so a proposal's effect on
each enterprise's total, grade and rank is seen before it is adopted."""

from kaohe.cycles.models import Cycle, CycleState
from kaohe.engine.errors import FactError
from kaohe.engine.facts import read_facts_csv, read_units_csv
from kaohe.engine.whatif import WhatIf, compare
from kaohe.measures.models import SchemeVersion
from kaohe.orgs.models import OrgUnit


def last_cycle(organiser: OrgUnit, *, published: bool = False) -> Cycle | None:
    """The organiser's latest cycle that has results (that were published, when `published`:
    what everyone invited may see, since the 通报 listed every unit's grade and rank)."""
    cycles = Cycle.objects.filter(owner=organiser, current_run__isnull=False)
    if published:
        cycles = cycles.filter(state__in=[CycleState.PUBLISHED, CycleState.CLOSED])
    return cycles.select_related("scheme", "current_run").order_by("-year", "-created_at").first()


def leaf_causes(result: WhatIf, top: int = 3) -> list[dict]:
    """Each unit with the items (leaves of the table) that changed its total most: a category and
    its indicator move with their items, so only the items say why."""
    leaves = {p.node.code for s in (result.old, result.new) for p in s.walk() if not p.node.children}
    return [
        {"unit": u, "causes": [n for n in u.nodes if n.code in leaves][:top]} for u in result.by_rank_shift()
    ]


def what_if(cycle: Cycle, draft: SchemeVersion) -> tuple[WhatIf | None, list[str]]:
    """(the comparison, []) or (None, the problems: fact kinds the draft reads that the cycle's
    facts lack, and so on)."""
    run = cycle.current_run
    assert run is not None
    try:
        return compare(
            cycle.scheme.scheme, draft.scheme, read_facts_csv(run.facts_csv), read_units_csv(run.units_csv)
        ), []
    except FactError as error:
        return None, list(error.problems)
