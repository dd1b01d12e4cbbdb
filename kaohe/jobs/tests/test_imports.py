"""The parts every workbook import shares (kaohe.jobs.imports): rollback, counts, kept errors."""

import pytest

from kaohe.jobs.imports import MAX_ERRORS_KEPT, Counts, Rejected, all_or_nothing, job_errors
from kaohe.ledgers.xlsx import SheetError
from kaohe.orgs.models import OrgUnit
from kaohe.orgs.xlsx import RowError

pytestmark = pytest.mark.django_db


def test_a_rejected_import_writes_nothing_and_hands_back_its_errors(city):
    error = RowError(3, "名称", "必填")

    def write():
        OrgUnit.objects.filter(pk=city.ent_a.pk).update(name="改过的名称")
        raise Rejected([error])

    assert all_or_nothing(write, lambda errors: errors) == [error]
    city.ent_a.refresh_from_db()
    assert city.ent_a.name != "改过的名称"


def test_an_accepted_import_keeps_what_it_wrote(city):
    def write():
        OrgUnit.objects.filter(pk=city.ent_a.pk).update(name="改过的名称")
        return "done"

    assert all_or_nothing(write, lambda errors: errors) == "done"
    city.ent_a.refresh_from_db()
    assert city.ent_a.name == "改过的名称"


def test_counts_add_each_outcome_to_its_own_total():
    counts = Counts()
    for outcome in ("created", "created", "updated", "unchanged", "created"):
        counts.add(outcome)
    assert counts.as_dict() == {"created": 3, "updated": 1, "unchanged": 1}


def test_a_job_keeps_the_first_errors_and_says_how_many_there_were():
    errors = [RowError(row, "名称", "必填") for row in range(2, MAX_ERRORS_KEPT + 12)]
    kept = job_errors(errors)
    assert kept["error_count"] == MAX_ERRORS_KEPT + 10
    assert len(kept["errors"]) == MAX_ERRORS_KEPT and kept["errors"][0]["row"] == 2


def test_kept_errors_name_their_sheet_only_where_the_import_has_one():
    one_sheet = RowError(2, "处理结果", "无效", cell="F2")
    assert job_errors([one_sheet])["errors"] == [
        {"row": 2, "column": "处理结果", "cell": "F2", "message": "无效"}
    ]
    assert job_errors([one_sheet], "违纪案件")["errors"][0]["sheet"] == "违纪案件"
    # An error of a many-sheet workbook names its own sheet, whatever the default.
    many = SheetError("党费", 5, "月份", "无效")
    assert job_errors([many], "会议")["errors"][0]["sheet"] == "党费"
