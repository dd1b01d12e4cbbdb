"""What the workbook imports (orgs, people, discipline cases, ledgers, 发展党员) share: the counts
and errors they report, how a refused file rolls back, their audit summary row and their job's side.

An error is any object with row, column, message and cell (kaohe.orgs.xlsx.RowError), and a sheet
when the workbook has several (kaohe.ledgers.xlsx.SheetError).
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files import File
from django.db import transaction

from kaohe.accounts.queries import scope_roots
from kaohe.audit.actions import record

CHUNK = 500  # values per IN (...) query: well under SQLite's bound-parameter limit
MAX_ERRORS_KEPT = 500  # a file wrong on every row would make a result too long to show


def chunks[T](values: Iterable[T]) -> Iterator[list[T]]:
    """The distinct values, CHUNK at a time, for IN (...) look-ups."""
    unique = list(dict.fromkeys(values))
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str) -> None:
        """Count one record; `outcome` is "created", "updated" or "unchanged"."""
        setattr(self, outcome, getattr(self, outcome) + 1)

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class ImportOutcome:
    """The errors of an import; each import adds its counts."""

    errors: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class SheetImportResult(Counts, ImportOutcome):
    """The result of a one-sheet import (orgs, people, discipline cases): its counts and errors."""


class Rejected(Exception):
    """Raised inside the transaction to roll it back and hand the errors to the caller."""

    def __init__(self, errors: list):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def all_or_nothing[R](write: Callable[[], R], refused: Callable[[list], R]) -> R:
    """Run `write` in one transaction; a Rejected raised in it rolls everything back and its errors
    become the result through `refused`."""
    try:
        with transaction.atomic():
            return write()
    except Rejected as rejected:
        return refused(rejected.errors)


def record_import_summary(
    actor, action: str, *, cap: str, target_type: str, file_name: str, counts: dict
) -> None:
    """One summary row (the file and what the import did), filed under the actor's scope for `cap`
    so a scoped audit admin sees it."""
    roots = scope_roots(actor, cap)
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


def _kept(error, sheet: str | None) -> dict:
    sheet = getattr(error, "sheet", sheet)  # an error of a many-sheet workbook names its own
    where = {"sheet": sheet} if sheet is not None else {}
    message = str(error.message)  # a lazy translation is not JSON
    return {**where, "row": error.row, "column": error.column, "cell": error.cell, "message": message}


def job_errors(errors: Sequence, sheet: str | None = None) -> dict:
    """The errors as a job's result keeps them: the first MAX_ERRORS_KEPT, and how many in all.
    `sheet` names the sheet of a one-sheet workbook's errors; without it they name none."""
    kept = [_kept(e, sheet) for e in errors[:MAX_ERRORS_KEPT]]
    return {"errors": kept, "error_count": len(errors)}


def job_upload(job) -> File:
    """The job's stored upload, opened as the importers read it."""
    return File(job.input_file.open("rb"), name=job.input_name or "upload.xlsx")
