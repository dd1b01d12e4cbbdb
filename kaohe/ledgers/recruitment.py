"""发展党员: the 25 steps of developing a party member, in five stages, and the rules the dates a
branch records for them must keep. Pure: dates in, violations out; nothing here reads the database.

The steps and their order are those of the 发展党员工作流程 that goes with the 《中国共产党发展党员
工作细则》(2014); the time limits are the ones the 细则 and the 党章 state in so many words, each kept
as a named constant with the article it comes from. A limit we could not tie to a clear sentence of
the text (a 公示 period, a local rule) is deliberately left out: a wrong rule would cost a branch
points it did not lose.
"""

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise  # a dev dependency: the stubs' name for a lazy str
else:
    from django.utils.functional import Promise as StrPromise

# ---- the time limits ----------------------------------------------------------------------------

# 细则第七条: 党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话。
TALK_WITHIN_MONTHS = 1
# 细则第十三条: 对经过一年以上培养教育和考察、基本具备党员条件的入党积极分子 … 可列为发展对象。
CULTIVATION_AT_LEAST_MONTHS = 12
# 细则第四章（预备党员的接收）: 基层党委对党支部上报的接收预备党员的决议，应当在三个月内审批。
# (The 细则 lets a committee take up to six months "遇有特殊情况"; the three months are the rule, and
# a branch that had such a case says so in the step's note.)
ADMISSION_APPROVAL_WITHIN_MONTHS = 3
# 党章第七条: 预备党员的预备期为一年。细则第三十二条: 预备期从支部大会通过其为预备党员之日算起，
# 预备期满，党支部应当及时讨论其能否转为正式党员 - so the 转正 meeting comes a year on, not earlier.
PROBATION_MONTHS = 12
# 细则第三十四条: 党委对党支部上报的预备党员转正的决议，应当在三个月内审批。
CONFIRMATION_APPROVAL_WITHIN_MONTHS = 3


# ---- the steps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    code: str
    name: StrPromise


@dataclass(frozen=True)
class Step:
    number: int  # 1-25, its place in the flow chart
    code: str
    name: StrPromise
    stage: str
    # Steps of one rank may be done in any order among themselves (a 政审 and the 集中培训 run side
    # by side); a step must not come before any step of a lower rank.
    rank: int


STAGES = (
    Stage("applicant", gettext_lazy("入党申请人")),
    Stage("activist", gettext_lazy("入党积极分子")),
    Stage("candidate", gettext_lazy("发展对象")),
    Stage("admission", gettext_lazy("预备党员接收")),
    Stage("probation", gettext_lazy("预备党员教育考察和转正")),
)
STAGE_BY_CODE = {s.code: s for s in STAGES}

STEPS = (
    Step(1, "apply", gettext_lazy("递交入党申请书"), "applicant", 1),
    Step(2, "talk", gettext_lazy("党组织派人谈话"), "applicant", 2),
    Step(3, "activist", gettext_lazy("推荐和确定入党积极分子"), "activist", 3),
    Step(4, "activist_filed", gettext_lazy("上级党委备案"), "activist", 4),
    Step(5, "mentors", gettext_lazy("指定培养联系人"), "activist", 4),
    Step(6, "cultivation", gettext_lazy("培养教育考察"), "activist", 5),
    Step(7, "candidate", gettext_lazy("确定发展对象"), "candidate", 6),
    Step(8, "candidate_filed", gettext_lazy("报上级党委备案"), "candidate", 7),
    Step(9, "introducers", gettext_lazy("确定入党介绍人"), "candidate", 8),
    Step(10, "political_review", gettext_lazy("进行政治审查"), "candidate", 8),
    Step(11, "training", gettext_lazy("开展集中培训"), "candidate", 8),
    Step(12, "committee_review", gettext_lazy("支部委员会审查"), "admission", 9),
    Step(13, "pre_review", gettext_lazy("上级党委预审"), "admission", 10),
    Step(14, "pledge_form", gettext_lazy("填写入党志愿书"), "admission", 11),
    Step(15, "admission_meeting", gettext_lazy("支部大会讨论"), "admission", 12),
    Step(16, "approval_talk", gettext_lazy("上级党委派人谈话"), "admission", 13),
    Step(17, "admission_approval", gettext_lazy("上级党委审批"), "admission", 14),
    Step(18, "admission_filed", gettext_lazy("再上级党委组织部门备案"), "admission", 15),
    Step(19, "placement", gettext_lazy("编入党支部和党小组"), "probation", 15),
    Step(20, "oath", gettext_lazy("入党宣誓"), "probation", 15),
    Step(21, "probation_review", gettext_lazy("继续教育考察"), "probation", 16),
    Step(22, "confirmation_request", gettext_lazy("提出转正申请"), "probation", 17),
    Step(23, "confirmation_meeting", gettext_lazy("支部大会讨论"), "probation", 18),
    Step(24, "confirmation_approval", gettext_lazy("上级党委审批"), "probation", 19),
    Step(25, "archived", gettext_lazy("材料归档"), "probation", 20),
)
STEP_BY_CODE = {s.code: s for s in STEPS}
# Two pairs of steps share a name (支部大会讨论, 上级党委审批): the number tells them apart.
STEP_CHOICES = [(s.code, s.name) for s in STEPS]
LAST_STEP = STEPS[-1]


def step_label(code: str) -> str:
    """ "15. 支部大会讨论" - unambiguous wherever a step is named on its own."""
    step = STEP_BY_CODE[code]
    return f"{step.number}. {step.name}"


@dataclass(frozen=True)
class Limit:
    """A time limit between two steps: `then` within `months` of `after` (a deadline), or not before
    `months` have passed (a minimum)."""

    code: str
    after: str
    then: str
    months: int
    minimum: bool
    basis: StrPromise  # where the limit is written


LIMITS = (
    Limit("talk_within", "apply", "talk", TALK_WITHIN_MONTHS, False, gettext_lazy("细则第七条")),
    Limit(
        "cultivation_at_least",
        "activist",
        "candidate",
        CULTIVATION_AT_LEAST_MONTHS,
        True,
        gettext_lazy("细则第十三条"),
    ),
    Limit(
        "admission_approval_within",
        "admission_meeting",
        "admission_approval",
        ADMISSION_APPROVAL_WITHIN_MONTHS,
        False,
        gettext_lazy("细则第四章"),
    ),
    Limit(
        "probation_at_least",
        "admission_meeting",
        "confirmation_meeting",
        PROBATION_MONTHS,
        True,
        gettext_lazy("党章第七条、细则第三十二条"),
    ),
    Limit(
        "confirmation_approval_within",
        "confirmation_meeting",
        "confirmation_approval",
        CONFIRMATION_APPROVAL_WITHIN_MONTHS,
        False,
        gettext_lazy("细则第三十四条"),
    ),
)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day when it has no such day (31 Jan + 1 = 28/29
    Feb, 29 Feb + 12 = 28 Feb), the way 一个月内 and 一年 are counted on a calendar."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _period(months: int) -> str:
    if months % 12 == 0:
        return _("%(n)s年") % {"n": months // 12}
    return _("%(n)s个月") % {"n": months}


# ---- the check ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    step: str  # the step it is shown on
    on: datetime.date  # the day the rule was broken: what a span of a cycle counts by
    rule: str  # "order", "skipped", or a Limit's code
    reason: str


def _name(code: str) -> str:
    return str(STEP_BY_CODE[code].name)


def _order(dates: Mapping[str, datetime.date]) -> list[Violation]:
    """A step dated before a step of a lower rank. Each step is compared with the recorded steps of
    the nearest lower rank only, so one mistyped date is one violation, not one per later step."""
    out = []
    recorded = sorted((STEP_BY_CODE[c] for c in dates), key=lambda s: s.number)
    for step in recorded:
        lower = [s for s in recorded if s.rank < step.rank]
        if not lower:
            continue
        nearest = max(s.rank for s in lower)
        before = max((s for s in lower if s.rank == nearest), key=lambda s: (dates[s.code], s.number))
        if dates[step.code] < dates[before.code]:
            out.append(
                Violation(
                    step.code,
                    dates[step.code],
                    "order",
                    _("“%(step)s”记为 %(day)s，早于前一环节“%(before)s”（%(before_day)s）")
                    % {
                        "step": _name(step.code),
                        "day": dates[step.code].isoformat(),
                        "before": _name(before.code),
                        "before_day": dates[before.code].isoformat(),
                    },
                )
            )
    return out


def _skipped(dates: Mapping[str, datetime.date]) -> list[Violation]:
    """A step without a date while a step of a higher rank has one: dated when the later step was
    done, the day the gap became a fact."""
    out = []
    recorded = [STEP_BY_CODE[c] for c in dates]
    for step in STEPS:
        if step.code in dates:
            continue
        later = [s for s in recorded if s.rank > step.rank]
        if not later:
            continue
        first = min(later, key=lambda s: (dates[s.code], s.number))
        out.append(
            Violation(
                step.code,
                dates[first.code],
                "skipped",
                _("未记录“%(step)s”，而后续环节“%(later)s”已于 %(day)s 完成")
                % {
                    "step": _name(step.code),
                    "later": _name(first.code),
                    "day": dates[first.code].isoformat(),
                },
            )
        )
    return out


def _limits(dates: Mapping[str, datetime.date], cutoff: datetime.date, skipped: set[str]) -> list[Violation]:
    out = []
    for limit in LIMITS:
        start = dates.get(limit.after)
        if start is None:
            continue
        bound = add_months(start, limit.months)
        done = dates.get(limit.then)
        words = {
            "after": _name(limit.after),
            "start": start.isoformat(),
            "then": _name(limit.then),
            "period": _period(limit.months),
            "bound": bound.isoformat(),
            "basis": str(limit.basis),
        }
        if limit.minimum:
            if done is not None and done < bound:
                reason = _(
                    "“%(after)s”（%(start)s）后须满%(period)s方可“%(then)s”（最早 %(bound)s），"
                    "实际为 %(day)s（%(basis)s）"
                ) % {**words, "day": done.isoformat()}
                out.append(Violation(limit.then, done, limit.code, reason))
            continue
        # A deadline is broken the day after it passes, whether the step came late or not at all.
        broken = bound + datetime.timedelta(days=1)
        if done is not None and done > bound:
            reason = _(
                "“%(then)s”应在“%(after)s”（%(start)s）后%(period)s内完成（截至 %(bound)s），"
                "实际为 %(day)s（%(basis)s）"
            ) % {**words, "day": done.isoformat()}
            out.append(Violation(limit.then, broken, limit.code, reason))
        elif done is None and limit.then not in skipped and cutoff >= broken:
            reason = (
                _(
                    "“%(then)s”应在“%(after)s”（%(start)s）后%(period)s内完成（截至 %(bound)s），"
                    "至今未记录（%(basis)s）"
                )
                % words
            )
            out.append(Violation(limit.then, broken, limit.code, reason))
    return out


def check(
    dates: Mapping[str, datetime.date], *, today: datetime.date, ended_on: datetime.date | None = None
) -> list[Violation]:
    """Every rule the recorded `dates` (step code → day done) break, earliest first.

    A deadline still open counts as broken once `today` is past it, unless the case ended before
    (`ended_on`: the candidate was not admitted, moved away, ...). Unknown step codes are ignored.
    """
    dates = {code: day for code, day in dates.items() if code in STEP_BY_CODE}
    cutoff = min(today, ended_on) if ended_on is not None else today
    skipped = _skipped(dates)
    found = _order(dates) + skipped + _limits(dates, cutoff, {v.step for v in skipped})
    return sorted(found, key=lambda v: (v.on, STEP_BY_CODE[v.step].number, v.rule))


def current_stage(dates: Mapping[str, datetime.date]) -> Stage | None:
    """The stage of the furthest step recorded; None before any."""
    recorded = [STEP_BY_CODE[c] for c in dates if c in STEP_BY_CODE]
    if not recorded:
        return None
    return STAGE_BY_CODE[max(recorded, key=lambda s: s.number).stage]


def next_step(dates: Mapping[str, datetime.date]) -> Step | None:
    """The first step after the furthest one recorded; None once the materials are filed."""
    furthest = max((STEP_BY_CODE[c].number for c in dates if c in STEP_BY_CODE), default=0)
    return STEPS[furthest] if furthest < len(STEPS) else None
