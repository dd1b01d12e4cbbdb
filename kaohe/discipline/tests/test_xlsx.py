"""Importing the case sheet (real xlsx files built in memory) and the template.

A rejected file names the sheet, the row (as Excel shows it) and the column of every problem, and
leaves the database exactly as it was.
"""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from kaohe.audit.models import AuditEntry
from kaohe.conftest import ID_NUMBERS
from kaohe.discipline.importing import import_cases
from kaohe.discipline.models import CaseStatus, DisciplineCase, Outcome
from kaohe.discipline.xlsx import CASE_COLUMNS
from kaohe.jobs.models import Job, JobStatus
from kaohe.orgs import actions as org_actions

pytestmark = pytest.mark.django_db

HEADER = ["案件编号", "处理部门", "身份证号", "姓名", "计入组织编码", "处理结果", "处理日期", "简要案情"]
ID_A, ID_B = ID_NUMBERS["a"], ID_NUMBERS["b"]
UNKNOWN_ID = "110101199001011237"  # valid, but nobody has it


def xlsx_bytes(rows, *, header=HEADER, sheet="违纪案件") -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def case_file(*rows, **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile("案件.xlsx", xlsx_bytes(rows, **kwargs))


GOOD = (
    ("JC-2025-07", "市纪委监委", ID_A, "张a", "", "警告", "2025-03-05", "违规收受礼品"),
    ("JC-2025-08", "企业纪委", ID_A, "", "EA", "诫勉", datetime.date(2025, 4, 1), ""),
    ("QY-2025-01", "企业纪委", ID_B, "张b", "EB-B1", "谈话提醒", "2025年4月2日", ""),
)


def _errors(result) -> set[tuple[int | None, str]]:
    return {(e.row, e.column) for e in result.errors}


def test_a_good_file_creates_every_case(city, disc_c):
    result = import_cases(disc_c, case_file(*GOOD))
    assert result.ok and (result.created, result.updated, result.unchanged) == (3, 0, 0)
    warning = DisciplineCase.objects.get(case_number="JC-2025-07")
    assert warning.person == city.person_a and warning.org == city.branch_a  # blank org: the person's
    assert warning.outcome == Outcome.WARNING and warning.summary == "违规收受礼品"
    assert DisciplineCase.objects.get(case_number="JC-2025-08").org == city.ent_a
    assert DisciplineCase.objects.get(case_number="QY-2025-01").decided_on == datetime.date(2025, 4, 2)
    assert AuditEntry.objects.filter(action="discipline_case.create").count() == 3
    summary = AuditEntry.objects.get(action="discipline_case.import")
    assert (summary.new or {})["created"] == 3 and summary.org_path == city.root.path
    for entry in AuditEntry.objects.filter(action__startswith="discipline_case."):
        assert "张a" not in str(entry.new) and "张b" not in str(entry.new)


def test_a_second_import_updates_the_same_records(city, disc_c):
    import_cases(disc_c, case_file(*GOOD))
    again = import_cases(disc_c, case_file(*GOOD))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = [list(row) for row in GOOD]
    changed[0][5] = "严重警告"
    result = import_cases(disc_c, case_file(*changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    assert DisciplineCase.objects.get(case_number="JC-2025-07").outcome == Outcome.SERIOUS_WARNING
    assert DisciplineCase.objects.count() == 3


def test_a_bad_file_names_every_row_and_column_and_writes_nothing(city, disc_a):
    future = timezone.localdate() + datetime.timedelta(days=3)
    result = import_cases(
        disc_a,
        case_file(
            ("JC-1", "市纪委监委", ID_A, "张a", "", "警告", "2025-03-05", ""),  # good
            ("JC-1", "市纪委监委", ID_A, "", "", "诫勉", "2025-03-05", ""),  # row 2 again
            ("JC-2", "市纪委监委", ID_B, "", "", "警告", "2025-03-05", ""),  # out of scope
            ("JC-3", "市纪委监委", UNKNOWN_ID, "", "", "警告", "2025-03-05", ""),  # unknown
            ("JC-4", "", ID_A, "", "", "处分", future, ""),  # blank dept, bad outcome, future
            ("JC-5", "市纪委监委", ID_A, "李四", "EA-B9", "警告", "2025-03-05", ""),  # name, org
            ("JC-6", "市纪委监委", "110***********1232", "", "", "警告", "3月5日", ""),  # masked, date
            ("JC-7", "市纪委监委", 110101198001011232, "", "", "警告", "2025-03-05", ""),  # a number
            ("JC-8", "市紀委", ID_A, "", "", "警告", "2025-03-05", ""),  # traditional
        ),
    )
    assert not result.ok
    assert _errors(result) == {
        (3, "案件编号"),
        (4, "身份证号"),
        (5, "身份证号"),
        (6, "处理部门"),
        (6, "处理结果"),
        (6, "处理日期"),
        (7, "姓名"),
        (7, "计入组织编码"),
        (8, "身份证号"),
        (8, "处理日期"),
        (9, "身份证号"),
        (10, "处理部门"),
    }
    by_place = {(e.row, e.column): e for e in result.errors}
    assert "第 2 行" in by_place[(3, "案件编号")].message
    assert by_place[(4, "身份证号")].message == by_place[(5, "身份证号")].message  # no hint who exists
    assert by_place[(6, "处理结果")].cell == "F6"
    assert not DisciplineCase.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="discipline_case.").exists()


def test_it_refuses_an_org_that_does_not_hold_the_person(city, disc_c):
    result = import_cases(disc_c, case_file(("JC-1", "纪委", ID_A, "", "EB", "警告", "2025-03-05", "")))
    assert _errors(result) == {(2, "计入组织编码")} and "不在" in result.errors[0].message


def test_it_refuses_to_change_a_withdrawn_record(city, disc_c):
    import_cases(disc_c, case_file(GOOD[0]))
    case = DisciplineCase.objects.get()
    case.status, case.withdrawn_reason = CaseStatus.WITHDRAWN, "录入错误"
    case.save()
    result = import_cases(disc_c, case_file(GOOD[0]))
    assert _errors(result) == {(2, "案件编号")}


def test_a_file_without_the_sheet_or_a_column_is_refused_as_a_whole(city, disc_c):
    wrong_sheet = import_cases(disc_c, case_file(*GOOD, sheet="Sheet1"))
    assert _errors(wrong_sheet) == {(None, "")} and "违纪案件" in wrong_sheet.errors[0].message
    missing = import_cases(disc_c, case_file(header=HEADER[:5]))
    assert "处理结果" in missing.errors[0].message and "处理日期" in missing.errors[0].message
    not_excel = import_cases(disc_c, SimpleUploadedFile("a.csv", "案件编号,处理部门\n".encode()))
    assert "CSV" in not_excel.errors[0].message


def test_only_discipline_staff_may_import(city):
    with pytest.raises(PermissionDenied):
        import_cases(city.staff_a, case_file(*GOOD))


def test_the_import_page_runs_a_job_and_shows_the_sheet_row_and_column(city, login, disc_a):
    client = login(disc_a)
    assert client.get(reverse("discipline:import")).status_code == 200
    bad = case_file(("JC-1", "纪委", ID_A, "", "", "处分", "2025-03-05", ""))
    response = client.post(reverse("discipline:import"), {"file": bad})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.public_id])
    assert job.kind == "discipline.import" and job.status == JobStatus.FAILED
    [error] = (job.result or {})["errors"]
    assert (error["sheet"], error["row"], error["column"], error["cell"]) == ("违纪案件", 2, "处理结果", "F2")
    page = client.get(response.url).text
    assert "违纪案件" in page and "第 2 行" in page and "处理结果" in page
    good = case_file(("JC-1", "纪委", ID_A, "", "", "警告", "2025-03-05", ""))
    client.post(reverse("discipline:import"), {"file": good})
    assert Job.objects.filter(status=JobStatus.SUCCEEDED).count() == 1
    assert DisciplineCase.objects.get().recorded_by == disc_a


def test_the_template_has_the_import_columns_and_imports_once_filled_in(city, login, disc_a):
    response = login(disc_a).get(reverse("discipline:template"))
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["违纪案件"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [c.header for c in CASE_COLUMNS]
    assert rows[1][4] == "EA"  # the example counts against the user's own scope
    assert "谈话提醒" in sheet.data_validations.dataValidation[0].formula1
    # The example row with a real person's number imports as it is.
    sheet["C2"] = ID_A
    sheet["D2"] = "张a"
    out = io.BytesIO()
    book.save(out)
    result = import_cases(disc_a, SimpleUploadedFile("模板.xlsx", out.getvalue()))
    assert result.ok and result.created == 1
    assert DisciplineCase.objects.get().org == city.ent_a


def test_two_people_of_one_case_are_two_rows(city, disc_a):
    other = org_actions.create_person(
        None, org=city.branch_a, name="李四", gender="F", id_number="110105198506150014"
    )
    result = import_cases(
        disc_a,
        case_file(
            ("JC-9", "纪委", ID_A, "", "", "警告", "2025-03-05", ""),
            ("JC-9", "纪委", other.id_number, "李四", "", "诫勉", "2025-03-05", ""),
        ),
    )
    assert result.ok and result.created == 2
