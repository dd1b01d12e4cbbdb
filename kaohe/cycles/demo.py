"""The demo city's assessment: last year's cycle (closed) and this year's (in assessment).

Both score the 24 enterprises with the default scheme (a 2025 and a 2026 version): facts the
ledgers and the discipline cases give are derived, the rest are plausible values entered for each
enterprise, as a committee would from the platform's exports and the assessors' sheets.
"""

import dataclasses
import datetime
import io
import random
from collections.abc import Collection
from dataclasses import dataclass
from itertools import chain
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from kaohe.accounts.models import User
from kaohe.audit.actions import record
from kaohe.cycles import actions
from kaohe.cycles.actions import appeals as appeal_actions
from kaohe.cycles.actions import evidence as evidence_actions
from kaohe.cycles.actions import rectification as rectify
from kaohe.cycles.actions import scoring
from kaohe.cycles.actions import self_assessment as self_actions
from kaohe.cycles.facts import gather
from kaohe.cycles.models import (
    STATE_ORDER,
    AssessorEntry,
    Cycle,
    CycleState,
    CycleUnit,
    FactEntry,
    PanelMember,
    ResultRun,
    UnitResult,
)
from kaohe.cycles.models.evidence import scored_items
from kaohe.cycles.scoring import panel_items
from kaohe.discipline.models import DisciplineCase, Outcome
from kaohe.engine.fact_kinds import LIST_TYPES, FactKind
from kaohe.engine.facts import Fact, PanelValues, Unit, build_cycle, parse_value, to_text
from kaohe.engine.fast import score_cycle_fast
from kaohe.engine.generate import random_facts
from kaohe.engine.scheme import Scheme
from kaohe.engine.text_form import default_scheme
from kaohe.exports import word
from kaohe.exports.word import DOCX
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


@dataclass(frozen=True)
class PanelDraws:
    """What the generator drew for the panel kinds: the rows as the engine reads them (for a unit's
    view of its own scores) and, per (unit, kind), the values the assessors may give."""

    kinds: dict[str, FactKind]
    facts: list[Fact]
    values: dict[tuple[str, str], list]


def _enter_facts(cycle: Cycle, seed: int) -> PanelDraws:
    """The facts no record gives, for every unit, as the engine's generator draws them; the panels
    are formed, and what their assessors will give is returned."""
    scheme = cycle.scheme.scheme
    units = {u.org.code: u for u in cycle.units.select_related("org")}
    kinds = {k.code: k for k in scheme.facts if not k.derive}  # panel kinds: the assessors' values
    engine_units = [Unit(code, u.org.name, u.group) for code, u in units.items()]
    values: dict[tuple[str, str], list] = {}
    panel_facts = []
    for fact in random_facts(scheme, engine_units, seed=seed):
        if fact.kind in kinds:
            values.setdefault((fact.unit, fact.kind), []).append(parse_value(kinds[fact.kind], fact.value))
            if kinds[fact.kind].panel:
                panel_facts.append(fact)
    rows, panel_draws = [], {}
    for (code, kind), parsed in values.items():
        if kinds[kind].panel:
            panel_draws[(code, kind)] = [v for d in parsed for v in _assessor_values(d)]
            continue
        # A list kind (awards) may be drawn as several rows: the entry holds them as one list.
        value = tuple(chain.from_iterable(parsed)) if kinds[kind].type in LIST_TYPES else parsed[-1]
        text = to_text(kinds[kind], value)
        rows.append(
            FactEntry(cycle=cycle, unit=units[code], kind=kind, value=text, source=kinds[kind].source)
        )
    FactEntry.objects.bulk_create(rows)
    _form_panels(cycle, units)
    return PanelDraws(kinds, panel_facts, panel_draws)


def _form_panels(cycle: Cycle, units: dict[str, CycleUnit]) -> None:
    """Two panels score the panel items: the lent assessor sits only on the one that does not score
    their own enterprise."""
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


def _member_value(member: PanelMember, drawn: list) -> Any:
    """Each member takes one of the generator's assessors' values."""
    return drawn[int(member.label.removeprefix("考核员")) % len(drawn)]


def _panel_entries(cycle: Cycle, draws: PanelDraws) -> None:
    """Every member's values for every unit their panel covers, as last year's sheets recorded them."""
    panel_kinds = tuple(code for code, kind in draws.kinds.items() if kind.panel)
    entries = [
        AssessorEntry(unit=unit, member=member, kind=kind, value=text)
        for member in PanelMember.objects.filter(cycle=cycle).select_related("panel")
        for unit in member.panel.units.select_related("org")
        for kind, text in _member_values(member, unit, panel_kinds, draws).items()
    ]
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
            name = f"{year}年度市属国有企业党建工作目标责任制考核"
            cycle = actions.create_cycle(None, owner=root, year=year, name=name, scheme=version, units=units)
            draws = _enter_facts(cycle, seed + year)
            # The actions check their windows against today: each cycle's dates are set once its
            # work so far is done.
            if state == CycleState.CLOSED:
                _panel_entries(cycle, draws)
                cycle = _live_through(cycle, seed + year, _deadlines(year), today)
            else:
                cycle = _live_this_year(cycle, draws, seed + year, _deadlines(year), today)
            made.append(cycle)
        record(None, "demo.cycles", target_type="city", target_id=root.code, org_path=root.path, new=counts)
    return {"cycles": made, **counts}


def _deadlines(year: int) -> dict[str, datetime.date]:
    return {
        "targets_due": datetime.date(year, 3, 31),
        "evidence_opens": datetime.date(year, 4, 1),
        "evidence_closes": datetime.date(year, 12, 15),
        "self_assessment_due": datetime.date(year, 12, 20),
        "assessment_due": datetime.date(year + 1, 1, 20),
        "review_due": datetime.date(year + 1, 2, 10),
    }


# -- last year, as it happened ---------------------------------------------------------------------------


def _live_through(
    cycle: Cycle, seed: int, deadlines: dict[str, datetime.date], today: datetime.date
) -> Cycle:
    """Take last year's cycle through every phase with the actions a year of work calls: letters
    signed, some evidence, every unit's self-assessment, results, appeals decided, the
    rectification list opened from the points lost, then closed."""
    rng = random.Random(seed)
    cycle = _advance_to(cycle, CycleState.TARGETS)
    units = list(cycle.units.select_related("org"))
    _letters(cycle, units, rng, today)
    cycle = _advance_to(cycle, CycleState.IN_PROGRESS)
    _evidence(cycle, units, rng, count=4)
    cycle = _advance_to(cycle, CycleState.SELF_ASSESSMENT)
    # The committee's first computation; each unit assesses itself item by item, close to it.
    run = actions.recompute(None, cycle)
    _self_assessments(cycle, _run_scores(run), rng)
    cycle = _advance_to(cycle, CycleState.REVIEW)
    _appeals(cycle, rng)
    _rectification(cycle, rng, today)
    actions.update_deadlines(None, cycle, **deadlines)
    return _advance_to(cycle, CycleState.CLOSED)


def _letters(cycle: Cycle, units: list[CycleUnit], rng: random.Random, today: datetime.date) -> None:
    for unit in units:
        signed_on = min(datetime.date(cycle.year, 3, rng.randint(5, 28)), today)
        scan = _letter_scan(cycle, unit, signed_on)
        actions.upload_signed_letter(None, cycle, unit, scan, signed_on)


def _run_scores(run: ResultRun) -> dict[CycleUnit, dict[str, int]]:
    return {result.unit: result.scores for result in run.results.select_related("unit__org")}


RECTIFICATION_MEASURES = (
    "制定专项整改方案，明确责任人和完成时限，逐项对照销号",
    "组织支部书记专题培训，完善台账资料，按月报送整改进展",
    "召开专题组织生活会查摆问题，建立长效工作机制",
)


def _rectification(cycle: Cycle, rng: random.Random, today: datetime.date) -> None:
    """Once the results are final, the committee opens the rectification list from the points lost
    (the 限期整改 the grades call for); some units have written their measures already."""
    deadline = max(datetime.date(cycle.year + 1, 6, 30), today + datetime.timedelta(days=60))
    opened = rectify.open_from_results(None, cycle, deadline=deadline)
    for item in rng.sample(opened, len(opened) // 3):
        rectify.plan_item(None, item, measure=rng.choice(RECTIFICATION_MEASURES), owner_name="党委书记")


# -- this year, half way through the assessment ----------------------------------------------------------

UNSIGNED_ONE_IN = 8  # one unit in eight has not sent its signed letter yet
DRAFTS_ONE_IN = 12  # one in twelve is still working on its self-assessment
ASSESSOR_REASONS = (
    "现场查阅台账资料，相关工作记录不完整，与自评差距较大",
    "经座谈了解和查阅资料，工作成效与自评不符",
    "抽查发现部分工作未按要求落实，按细则扣分",
)


def _live_this_year(
    cycle: Cycle, draws: PanelDraws, seed: int, deadlines: dict[str, datetime.date], today: datetime.date
) -> Cycle:
    """This year's cycle up to where the assessment stands now: most letters signed, some evidence,
    most self-assessments submitted (a couple still drafts), the assessors' scores saved for every
    unit (with reasons where far from the self-score) and a first computation of the results, which
    the organiser reviews before the review window opens."""
    rng = random.Random(seed)
    cycle = _advance_to(cycle, CycleState.TARGETS)
    units = list(cycle.units.select_related("org"))
    unsigned = set(rng.sample(units, max(1, len(units) // UNSIGNED_ONE_IN)))
    _letters(cycle, [u for u in units if u not in unsigned], rng, today)
    cycle = _advance_to(cycle, CycleState.IN_PROGRESS)
    _evidence(cycle, units, rng, count=len(units) // 2)
    cycle = _advance_to(cycle, CycleState.SELF_ASSESSMENT)
    drafts = set(rng.sample(units, max(1, len(units) // DRAFTS_ONE_IN)))
    _self_assessments(cycle, _own_view(cycle, draws), rng, drafts=drafts, panel_hope=0.5)
    cycle = _advance_to(cycle, CycleState.ASSESSMENT)
    _assessors_score(cycle, sorted(units, key=lambda u: u.org.code), draws, rng)
    actions.recompute(None, cycle)
    return actions.update_deadlines(None, cycle, **deadlines)


def _own_view(cycle: Cycle, draws: PanelDraws) -> dict[CycleUnit, dict[str, int]]:
    """Each unit's reckoning of its own scores: its facts as they stand, and the panel items as
    the unit expects the assessors to see them (scored by the engine, kept nowhere)."""
    gathered = gather(cycle)
    scheme = cycle.scheme.scheme
    result = score_cycle_fast(scheme, build_cycle(scheme, gathered.facts + draws.facts, gathered.units))
    by_code = {u.org.code: u for u in cycle.units.select_related("org")}
    return {by_code[outcome.unit]: outcome.scores for outcome in result.outcomes()}


def _assessors_score(cycle: Cycle, units: list[CycleUnit], draws: PanelDraws, rng: random.Random) -> None:
    """Each member of the unit's panel saves their values on the scoring page. Where the save is
    refused for want of a reason (far from the unit's self-score), the assessor writes one."""
    items = panel_items(cycle.scheme.scheme)
    for unit in units:
        for member in PanelMember.objects.filter(panel__units=unit).select_related("panel", "user"):
            scores = {
                code: scoring.Score(code, _member_values(member, unit, item.kinds, draws))
                for code, item in items.items()
                if not member.panel.nodes or code in member.panel.nodes
            }
            try:
                scoring.save_scores(member.user, cycle, unit, list(scores.values()))
            except ValidationError as refused:
                for code in refused.message_dict:
                    scores[code] = dataclasses.replace(scores[code], reason=rng.choice(ASSESSOR_REASONS))
                scoring.save_scores(member.user, cycle, unit, list(scores.values()))


def _member_values(member: PanelMember, unit: CycleUnit, kinds: tuple[str, ...], draws: PanelDraws) -> dict:
    values = {}
    for kind in kinds:
        plain = draws.kinds[kind].model_copy(update={"panel": False})
        values[kind] = to_text(plain, _member_value(member, draws.values[(unit.org.code, kind)]))
    return values


def _cjk_font(size: int):
    from PIL import ImageFont  # Pillow comes with WeasyPrint; only the demo draws with it

    for name in ("NotoSerifCJK-Regular.ttc", "NotoSansCJK-Regular.ttc", "wqy-microhei.ttc"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _letter_scan(cycle: Cycle, unit: CycleUnit, signed_on: datetime.date) -> SimpleUploadedFile:
    """The signature page of the letter as a scanner gives it: a grey PNG with the parties, the
    signatures and the date (a picture drawn in a few milliseconds, where a PDF takes a quarter second)."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (620, 877), 246)
    draw = ImageDraw.Draw(image)
    title, body = _cjk_font(26), _cjk_font(18)
    draw.text((60, 60), f"{cycle.year}年度党建工作目标责任书（签字页）", font=title, fill=25)
    lines = [
        f"甲方（考核单位）：{cycle.owner.name}",
        f"乙方（责任单位）：{unit.org.name}",
        "本责任书一式两份，甲乙双方各执一份，自签订之日起生效。",
        "甲方负责人（签字）：＿＿＿＿＿＿",
        "乙方党组织书记（签字）：＿＿＿＿＿＿",
        f"日期：{signed_on.year}年{signed_on.month}月{signed_on.day}日",
    ]
    for number, line in enumerate(lines):
        draw.text((60, 160 + number * 48), line, font=body, fill=30)
    draw.ellipse((380, 560, 540, 720), outline=90, width=5)  # the seal
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile(f"{unit.org.code}-目标责任书签字页.png", out.getvalue(), "image/png")


def _evidence(cycle: Cycle, units: list[CycleUnit], rng: random.Random, count: int) -> None:
    """`count` units upload a few of the materials the items ask for (a short Word record each)."""
    wanted = [item for item in scored_items(cycle.scheme.scheme) if item.materials]
    for unit in rng.sample(units, min(count, len(units))):
        for item in rng.sample(wanted, min(2, len(wanted))):
            material = item.materials[0]
            doc = word.new_document()
            word.paragraph(doc, f"{unit.org.name} · {material}", 16, bold=True, align="center")
            word.paragraph(doc, f"{cycle.year}年度{item.title}工作记录（演示数据）。")
            upload = SimpleUploadedFile(f"{material}.docx", word.to_bytes(doc), DOCX)
            evidence_actions.upload_evidence(None, unit, item.code, material, upload, note="年度汇总")


def _self_assessments(
    cycle: Cycle,
    scores: dict[CycleUnit, dict[str, int]],
    rng: random.Random,
    *,
    drafts: Collection[CycleUnit] = (),
    panel_hope: float = 0.0,
) -> None:
    """Every unit scores each item as reckoned, now and then a little more generously (on a panel
    item, with `panel_hope`, full points), says why wherever it is below full points, and submits;
    the units in `drafts` have saved most items but not submitted."""
    items = scored_items(cycle.scheme.scheme)
    panel = panel_items(cycle.scheme.scheme)
    for unit in sorted(scores, key=lambda u: u.org.code):
        entries = {}
        for item in items:
            score = scores[unit].get(item.code, 0)
            if item.code in panel and rng.random() < panel_hope:
                score = item.points
            elif score < item.points and rng.random() < 0.15:
                score = min(item.points, score + (item.points - score + 1) // 2)  # a kinder view
            reason = "" if score >= item.points else "对照台账自查，该项工作存在不足，已列入整改"
            entries[item.code] = self_actions.ScoreInput(score, reason)
        if unit in drafts:
            for code in list(entries)[-3:]:
                entries[code] = self_actions.ScoreInput(None)  # still to be filled in
            self_actions.save_self_scores(None, unit, entries)
            continue
        self_actions.save_self_scores(None, unit, entries)
        self_actions.submit_self_assessment(None, unit, declaration=True)


def _appeals(cycle: Cycle, rng: random.Random) -> None:
    """Three units appeal an item they lost points on; one appeal on a miscounted fact stands (the
    fact corrected, the cycle scored again), two are turned down."""
    scheme = cycle.scheme.scheme
    kinds = scheme.fact_kinds()
    entered = {(e.unit_id, e.kind): e for e in FactEntry.objects.filter(cycle=cycle)}
    results = list(UnitResult.objects.filter(run_id=cycle.current_run_id).select_related("unit__org"))
    rng.shuffle(results)
    upheld_done, rejected = False, 0
    for result in results:
        for item in scored_items(scheme):
            if result.scores.get(item.code, 0) >= item.points or item.node.rule is None:
                continue
            reads = [kinds[r.code] for r in item.node.rule.reads() if r.code in kinds]
            counted = [
                entered[(result.unit_id, k.code)]
                for k in reads
                if k.type == "count" and (result.unit_id, k.code) in entered
            ]
            counted = [e for e in counted if e.value.isdigit() and int(e.value) > 0]
            if counted and not upheld_done:
                entry = counted[0]
                appeal = appeal_actions.file_appeal(
                    None, cycle, result.unit, item.code, f"“{kinds[entry.kind].title}”多计了一次，附情况说明"
                )
                appeal_actions.decide_appeal(
                    None,
                    appeal,
                    upheld=True,
                    decision="经核实，其中一次不属本年度，予以更正并重新计分",
                    fact=entry.kind,
                    value=str(int(entry.value) - 1),
                    source="申诉复核更正",
                )
                upheld_done = True
                break
            if not counted and rejected < 2:
                appeal = appeal_actions.file_appeal(
                    None, cycle, result.unit, item.code, "该项扣分偏重，请予复核"
                )
                appeal_actions.decide_appeal(
                    None, appeal, upheld=False, decision="经考核组复核，扣分有据，维持原评分"
                )
                rejected += 1
                break
        if upheld_done and rejected >= 2:
            return
