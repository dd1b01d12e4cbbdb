"""The ledger exports, built in a job: an org's subtree can be the whole city (a year of its dues is
a quarter of a million rows), which is too long for a request.

A job's parameters say what to build ("what", the org's code, the year, a meeting kind); the handler
checks again that its owner may read that org, builds the workbook and keeps it as a stored file
(kaohe.files) named in the job's result, which only the owner can download (views/io.py).
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.files.actions import store_upload
from kaohe.files.models import FileKind
from kaohe.ledgers import recruitment_xlsx, xlsx
from kaohe.ledgers.models import DECISION_STEPS, DecisionCategory, MeetingKind, RecruitmentCase
from kaohe.ledgers.queries import decisions_under, dues_under, ledger_orgs_for_user, meetings_under
from kaohe.ledgers.recruitment import check, current_stage
from kaohe.orgs import xlsx as org_xlsx
from kaohe.orgs.models import OrgUnit
from kaohe.tables import table_xlsx

JOB_KIND = "ledgers.export"
CHUNK = 2000
# A stored export may be far larger than an upload: a city's year of dues is ~10 MB.
MAX_EXPORT_BYTES = 500 * 1024 * 1024


@dataclass(frozen=True)
class Export:
    label: object  # lazily translated: what the job page calls it
    yearly: bool  # the year is a parameter (recruitment cases span years: all of them)
    build: Callable[["Params"], tuple[bytes, int]]
    file_name: str  # % {"code", "year"}


@dataclass(frozen=True)
class Params:
    org: OrgUnit
    year: int
    kind: str = ""  # a meeting kind, or "" for all


class _Counted:
    """Counts the rows a generator yields, for the job's result."""

    def __init__(self, rows: Iterable[list]):
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[list]:
        for row in self.rows:
            self.count += 1
            yield row


def _label(choices, value: str) -> str:
    return org_xlsx.choice_label(choices, value)


def build_meetings(p: Params) -> tuple[bytes, int]:
    """The year's meetings in the import layout (plus the org's name and when each was entered)."""
    meetings = meetings_under(p.org).filter(held_on__year=p.year).select_related("org")
    if p.kind in MeetingKind.values:
        meetings = meetings.filter(kind=p.kind)
    columns = [(c.header, c.width) for c in xlsx.MEETING_COLUMNS] + [("组织名称", 30), ("录入时间", 18)]
    rows = _Counted(
        [
            m.org.code,
            _label(MeetingKind, m.kind),
            m.held_on,
            m.title,
            m.expected,
            m.present,
            m.agenda,
            m.minutes,
            m.org.name,
            timezone.localtime(m.recorded_at).replace(tzinfo=None),  # Excel has no time zones
        ]
        for m in meetings.order_by("held_on", "org__path", "pk").iterator(chunk_size=CHUNK)
    )
    return table_xlsx(xlsx.MEETING_SHEET, columns, rows), rows.count


def build_dues(p: Params) -> tuple[bytes, int]:
    """The year's dues records. ID numbers masked, as every export does."""
    records = dues_under(p.org).filter(month__year=p.year).select_related("person", "person__org")
    columns = [
        ("姓名", 10),
        ("所在组织", 30),
        ("身份证号", 22),
        ("月份", 10),
        ("应缴金额", 10),
        ("实缴金额", 10),
        ("缴纳日期", 12),
        ("是否足额", 10),
    ]
    masked: dict[int, str] = {}  # decrypting is the slow part: once per person
    yes, no = _("是"), _("否")

    def rows():
        ordered = records.order_by("person__org__path", "person__name_pinyin", "person_id", "month")
        for r in ordered.iterator(chunk_size=CHUNK):
            if r.person_id not in masked:
                masked[r.person_id] = r.person.id_number_masked
            yield [
                r.person.name,
                r.person.org.name,
                masked[r.person_id],
                f"{r.month:%Y-%m}",
                r.due,
                r.paid,
                r.paid_on,
                yes if r.in_full else no,
            ]

    counted = _Counted(rows())
    return table_xlsx(xlsx.DUES_SHEET, columns, counted), counted.count


def build_decisions(p: Params) -> tuple[bytes, int]:
    decisions = decisions_under(p.org).filter(decided_on__year=p.year).select_related("org")
    columns = [("组织编码", 16), ("组织名称", 30), ("决策日期", 12), ("事项", 40), ("类别", 14)]
    columns += [(option, 12) for _name, option in DECISION_STEPS] + [("备注", 30)]
    rows = _Counted(
        [d.org.code, d.org.name, d.decided_on, d.title, _label(DecisionCategory, d.category)]
        + [("✓" if getattr(d, name) else "✗") for name, _option in DECISION_STEPS]
        + [d.notes]
        for d in decisions.order_by("decided_on", "org__path", "pk").iterator(chunk_size=CHUNK)
    )
    return table_xlsx("三重一大", columns, rows), rows.count


def build_recruitment(p: Params) -> tuple[bytes, int]:
    """Every case of the subtree (a case spans years), with its steps' dates and notes, its stage and
    its breaches as the list page shows them. Two queries."""
    cases = list(
        RecruitmentCase.objects.filter(org__path__startswith=p.org.path)
        .select_related("org")
        .prefetch_related("steps")
        .order_by("org__path", "started_on", "candidate_name", "pk")
    )
    today = timezone.localdate()

    def items():
        for case in cases:
            steps = list(case.steps.all())
            dates = {s.step: s.done_on for s in steps}
            stage = current_stage(dates)
            yield recruitment_xlsx.ExportCase(
                case,
                dates,
                {s.step: s.note for s in steps if s.note},
                str(stage.name) if stage else "",
                [v.reason for v in check(dates, today=today, ended_on=case.ended_on)],
            )

    return recruitment_xlsx.build(items())


EXPORTS = {
    "meetings": Export(gettext_lazy("会议台账"), True, build_meetings, "%(code)s-%(year)s-会议台账"),
    "dues": Export(gettext_lazy("党费台账"), True, build_dues, "%(code)s-%(year)s-党费台账"),
    "decisions": Export(
        gettext_lazy("三重一大决策事项"), True, build_decisions, "%(code)s-%(year)s-三重一大决策事项"
    ),
    "recruitment": Export(gettext_lazy("发展党员台账"), False, build_recruitment, "%(code)s-发展党员台账"),
}


def job_params(what: str, org: OrgUnit, year: int, kind: str = "", back: str = "") -> dict:
    return {"what": what, "org": org.code, "year": year, "kind": kind, "back": back}


def run_ledger_export(actor, job) -> tuple[bool, dict]:
    """Build the export the job names and keep it; the result names the stored file."""
    params = job.params
    export = EXPORTS[params["what"]]
    # Access is checked again: it may have been withdrawn while the job waited.
    org = ledger_orgs_for_user(actor).filter(code=params["org"]).first()
    if org is None:
        return False, {"errors": [_("无权查看该组织的台账")]}
    year = int(params.get("year") or timezone.localdate().year)
    content, rows = export.build(Params(org, year, params.get("kind", "")))
    name = export.file_name % {"code": org.code, "year": year}
    file_name = f"{name}-{timezone.localdate():%Y%m%d}.xlsx"
    stored = store_upload(
        actor, ContentFile(content, name=file_name), accept={FileKind.EXCEL}, max_bytes=MAX_EXPORT_BYTES
    )
    return True, {
        "what": params["what"],
        "label": str(export.label),
        "file": str(stored.public_id),
        "name": stored.original_name,
        "size": stored.size,
        "rows": rows,
    }
