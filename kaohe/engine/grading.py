"""Grades, ranks and result uses over a whole cycle, from the units' totals and met vetoes.

Order, as the measures apply it: the score band gives a grade; vetoes cap it, force it or take
award eligibility away; quotas ("好" ≤ x% of the peer group) demote the lowest ranked over the
limit; ranks within each peer group give the top-N and bottom-N outcomes; the final grade gives
the pay coefficient and the actions. Everything compares ints; nothing here depends on order of
input beyond the declared tie-break.
"""

from collections import defaultdict
from collections.abc import Sequence

from kaohe.engine.points import RATE_SCALE, format_points, format_rate, round_half_up
from kaohe.engine.results import FactUse, GradeStep, UnitResult
from kaohe.engine.scheme import Band, GradeQuota, Place, Scheme

fp = format_points


def band_text(band: Band) -> str:
    parts = []
    if band.at_least is not None:
        parts.append(f"≥{fp(band.at_least)}")
    if band.above is not None:
        parts.append(f">{fp(band.above)}")
    if band.at_most is not None:
        parts.append(f"≤{fp(band.at_most)}")
    if band.below is not None:
        parts.append(f"<{fp(band.below)}")
    return "且".join(parts) or "任意分数"


def band_grade(scheme: Scheme, total: int) -> tuple[str, GradeStep]:
    for band in scheme.grading.bands:
        if band.contains(total):
            text = f"总分{fp(total)}，在“{band.grade}”等次区间（{band_text(band)}）"
            return band.grade, GradeStep("band", band.grade, text)
    # validation makes the bands cover every reachable total; a scheme built around it still gets
    # an answer rather than a crash: the lowest grade, said plainly.
    lowest = scheme.grading.bands[-1].grade
    return lowest, GradeStep("band", lowest, f"总分{fp(total)}不在任何等次区间内，按最低等次“{lowest}”")


def force_text(reason: str, force: str, grade: str) -> str:
    """A forced grade's step: applied, or (when it would raise the grade) said not to apply."""
    if force == grade:
        return f"{reason}：定为“{force}”"
    return f"{reason}：定为“{force}”不适用（已评为更低的“{grade}”，否决不提高等次）"


def grade_cycle(
    scheme: Scheme, results: Sequence[UnitResult], vetoes: Sequence[list[tuple[Place, list[FactUse]]]]
) -> None:
    grades = scheme.grading.grades()
    order = {grade: number for number, grade in enumerate(grades)}  # 0 is the best
    for result, met in zip(results, vetoes, strict=True):
        grade, step = band_grade(scheme, result.total)
        result.band_grade = grade
        result.steps = [step]
        forced: list[tuple[str, Place, list[FactUse]]] = []
        for place, uses in met:
            veto = place.node.veto
            assert veto is not None
            if veto.cap is not None and order[veto.cap] > order[grade]:
                grade = veto.cap
                result.steps.append(
                    GradeStep("cap", grade, f"{veto.reason}：最高评为“{grade}”", place.node.code, tuple(uses))
                )
            elif veto.cap is not None:
                text = f"{veto.reason}：最高评为“{veto.cap}”（已不高于此等次）"
                result.steps.append(GradeStep("cap", grade, text, place.node.code, tuple(uses)))
            if veto.force is not None:
                forced.append((veto.force, place, uses))
            if veto.no_awards:
                result.awards_eligible = False
                text = f"{veto.reason}：取消评先评优资格"
                result.steps.append(GradeStep("no_awards", None, text, place.node.code, tuple(uses)))
        if forced:
            # Several forced grades: the worst one stands.
            force, place, uses = max(forced, key=lambda f: order[f[0]])
            veto = place.node.veto
            assert veto is not None
            # A veto only ever lowers a grade: a forced grade better than the one the unit has
            # after the bands and caps is said, and does not apply.
            if order[force] >= order[grade]:
                grade = force
            text = force_text(veto.reason, force, grade)
            result.steps.append(GradeStep("force", grade, text, place.node.code, tuple(uses)))
        result.grade = grade
    groups: dict[str, list[UnitResult]] = defaultdict(list)
    for result in results:
        groups[result.unit.group].append(result)
    for members in groups.values():
        _rank(scheme, members)
        for quota in sorted(scheme.grading.quotas, key=lambda q: order[q.grade]):
            _apply_quota(scheme, quota, members, grades)
        _rank_outcomes(scheme, members)
    for result in results:
        pay = scheme.uses.pay.get(result.grade)
        result.pay = pay
        actions = list(dict.fromkeys([*scheme.uses.actions.get(result.grade, ()), *result.outcomes]))
        if not result.awards_eligible:
            result.withheld = [a for a in actions if a in scheme.uses.award_actions]
        result.actions = [a for a in actions if a not in result.withheld]


def rank_key(scheme: Scheme, result: UnitResult) -> tuple[int, ...]:
    """Higher is better: the total, then the tie-break nodes' scores in their declared order."""
    return (result.total, *(result.nodes[code].score for code in scheme.grading.tie_break))


def _rank(scheme: Scheme, members: list[UnitResult]) -> None:
    keys = [rank_key(scheme, m) for m in members]
    for member, key in zip(members, keys, strict=True):
        member.rank = 1 + sum(other > key for other in keys)
        member.rank_from_bottom = 1 + sum(other < key for other in keys)
        member.group_size = len(members)


def _allowed(quota: GradeQuota, size: int) -> int:
    if quota.rounding == "down":
        return quota.at_most * size // RATE_SCALE
    if quota.rounding == "up":
        return -(-quota.at_most * size // RATE_SCALE)
    return round_half_up(quota.at_most * size, RATE_SCALE)


def _apply_quota(scheme: Scheme, quota: GradeQuota, members: list[UnitResult], grades: list[str]) -> None:
    holders = sorted(
        (m for m in members if m.grade == quota.grade), key=lambda m: rank_key(scheme, m), reverse=True
    )
    allowed = _allowed(quota, len(members))
    if len(holders) <= allowed:
        return
    limit_key = rank_key(scheme, holders[allowed])  # the best unit over the limit
    tied_at_limit = allowed > 0 and rank_key(scheme, holders[allowed - 1]) == limit_key
    if tied_at_limit and quota.ties == "keep":
        demoted = [m for m in holders if rank_key(scheme, m) < limit_key]
    elif tied_at_limit:
        demoted = [m for m in holders if rank_key(scheme, m) <= limit_key]
    else:
        demoted = holders[allowed:]
    lower = grades[grades.index(quota.grade) + 1]
    for member in demoted:
        member.grade = lower
        text = (
            f"“{quota.grade}”等次不超过本组的{format_rate(quota.at_most)}（{len(members)}个单位中至多{allowed}个），"
            f"本单位按总分及并列规则排在限额之外，调为“{lower}”"
        )
        if tied_at_limit and rank_key(scheme, member) == limit_key:
            text += "；与限额内单位并列，按规定一并调整"
        member.steps.append(GradeStep("quota", lower, text))


def _rank_outcomes(scheme: Scheme, members: list[UnitResult]) -> None:
    for outcome in scheme.grading.rank_outcomes:
        for member in members:
            if (outcome.top is not None and member.rank <= outcome.top) or (
                outcome.bottom is not None and member.rank_from_bottom <= outcome.bottom
            ):
                member.outcomes.append(outcome.action)
