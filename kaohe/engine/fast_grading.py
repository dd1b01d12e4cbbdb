"""Grades, ranks and result uses for all units at once: grading.py over arrays.

The same order as grading.py: the score band; vetoes cap, force or take award eligibility away;
quotas demote the lowest ranked over the limit of each peer group; ranks within peer groups give
the top-N and bottom-N outcomes; the final grade gives the pay coefficient and the actions. Grades
are indices into the scheme's bands (0 is the best). Ranks come from one sort of a single int64
key (peer group, total, tie-break scores) - runs of equal keys are ties and share a rank.
"""

from dataclasses import dataclass

import numpy as np

from kaohe.engine.exact_arrays import Array, Int, composite_key, round_div_nonnegative
from kaohe.engine.points import RATE_SCALE
from kaohe.engine.scheme import Band, GradeQuota, Place, Scheme

# What decided a unit's final grade.
BAND, CAP, FORCE, QUOTA = 0, 1, 2, 3
DECIDED = ("band", "cap", "force", "quota")


@dataclass(eq=False)
class QuotaRound:
    """One quota applied to every peer group."""

    quota: GradeQuota
    lower: int  # the grade the demoted units get
    demoted: Array  # bool per unit
    tied: Array  # bool per unit: demoted although tied with a unit inside the limit
    allowed: Array  # per peer segment (see Grades.segment): how many may keep the grade


@dataclass(eq=False)
class Grades:
    band: Array  # the band's grade per unit
    grade: Array  # the final grade per unit
    decided_by: Array  # BAND, CAP, FORCE or QUOTA: what set the final grade
    decided_node: Array  # the index in `vetoes` of the veto that set it, else -1
    vetoes: list[tuple[Place, Array]]  # each veto node and whether it holds, per unit
    awards_eligible: Array
    quotas: list[QuotaRound]
    segment: Array  # per unit, its peer group's number among the groups present
    segment_size: Array  # per segment
    rank: Array
    rank_from_bottom: Array
    group_size: Array
    outcomes: list[Array]  # per rank outcome of the scheme: whether the unit gets it
    pay: Array  # thousandths; 0 where the grade has no pay coefficient
    has_pay: Array
    uses: Array  # per unit, an id of its (grade, eligibility, outcomes): see use_key


def contains(band: Band, total: Array) -> Array:
    inside = np.ones(total.shape, dtype=bool)
    lower, upper = band.lower(), band.upper()
    if lower is not None:
        inside &= (total >= lower[0]) if lower[1] else (total > lower[0])
    if upper is not None:
        inside &= (total <= upper[0]) if upper[1] else (total < upper[0])
    return inside


def _integer_bounds(band: Band) -> tuple[int | None, int | None]:
    """The band as whole thousandths lo..hi (None: unbounded); ≥ 90 is > 89.999."""
    lower, upper = band.lower(), band.upper()
    lo = None if lower is None else (lower[0] if lower[1] else lower[0] + 1)
    hi = None if upper is None else (upper[0] if upper[1] else upper[0] - 1)
    return lo, hi


def band_grades(scheme: Scheme, total: Array) -> Array:
    """The first band holding each total; the lowest grade for a total no band holds."""
    bands = scheme.grading.bands
    last = len(bands) - 1
    edges = [_integer_bounds(band) for band in bands]
    adjacent = all(
        edges[i][0] is not None and edges[i + 1][1] == edges[i][0] - 1  # type: ignore[operator]
        for i in range(last)
    )
    if adjacent:  # a validated scheme: the grade is how many bands' lower edges the total misses
        grade = np.zeros(total.shape, dtype=np.int64)
        for lo, _ in edges[:-1]:
            grade += total < lo
        top, bottom = edges[0][1], edges[-1][0]
        if top is not None:
            grade[total > top] = last
        if bottom is not None:
            grade[total < bottom] = last
        return grade
    grade = np.full(total.shape, last, dtype=np.int64)
    for index in reversed(range(len(bands))):
        grade[contains(bands[index], total)] = index
    return grade


def _allowed(quota: GradeQuota, size: Array) -> Int:
    share = quota.at_most * size
    if quota.rounding == "down":
        return share // RATE_SCALE
    if quota.rounding == "up":
        return -(-share // RATE_SCALE)
    return round_div_nonnegative(share, RATE_SCALE)


def grade_arrays(
    scheme: Scheme,
    total: Array,
    tie_break: list[Array],
    group: Array,
    vetoes: list[tuple[Place, Array]],
) -> Grades:
    grades = scheme.grading.grades()
    order_of = {grade: number for number, grade in enumerate(grades)}
    n = len(total)
    band = band_grades(scheme, total)
    grade = band.copy()
    decided_by = np.zeros(n, dtype=np.int8)
    decided_node = np.full(n, -1, dtype=np.int64)
    eligible = np.ones(n, dtype=bool)
    forced = np.full(n, -1, dtype=np.int64)
    forced_by = np.full(n, -1, dtype=np.int64)
    for number, (place, met) in enumerate(vetoes):
        veto = place.node.veto
        assert veto is not None
        if veto.cap is not None:
            cap = order_of[veto.cap]
            lowered = met & (grade < cap)
            grade[lowered] = cap
            decided_by[lowered] = CAP
            decided_node[lowered] = number
        if veto.force is not None:
            worse = met & (forced < order_of[veto.force])  # the first of the worst forced grades
            forced[worse] = order_of[veto.force]
            forced_by[worse] = number
        if veto.no_awards:
            eligible &= ~met
    is_forced = forced >= grade  # a forced grade never raises the grade (-1: none forced)
    grade[is_forced] = forced[is_forced]
    decided_by[is_forced] = FORCE
    decided_node[is_forced] = forced_by[is_forced]

    # Ranks: sort once by (group, total, tie-break scores); equal keys are runs, groups segments.
    key = composite_key([group, total, *tie_break])
    order = np.argsort(key)
    ordered = key[order]
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = ordered[1:] != ordered[:-1]
    run = np.cumsum(new_run) - 1  # dense key id per sorted position, ordered as the keys
    run_first = np.flatnonzero(new_run)
    run_last = np.append(run_first[1:], n) - 1
    # The sort puts the groups one after the other: segments of the sorted order, in group order.
    per_group = np.bincount(group, minlength=1)
    present = per_group > 0
    segment_of_group = np.cumsum(present) - 1
    segment_size = per_group[present]
    segment_last = np.cumsum(segment_size) - 1
    segment_first = segment_last - segment_size + 1
    segment_sorted = np.repeat(np.arange(len(segment_size)), segment_size)
    segment = segment_of_group[group]
    group_size = segment_size[segment]
    # Both ranks in one int64, so that one scatter puts them back in the units' order.
    above = segment_last[segment_sorted] - run_last[run]  # units of the group with a higher key
    below = run_first[run] - segment_first[segment_sorted]  # units with a lower key
    if n < 2**31:
        packed = np.empty(n, dtype=np.int64)
        packed[order] = (above << 32) | below
        rank = (packed >> 32) + 1
        rank_from_bottom = (packed & 0xFFFFFFFF) + 1
    else:
        rank, rank_from_bottom = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
        rank[order], rank_from_bottom[order] = above + 1, below + 1

    quotas = []
    for quota in sorted(scheme.grading.quotas, key=lambda q: order_of[q.grade]):
        level = order_of[quota.grade]
        held = (grade == level)[order]
        count = np.add.reduceat(held.astype(np.int64), segment_first) if n else segment_size
        allowed = _allowed(quota, segment_size)
        over = np.flatnonzero(count > allowed)
        demoted = np.zeros(n, dtype=bool)
        tied = np.zeros(n, dtype=bool)
        if over.size:
            holders = np.flatnonzero(held)  # sorted positions, by segment, worst key first
            first_holder = np.concatenate(([0], np.cumsum(count)[:-1]))
            # The best unit over the limit is the holder at place `allowed` from the top.
            limit_index = first_holder[over] + count[over] - 1 - allowed[over]
            limit = run[holders[limit_index]]
            inside = np.minimum(limit_index + 1, first_holder[over] + count[over] - 1)
            tied_at_limit = (allowed[over] > 0) & (run[holders[inside]] == limit)
            segment_limit = np.full(len(segment_first), -1, dtype=np.int64)
            segment_limit[over] = limit
            strictly = np.zeros(len(segment_first), dtype=bool)
            strictly[over] = tied_at_limit & (quota.ties == "keep")
            segment_tied = np.zeros(len(segment_first), dtype=bool)
            segment_tied[over] = tied_at_limit
            unit_limit = segment_limit[segment_sorted]
            below = np.where(strictly[segment_sorted], run < unit_limit, run <= unit_limit)
            demoted_sorted = held & below
            demoted[order] = demoted_sorted
            tied[order] = demoted_sorted & segment_tied[segment_sorted] & (run == unit_limit)
            grade[demoted] = level + 1
            decided_by[demoted] = QUOTA
            decided_node[demoted] = -1
        quotas.append(QuotaRound(quota, level + 1, demoted, tied, allowed))

    outcomes = []
    for outcome in scheme.grading.rank_outcomes:
        gets = np.zeros(n, dtype=bool)
        if outcome.top is not None:
            gets |= rank <= outcome.top
        if outcome.bottom is not None:
            gets |= rank_from_bottom <= outcome.bottom
        outcomes.append(gets)

    pay_of = np.array([scheme.uses.pay.get(g, 0) for g in grades], dtype=np.int64)  # below 10**18
    has_pay_of = np.array([g in scheme.uses.pay for g in grades], dtype=bool)
    return Grades(
        band=band,
        grade=grade,
        decided_by=decided_by,
        decided_node=decided_node,
        vetoes=vetoes,
        awards_eligible=eligible,
        quotas=quotas,
        segment=segment,
        segment_size=segment_size,
        rank=rank,
        rank_from_bottom=rank_from_bottom,
        group_size=group_size,
        outcomes=outcomes,
        pay=pay_of[grade],
        has_pay=has_pay_of[grade],
        uses=use_key(grade, eligible, outcomes),
    )


def use_key(grade: Array, eligible: Array, outcomes: list[Array]) -> Array:
    """One int per unit naming what decides its actions: grade, eligibility and rank outcomes."""
    key = grade * 2 + eligible
    if len(outcomes) > 56:  # more outcomes than int64 has bits for: Python ints
        key = key.astype(object)
    for gets in outcomes:
        key = key * 2 + gets
    return key


def uses_of_key(scheme: Scheme, key: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The actions and the withheld award actions for a use key (see use_key)."""
    outcomes = scheme.grading.rank_outcomes
    got = []
    for outcome in reversed(outcomes):
        key, bit = divmod(key, 2)
        if bit:
            got.append(outcome.action)
    got.reverse()
    grade_index, eligible = divmod(key, 2)
    grade = scheme.grading.grades()[grade_index]
    actions = list(dict.fromkeys([*scheme.uses.actions.get(grade, ()), *got]))
    withheld = [] if eligible else [a for a in actions if a in scheme.uses.award_actions]
    return tuple(a for a in actions if a not in withheld), tuple(withheld)
