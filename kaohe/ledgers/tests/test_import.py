"""Importing the ledger workbook: real xlsx files written with openpyxl and read back.

A rejected file names the sheet, the row (as Excel shows it) and the column of every problem and
leaves the database as it was.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kaohe.audit.models import AuditEntry
from kaohe.conftest import ID_NUMBERS
from kaohe.jobs.models import Job
from kaohe.ledgers.importing import import_ledgers
from kaohe.ledgers.models import DuesRecord, Meeting
from kaohe.ledgers.tests.conftest import add_person
from kaohe.ledgers.xlsx import DUES_COLUMNS, MEETING_COLUMNS
from kaohe.orgs.id_numbers import check_digit
from kaohe.orgs.models import MemberStatus

pytestmark = pytest.mark.django_db

MEETING_HEADER = [c.header for c in MEETING_COLUMNS]
DUES_HEADER = [c.header for c in DUES_COLUMNS]
D = datetime.date
STAFF_ID = "11010119900101123" + check_digit("11010119900101123")


def workbook(meetings=None, dues=None, *, extra=()) -> SimpleUploadedFile:
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in (("会议", MEETING_HEADER, meetings), ("党费", DUES_HEADER, dues)):
        if rows is None:
            continue
        sheet = book.create_sheet(title)
        sheet.append(header)
        for row in rows:
            sheet.append(list(row))
    for title in extra:
        book.create_sheet(title)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("台账.xlsx", out.getvalue())


GOOD_MEETINGS = [
    ["EA-B1", "支部党员大会", D(2024, 3, 5), "学习全会精神", 10, 9, "1. 学习", "记录"],
    ["EA-B1", "主题党日", "2024-03-20", "志愿服务", "10", 10, None, None],
]
GOOD_DUES = [
    ["张a", ID_NUMBERS["a"], "2024-03", 25, "25.00", D(2024, 3, 10)],
    [None, ID_NUMBERS["a"], D(2024, 4, 1), "25", 0, None],  # a typed month Excel made a date
]


def test_a_good_workbook_is_imported_with_audit_rows(city):
    result = import_ledgers(city.staff_a, workbook(GOOD_MEETINGS, GOOD_DUES))
    assert result.ok, result.errors
    assert (vars(result.meetings)["created"], vars(result.dues)["created"]) == (2, 2)
    assembly = Meeting.objects.get(kind="branch_assembly")
    assert (assembly.org, assembly.present, assembly.agenda, assembly.recorded_by) == (
        city.branch_a,
        9,
        "1. 学习",
        city.staff_a,
    )
    april = DuesRecord.objects.get(month=D(2024, 4, 1))
    assert (april.due, april.paid, april.in_full) == (Decimal("25.00"), Decimal("0.00"), False)
    assert AuditEntry.objects.filter(action="meeting.create").count() == 2
    assert AuditEntry.objects.filter(action="dues.record").count() == 2
    summary = AuditEntry.objects.get(action="ledger.import")
    assert (summary.new or {})["meetings"]["created"] == 2 and summary.org_path == city.ent_a.path


def test_importing_the_same_file_again_changes_nothing(city):
    import_ledgers(city.staff_a, workbook(GOOD_MEETINGS, GOOD_DUES))
    again = import_ledgers(city.staff_a, workbook(GOOD_MEETINGS, GOOD_DUES))
    assert vars(again.meetings) == vars(again.dues) == {"created": 0, "updated": 0, "unchanged": 2}
    assert Meeting.objects.count() == 2 and DuesRecord.objects.count() == 2
    changed = [[*GOOD_MEETINGS[0][:5], 8, *GOOD_MEETINGS[0][6:]]]
    result = import_ledgers(city.staff_a, workbook(changed))
    assert vars(result.meetings)["updated"] == 1 and result.dues is None
    assert Meeting.objects.get(kind="branch_assembly").present == 8


def test_a_workbook_with_only_a_dues_sheet_is_fine(city):
    result = import_ledgers(city.staff_a, workbook(dues=GOOD_DUES))
    assert result.ok and result.meetings is None and vars(result.dues)["created"] == 2


def test_a_workbook_without_either_sheet_names_what_it_has(city):
    result = import_ledgers(city.staff_a, workbook(extra=["Sheet1"]))
    assert [e.message for e in result.errors] == [
        "找不到名为“会议”或“党费”的工作表（请用导入模板）；文件中的工作表：“Sheet1”"
    ]


def test_not_an_xlsx_file_is_named_so(city):
    result = import_ledgers(city.staff_a, SimpleUploadedFile("a.csv", "组织编码,类型\n".encode()))
    assert "CSV" in result.errors[0].message


def _where(result) -> dict[tuple[str, int | None, str], str]:
    return {(e.sheet, e.row, e.column): e.message for e in result.errors}


def test_every_bad_cell_is_named_by_sheet_row_and_column_and_nothing_is_written(city):
    staff = add_person(city.branch_a, "职员", status=MemberStatus.STAFF, id_number=STAFF_ID)
    meetings = [
        GOOD_MEETINGS[0],
        ["EB-B1", "支委会", D(2024, 3, 1), "他企会议", 5, 5, None, None],  # row 3: another enterprise
        ["EA-B1", "茶话会", D(2024, 3, 1), "不是会议", 5, 5, None, None],  # row 4
        ["EA-B1", "支委会", D(2099, 3, 1), "未来", 5, 5, None, None],  # row 5
        ["EA-B1", "支委会", D(2024, 3, 2), "人太多", 5, 6, None, None],  # row 6
        ["EA-B1", "支委会", D(2024, 3, 3), "小数", 5.5, 5, None, None],  # row 7
        GOOD_MEETINGS[0],  # row 8: the same meeting as row 2
        ["EA", "支部党员大会", D(2024, 3, 3), "企业开支部大会", 5, 5, None, None],  # row 9
    ]
    dues = [
        ["张a", ID_NUMBERS["a"], "2024-03", 25, 25, None],  # row 2: fine
        ["张b", ID_NUMBERS["b"], "2024-03", 25, 25, None],  # row 3: a person of enterprise B
        [None, "110***********1232", "2024-03", 25, 25, None],  # row 4: masked
        [None, 110101198001011232, "2024-03", 25, 25, None],  # row 5: stored as a number
        [None, ID_NUMBERS["a"], "三月", 25, 25, None],  # row 6
        [None, ID_NUMBERS["a"], "2024-05", -1, "2.345", None],  # row 7
        [None, STAFF_ID, "2024-03", 25, 25, None],  # row 8: staff pay no dues
        ["李四", ID_NUMBERS["a"], "2024-06", 25, 25, None],  # row 9: another name
        [None, ID_NUMBERS["a"], "2024/3", 30, 30, None],  # row 10: the same month as row 2
    ]
    assert staff.id_number_digest
    result = import_ledgers(city.staff_a, workbook(meetings, dues))
    where = _where(result)
    out_of_scope = "组织编码“EB-B1”不存在或不在您的管理范围内"
    assert where[("会议", 3, "组织编码")] == out_of_scope
    assert "“茶话会”无效" in where[("会议", 4, "类型")]
    assert "晚于今天" in where[("会议", 5, "日期")]
    assert where[("会议", 6, "实到人数")] == "实到人数（6）不能多于应到人数（5）"
    assert "不是人数" in where[("会议", 7, "应到人数")]
    assert "与第 2 行是同一会议" in where[("会议", 8, "主题")]
    assert "支部党员大会只能记在" in where[("会议", 9, "类型")]
    unknown = "找不到该身份证号的人员，或该人员不在您的管理范围内"
    assert where[("党费", 3, "身份证号")] == unknown  # the same words as an unknown number
    assert "脱敏值" in where[("党费", 4, "身份证号")]
    assert "存成了数字" in where[("党费", 5, "身份证号")]
    assert "不是月份" in where[("党费", 6, "月份")]
    assert where[("党费", 7, "应缴金额")] == "金额不能为负数"
    assert "超过两位小数" in where[("党费", 7, "实缴金额")]
    assert where[("党费", 8, "身份证号")] == "职员是工作人员，不缴纳党费"
    assert "与身份证号对应的人员“张a”不一致" in where[("党费", 9, "姓名")]
    assert "与第 2 行是同一人同一月份" in where[("党费", 10, "月份")]
    assert [e.sheet for e in result.errors][:7] == ["会议"] * 7  # sorted by sheet, row, column
    assert not Meeting.objects.exists() and not DuesRecord.objects.exists()
    assert not AuditEntry.objects.filter(
        action__in=["meeting.create", "dues.record", "ledger.import"]
    ).exists()


def test_a_missing_column_is_named_with_its_sheet(city):
    book = Workbook()
    book.active.title = "会议"
    book.active.append(["组织编码", "类型", "日期"])
    out = io.BytesIO()
    book.save(out)
    result = import_ledgers(city.staff_a, SimpleUploadedFile("x.xlsx", out.getvalue()))
    (error,) = result.errors
    assert error.sheet == "会议" and "主题" in error.message and "应到人数" in error.message


def test_read_only_users_may_not_import(city):
    with pytest.raises(PermissionDenied):
        import_ledgers(city.viewer_a, workbook(GOOD_MEETINGS))


def test_the_import_page_runs_a_job_and_shows_the_result(city, login):
    client = login(city.staff_a)
    assert client.get(reverse("ledgers:import")).status_code == 200
    response = client.post(reverse("ledgers:import"), {"file": workbook(GOOD_MEETINGS)})
    job = Job.objects.get(kind="ledgers.import")
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.public_id])
    assert job.status == "succeeded" and (job.result or {})["meetings"]["created"] == 2
    page = client.get(response.url)
    assert "会议：新增 2 条" in page.text


def test_a_rejected_file_shows_sheet_row_and_column_on_the_job_page(city, login):
    client = login(city.staff_a)
    bad = [["EA-B1", "支委会", D(2024, 3, 2), "人太多", 5, 6, None, None]]
    response = client.post(reverse("ledgers:import"), {"file": workbook(bad)})
    page = client.get(response.url)
    assert "实到人数（6）不能多于应到人数（5）" in page.text and "第 2 行" in page.text


def test_the_import_page_and_template_follow_the_personas(city, login):
    assert login(city.viewer_a).get(reverse("ledgers:import")).status_code == 403
    assert login(city.viewer_a).get(reverse("ledgers:template")).status_code == 403
    assert login(city.sysadmin).get(reverse("ledgers:import")).status_code == 404
    response = login(city.staff_a).get(reverse("ledgers:template"))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["会议", "党费"]
    assert [c.value for c in book["会议"][1]] == MEETING_HEADER
    assert [c.value for c in book["党费"][1]] == DUES_HEADER
    assert book["会议"]["A2"].value == "EA-B1"  # the example sits at a branch the user may edit
