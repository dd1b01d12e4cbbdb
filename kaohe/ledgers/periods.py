"""Months, quarters and years as the ledgers count them. Pure dates, no database."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# 主题党日 must be uploaded to the platform by the last 2 days of the month (DOMAIN.md §5 C): we read
# that as "at the latest two days after the month's last day", the grace most platforms allow.
THEME_DAY_UPLOAD_GRACE_DAYS = 2


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(first: datetime.date) -> datetime.date:
    return datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_end(first: datetime.date) -> datetime.date:
    return next_month(first) - datetime.timedelta(days=1)


def months_between(starts: datetime.date, ends: datetime.date) -> list[datetime.date]:
    """First days of the months that overlap [starts, ends]."""
    out, first = [], month_start(starts)
    while first <= ends:
        out.append(first)
        first = next_month(first)
    return out


def ended_months(starts: datetime.date, ends: datetime.date, today: datetime.date) -> list[datetime.date]:
    """The months of the span that are over: their last day is before today."""
    return [m for m in months_between(starts, ends) if month_end(m) < today]


def theme_day_deadline(first: datetime.date) -> datetime.date:
    """The last day a month's 主题党日 may be recorded and still count as uploaded on time."""
    return month_end(first) + datetime.timedelta(days=THEME_DAY_UPLOAD_GRACE_DAYS)


def active_through(
    active_from: datetime.date, active_to: datetime.date | None, starts: datetime.date, ends: datetime.date
) -> bool:
    """Whether an org (open from `active_from`, closed on `active_to`) was open all of [starts, ends]."""
    return active_from <= starts and (active_to is None or active_to > ends)


def active_during(
    active_from: datetime.date, active_to: datetime.date | None, starts: datetime.date, ends: datetime.date
) -> bool:
    """Whether an org was open on some day of [starts, ends]."""
    return active_from <= ends and (active_to is None or active_to > starts)


def parse_month(text: str) -> datetime.date | None:
    """'2026-03' or '2026-3' → 2026-03-01; None when it is not a month."""
    parts = text.strip().replace("/", "-").split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    year, month = int(parts[0]), int(parts[1])
    if not (1900 <= year <= 2100 and 1 <= month <= 12):
        return None
    return datetime.date(year, month, 1)


@dataclass(frozen=True)
class Period:
    """One period of a duty's cadence: a month, a quarter or a year."""

    starts: datetime.date
    ends: datetime.date
    name: str  # "3月", "第二季度", "2026年"

    @property
    def deadline_text(self) -> str:
        return _("%(month)s月%(day)s日前") % {"month": self.ends.month, "day": self.ends.day}


QUARTER_NAMES = (
    gettext_noop("第一季度"),
    gettext_noop("第二季度"),
    gettext_noop("第三季度"),
    gettext_noop("第四季度"),
)


def periods(cadence: str, year: int) -> list[Period]:
    """The periods of `year` for a cadence ("month", "quarter" or "year")."""
    if cadence == "month":
        return [
            Period(m, month_end(m), _("%(month)s月") % {"month": m.month})
            for m in months_between(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        ]
    if cadence == "quarter":
        return [
            Period(
                datetime.date(year, 3 * q + 1, 1),
                month_end(datetime.date(year, 3 * q + 3, 1)),
                _(QUARTER_NAMES[q]),
            )
            for q in range(4)
        ]
    if cadence == "year":
        return [
            Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), _("%(year)s年") % {"year": year})
        ]
    raise ValueError(f"unknown cadence {cadence!r}")
