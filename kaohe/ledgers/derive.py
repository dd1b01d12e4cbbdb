"""The facts the ledgers give to a cycle (the `derive` codes of kaohe/cycles/derived.py).

Each function reads the records of all the units at once (a fixed number of queries, tallies.py)
and returns, per unit, the value in the engine's text form and the records it was computed from,
in words a user can find them by. A unit without the records a value needs (no meetings for an
attendance rate, no branches to average over) is left out: the cycle reports the fact as missing,
never as a silent zero.
"""

import datetime
import json
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kaohe.cycles.derived import Derived, Span, register
from kaohe.engine.points import RATE_SCALE, format_rate, round_half_up
from kaohe.ledgers import recruitment, tallies
from kaohe.ledgers.models import ATTENDANCE_KINDS, DECISION_STEPS, Decision, MeetingKind, RecruitmentStep
from kaohe.ledgers.periods import (
    THEME_DAY_UPLOAD_GRACE_DAYS,
    active_through,
    ended_months,
    month_end,
    months_between,
    theme_day_deadline,
)
from kaohe.ledgers.tallies import Owners
from kaohe.orgs.models import OrgUnit


def today() -> datetime.date:
    """Which months are over is judged against this day (a test may move it)."""
    return timezone.localdate()


def _span_text(span: Span) -> str:
    return _("%(starts)s 至 %(ends)s") % {"starts": span.starts.isoformat(), "ends": span.ends.isoformat()}


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


@register("ledger.first_topic.count", "第一议题学习记录（本级党委会）")
def first_topic_count(units: Sequence[OrgUnit], span: Span) -> dict[int, Derived]:
    """Sessions recorded at the unit itself, not below it: the study is its 党委会's."""
    if not units:
        return {}
    owners = Owners(units)
    counts: dict[int, int] = defaultdict(int)
    for group in tallies.meeting_groups(owners, span.starts, span.ends, [MeetingKind.FIRST_TOPIC]):
        counts[group.org_id] += group.count
    return {
        u.pk: Derived(
            str(counts[u.pk]),
            _("第一议题学习记录 %(n)s 条（%(org)s本级，%(span)s）")
            % {"n": _n(counts[u.pk]), "org": u.name, "span": _span_text(span)},
        )
        for u in units
    }


def _average(total: int, over: int) -> str:
    """total / over to two decimals, cut like the whole count beside it (749 / 250 shows 2.99, never a
    3.00 next to "按整次计 2 次"): shown, never scored."""
    return number_format(Decimal(total * 100 // over) / 100, decimal_pos=2, force_grouping=True)


def _rate_shown(millionths: int) -> str:
    """A rate to one decimal, cut rather than rounded: 89.96% shows as 89.9%, never as a 90.0% that
    the rule (出勤率低于90%) would still deduct for. The engine scores the exact value."""
    tenths = millionths // (RATE_SCALE // 1000)
    return f"{tenths // 10}.{tenths % 10}%"


def _per_branch(kind: str, units: Sequence[OrgUnit], span: Span) -> dict[int, Derived]:
    """Meetings of `kind` held by the unit's branches (at a branch or a party group of it, not at a
    党总支 or 党委 above), averaged over its branches and rounded down to whole meetings.

    The scheme reads this as a count that a quota rule compares with the required number
    (支部党员大会每季度至少召开1次: 应4次). A count is whole meetings, so the honest count for an
    average of 2.80 is 2: the branches did not hold 3 each on average, and rounding to 3 would
    credit meetings they did not hold. The source text keeps the exact figures (129 次 / 46 个支部
    = 2.80) so the rounding is visible."""
    if not units:
        return {}
    owners = Owners(units)
    branch_count: dict[int, int] = defaultdict(int)
    branches = tallies.branches(owners, span.starts, span.ends)
    for branch in branches:
        for unit in owners(branch.path):
            branch_count[unit] += 1
    branch_of = Owners(branches)
    held: dict[int, int] = defaultdict(int)
    for group in tallies.meeting_groups(owners, span.starts, span.ends, [kind]):
        if branch_of(group.org_path):
            for unit in owners(group.org_path):
                held[unit] += group.count
    label = MeetingKind(kind).label
    out = {}
    for u in units:
        if not branch_count[u.pk]:
            continue  # nothing to average over: missing, not zero
        whole = held[u.pk] // branch_count[u.pk]
        out[u.pk] = Derived(
            str(whole),
            _("%(kind)s台账 %(n)s 次 / %(branches)s 个支部 = %(average)s，按整次计 %(whole)s 次（%(span)s）")
            % {
                "kind": label,
                "n": _n(held[u.pk]),
                "branches": _n(branch_count[u.pk]),
                "average": _average(held[u.pk], branch_count[u.pk]),
                "whole": _n(whole),
                "span": _span_text(span),
            },
        )
    return out


@register("ledger.branch_assembly.per_branch", "支部党员大会台账（各支部平均）")
def branch_assembly_per_branch(units: Sequence[OrgUnit], span: Span) -> dict[int, Derived]:
    return _per_branch(MeetingKind.BRANCH_ASSEMBLY, units, span)


@register("ledger.committee_meeting.per_branch", "支委会台账（各支部平均）")
def committee_meeting_per_branch(units: Sequence[OrgUnit], span: Span) -> dict[int, Derived]:
    return _per_branch(MeetingKind.COMMITTEE_MEETING, units, span)


@register("ledger.party_lecture.per_branch", "党课台账（各支部平均）")
def party_lecture_per_branch(units: Sequence[OrgUnit], span: Span) -> dict[int, Derived]:
    return _per_branch(MeetingKind.PARTY_LECTURE, units, span)


@register("ledger.attendance.rate", "三会一课及主题党日出勤台账")
def attendance_rate(units: Sequence[OrgUnit], span: Span) -> dict[int, Derived]:
    """Σ present / Σ expected over the subtree's 三会一课 and 主题党日, in exact millionths."""
    if not units:
        return {}
    owners = Owners(units)
    meetings: dict[int, int] = defaultdict(int)
    expected: dict[int, int] = defaultdict(int)
    present: dict[int, int] = defaultdict(int)
    for group in tallies.meeting_groups(owners, span.starts, span.ends, ATTENDANCE_KINDS):
        for unit in owners(group.org_path):
            meetings[unit] += group.count
            expected[unit] += group.expected
            present[unit] += group.present
    out = {}
    for u in units:
        if not expected[u.pk]:
            continue  # no meetings: no rate, and not 0%
        rate = round_half_up(present[u.pk] * RATE_SCALE, expected[u.pk])
        out[u.pk] = Derived(
            format_rate(rate),
            _(
                "三会一课及主题党日台账 %(n)s 次会议，出勤率 %(rate)s："
                "实到 %(present)s 人次 / 应到 %(expected)s 人次（%(span)s）"
            )
            % {
                "n": _n(meetings[u.pk]),
                "rate": _rate_shown(rate),
                "present": _n(present[u.pk]),
                "expected": _n(expected[u.pk]),
                "span": _span_text(span),
            },
        )
    return out


@register("ledger.theme_day.missed", "主题党日台账（未开展或超期上传）")
def theme_day_missed(units: Sequence[OrgUnit], span: Span) -> dict[int, Derived]:
    """Branch-months without a 主题党日 uploaded by the deadline (month end + 2 days).

    A month counts once its upload deadline has passed, for a branch open the whole month (the
    months a branch opens or closes in are not held against it).
    """
    if not units:
        return {}
    owners = Owners(units)
    day = today()
    months = [m for m in months_between(span.starts, span.ends) if theme_day_deadline(m) < day]
    judged: dict[int, int] = defaultdict(int)
    missed: dict[int, int] = defaultdict(int)
    late: dict[int, int] = defaultdict(int)
    first_recorded: dict[tuple[int, datetime.date], datetime.datetime] = {}
    if months:
        branches = tallies.branches(owners, months[0], month_end(months[-1]))
        branch_of = Owners(branches)  # a party group's 主题党日 is its branch's
        for group in tallies.meeting_groups(
            owners, months[0], month_end(months[-1]), [MeetingKind.THEME_DAY]
        ):
            for branch_pk in branch_of(group.org_path):
                key = (branch_pk, group.month)
                if key not in first_recorded or group.first_recorded < first_recorded[key]:
                    first_recorded[key] = group.first_recorded
        for branch in branches:
            for month in months:
                if not active_through(branch.active_from, branch.active_to, month, month_end(month)):
                    continue
                recorded = first_recorded.get((branch.pk, month))
                on_time = recorded is not None and timezone.localdate(recorded) <= theme_day_deadline(month)
                for unit in owners(branch.path):
                    judged[unit] += 1
                    if recorded is None:
                        missed[unit] += 1
                    elif not on_time:
                        late[unit] += 1
    return {
        u.pk: Derived(
            str(missed[u.pk] + late[u.pk]),
            _(
                "主题党日台账：已过上传期限的支部月 %(judged)s 个，未开展 %(missed)s 个，超期上传 %(late)s 个"
                "（上传期限为次月 %(grace)s 日，%(span)s）"
            )
            % {
                "judged": _n(judged[u.pk]),
                "missed": _n(missed[u.pk]),
                "late": _n(late[u.pk]),
                "grace": THEME_DAY_UPLOAD_GRACE_DAYS,
                "span": _span_text(span),
            },
        )
        for u in units
    }


@register("ledger.dues.shortfalls", "党费收缴台账（未按月足额缴纳）")
def dues_shortfalls(units: Sequence[OrgUnit], span: Span) -> dict[int, Derived]:
    """Person-months, over the months of the span that are over, without dues paid in full."""
    if not units:
        return {}
    owners = Owners(units)
    months = ended_months(span.starts, span.ends, today())
    owed: dict[int, int] = defaultdict(int)
    in_full: dict[int, int] = defaultdict(int)
    for (path, _month), tally in tallies.dues_by_org_month(owners, months).items():
        for unit in owners(path):
            owed[unit] += tally.owed
            in_full[unit] += tally.in_full
    return {
        u.pk: Derived(
            str(owed[u.pk] - in_full[u.pk]),
            _("党费收缴台账：已结束的 %(months)s 个月应缴 %(owed)s 人月，足额缴纳 %(paid)s 人月（%(span)s）")
            % {
                "months": len(months),
                "owed": _n(owed[u.pk]),
                "paid": _n(in_full[u.pk]),
                "span": _span_text(span),
            },
        )
        for u in units
    }


@register("ledger.decisions.steps", "三重一大决策事项台账")
def decision_steps(units: Sequence[OrgUnit], span: Span) -> dict[int, Derived]:
    """The steps every decision of the subtree went through; no decisions: none failed, all four."""
    if not units:
        return {}
    owners = Owners(units)
    # Annotations may not reuse the field names.
    step_sums = {f"with_{name}": Count("pk", filter=Q(**{name: True})) for name, _option in DECISION_STEPS}
    rows = (
        Decision.objects.filter(owners.q(), decided_on__gte=span.starts, decided_on__lte=span.ends)
        .values("org__path")
        .annotate(n=Count("pk"), **step_sums)
        .order_by()
    )
    decisions: dict[int, int] = defaultdict(int)
    with_step: dict[tuple[int, str], int] = defaultdict(int)
    for typed_row in rows:
        row = cast(dict[str, Any], typed_row)  # the step counts' names are built, not literal
        for unit in owners(row["org__path"]):
            decisions[unit] += row["n"]
            for name, _option in DECISION_STEPS:
                with_step[(unit, name)] += row[f"with_{name}"]
    out = {}
    for u in units:
        present = [option for name, option in DECISION_STEPS if with_step[(u.pk, name)] == decisions[u.pk]]
        out[u.pk] = Derived(
            json.dumps(present, ensure_ascii=False),
            _("三重一大决策事项台账 %(n)s 项（%(span)s）")
            % {"n": _n(decisions[u.pk]), "span": _span_text(span)}
            if decisions[u.pk]
            else _("三重一大决策事项台账 0 项：无事项，程序视为完整（%(span)s）")
            % {"span": _span_text(span)},
        )
    return out


@register("ledger.recruitment.violations", "发展党员工作台账（程序不规范）")
def recruitment_violations(units: Sequence[OrgUnit], span: Span) -> dict[int, Derived]:
    """Breaches of the 发展党员 rules (recruitment.check) in the cases of the unit's subtree that
    happened within the span: each is dated the day it happened (a step out of order or too early on
    its own date, a gap on the date of the later step that revealed it, a missed deadline on the day
    after it), so a breach is counted in one cycle only. One query: every step of the cases open
    during the span (a case cannot break a rule before it starts or after it ends)."""
    if not units:
        return {}
    owners = Owners(units)
    day = today()
    rows = (
        RecruitmentStep.objects.filter(owners.q("case__org__path"), case__started_on__lte=span.ends)
        .filter(Q(case__ended_on__isnull=True) | Q(case__ended_on__gte=span.starts))
        .values_list("case_id", "case__org__path", "case__ended_on", "step", "done_on")
        .order_by()
    )
    cases: dict[int, tuple[str, datetime.date | None, dict[str, datetime.date]]] = {}
    for case_id, path, ended_on, step, done_on in rows:
        cases.setdefault(case_id, (path, ended_on, {}))[2][step] = done_on
    involved: dict[int, int] = defaultdict(int)
    violations: dict[int, int] = defaultdict(int)
    for path, ended_on, dates in cases.values():
        breaches = recruitment.check(dates, today=day, ended_on=ended_on)
        found = sum(1 for v in breaches if span.starts <= v.on <= span.ends)
        if not found and not any(span.starts <= d <= span.ends for d in dates.values()):
            continue  # nothing happened in this case during the span
        for unit in owners(path):
            involved[unit] += 1
            violations[unit] += found
    return {
        u.pk: Derived(
            str(violations[u.pk]),
            _("发展党员档案 %(cases)s 份（本期有环节记录或问题），程序不规范 %(n)s 次（%(span)s）")
            % {"cases": _n(involved[u.pk]), "n": _n(violations[u.pk]), "span": _span_text(span)},
        )
        for u in units
    }
