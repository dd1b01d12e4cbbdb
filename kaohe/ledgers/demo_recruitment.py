"""发展党员 files for the demo city: in each enterprise a few branches develop one to three young
people each, started over the last three years and so at every stage of the 25 steps.

Most files keep the rules (recruitment.py); about one in six breaks one of them the way files do in
practice (a talk a month late, an activist made a 发展对象 before a full year, an approval that took
too long, a step never recorded), so ledger.recruitment.violations counts something for some
enterprises. Drawn from its own random stream: the other demo ledgers stay as they were.
"""

import datetime
import random

from kaohe.ledgers.models import RecruitmentCase, RecruitmentStep
from kaohe.ledgers.recruitment import add_months
from kaohe.orgs.demo import FEMALE_CHARS, MALE_CHARS, SURNAME_WEIGHTS, SURNAMES
from kaohe.orgs.models import OrgKind, OrgUnit

BREACH_SHARE = 0.17
BREACHES = ("late_talk", "early_candidate", "late_approval", "skipped_review")
STEP_NOTES = {
    "talk": "支部书记谈话，形成谈话记录",
    "activist": "经党员推荐、支委会研究确定",
    "admission_meeting": "支部党员大会表决通过",
    "confirmation_meeting": "支部党员大会讨论同意按期转正",
}


def _days(rng: random.Random, low: int, high: int) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(low, high))


def _timeline(rng: random.Random, start: datetime.date, breach: str | None) -> dict[str, datetime.date]:
    """The day each of the 25 steps would be done, in order, from the application on `start`."""
    d: dict[str, datetime.date] = {"apply": start}
    d["talk"] = start + (_days(rng, 35, 60) if breach == "late_talk" else _days(rng, 5, 25))
    d["activist"] = d["talk"] + _days(rng, 30, 90)
    d["activist_filed"] = d["activist"] + _days(rng, 3, 15)
    d["mentors"] = d["activist"] + _days(rng, 3, 15)
    d["cultivation"] = add_months(d["activist"], 10) + _days(rng, 0, 20)
    at_least = add_months(d["activist"], 12)
    if breach == "early_candidate":
        d["candidate"] = d["cultivation"] + _days(rng, 5, 20)  # before the year is over
    else:
        d["candidate"] = max(d["cultivation"], at_least) + _days(rng, 1, 30)
    d["candidate_filed"] = d["candidate"] + _days(rng, 5, 15)
    for code in ("introducers", "political_review", "training"):
        d[code] = d["candidate_filed"] + _days(rng, 10, 40)
    d["committee_review"] = max(d["introducers"], d["political_review"], d["training"]) + _days(rng, 5, 20)
    d["pre_review"] = d["committee_review"] + _days(rng, 7, 20)
    d["pledge_form"] = d["pre_review"] + _days(rng, 3, 10)
    d["admission_meeting"] = d["pledge_form"] + _days(rng, 5, 20)
    d["approval_talk"] = d["admission_meeting"] + _days(rng, 7, 20)
    late = breach == "late_approval"
    d["admission_approval"] = add_months(d["admission_meeting"], 3 if late else 1) + _days(rng, 5, 25)
    for code in ("admission_filed", "placement", "oath"):
        d[code] = d["admission_approval"] + _days(rng, 5, 20)
    d["probation_review"] = d["oath"] + _days(rng, 90, 180)
    d["confirmation_request"] = add_months(d["admission_meeting"], 11) + _days(rng, 5, 20)
    d["confirmation_meeting"] = add_months(d["admission_meeting"], 12) + _days(rng, 1, 20)
    d["confirmation_approval"] = d["confirmation_meeting"] + _days(rng, 15, 60)
    d["archived"] = d["confirmation_approval"] + _days(rng, 10, 30)
    if breach == "skipped_review":
        del d["political_review"]  # the 政审 was never recorded
    return d


def _name(rng: random.Random) -> str:
    chars = rng.choice((MALE_CHARS, FEMALE_CHARS))
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.75 else "")
    return rng.choices(SURNAMES, SURNAME_WEIGHTS)[0] + given


def build_recruitment(seed: int, today: datetime.date) -> int:
    """Write the cases and their steps up to yesterday; the number of cases."""
    rng = random.Random(seed * 31 + 7)
    earliest = add_months(today, -40)
    branches: dict[int, list[OrgUnit]] = {}
    open_branches = OrgUnit.objects.filter(kind=OrgKind.BRANCH, active_to__isnull=True).order_by("path")
    for branch in open_branches:
        branches.setdefault(branch.enterprise_id or 0, []).append(branch)
    cases: list[RecruitmentCase] = []
    timelines: list[dict[str, datetime.date]] = []
    for _enterprise, own in sorted(branches.items()):
        for branch in rng.sample(own, min(len(own), rng.randint(1, 4))):
            first = max(earliest, branch.active_from)
            for _ in range(rng.randint(1, 3)):
                start = first + _days(rng, 0, max(0, (today - first).days - 20))
                breach = rng.choice(BREACHES) if rng.random() < BREACH_SHARE else None
                steps = {c: d for c, d in _timeline(rng, start, breach).items() if d < today}
                ended_on, end_note = None, ""
                if len(steps) < 25 and rng.random() < 0.08:
                    ended_on, end_note = max(steps.values()), "本人申请放弃"
                cases.append(
                    RecruitmentCase(
                        org=branch,
                        candidate_name=_name(rng),
                        started_on=start,
                        ended_on=ended_on,
                        end_note=end_note,
                    )
                )
                timelines.append(steps)
    RecruitmentCase.objects.bulk_create(cases)
    rows = [
        RecruitmentStep(case=case, step=code, done_on=day, note=STEP_NOTES.get(code, ""))
        for case, dates in zip(cases, timelines, strict=True)
        for code, day in dates.items()
    ]
    RecruitmentStep.objects.bulk_create(rows, batch_size=2000)
    return len(cases)
