"""What the two workbook imports of the ledgers (importing.py, recruitment_import.py) share: the
counts and errors they report, how they roll back, their audit summary and their job's side."""

from dataclasses import dataclass, field

from django.core.files import File

from kaohe.accounts.models import Cap
from kaohe.accounts.queries import scope_roots
from kaohe.audit.actions import record
from kaohe.ledgers.xlsx import SheetError

MAX_ERRORS_KEPT = 500  # a file wrong on every row would make a result too long to show


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportOutcome:
    """The errors of an import; each import adds its counts."""

    errors: list[SheetError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class Rejected(Exception):
    """Raised inside the transaction to roll it back and hand the errors to the caller."""

    def __init__(self, errors: list[SheetError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def record_import_summary(actor, action: str, target_type: str, file_name: str, counts: dict) -> None:
    """One summary row (the file and what the import did to each kind of record), filed under the
    actor's scope so a scoped audit admin sees it."""
    roots = scope_roots(actor, Cap.EDIT_LEDGERS)
    record(
        actor,
        action,
        target_type=target_type,
        target_id=file_name[:64],
        target_repr=file_name[:200],
        org_path=roots[0].path if roots else "",
        new={"file": file_name, **counts},
    )


# ---- as a background job (kaohe.jobs) ------------------------------------------------------------


def job_errors(outcome: ImportOutcome) -> dict:
    """The errors as a job's result keeps them: the first MAX_ERRORS_KEPT, and how many in all."""
    kept = [
        {"sheet": e.sheet, "row": e.row, "column": e.column, "cell": e.cell, "message": str(e.message)}
        for e in outcome.errors[:MAX_ERRORS_KEPT]
    ]
    return {"errors": kept, "error_count": len(outcome.errors)}


def job_upload(job) -> File:
    """The job's stored upload, opened as the importers read it."""
    return File(job.input_file.open("rb"), name=job.input_name or "upload.xlsx")
