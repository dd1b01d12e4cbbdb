"""The demo city's assessment: last year's cycle (closed) and this year's (in assessment).

Both score the 24 enterprises with the default scheme (a 2025 and a 2026 version): facts the
ledgers and the discipline cases give are derived, the rest are plausible values entered for each
enterprise, as a committee would from the platform's exports and the assessors' sheets.
"""

import datetime
import random
from itertools import chain
from typing import Any

from django.db import transaction

from kaohe.accounts.models import User
from kaohe.audit.actions import record
from kaohe.cycles import actions
from kaohe.cycles.actions import scoring
from kaohe.cycles.models import (
    STATE_ORDER,
    AssessorEntry,
    Cycle,
    CycleState,
    CycleUnit,
    FactEntry,
    PanelMember,
)
from kaohe.discipline.models import DisciplineCase, Outcome
from kaohe.engine.fact_kinds import LIST_TYPES
from kaohe.engine.facts import PanelValues, Unit, parse_value, to_text
from kaohe.engine.generate import random_facts
from kaohe.engine.scheme import Scheme
from kaohe.engine.text_form import default_scheme
from kaohe.ledgers.demo import build_ledgers
from kaohe.measures.actions import add_scheme_version, publish_scheme
from kaohe.measures.models import SchemeVersion
from kaohe.orgs.models import OrgKind, OrgUnit, Person

# 竞争类 / 功能类: the peer groups SOEs are ranked in (a fixed share of the city's enterprises).
GROUPS = ("竞争类", "竞争类", "功能类")
CASE_OUTCOMES = [
    Outcome.TALK_REMINDER,
    Outcome.CRITICISM,
    Outcome.ADMONISHMENT,
    Outcome.WARNING,
    Outcome.SERIOUS_WARNING,
]


def _versions(root: OrgUnit) -> tuple[SchemeVersion, SchemeVersion]:
    current = default_scheme()
    last: Scheme = current.model_copy(
        update={
            "year": current.year - 1,
            "title": current.title.replace(str(current.year), str(current.year - 1)),
        }
    )
    this: Scheme = current.model_copy(update={"version": current.version + 1})
    return (
        publish_scheme(None, add_scheme_version(None, root, last)),
        publish_scheme(None, add_scheme_version(None, root, this)),
    )


def _cases(seed: int, years: list[int]) -> int:
    rng = random.Random(seed)
    people = list(Person.objects.filter(left_on__isnull=True).select_related("org").order_by("pk")[:4000])
    cases = []
    for year in years:
        for number in range(1, 13):
            person = rng.choice(people)
            cases.append(
                DisciplineCase(
                    case_number=f"JC-{year}-{number:03d}",
                    department=rng.choice(("市纪委监委", "派驻纪检监察组", "企业纪委")),
                    person=person,
                    org=person.org,
                    outcome=rng.choices(CASE_OUTCOMES, weights=(5, 4, 3, 2, 1))[0],
                    decided_on=datetime.date(year, rng.randint(1, 10), rng.randint(1, 28)),
                    summary="（演示数据）",
                )
            )
    DisciplineCase.objects.bulk_create(cases)
    return len(cases)


def _enter_facts(cycle: Cycle, seed: int) -> None:
    """The facts no record gives, for every unit, as the engine's generator draws them."""
    scheme = cycle.scheme.scheme
    units = {u.org.code: u for u in cycle.units.select_related("org")}
    kinds = {k.code: k for k in scheme.facts if not k.derive}  # panel kinds: the assessors' values
    engine_units = [Unit(code, u.org.name, u.group) for code, u in units.items()]
    values: dict[tuple[str, str], list] = {}
    for fact in random_facts(scheme, engine_units, seed=seed):
        if fact.kind in kinds:
            values.setdefault((fact.unit, fact.kind), []).append(parse_value(kinds[fact.kind], fact.value))
    rows, panel_draws = [], {}
    for (code, kind), parsed in values.items():
        if kinds[kind].panel:
            panel_draws[(code, kind)] = parsed
            continue
        # A list kind (awards) may be drawn as several rows: the entry holds them as one list.
        value = tuple(chain.from_iterable(parsed)) if kinds[kind].type in LIST_TYPES else parsed[-1]
        text = to_text(kinds[kind], value)
        rows.append(
            FactEntry(cycle=cycle, unit=units[code], kind=kind, value=text, source=kinds[kind].source)
        )
    FactEntry.objects.bulk_create(rows)
    _panel_scores(cycle, units, kinds, panel_draws)


def _panel_scores(cycle: Cycle, units: dict[str, CycleUnit], kinds: dict, draws: dict) -> None:
    """Two panels score the panel items: the lent assessor sits only on the one that does not score
    their own enterprise. Each member takes one of the generator's assessors' values."""
    assessors = {
        u.username: u for u in User.objects.filter(username__in=["assessor1", "assessor2", "assessor3"])
    }
    lent = assessors["assessor3"]
    own = [u for u in units.values() if lent.org and lent.org.path.startswith(u.org.path)]
    others = [u for u in units.values() if u not in own]
    for name, members, covered in (
        ("第一考核组", [assessors["assessor1"], assessors["assessor2"], lent], others),
        ("第二考核组", [assessors["assessor1"], assessors["assessor2"]], own),
    ):
        if covered:
            scoring.create_panel(None, cycle, name=name, members=members, units=covered)
    entries = []
    for member in PanelMember.objects.filter(cycle=cycle).select_related("panel"):
        for unit in member.panel.units.select_related("org"):
            for (code, kind), drawn in draws.items():
                if code != unit.org.code:
                    continue
                values = [
                    v
                    for d in drawn
                    for v in ([x for _, x in d.values] if isinstance(d, PanelValues) else [d])
                ]
                value = values[int(member.label.removeprefix("考核员")) % len(values)]
                plain = kinds[kind].model_copy(update={"panel": False})
                entries.append(
                    AssessorEntry(unit=unit, member=member, kind=kind, value=to_text(plain, value))
                )
    AssessorEntry.objects.bulk_create(entries)


def _assessor_values(drawn) -> list:
    return [value for _, value in drawn.values] if isinstance(drawn, PanelValues) else [drawn]


def _advance_to(cycle: Cycle, state: str) -> Cycle:
    while cycle.state != state:
        cycle = actions.advance_cycle(None, cycle, STATE_ORDER[cycle.state_index + 1])
    return cycle


def build_cycles(seed: int, today: datetime.date) -> dict[str, Any]:
    """Ledgers, discipline cases, schemes and the two cycles, in one transaction."""
    with transaction.atomic():
        root = OrgUnit.objects.get(parent=None)
        this_year = today.year
        counts = build_ledgers(seed, datetime.date(this_year - 1, 1, 1), today)
        counts["cases"] = _cases(seed, [this_year - 1, this_year])
        last_version, this_version = _versions(root)
        enterprises = list(
            OrgUnit.objects.filter(kind=OrgKind.ENTERPRISE, active_to__isnull=True).order_by("code")
        )
        units = [actions.UnitSpec(org, GROUPS[i % len(GROUPS)]) for i, org in enumerate(enterprises)]
        made = []
        for year, version, state in (
            (this_year - 1, last_version, CycleState.CLOSED),
            (this_year, this_version, CycleState.ASSESSMENT),
        ):
            cycle = actions.create_cycle(
                None,
                owner=root,
                year=year,
                name=f"{year}年度市属国有企业党建工作目标责任制考核",
                scheme=version,
                units=units,
                targets_due=datetime.date(year, 3, 31),
                evidence_opens=datetime.date(year, 4, 1),
                evidence_closes=datetime.date(year, 12, 15),
                self_assessment_due=datetime.date(year, 12, 20),
                assessment_due=datetime.date(year + 1, 1, 20),
                review_due=datetime.date(year + 1, 2, 10),
            )
            _enter_facts(cycle, seed + year)
            if state == CycleState.CLOSED:
                cycle = _advance_to(cycle, CycleState.REVIEW)
                actions.recompute(None, cycle)
                cycle = _advance_to(cycle, state)
            else:
                cycle = _advance_to(cycle, state)
                actions.recompute(None, cycle)
            made.append(cycle)
        record(None, "demo.cycles", target_type="city", target_id=root.code, org_path=root.path, new=counts)
    return {"cycles": made, **counts}
