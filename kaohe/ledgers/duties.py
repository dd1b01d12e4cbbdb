"""A branch's standing duties (DOMAIN.md §2.3) judged red, amber or green. Pure: no database.

For a year and a "today", each duty's periods (months, quarters or the year) are split into those
that are over, the one running now and those to come:
- red: a period that is over was missed (the periods missed are named);
- amber: nothing missed, but the running period is not met yet and its deadline has not passed;
- green: every period so far met;
- none: nothing owed yet (a future year, a branch too new) or the duty does not apply.

A period is owed by a branch that was open all of it: the months (quarters, year) in which a branch
is founded or closed are not held against it, the rule ledger.theme_day.missed uses too.
"""

import datetime
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.ledgers.models import MeetingKind
from kaohe.ledgers.periods import Period, active_through, months_between, periods


class Colour(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "none"


COLOUR_LABELS = {
    Colour.GREEN: gettext_lazy("按时完成"),
    Colour.AMBER: gettext_lazy("本期待完成"),
    Colour.RED: gettext_lazy("有缺项"),
    Colour.NONE: gettext_lazy("暂无要求"),
}


@dataclass(frozen=True)
class Duty:
    code: str
    label: str | Promise
    cadence: str  # "month", "quarter", "year"
    kind: str | None  # the meeting kind that meets it; None for dues
    missing: str | Promise  # "%(period)s未召开支部党员大会"
    needs_groups: bool = False


DUTIES = (
    Duty(
        "branch_assembly",
        gettext_lazy("支部党员大会（每季度）"),
        "quarter",
        MeetingKind.BRANCH_ASSEMBLY,
        gettext_lazy("%(period)s未召开支部党员大会"),
    ),
    Duty(
        "committee_meeting",
        gettext_lazy("支委会（每月）"),
        "month",
        MeetingKind.COMMITTEE_MEETING,
        gettext_lazy("%(period)s未召开支委会"),
    ),
    Duty(
        "group_meeting",
        gettext_lazy("党小组会（每月）"),
        "month",
        MeetingKind.GROUP_MEETING,
        gettext_lazy("%(period)s未召开党小组会"),
        needs_groups=True,
    ),
    Duty(
        "party_lecture",
        gettext_lazy("党课（每季度）"),
        "quarter",
        MeetingKind.PARTY_LECTURE,
        gettext_lazy("%(period)s未讲党课"),
    ),
    Duty(
        "theme_day",
        gettext_lazy("主题党日（每月）"),
        "month",
        MeetingKind.THEME_DAY,
        gettext_lazy("%(period)s未开展主题党日"),
    ),
    Duty(
        "life_meeting",
        gettext_lazy("组织生活会（每年）"),
        "year",
        MeetingKind.LIFE_MEETING,
        gettext_lazy("%(period)s未召开组织生活会"),
    ),
    Duty(
        "member_review",
        gettext_lazy("民主评议党员（每年）"),
        "year",
        MeetingKind.MEMBER_REVIEW,
        gettext_lazy("%(period)s未开展民主评议党员"),
    ),
    Duty(
        "dues",
        gettext_lazy("党费（每月）"),
        "month",
        None,
        gettext_lazy("%(period)s有 %(n)s 人未足额缴纳党费"),
    ),
)


@dataclass
class BranchRecords:
    """What one branch recorded in the year, as the judging needs it."""

    active_from: datetime.date
    active_to: datetime.date | None
    has_groups: bool = False
    held: dict[str, set[datetime.date]] = field(default_factory=dict)  # kind → months with one
    dues: dict[datetime.date, tuple[int, int]] = field(default_factory=dict)  # month → (owed, in full)


@dataclass(frozen=True)
class DutyStatus:
    duty: Duty
    colour: Colour
    missing: tuple[str, ...] = ()  # the periods that are over and were missed, in words
    pending: str = ""  # what the running period still lacks
    due: str = ""  # by when ("6月30日前")
    met: int = 0  # periods met so far (over or running)
    owed: int = 0  # periods owed so far (over, plus the running one)

    @property
    def colour_label(self) -> str:
        return str(COLOUR_LABELS[self.colour])

    @property
    def short_label(self) -> str:
        """For a cell of the branches × duties table: how many periods were missed, if any."""
        if self.colour == Colour.RED:
            return _("缺 %(n)s 期") % {"n": len(self.missing)}
        return {Colour.AMBER: _("待完成"), Colour.GREEN: _("已完成")}.get(self.colour, "—")


def _shortfall(duty: Duty, records: BranchRecords, period: Period) -> int:
    """0 when the period's requirement is met; else how much is lacking (meetings: 1)."""
    if duty.kind is not None:
        months = records.held.get(duty.kind, set())
        return 0 if any(period.starts <= m <= period.ends for m in months) else 1
    lacking = 0
    for month in months_between(period.starts, period.ends):
        owed, in_full = records.dues.get(month, (0, 0))
        lacking += owed - in_full
    return lacking


def _missing_text(duty: Duty, period: Period, lacking: int) -> str:
    return str(duty.missing) % {"period": period.name, "n": lacking}


def judge_duty(duty: Duty, records: BranchRecords, year: int, today: datetime.date) -> DutyStatus:
    if duty.needs_groups and not records.has_groups:
        return DutyStatus(duty, Colour.NONE, pending=_("未设党小组，不适用"))
    missing: list[str] = []
    pending, due = "", ""
    met = owed = 0
    for period in periods(duty.cadence, year):
        if period.starts > today or not active_through(
            records.active_from, records.active_to, period.starts, period.ends
        ):
            continue
        owed += 1
        lacking = _shortfall(duty, records, period)
        if not lacking:
            met += 1
        elif period.ends < today:
            missing.append(_missing_text(duty, period, lacking))
        else:
            pending, due = _missing_text(duty, period, lacking), period.deadline_text
    if missing:
        colour = Colour.RED
    elif pending:
        colour = Colour.AMBER
    elif owed:
        colour = Colour.GREEN
    else:
        colour = Colour.NONE
    return DutyStatus(duty, colour, tuple(missing), pending, due, met, owed)


def judge(records: BranchRecords, year: int, today: datetime.date) -> list[DutyStatus]:
    """Every duty of one branch for `year`, as of `today`."""
    return [judge_duty(duty, records, year, today) for duty in DUTIES]
