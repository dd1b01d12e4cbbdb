"""Writes to cycles: create, set units and periods, move through the phases, enter facts, compute
results. Each is one transaction with its audit row."""

import dataclasses
import datetime
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import record
from kaohe.cycles import facts as cycle_facts
from kaohe.cycles.models import (
    STATE_ORDER,
    Appeal,
    AppealStatus,
    AssessorPanel,
    Cycle,
    CycleState,
    CycleUnit,
    FactEntry,
    Period,
    RectificationItem,
    ResultRun,
    TargetLetter,
    UnitResult,
)
from kaohe.cycles.models.self_assessment import SelfStatus
from kaohe.cycles.scoring import panel_items
from kaohe.engine.errors import EngineError, FactError
from kaohe.engine.facts import build_cycle, parse_value, to_text, write_facts_csv, write_units_csv
from kaohe.engine.fast import score_cycle_fast
from kaohe.engine.points import RATE_SCALE, format_rate
from kaohe.engine.scheme import Place, Scheme
from kaohe.files.actions import store_upload
from kaohe.files.models import FileKind
from kaohe.measures.models import SchemeVersion
from kaohe.orgs.models import OrgUnit

DEADLINES = [
    "targets_due",
    "evidence_opens",
    "evidence_closes",
    "self_assessment_due",
    "assessment_due",
    "review_due",
]
# Pairs that must come in this order when both are given.
DEADLINE_ORDER = [
    ("evidence_opens", "evidence_closes"),
    ("targets_due", "self_assessment_due"),
    ("self_assessment_due", "assessment_due"),
    ("assessment_due", "review_due"),
]
FULL_WEIGHT = 1000


@dataclass(frozen=True)
class PeriodSpec:
    name: str
    starts: datetime.date
    ends: datetime.date
    # thousandths; None takes the weight of the part it scores (a single period: the whole 100%)
    weight: int | None = None
    node: str = ""  # the code of the scheme part it scores; "" for a cycle's single period


@dataclass(frozen=True)
class UnitSpec:
    org: OrgUnit
    group: str = ""


def _require_manage(actor, owner: OrgUnit) -> None:
    if actor is not None and not has_cap(actor, Cap.MANAGE_CYCLES, owner):
        raise PermissionDenied(_("无权组织该单位的考核"))


def _check_scheme(scheme: SchemeVersion, owner: OrgUnit) -> None:
    if not scheme.is_published:
        raise ValidationError({"scheme": _("只能选用已发布的评分细则")})
    if not owner.path.startswith(scheme.owner.path):
        raise ValidationError({"scheme": _("只能选用本单位或上级单位发布的评分细则")})
    missing = cycle_facts.unknown_derives(scheme.scheme)
    if missing:
        raise ValidationError(
            {"scheme": _("评分细则中的取数口径系统不认识：%(codes)s") % {"codes": "、".join(missing)}}
        )


def _check_deadlines(values: dict) -> None:
    errors = {}
    for first, second in DEADLINE_ORDER:
        a, b = values.get(first), values.get(second)
        if a and b and b < a:
            label = getattr(Cycle._meta.get_field(first), "verbose_name", first)
            errors[second] = _("不能早于“%(other)s”") % {"other": label}
    if errors:
        raise ValidationError(errors)


def _with_part_weights(periods: Sequence[PeriodSpec], scheme: Scheme) -> list[PeriodSpec]:
    """A period that names a part of a weighted node scores it at the part's weight: the weight
    left out is taken from the scheme (one typed is checked against it); a single period without a
    part is the whole year, 100%."""
    if len(periods) == 1 and not periods[0].node and periods[0].weight is None:
        return [dataclasses.replace(periods[0], weight=FULL_WEIGHT)]
    parts = {
        child.code: child.weight
        for place in scheme.walk()
        if place.node.compose == "weighted"
        for child in place.node.children
        if child.weight
    }
    return [
        dataclasses.replace(p, weight=parts[p.node] // (RATE_SCALE // FULL_WEIGHT))
        if p.weight is None and p.node in parts
        else p
        for p in periods
    ]


def _check_periods(periods: Sequence[PeriodSpec], year: int, scheme: Scheme) -> None:
    for number, p in enumerate(periods, start=1):
        where = _period_where(number, p)
        if p.ends < p.starts:
            raise ValidationError({"periods": _("%(where)s：结束日期早于开始日期") % {"where": where}})
        if p.starts.year != year and p.ends.year != year:
            raise ValidationError(
                {"periods": _("%(where)s：不在 %(year)d 年度内") % {"where": where, "year": year}}
            )
        if p.weight is not None and p.weight <= 0:
            raise ValidationError({"periods": _("%(where)s：权重必须大于 0") % {"where": where}})
    _check_period_parts(periods, scheme)
    for number, p in enumerate(periods, start=1):
        if p.weight is None:  # a part the scheme does not weigh: the part check names it first
            _refuse_period(_period_where(number, p), _("请填写权重"))
    total = sum(p.weight or 0 for p in periods)
    if periods and total != FULL_WEIGHT:
        raise ValidationError(
            {"periods": _("各时段权重合计应为 100%%，现为 %(total)s%%") % {"total": Decimal(total) / 10}}
        )


def _period_where(number: int, period: PeriodSpec) -> str:
    return _("第 %(n)d 个时段“%(name)s”") % {"n": number, "name": period.name}


def _refuse_period(where: str, problem: str) -> NoReturn:
    raise ValidationError({"periods": _("%(where)s：%(problem)s") % {"where": where, "problem": problem}})


def _check_period_parts(periods: Sequence[PeriodSpec], scheme: Scheme) -> None:
    """Periods score the parts of one weighted node (平时 30% / 年终 70%), each its own part at the
    part's weight; a single period scores the whole scheme and names no part."""
    if len(periods) == 1:
        if periods[0].node:
            _refuse_period(
                _period_where(1, periods[0]), _("只有一个时段时，它考核整个评分细则，不对应其中的部分")
            )
        return
    places = {place.node.code: place for place in scheme.walk()}
    parent: Place | None = None
    number_of: dict[str, int] = {}  # part code -> the period that scores it
    for number, period in enumerate(periods, start=1):
        where = _period_where(number, period)
        if not period.node:
            _refuse_period(where, _("有多个时段时，每个时段都要写明它考核评分细则中的哪一部分"))
        place = places.get(period.node)
        if place is None:
            _refuse_period(where, _("评分细则中没有编码为“%(code)s”的部分") % {"code": period.node})
        title = place.node.title
        if place.parent is None or place.parent.node.compose != "weighted":
            _refuse_period(where, _("“%(part)s”不是按权重合成的项目中的一部分") % {"part": title})
        parent = parent or place.parent
        if place.parent.node.code != parent.node.code:
            _refuse_period(
                where,
                _("“%(part)s”属于“%(node)s”，各时段应考核同一项目“%(first)s”的各部分")
                % {"part": title, "node": place.parent.node.title, "first": parent.node.title},
            )
        if period.node in number_of:
            _refuse_period(
                where,
                _("与第 %(n)d 个时段考核同一部分“%(part)s”") % {"n": number_of[period.node], "part": title},
            )
        number_of[period.node] = number
        given = (period.weight or 0) * (RATE_SCALE // FULL_WEIGHT)
        if given != place.node.weight:
            _refuse_period(
                where,
                _("权重 %(given)s 与评分细则中“%(part)s”的权重 %(scheme)s 不一致")
                % {"given": format_rate(given), "part": title, "scheme": format_rate(place.node.weight or 0)},
            )
    assert parent is not None
    left = [f"“{c.title}”" for c in parent.node.children if c.code not in number_of and c.weight]
    if left:
        raise ValidationError(
            {
                "periods": _("“%(node)s”的部分%(parts)s没有对应的时段")
                % {"node": parent.node.title, "parts": "、".join(left)}
            }
        )


def _check_units(owner: OrgUnit, units: Sequence[UnitSpec], year: int) -> None:
    seen: set[int] = set()
    for spec in units:
        org = spec.org
        if org.pk in seen:
            raise ValidationError({"units": _("“%(org)s”重复") % {"org": org.name}})
        seen.add(org.pk)
        if org.pk == owner.pk or not org.path.startswith(owner.path):
            raise ValidationError(
                {"units": _("“%(org)s”不是%(owner)s的下级组织") % {"org": org.name, "owner": owner.name}}
            )
        if org.active_to and org.active_to < datetime.date(year, 1, 1):
            raise ValidationError(
                {"units": _("“%(org)s”在 %(year)d 年前已撤销") % {"org": org.name, "year": year}}
            )


def cycles_sharing_units(owner: OrgUnit, year: int, units: Sequence[UnitSpec]) -> list[tuple[Cycle, int]]:
    """The owner's cycles of `year` that already assess some of `units`, with how many."""
    orgs = [u.org.pk for u in units]
    found = []
    for cycle in Cycle.objects.filter(owner=owner, year=year).order_by("pk"):
        shared = cycle.units.filter(org_id__in=orgs).count()
        if shared:
            found.append((cycle, shared))
    return found


def same_units_warning(owner: OrgUnit, year: int, units: Sequence[UnitSpec]) -> str | None:
    """What the organiser is asked to confirm before a second cycle of a year for the same units.

    Two cycles of one year for the same units mean two letters, two self-assessments and two
    results per unit: most often a cycle created twice by mistake. Yet a deliberate second one is
    legitimate (a 专项考核 beside the annual one, a redo with another scheme: a cycle is never
    deleted), so like the warnings of a phase change it is confirmed, not refused."""
    shared = cycles_sharing_units(owner, year, units)
    if not shared:
        return None
    names = "、".join(
        _("“%(name)s”（%(n)d 个单位相同）") % {"name": cycle.name, "n": n} for cycle, n in shared
    )
    return _(
        "%(owner)s %(year)d 年度已有考核周期%(names)s。同一单位一年通常只考核一次；"
        "确需另建（如专项考核），请勾选确认后再创建"
    ) % {"owner": owner.name, "year": year, "names": names}


@transaction.atomic
def create_cycle(
    actor,
    *,
    owner: OrgUnit,
    year: int,
    name: str,
    scheme: SchemeVersion,
    units: Sequence[UnitSpec],
    periods: Sequence[PeriodSpec] = (),
    **deadlines: datetime.date | None,
) -> Cycle:
    """A new cycle in drafting. The page first asks to confirm `same_units_warning`, if any."""
    _require_manage(actor, owner)
    unknown = set(deadlines) - set(DEADLINES)
    if unknown:
        raise TypeError(f"unknown deadlines: {sorted(unknown)}")
    if not name.strip():
        raise ValidationError({"name": _("请填写名称")})
    if Cycle.objects.filter(owner=owner, year=year, name=name.strip()).exists():
        raise ValidationError({"name": _("该单位当年已有同名考核周期")})
    _check_scheme(scheme, owner)
    _check_deadlines(deadlines)
    _check_units(owner, units, year)
    periods = _with_part_weights(list(periods), scheme.scheme) or [
        PeriodSpec(_("年度考核"), datetime.date(year, 1, 1), datetime.date(year, 12, 31), FULL_WEIGHT)
    ]
    _check_periods(periods, year, scheme.scheme)
    cycle = Cycle.objects.create(
        owner=owner, year=year, name=name.strip(), scheme=scheme, created_by=actor, **deadlines
    )
    Period.objects.bulk_create(
        # every weight is known by now: _check_periods refuses one left unresolved
        Period(cycle=cycle, name=p.name, starts=p.starts, ends=p.ends, weight=p.weight or 0, node=p.node)
        for p in periods
    )
    CycleUnit.objects.bulk_create(CycleUnit(cycle=cycle, org=u.org, group=u.group) for u in units)
    record(
        actor,
        "cycle.create",
        cycle,
        new={
            "year": year,
            "name": cycle.name,
            "scheme": str(scheme.public_id),
            "units": [u.org.code for u in units],
            "periods": [(p.name, str(p.starts), str(p.ends), p.weight, p.node) for p in periods],
        },
    )
    return cycle


@transaction.atomic
def update_deadlines(actor, cycle: Cycle, **deadlines: datetime.date | None) -> Cycle:
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _require_manage(actor, cycle.owner)
    if cycle.state == CycleState.CLOSED:
        raise ValidationError(_("考核周期已结束，不能修改"))
    values = {name: getattr(cycle, name) for name in DEADLINES} | deadlines
    _check_deadlines(values)
    old = {name: str(getattr(cycle, name) or "") for name in deadlines}
    for name, value in deadlines.items():
        setattr(cycle, name, value)
    cycle.save(update_fields=list(deadlines))
    record(actor, "cycle.deadlines", cycle, old=old, new={k: str(v or "") for k, v in deadlines.items()})
    return cycle


@transaction.atomic
def set_units(actor, cycle: Cycle, units: Sequence[UnitSpec]) -> Cycle:
    """Replace the assessed units and their peer groups; only while the cycle is being drafted."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _require_manage(actor, cycle.owner)
    if cycle.state != CycleState.DRAFTING:
        raise ValidationError({"units": _("考核周期已启动，被考核单位不能再调整")})
    _check_units(cycle.owner, units, cycle.year)
    old = {u.org.code: u.group for u in cycle.units.select_related("org")}
    wanted = {u.org.pk: u for u in units}
    cycle.units.exclude(org_id__in=wanted).delete()
    existing = {u.org_id: u for u in cycle.units.all()}
    for pk, spec in wanted.items():
        unit = existing.get(pk)
        if unit is None:
            CycleUnit.objects.create(cycle=cycle, org=spec.org, group=spec.group)
        elif unit.group != spec.group:
            unit.group = spec.group
            unit.save(update_fields=["group"])
    record(actor, "cycle.units", cycle, old=old, new={u.org.code: u.group for u in units})
    return cycle


def next_state(cycle: Cycle) -> str | None:
    index = STATE_ORDER.index(cycle.state)
    return STATE_ORDER[index + 1] if index + 1 < len(STATE_ORDER) else None


@dataclass(frozen=True)
class AdvanceChecks:
    """What stands in the way of the next phase: blockers refuse the move, warnings are things left
    undone that the organiser may knowingly carry on with (they confirm them)."""

    to_state: str | None
    blockers: list[str]
    warnings: list[str]


NAMES_SHOWN = 10


def _named(orgs: Sequence[str]) -> str:
    shown = "、".join(orgs[:NAMES_SHOWN])
    if len(orgs) > NAMES_SHOWN:
        shown += _("等 %(n)d 个单位") % {"n": len(orgs)}
    return shown


def results_problem(cycle: Cycle) -> str | None:
    """Why the current results do not reflect today's inputs, or None when they do.

    A run keeps the digest of the facts it read (entered facts, assessors' entries, facts derived
    from ledgers and cases); the facts gathered now must give the same digest. Self-assessments do
    not feed the results, so they never make a run out of date.
    """
    run = cycle.current_run
    if run is None:
        return _("还没有计算考核结果")
    gathered = _gather(cycle)
    if gathered.problems:
        return _("有 %(n)d 项事实不完整，补齐后须重新计算考核结果") % {"n": len(gathered.problems)}
    _facts, _units, digest = _run_digest(cycle, gathered)
    if digest != run.facts_digest:
        return _("第 %(number)d 次计算（%(at)s）之后，事实、考核组评分或台账有变动，请重新计算考核结果") % {
            "number": run.number,
            "at": f"{timezone.localtime(run.created_at):%Y-%m-%d %H:%M}",
        }
    return None


def _blockers(cycle: Cycle, to_state: str) -> list[str]:
    """The hard rules of a move; advance_cycle refuses when any is broken."""
    found = []
    if cycle.state == CycleState.DRAFTING and not cycle.units.exists():
        found.append(_("请先确定被考核单位"))
    if to_state == CycleState.REVIEW:
        # Units see their results from the review window on: they must be the results of the
        # facts as they stand.
        problem = results_problem(cycle)
        if problem:
            found.append(_("考核结果不是最新的：%(why)s") % {"why": problem})
    if to_state == CycleState.PUBLISHED:
        if cycle.current_run_id is None:
            found.append(_("请先计算考核结果"))
        open_appeals = Appeal.objects.filter(unit__cycle=cycle, status=AppealStatus.FILED).count()
        if open_appeals:
            found.append(_("还有 %(n)d 件申诉未复核") % {"n": open_appeals})
    return found


def _unit_names(units) -> list[str]:
    return list(units.order_by("org__sort_order", "org__code").values_list("org__name", flat=True))


def _panel_warnings(cycle: Cycle) -> list[str]:
    """Panel items are scored by the assessors of a panel: without one, nobody can score them."""
    items = panel_items(cycle.scheme.scheme)
    if not items:
        return []
    if not AssessorPanel.objects.filter(cycle=cycle).exists():
        return [
            _("评分细则有 %(n)d 个由考核组评分的评分项（%(items)s），尚未组建考核组，考核员无法评分")
            % {"n": len(items), "items": "、".join(i.node.title for i in items.values())}
        ]
    uncovered = _unit_names(cycle.units.filter(panels__isnull=True))
    if uncovered:
        return [
            _("%(n)d 个单位没有考核组负责评分：%(names)s") % {"n": len(uncovered), "names": _named(uncovered)}
        ]
    return []


def _warnings(cycle: Cycle, to_state: str) -> list[str]:
    """What is still undone, at every later step too: a letter unsigned at 日常工作 is still unsigned
    when results are reviewed, and the page must not say that all is done."""
    found = []
    step = STATE_ORDER.index(to_state)
    if step >= STATE_ORDER.index(CycleState.IN_PROGRESS):
        unsigned = _unit_names(cycle.units.filter(letter__isnull=True))
        if unsigned:
            found.append(
                _("%(n)d 个单位尚未上传签字的目标责任书：%(names)s")
                % {"n": len(unsigned), "names": _named(unsigned)}
            )
    if to_state == CycleState.ASSESSMENT:
        found += _panel_warnings(cycle)
    if step >= STATE_ORDER.index(CycleState.ASSESSMENT):
        pending = _unit_names(cycle.units.exclude(self_assessment__status=SelfStatus.SUBMITTED))
        if pending:
            found.append(
                _("%(n)d 个单位尚未提交自评：%(names)s") % {"n": len(pending), "names": _named(pending)}
            )
    if to_state == CycleState.PUBLISHED and cycle.current_run_id is not None:
        problem = results_problem(cycle)
        if problem:
            found.append(_("通报的将是上次计算的结果：%(why)s") % {"why": problem})
    if to_state == CycleState.CLOSED:
        open_appeals = Appeal.objects.filter(unit__cycle=cycle, status=AppealStatus.FILED).count()
        if open_appeals:
            found.append(_("还有 %(n)d 件申诉未复核") % {"n": open_appeals})
        unfinished = RectificationItem.objects.filter(unit__cycle=cycle).unfinished().count()
        if unfinished:
            found.append(
                _("%(n)d 个整改项尚未销号，周期结束后继续整改，逾期的计入以后年度考核") % {"n": unfinished}
            )
    return found


def advance_checks(cycle: Cycle) -> AdvanceChecks:
    """What the organiser is told before moving `cycle` to its next phase."""
    to_state = next_state(cycle)
    if to_state is None:
        return AdvanceChecks(None, [], [])
    return AdvanceChecks(to_state, _blockers(cycle, to_state), _warnings(cycle, to_state))


@transaction.atomic
def advance_cycle(actor, cycle: Cycle, to_state: str) -> Cycle:
    """Move the cycle one phase forward. `to_state` guards against two people clicking at once:
    the second click names a phase the cycle has already reached and is refused. The blockers of
    `advance_checks` are enforced here; its warnings are for the page to confirm."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _require_manage(actor, cycle.owner)
    expected = next_state(cycle)
    if to_state != expected:
        raise ValidationError(
            _("考核周期当前处于“%(state)s”阶段，不能转到“%(to)s”")
            % {
                "state": cycle.get_state_display(),
                "to": CycleState(to_state).label if to_state in STATE_ORDER else to_state,
            }
        )
    blockers = _blockers(cycle, to_state)
    if blockers:
        raise ValidationError(blockers)
    if to_state == CycleState.PUBLISHED:
        cycle.published_at = timezone.now()
    old_state = cycle.state
    cycle.state = to_state
    cycle.save(update_fields=["state", "published_at"])
    record(actor, "cycle.advance", cycle, old={"state": old_state}, new={"state": to_state})
    return cycle


def _editable_facts(cycle: Cycle) -> None:
    if cycle.reached(CycleState.PUBLISHED):
        raise ValidationError(_("考核结果已通报，事实不能再修改"))


@transaction.atomic
def set_fact(actor, cycle: Cycle, unit: CycleUnit, kind_code: str, value: str, source: str = "") -> FactEntry:
    """Enter (or replace) one fact of a unit by hand. Derived facts come from their records."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _require_manage(actor, cycle.owner)
    _editable_facts(cycle)
    kinds = cycle.scheme.scheme.fact_kinds()
    kind = kinds.get(kind_code)
    if kind is None:
        raise ValidationError({"kind": _("评分细则中没有事实“%(code)s”") % {"code": kind_code}})
    if kind.derive:
        raise ValidationError(
            {"kind": _("“%(title)s”由系统从台账取数，不能手工填写") % {"title": kind.title}}
        )
    try:
        parsed = parse_value(kind, value, source=source)
    except FactError as error:
        raise ValidationError({"value": "; ".join(error.problems)}) from None
    text = to_text(kind, parsed)
    entry = FactEntry.objects.filter(unit=unit, kind=kind.code).first()
    old = {"value": entry.value, "source": entry.source} if entry else None
    if entry is None:
        entry = FactEntry(cycle=cycle, unit=unit, kind=kind.code)
    entry.value, entry.source, entry.entered_by = text, source.strip(), actor
    entry.save()
    record(
        actor,
        "cycle.fact",
        cycle,
        old=old,
        new={"unit": unit.org.code, "kind": kind.code, "value": text, "source": entry.source},
    )
    return entry


@transaction.atomic
def clear_fact(actor, cycle: Cycle, unit: CycleUnit, kind_code: str) -> None:
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _require_manage(actor, cycle.owner)
    _editable_facts(cycle)
    entry = FactEntry.objects.filter(unit=unit, kind=kind_code).first()
    if entry is None:
        return
    entry.delete()
    record(
        actor, "cycle.fact_clear", cycle, old={"unit": unit.org.code, "kind": kind_code, "value": entry.value}
    )


def _digest(*texts: str) -> str:
    h = hashlib.sha256()
    for text in texts:
        h.update(text.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _gather(cycle: Cycle) -> cycle_facts.Gathered:
    # Facts are data kept with the run: their source texts are in the system's language, not in
    # the language of whoever pressed the button (and so a run's digest can be compared later).
    with translation.override(settings.LANGUAGE_CODE):
        return cycle_facts.gather(cycle)


def _run_digest(cycle: Cycle, gathered: cycle_facts.Gathered) -> tuple[str, str, str]:
    """The facts and units as a run keeps them, and the digest that says what the run read."""
    facts_csv = write_facts_csv(gathered.facts)
    units_csv = write_units_csv(gathered.units)
    return facts_csv, units_csv, _digest(cycle.scheme.digest, facts_csv, units_csv)


@transaction.atomic
def recompute(actor, cycle: Cycle) -> ResultRun:
    """Score every unit with the fast evaluator and make the new run current.

    The run, its results and the switch of `current_run` are one transaction: a recompute that
    fails half way leaves the previous results in place, never a mix.
    """
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _require_manage(actor, cycle.owner)
    _editable_facts(cycle)
    started = time.perf_counter()
    gathered = _gather(cycle)
    if gathered.problems:
        raise ValidationError(gathered.problems)
    if not gathered.units:
        raise ValidationError(_("本周期没有被考核单位"))
    scheme = cycle.scheme.scheme
    try:
        result = score_cycle_fast(scheme, build_cycle(scheme, gathered.facts, gathered.units))
    except EngineError as error:
        raise ValidationError(getattr(error, "problems", None) or [str(error)]) from None
    facts_csv, units_csv, digest = _run_digest(cycle, gathered)
    number = (cycle.runs.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    run = ResultRun.objects.create(
        cycle=cycle,
        number=number,
        scheme_digest=cycle.scheme.digest,
        facts_csv=facts_csv,
        units_csv=units_csv,
        facts_digest=digest,
        seconds=Decimal(0),
        created_by=actor,
    )
    by_code = {u.org.code: u for u in cycle.units.select_related("org")}
    rows = []
    for outcome in result.outcomes():
        rows.append(
            UnitResult(
                run=run,
                unit=by_code[outcome.unit],
                code=outcome.unit,
                total=outcome.total,
                basic=outcome.basic,
                bonus=outcome.bonus,
                band_grade=outcome.band_grade,
                grade=outcome.grade,
                rank=outcome.rank,
                group_size=outcome.group_size,
                awards_eligible=outcome.awards_eligible,
                pay=outcome.pay,
                scores=outcome.scores,
                steps=[
                    {"kind": s.kind, "grade": s.grade, "text": s.text, "node": s.node} for s in outcome.steps
                ],
                outcomes=list(outcome.outcomes),
                actions=list(outcome.actions),
                withheld=list(outcome.withheld),
            )
        )
    UnitResult.objects.bulk_create(rows, batch_size=500)
    run.seconds = Decimal(time.perf_counter() - started).quantize(Decimal("0.001"))
    run.save(update_fields=["seconds"])
    old_run = cycle.current_run_id
    cycle.current_run = run
    cycle.save(update_fields=["current_run"])
    record(
        actor,
        "cycle.recompute",
        cycle,
        old={"run": old_run},
        new={"run": number, "units": len(rows), "facts_digest": run.facts_digest},
    )
    return run


LETTER_KINDS = frozenset({FileKind.PDF, FileKind.IMAGE, FileKind.OFD})


@transaction.atomic
def upload_signed_letter(
    actor, cycle: Cycle, unit: CycleUnit, upload, signed_on: datetime.date
) -> TargetLetter:
    """Keep the signed, scanned letter of a unit; a new upload replaces the copy shown (the old
    file stays stored and named in the audit log)."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if actor is not None and not (
        has_cap(actor, Cap.FILL_UNIT, unit.org) or has_cap(actor, Cap.MANAGE_CYCLES, cycle.owner)
    ):
        raise PermissionDenied(_("无权上传该单位的目标责任书"))
    if not cycle.reached(CycleState.TARGETS) or cycle.state == CycleState.CLOSED:
        raise ValidationError({"file": _("只有在考核周期进行中才能上传签字的目标责任书")})
    if signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("签订日期不能晚于今天")})
    if signed_on.year < cycle.year - 1:
        raise ValidationError({"signed_on": _("签订日期不在本考核年度")})
    stored = store_upload(actor, upload, accept=LETTER_KINDS)
    letter = TargetLetter.objects.filter(unit=unit).first()
    old = {"sha256": letter.signed_file.sha256, "signed_on": str(letter.signed_on)} if letter else None
    if letter is None:
        letter = TargetLetter(unit=unit)
    letter.signed_file, letter.signed_on, letter.uploaded_by = stored, signed_on, actor
    letter.save()
    record(
        actor,
        "letter.signed",
        cycle,
        old=old,
        new={
            "unit": unit.org.code,
            "sha256": stored.sha256,
            "name": stored.original_name,
            "signed_on": str(signed_on),
        },
    )
    return letter
