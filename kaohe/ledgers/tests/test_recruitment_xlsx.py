"""The 发展党员 workbook: exported, read back with openpyxl, edited and imported through the job.

The import is all or nothing, names the sheet, row and column of every problem, goes through the
same actions as the timeline form (so a breach of the order or a time limit is recorded, not
refused), and an exported file imported again changes nothing.
"""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from kaohe.audit.models import AuditEntry
from kaohe.jobs.models import Job
from kaohe.ledgers import actions
from kaohe.ledgers.actions import StepEntry
from kaohe.ledgers.exports import Params, build_recruitment
from kaohe.ledgers.models import RecruitmentCase, RecruitmentStep
from kaohe.ledgers.recruitment import STEPS, check
from kaohe.ledgers.recruitment_import import import_recruitment
from kaohe.ledgers.recruitment_xlsx import CASE_FIELDS, NOTE_COLUMNS

pytestmark = pytest.mark.django_db

D = datetime.date
HEAD = [c.header for c in CASE_FIELDS if c.field != "org_name"]  # 党支部编码 姓名 开始日期 终止日期 终止原因
NOTE_HEAD = [c.header for c in NOTE_COLUMNS]


def step_header(code: str) -> str:
    step = next(s for s in STEPS if s.code == code)
    return f"{step.number}.{step.name}"


def workbook(
    cases, *, steps=("apply", "talk", "activist"), notes=None, name="发展党员.xlsx"
) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.title = "发展党员"
    sheet.append(HEAD + [step_header(code) for code in steps])
    for row in cases:
        sheet.append(list(row))
    if notes is not None:
        noted = book.create_sheet("环节备注")
        noted.append(NOTE_HEAD)
        for row in notes:
            noted.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def as_upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("导出.xlsx", content)


@pytest.fixture
def case(city):
    case = actions.create_case(
        city.staff_a, org=city.branch_a, candidate_name="李明", started_on=D(2024, 1, 10)
    )
    actions.record_steps(
        city.staff_a,
        org=city.branch_a,
        case=case,
        entries=[StepEntry("apply", D(2024, 1, 10)), StepEntry("talk", D(2024, 1, 25), "书记谈话")],
    )
    return case


def test_the_export_has_a_row_per_candidate_with_dated_steps_and_a_note_sheet(city, case):
    actions.create_case(city.staff_b, org=city.branch_b, candidate_name="别家", started_on=D(2024, 2, 1))
    content, count = build_recruitment(Params(city.ent_a, 2024))
    book = load_workbook(io.BytesIO(content))
    header, *rows = list(book["发展党员"].values)
    assert count == 1 and len(rows) == 1  # enterprise B's case is not in EA's export
    assert header[:4] == ("党支部编码", "党支部", "姓名", "开始日期") and header[6] == "1.递交入党申请书"
    assert header[30] == "25.材料归档" and header[-2:] == ("当前阶段", "程序问题")
    (row,) = rows
    assert row[0] == "EA-B1" and row[2] == "李明" and row[3].date() == D(2024, 1, 10)
    assert row[6].date() == D(2024, 1, 10) and row[7].date() == D(2024, 1, 25) and row[8] is None
    assert row[-2] == "入党申请人"
    assert list(book["环节备注"].values)[1][3:] == ("2.党组织派人谈话", "书记谈话")


def test_importing_an_export_again_changes_nothing(city, case):
    content, _count = build_recruitment(Params(city.ent_a, 2024))
    audit_rows = AuditEntry.objects.count()
    result = import_recruitment(city.staff_a, as_upload(content))
    assert result.ok, result.errors
    assert vars(result.cases) == {"created": 0, "updated": 0, "unchanged": 1}
    assert AuditEntry.objects.count() == audit_rows + 1  # the import's summary only
    assert {(s.step, s.done_on, s.note) for s in RecruitmentStep.objects.all()} == {
        ("apply", D(2024, 1, 10), ""),
        ("talk", D(2024, 1, 25), "书记谈话"),
    }


def test_a_new_candidate_is_created_through_the_actions_and_a_late_step_is_recorded(city):
    upload = workbook(
        [["EA-B1", "王芳", D(2024, 3, 1), None, None, D(2024, 3, 1), D(2024, 5, 6), None]],
        notes=[["EA-B1", "王芳", "2024-03-01", "2", "谈话记录第3号"]],
    )
    result = import_recruitment(city.staff_a, upload)
    assert result.ok, result.errors
    case = RecruitmentCase.objects.get(candidate_name="王芳")
    assert case.org == city.branch_a and case.recorded_by == city.staff_a
    dates = {s.step: s.done_on for s in case.steps.all()}
    assert dates == {"apply": D(2024, 3, 1), "talk": D(2024, 5, 6)}
    assert case.steps.get(step="talk").note == "谈话记录第3号"
    # The talk came after a month: kept, and shown as a breach as the form would.
    assert [v.rule for v in check(dates, today=D(2024, 6, 1))] == ["talk_within"]
    assert AuditEntry.objects.filter(action="recruitment.case.create").count() == 1
    assert AuditEntry.objects.filter(action="recruitment.step.record").count() == 2
    assert (AuditEntry.objects.get(action="recruitment.import").new or {})["cases"]["created"] == 1


def test_a_blank_date_clears_the_step_and_a_missing_column_leaves_it(city, case):
    # Only the 1 and 3 columns: the talk (column absent) stays, the application (blank) is cleared.
    upload = workbook(
        [["EA-B1", "李明", D(2024, 1, 10), None, None, None, None]], steps=("apply", "activist")
    )
    result = import_recruitment(city.staff_a, upload)
    assert result.ok, result.errors
    assert vars(result.cases)["updated"] == 1
    assert {s.step for s in case.steps.all()} == {"talk"}
    assert AuditEntry.objects.filter(action="recruitment.step.clear").count() == 1


def test_every_problem_is_named_by_sheet_row_and_column_and_nothing_is_written(city, case):
    rows = [
        ["EA-B1", "赵一", D(2024, 3, 1), None, None, D(2024, 3, 1), None, None],  # good
        ["EA-B1", "钱二", "不是日期", None, None, None, None, None],
        ["EA-B1", "孙三", D(2024, 3, 1), None, None, D(2024, 2, 1), None, None],  # before the start
        ["EB-B1", "李四", D(2024, 3, 1), None, None, None, None, None],  # another enterprise
        ["EA", "周五", D(2024, 3, 1), None, None, None, None, None],  # not a branch
        ["EA-B1", "吴六", D(2024, 3, 1), None, None, None, D(2099, 1, 1), None],  # in the future
        ["EA-B1", "赵一", D(2024, 3, 1), None, None, None, None, None],  # the first row again
    ]
    notes = [["EA-B1", "赵一", D(2024, 3, 1), "第九十九步", "x"], ["EA-B1", "无名", D(2024, 3, 1), "1", "x"]]
    result = import_recruitment(city.staff_a, workbook(rows, notes=notes))
    found = {(e.sheet, e.row, e.column) for e in result.errors}
    assert found == {
        ("发展党员", 3, "开始日期"),
        ("发展党员", 4, "1.递交入党申请书"),
        ("发展党员", 5, "党支部编码"),
        ("发展党员", 6, "党支部编码"),
        ("发展党员", 7, "2.党组织派人谈话"),
        ("发展党员", 8, "姓名"),
        ("环节备注", 2, "环节"),
        ("环节备注", 3, "姓名"),
    }, result.errors
    messages = {(e.row, e.sheet): e.message for e in result.errors}
    assert (
        "早于档案的开始日期" in messages[(4, "发展党员")]
        and "不在您的管理范围内" in messages[(5, "发展党员")]
    )
    assert RecruitmentCase.objects.count() == 1 and RecruitmentStep.objects.count() == 2
    assert AuditEntry.objects.filter(action="recruitment.case.create").count() == 1  # the fixture's
    assert not AuditEntry.objects.filter(action="recruitment.import").exists()


def test_a_note_without_a_date_is_refused_on_the_note_sheet(city, case):
    notes = [["EA-B1", "李明", D(2024, 1, 10), "3.推荐和确定入党积极分子", "待定"]]
    result = import_recruitment(city.staff_a, workbook([], notes=notes))
    assert [(e.sheet, e.row, e.column) for e in result.errors] == [("环节备注", 2, "环节")]
    assert "请同时填写完成日期" in result.errors[0].message


def test_a_note_sheet_alone_changes_the_notes_of_stored_cases(city, case):
    notes = [["EA-B1", "李明", D(2024, 1, 10), "党组织派人谈话", "改为支委谈话"]]
    result = import_recruitment(city.staff_a, workbook([], notes=notes))
    assert result.ok, result.errors
    assert case.steps.get(step="talk").note == "改为支委谈话"


def test_a_file_without_the_case_sheet_names_its_sheets(city):
    book = Workbook()
    book.active.title = "Sheet1"
    out = io.BytesIO()
    book.save(out)
    result = import_recruitment(city.staff_a, as_upload(out.getvalue()))
    assert [e.sheet for e in result.errors] == [""] and "“Sheet1”" in result.errors[0].message


def test_read_only_users_may_not_import(city):
    with pytest.raises(PermissionDenied):
        import_recruitment(city.viewer_a, workbook([]))


def test_the_import_runs_as_a_job_and_shows_errors_on_its_page(city, login):
    client = login(city.staff_a)
    url = reverse("ledgers:recruitment_import")
    bad = workbook([["EA-B1", "钱二", "不是日期", None, None, None, None, None]])
    response = client.post(url, {"file": bad, "back": "/ledgers/EA/recruitment/"})
    job = Job.objects.get(kind="ledgers.recruitment_import")
    assert response.url == reverse("jobs:detail", args=[job.public_id]) and job.status == "failed"
    page = client.get(response.url)
    assert "发展党员" in page.text and "第 2 行" in page.text and "开始日期" in page.text
    assert 'href="/ledgers/EA/recruitment/"' in page.text
    good = workbook([["EA-B1", "赵一", D(2024, 3, 1), None, None, D(2024, 3, 1), None, None]])
    page = client.get(client.post(url, {"file": good}).url)
    assert "新增 1 份" in page.text and RecruitmentCase.objects.filter(candidate_name="赵一").exists()


def test_the_import_page_template_and_buttons_follow_the_personas(city, login, case):
    pages = [reverse("ledgers:recruitment_import"), reverse("ledgers:recruitment_template")]
    for url in pages:
        assert login(city.staff_a).get(url).status_code == 200, url
        assert login(city.viewer_a).get(url).status_code == 403, url
        assert login(city.sysadmin).get(url).status_code == 404, url  # 三员: no ledgers
    # staff_b may import into enterprise B only: EA's branch is out of scope in the file.
    result = import_recruitment(
        city.staff_b, workbook([["EA-B1", "赵一", D(2024, 3, 1), None, None]], steps=())
    )
    assert "不在您的管理范围内" in result.errors[0].message
    listing = reverse("ledgers:recruitment", args=["EA"])
    editor, reader = login(city.staff_a).get(listing).text, login(city.viewer_a).get(listing).text
    export = reverse("ledgers:recruitment_export", args=["EA"])
    assert export in editor and pages[0] in editor
    assert export in reader and pages[0] not in reader
    assert login(city.staff_b).get(listing).status_code == 404


def test_the_template_imports_cleanly_once_its_example_is_kept(city, login):
    content = login(city.staff_a).get(reverse("ledgers:recruitment_template")).content
    book = load_workbook(io.BytesIO(content))
    assert list(book["发展党员"].values)[1][0] == "EA-B1"
    result = import_recruitment(city.staff_a, as_upload(content))
    assert result.ok, result.errors
    assert RecruitmentStep.objects.get(step="talk").note == "支部书记谈话"
