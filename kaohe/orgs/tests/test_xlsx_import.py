"""Importing the org and people sheets: upserts, moves, scope, and every kind of bad file.

The files are real xlsx workbooks built in memory with openpyxl. A rejected file must name the row
(as Excel shows it) and the column of each problem, and leave the database exactly as it was.
"""

import datetime
import io
import re
import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from kaohe.audit.models import AuditEntry
from kaohe.orgs import actions
from kaohe.orgs.importing import import_orgs, import_people
from kaohe.orgs.models import OrgKind, OrgUnit, Person, path_segment

pytestmark = pytest.mark.django_db


ORG_HEADER = ["编码", "名称", "简称", "类型", "上级编码", "书记", "成立日期", "撤销日期"]
PEOPLE_HEADER = [
    "姓名",
    "性别",
    "所在组织编码",
    "人员类别",
    "出生日期",
    "入党日期",
    "职务",
    "手机号",
    "身份证号",
]
DAY = datetime.date(2020, 1, 1)


def valid_id(first17: str) -> str:
    """An ID number with its GB 11643 check digit, computed here independently of the code."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


ID_1 = valid_id("11010519850615001")
ID_2 = valid_id("32010219900101002")
ID_3 = valid_id("44030119751231003")


def xlsx_bytes(rows, *, header=ORG_HEADER, sheet="组织", extra_sheets=()) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    for name in extra_sheets:
        book.create_sheet(name)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "导入.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def org_file(*rows, **kwargs) -> SimpleUploadedFile:
    return upload(xlsx_bytes(rows, **kwargs))


def people_file(*rows, **kwargs) -> SimpleUploadedFile:
    kwargs.setdefault("header", PEOPLE_HEADER)
    kwargs.setdefault("sheet", "人员")
    return upload(xlsx_bytes(rows, **kwargs))


def org(code, name, kind, parent, *, short="", secretary="", start="2021-01-01", end=None):
    return [code, name, short, kind, parent, secretary, start, end]


def person(
    name,
    org_code,
    *,
    gender="男",
    status="正式党员",
    birth=None,
    joined=None,
    position="",
    phone="",
    id_number="",
):
    return [name, gender, org_code, status, birth, joined, position, phone, id_number]


def database_state():
    """Everything an import could write, to show that a rejected one wrote nothing."""
    return (
        list(
            OrgUnit.objects.order_by("pk").values_list(
                "code", "name", "kind", "path", "depth", "enterprise_id", "active_to"
            )
        ),
        list(
            Person.objects.order_by("pk").values_list(
                "name", "org_id", "position", "phone_enc", "id_number_digest"
            )
        ),
        # Starting an import job is recorded; the import itself must record nothing.
        AuditEntry.objects.exclude(action="job.start").count(),
    )


def where(result) -> set[tuple[int | None, str]]:
    return {(e.row, e.column) for e in result.errors}


def message_at(result, row, column) -> str:
    return " | ".join(e.message for e in result.errors if (e.row, e.column) == (row, column))


def file_message(result) -> str:
    assert [e.row for e in result.errors] == [None], result.errors
    return result.errors[0].message


@pytest.fixture
def unchanged(city):
    """Asserts at the end of the test that the database is as it was at the start."""
    before = database_state()
    yield
    assert database_state() == before


# ---- good files --------------------------------------------------------------------------------


def test_a_closing_date_closes_the_org_and_its_subtree(city):
    from kaohe.orgs import actions as org_actions

    group = org_actions.create_org(
        city.staff_a,
        code="EA-B1-G1",
        name="第一党小组",
        kind=OrgKind.GROUP,
        parent=city.branch_a,
        active_from=datetime.date(2021, 1, 1),
    )
    row = org("EA-B1", "企业A第一党支部", "党支部", "EA", start="2020-01-01", end="2025-06-30")
    result = import_orgs(city.staff_a, org_file(row))
    assert result.errors == [] and result.updated == 1
    group.refresh_from_db()
    assert group.active_to == datetime.date(2025, 6, 30)  # closed with its branch, not left dangling


def test_it_refuses_to_move_a_closing_date_by_import(city):
    from kaohe.orgs import actions as org_actions

    org_actions.close_org(city.staff_a, city.branch_a, on=datetime.date(2025, 6, 30))
    row = org("EA-B1", "企业A第一党支部", "党支部", "EA", start="2020-01-01", end="2025-12-31")
    result = import_orgs(city.staff_a, org_file(row))
    assert where(result) == {(2, "撤销日期")}


def test_it_imports_a_new_tree_given_children_before_parents(city):
    result = import_orgs(
        city.staff_a,
        org_file(
            org("EA-G1-B1", "机关第一党支部", "党支部", "EA-G1", secretary="李四"),
            org("EA-G1", "机关党总支", "党总支", "EA", short="机关总支", start="2020/3/5"),
        ),
    )

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    general = OrgUnit.objects.get(code="EA-G1")
    branch = OrgUnit.objects.get(code="EA-G1-B1")
    assert general.parent == city.ent_a and branch.parent == general
    assert general.path == city.ent_a.path + path_segment(general.pk)
    assert branch.path == general.path + path_segment(branch.pk)
    assert (general.depth, branch.depth) == (2, 3)
    assert general.enterprise == branch.enterprise == city.ent_a
    assert general.short_name == "机关总支" and general.active_from == datetime.date(2020, 3, 5)
    assert branch.secretary == "李四" and branch.kind == OrgKind.BRANCH


def test_it_writes_an_audit_row_per_org_and_one_summary(city):
    before = AuditEntry.objects.count()
    import_orgs(city.staff_a, org_file(org("EA-G1", "机关党总支", "党总支", "EA")))

    entries = list(AuditEntry.objects.order_by("seq")[before:])
    assert [e.action for e in entries] == ["org.create", "org.import"]
    assert entries[0].target_id == "EA-G1" and entries[0].actor == city.staff_a
    assert entries[1].new == {"file": "导入.xlsx", "rows": 1, "created": 1, "updated": 0, "unchanged": 0}


def test_it_updates_an_org_by_its_code_and_moves_its_subtree(city):
    group = actions.create_org(
        None, code="EA-B1-G1", name="第一党小组", kind=OrgKind.GROUP, parent=city.branch_a, active_from=DAY
    )
    result = import_orgs(
        city.staff_a,
        org_file(
            org("EA-B1", "企业A第一党支部（机关）", "党支部", "EA-G1", start=DAY),
            org("EA-G1", "机关党总支", "党总支", "EA"),
        ),
    )

    assert result.ok, result.errors
    assert (result.created, result.updated) == (1, 1)
    general = OrgUnit.objects.get(code="EA-G1")
    branch = OrgUnit.objects.get(code="EA-B1")
    group.refresh_from_db()
    assert branch.name == "企业A第一党支部（机关）" and branch.parent == general
    assert branch.path == general.path + path_segment(branch.pk) and branch.depth == 3
    assert group.path == branch.path + path_segment(group.pk) and group.depth == 4
    assert Person.objects.get(pk=city.person_a.pk).org == branch
    assert AuditEntry.objects.filter(action="org.update", target_id="EA-B1").exists()


def test_it_moves_a_node_under_one_that_was_below_it(city):
    upper = actions.create_org(
        None,
        code="EA-S1",
        name="一分公司党委",
        kind=OrgKind.COMMITTEE_SUB,
        parent=city.ent_a,
        active_from=DAY,
    )
    lower = actions.create_org(
        None, code="EA-S2", name="一分公司下属党委", kind=OrgKind.COMMITTEE_SUB, parent=upper, active_from=DAY
    )
    result = import_orgs(
        city.staff_a,
        org_file(
            org("EA-S1", "一分公司党委", "二级党委", "EA-S2", start=DAY),
            org("EA-S2", "一分公司下属党委", "二级党委", "EA", start=DAY),
        ),
    )

    assert result.ok, result.errors
    upper.refresh_from_db()
    lower.refresh_from_db()
    assert lower.parent == city.ent_a and upper.parent == lower
    assert upper.path == city.ent_a.path + path_segment(lower.pk) + path_segment(upper.pk)


def test_it_accepts_dates_and_kinds_in_the_forms_people_type(city):
    result = import_orgs(
        city.staff_a,
        org_file(
            org("EA-G1", "机关党总支", "general_branch", "EA", start="2021年3月5日"),
            org("EA-G2", "二车间党总支", " 党总支 ", "EA", start=20210305),
            org("EA-G3", "三车间党总支", "党总支", "EA", start=datetime.date(2021, 3, 5)),
            org("EA-G4", "四车间党总支", "党总支", "EA", start="2021.3.5"),
        ),
    )

    assert result.ok, result.errors
    assert set(OrgUnit.objects.filter(code__startswith="EA-G").values_list("active_from", flat=True)) == {
        datetime.date(2021, 3, 5)
    }


def test_it_finds_the_header_below_a_title_row(city):
    content = xlsx_bytes(
        [["明澜市企业A组织架构表"], ORG_HEADER, org("EA-G1", "机关党总支", "党总支", "EA")], header=[]
    )
    result = import_orgs(city.staff_a, upload(content))

    assert result.ok, result.errors
    assert OrgUnit.objects.filter(code="EA-G1").exists()


def test_a_missing_optional_column_leaves_the_stored_values_alone(city):
    OrgUnit.objects.filter(pk=city.branch_a.pk).update(secretary="王书记")
    header = ["编码", "名称", "类型", "上级编码", "成立日期"]
    result = import_orgs(city.staff_a, org_file(["EA-B1", "新名称", "党支部", "EA", DAY], header=header))

    assert result.ok, result.errors
    branch = OrgUnit.objects.get(code="EA-B1")
    assert branch.name == "新名称" and branch.secretary == "王书记"


# ---- files that are not usable xlsx ------------------------------------------------------------


def test_it_rejects_a_file_that_is_not_xlsx(unchanged, city):
    result = import_orgs(city.staff_a, upload(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "组织.xlsx"))
    assert ".xlsx" in file_message(result)


def test_it_rejects_a_corrupt_zip(unchanged, city):
    content = xlsx_bytes([org("EA-G1", "机关党总支", "党总支", "EA")])
    result = import_orgs(city.staff_a, upload(content[: len(content) // 2]))
    assert "损坏" in file_message(result)


def test_it_rejects_a_zip_that_is_not_a_workbook(unchanged, city):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    result = import_orgs(city.staff_a, upload(out.getvalue()))
    assert "损坏" in file_message(result)


def test_it_rejects_a_workbook_whose_sheet_is_damaged(unchanged, city):
    content = xlsx_bytes([org(f"EA-G{i}", "党总支", "党总支", "EA") for i in range(50)])
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)
    assert "损坏" in file_message(import_orgs(city.staff_a, upload(out.getvalue())))


def test_it_rejects_a_csv_and_asks_for_xlsx(unchanged, city):
    csv = "编码,名称,类型,上级编码,成立日期\nEA-G1,机关党总支,党总支,EA,2021-01-01\n".encode("gbk")
    result = import_orgs(city.staff_a, upload(csv, "组织.csv"))
    message = file_message(result)
    assert "CSV" in message and ".xlsx" in message


def test_it_rejects_an_old_xls_file(unchanged, city):
    result = import_orgs(
        city.staff_a, upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "组织.xls")
    )
    assert ".xls" in file_message(result)


def test_it_rejects_a_file_over_the_size_limit(unchanged, city, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    content = xlsx_bytes([org(f"EA-G{i}", "党总支", "党总支", "EA") for i in range(200)])
    assert len(content) > 1024
    assert "太大" in file_message(import_orgs(city.staff_a, upload(content)))


def test_it_refuses_an_upload_over_the_size_limit_before_reading_the_body(unchanged, city, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    # With CSRF enforced and no token: reading the body for the token would come first and fail
    # with 403; a 413 shows the declared length alone decided.
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.staff_a)
    response = client.post(reverse("orgs:org_import"), {"file": upload(b"x" * 4096)})
    assert response.status_code == 413
    assert "太大" in response.text


def test_it_refuses_a_sheet_over_the_row_limit_from_its_dimension(unchanged, city, settings):
    settings.MAX_IMPORT_ROWS = 3
    rows = [org(f"EA-G{i}", "党总支", "党总支", "EA") for i in range(5)]
    message = file_message(import_orgs(city.staff_a, org_file(*rows)))
    assert "5 行" in message and "3 行" in message


def test_it_refuses_too_many_rows_even_when_the_dimension_understates_them(unchanged, city, settings):
    settings.MAX_IMPORT_ROWS = 3
    content = xlsx_bytes([org(f"EA-G{i}", "党总支", "党总支", "EA") for i in range(5)])
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            target.writestr(item, data)
    assert "3 行" in file_message(import_orgs(city.staff_a, upload(out.getvalue())))


def test_it_names_the_sheets_found_when_the_sheet_name_is_wrong(unchanged, city):
    result = import_orgs(
        city.staff_a,
        org_file(org("EA-G1", "机关党总支", "党总支", "EA"), sheet="Sheet1", extra_sheets=["数据"]),
    )
    message = file_message(result)
    assert "组织" in message and "Sheet1" in message and "数据" in message


def test_it_names_the_missing_required_columns(unchanged, city):
    result = import_orgs(
        city.staff_a, org_file(["EA-G1", "机关党总支", "EA"], header=["编码", "名称", "上级编码"])
    )
    assert [(e.row, e.column) for e in result.errors] == [(1, "")]
    assert "类型" in result.errors[0].message and "成立日期" in result.errors[0].message


# ---- rows that are wrong -----------------------------------------------------------------------


def test_it_rejects_duplicate_codes_in_the_file(unchanged, city):
    result = import_orgs(
        city.staff_a,
        org_file(
            org("EA-G1", "机关党总支", "党总支", "EA"),
            org("EA-G1", "二车间党总支", "党总支", "EA"),
        ),
    )
    assert where(result) == {(3, "编码")}
    assert "第 2 行" in message_at(result, 3, "编码")
    assert [e.cell for e in result.errors] == ["A3"]


def test_a_row_with_a_duplicate_code_is_still_checked_for_its_other_problems(unchanged, city):
    result = import_orgs(
        city.staff_a,
        org_file(
            org("EA-G1", "机关党总支", "党总支", "EA"),
            org("EA-G1", "二车间党总支", "党总支", "NOWHERE"),
        ),
    )
    assert where(result) == {(3, "编码"), (3, "上级编码")}


def test_it_rejects_a_parent_that_exists_neither_in_the_database_nor_the_file(unchanged, city):
    result = import_orgs(city.staff_a, org_file(org("EA-G1", "机关党总支", "党总支", "EA-NOPE")))
    assert where(result) == {(2, "上级编码")}
    assert "EA-NOPE" in message_at(result, 2, "上级编码")


def test_it_rejects_a_cycle_in_the_file_and_names_its_codes(unchanged, city):
    result = import_orgs(
        city.staff_a,
        org_file(
            org("EA-S1", "一分公司党委", "二级党委", "EA-S2"),
            org("EA-S2", "二分公司党委", "二级党委", "EA-S1"),
        ),
    )
    assert where(result) == {(2, "上级编码"), (3, "上级编码")}
    message = message_at(result, 2, "上级编码")
    assert "环" in message and "EA-S1" in message and "EA-S2" in message


def test_it_rejects_a_cycle_through_a_stored_org(city):
    upper = actions.create_org(
        None,
        code="EA-S1",
        name="一分公司党委",
        kind=OrgKind.COMMITTEE_SUB,
        parent=city.ent_a,
        active_from=DAY,
    )
    actions.create_org(
        None, code="EA-S2", name="一分公司下属党委", kind=OrgKind.COMMITTEE_SUB, parent=upper, active_from=DAY
    )
    before = database_state()

    result = import_orgs(city.staff_a, org_file(org("EA-S1", "一分公司党委", "二级党委", "EA-S2", start=DAY)))

    assert where(result) == {(2, "上级编码")}
    assert "EA-S1 → EA-S2 → EA-S1" in message_at(result, 2, "上级编码")
    assert database_state() == before


def test_it_rejects_a_kind_that_may_not_sit_under_its_parent(unchanged, city):
    result = import_orgs(city.staff_a, org_file(org("EA-G1", "机关党总支", "党总支", "EA-B1")))
    assert where(result) == {(2, "类型")}
    assert "不能设在" in message_at(result, 2, "类型")


def test_it_rejects_a_kind_change_that_would_strand_stored_children(city):
    actions.create_org(
        None, code="EA-B1-G1", name="第一党小组", kind=OrgKind.GROUP, parent=city.branch_a, active_from=DAY
    )
    before = database_state()
    result = import_orgs(city.staff_a, org_file(org("EA-B1", "企业A第一党支部", "党小组", "EA", start=DAY)))
    assert where(result) == {(2, "类型")}
    assert "EA-B1-G1" in message_at(result, 2, "类型")
    assert database_state() == before


def test_it_rejects_an_org_without_a_parent_unless_it_is_the_committee(unchanged, city):
    result = import_orgs(city.staff_a, org_file(org("EA-G1", "机关党总支", "党总支", "")))
    assert where(result) == {(2, "上级编码")}


def test_it_refuses_to_create_a_new_top_committee(unchanged, city):
    result = import_orgs(city.admin, org_file(org("C2", "另一个工委", "工委", "")))
    assert where(result) == {(2, "上级编码")}
    assert "命令行" in message_at(result, 2, "上级编码")


def test_it_rejects_bad_dates(unchanged, city):
    result = import_orgs(
        city.staff_a,
        org_file(
            org("EA-G1", "机关党总支", "党总支", "EA", start="2021-02-30"),
            org("EA-G2", "二车间党总支", "党总支", "EA", start="上个月"),
            org("EA-G3", "三车间党总支", "党总支", "EA", start="2021-05-01", end="2021-04-01"),
            org("EA-G4", "四车间党总支", "党总支", "EA", start=None),
        ),
    )
    assert where(result) == {(2, "成立日期"), (3, "成立日期"), (4, "撤销日期"), (5, "成立日期")}
    assert "2021-02-30" in message_at(result, 2, "成立日期")
    assert "晚于" in message_at(result, 4, "撤销日期")


def test_it_rejects_garbled_text_and_says_to_save_as_utf8_xlsx(unchanged, city):
    result = import_orgs(
        city.staff_a,
        org_file(
            org("EA-G1", "寮犱笁", "党总支", "EA"),  # "张三" in UTF-8, read as GBK
            org("EA-G2", "å…šæ”¯éƒ¨", "党总支", "EA"),  # "党支部" in UTF-8, read as Latin-1
            org("EA-G3", "锟斤拷锟斤拷", "党总支", "EA"),
            org("EA-G4", "第\ufffd党总支", "党总支", "EA"),
        ),
    )
    assert where(result) == {(2, "名称"), (3, "名称"), (4, "名称"), (5, "名称")}
    for row in (2, 3, 4, 5):
        message = message_at(result, row, "名称")
        assert "乱码" in message and ".xlsx" in message and "UTF-8" in message
    assert "张三" in message_at(result, 2, "名称")
    assert "党支部" in message_at(result, 3, "名称")


def test_it_rejects_traditional_chinese_naming_the_cell_and_the_simplified_form(unchanged, city):
    result = import_orgs(city.staff_a, org_file(org("EA-G1", "機關黨總支", "党总支", "EA", secretary="張偉")))
    assert where(result) == {(2, "名称"), (2, "书记")}
    assert "B2" in message_at(result, 2, "名称") and "机关党总支" in message_at(result, 2, "名称")
    assert "F2" in message_at(result, 2, "书记") and "张伟" in message_at(result, 2, "书记")
    assert {e.cell for e in result.errors} == {"B2", "F2"}


def test_it_accepts_characters_that_are_simplified_too(city):
    result = import_orgs(city.staff_a, org_file(org("EA-G1", "机关党总支", "党总支", "EA", secretary="於乾")))
    assert result.errors == []


def test_it_collects_every_error_in_one_pass(unchanged, city):
    result = import_orgs(
        city.staff_a,
        org_file(
            org("EA-G1", "机关党总支", "党总", "EA"),
            org("EA-G2", "", "党总支", "EA"),
            org("EA-G3", "三车间党总支", "党总支", "NOWHERE"),
            org("EA G4", "四车间党总支", "党总支", "EA", start="昨天"),
        ),
    )
    assert where(result) == {(2, "类型"), (3, "名称"), (4, "上级编码"), (5, "编码"), (5, "成立日期")}
    assert [e.row for e in result.errors] == [2, 3, 4, 5, 5]  # in sheet order


# ---- scope ---------------------------------------------------------------------------------------


def test_a_read_only_user_may_not_import(unchanged, city):
    with pytest.raises(PermissionDenied):
        import_orgs(city.viewer_a, org_file(org("EA-G1", "机关党总支", "党总支", "EA")))
    with pytest.raises(PermissionDenied):
        import_people(city.viewer_a, people_file(person("王五", "EA-B1")))


def test_it_rejects_a_row_for_an_org_of_another_enterprise(unchanged, city):
    result = import_orgs(
        city.staff_b,
        org_file(
            org("EB-G1", "机关党总支", "党总支", "EB"),
            org("EA-B1", "改名", "党支部", "EA", start=DAY),
            org("EB-G2", "二车间党总支", "党总支", "EA"),
        ),
    )
    assert where(result) == {(3, "编码"), (4, "上级编码")}
    assert "已被使用" in message_at(result, 3, "编码")
    # A hidden parent reads exactly like a missing one: B's staff learn nothing about A's codes.
    hidden = message_at(result, 4, "上级编码")
    missing = message_at(
        import_orgs(city.staff_b, org_file(org("EB-G3", "x", "党总支", "NOPE"))), 2, "上级编码"
    )
    assert hidden.replace("EA", "NOPE") == missing


def test_it_rejects_moving_an_org_out_of_the_importers_scope(unchanged, city):
    result = import_orgs(city.staff_a, org_file(org("EA-B1", "企业A第一党支部", "党支部", "EB", start=DAY)))
    assert where(result) == {(2, "上级编码")}


# ---- people --------------------------------------------------------------------------------------


def test_it_imports_new_people_and_updates_people_by_id_number(city):
    known = actions.create_person(
        None,
        org=city.branch_a,
        name="王芳",
        gender="F",
        id_number=ID_1,
        phone="13900000000",
        position="组织委员",
    )
    result = import_people(
        city.staff_a,
        people_file(
            person("王芳", "EA-B1", gender="女", position="支部书记", id_number=ID_1.lower()),
            person(
                "李明",
                "EA-B1",
                status="预备党员",
                birth="1990-01-01",
                joined="2024-07-01",
                phone="13812345678",
                id_number=ID_2,
            ),
            person("赵六", "EA", gender="女", status="工作人员"),
        ),
    )

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)
    known.refresh_from_db()
    assert known.position == "支部书记" and known.phone == "13900000000"
    new = Person.objects.get(name="李明")
    assert new.org == city.branch_a and new.status == "probationary" and new.gender == "M"
    assert new.phone == "13812345678" and new.id_number == ID_2 and new.name_pinyin == "li ming"
    assert new.join_date == datetime.date(2024, 7, 1)
    assert Person.objects.get(name="赵六").id_number_digest == ""
    summary = AuditEntry.objects.get(action="person.import")
    assert summary.actor == city.staff_a
    assert summary.new == {"file": "导入.xlsx", "rows": 3, "created": 2, "updated": 1, "unchanged": 0}


def test_masked_values_leave_phone_and_id_number_unchanged(city):
    phone_enc, digest = city.person_a.phone_enc, city.person_a.id_number_digest
    result = import_people(
        city.staff_a,
        people_file(
            person("张a", "EA-B1", position="宣传委员", phone="138****1111", id_number="110***********1232"),
        ),
    )

    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 1)
    city.person_a.refresh_from_db()
    assert city.person_a.position == "宣传委员"
    assert (city.person_a.phone_enc, city.person_a.id_number_digest) == (phone_enc, digest)


def test_it_rejects_a_masked_id_number_that_matches_nobody(unchanged, city):
    result = import_people(city.staff_a, people_file(person("张三", "EA-B1", id_number="110***********1232")))
    assert where(result) == {(2, "身份证号")}
    assert "脱敏" in message_at(result, 2, "身份证号")


def test_reimporting_people_without_id_numbers_does_not_duplicate_them(city):
    rows = [person("赵六", "EA-B1"), person("赵六", "EA-B1"), person("钱七", "EA-B1")]
    assert import_people(city.staff_a, people_file(*rows)).created == 3

    again = import_people(city.staff_a, people_file(*rows, person("钱七", "EA-B1")))

    assert (again.created, again.updated, again.unchanged) == (1, 0, 3)
    assert Person.objects.filter(name="钱七").count() == 2


def test_it_rejects_duplicate_id_numbers_in_the_file(unchanged, city):
    result = import_people(
        city.staff_a,
        people_file(
            person("李明", "EA-B1", id_number=ID_2),
            person("李明明", "EA-B1", id_number=ID_2),
        ),
    )
    assert where(result) == {(3, "身份证号")}
    assert "第 2 行" in message_at(result, 3, "身份证号")


def test_it_rejects_bad_phone_and_id_numbers(unchanged, city):
    wrong_check = ID_2[:17] + ("0" if ID_2[17] != "0" else "1")
    result = import_people(
        city.staff_a,
        people_file(
            person("甲", "EA-B1", phone="1380000111"),
            person("乙", "EA-B1", id_number="11010519850615"),
            person("丙", "EA-B1", id_number=wrong_check),
            person("丁", "EA-B1", id_number=110105198506150014),
            person("戊", "EA-B1", id_number=valid_id("11010519851345001")),
        ),
    )
    assert where(result) == {
        (2, "手机号"),
        (3, "身份证号"),
        (4, "身份证号"),
        (5, "身份证号"),
        (6, "身份证号"),
    }
    assert "11 位" in message_at(result, 2, "手机号")
    assert "18 位" in message_at(result, 3, "身份证号")
    assert "校验位" in message_at(result, 4, "身份证号")
    assert "文本" in message_at(result, 5, "身份证号")
    assert "出生日期" in message_at(result, 6, "身份证号")


def test_it_rejects_bad_person_values(unchanged, city):
    result = import_people(
        city.staff_a,
        people_file(
            person("甲", "EA-B1", gender="男性"),
            person("乙", "EA-B1", status="群众"),
            person("丙", "EA-B1", birth="1990-01-01", joined="1980-01-01"),
            person("", "EA-B1"),
            person("戊", "EA-B1", birth="1990-02-30"),
        ),
    )
    assert where(result) == {(2, "性别"), (3, "人员类别"), (4, "入党日期"), (5, "姓名"), (6, "出生日期")}


def test_it_rejects_people_in_an_org_of_another_enterprise(unchanged, city):
    result = import_people(city.staff_b, people_file(person("王五", "EB-B1"), person("赵六", "EA-B1")))
    assert where(result) == {(3, "所在组织编码")}
    assert "EA-B1" in message_at(result, 3, "所在组织编码")


def test_it_rejects_an_id_number_registered_in_another_enterprise(city):
    actions.create_person(None, org=city.branch_b, name="孙八", gender="M", id_number=ID_3)
    before = database_state()
    result = import_people(city.staff_a, people_file(person("孙八", "EA-B1", id_number=ID_3)))
    assert where(result) == {(2, "身份证号")}
    assert "管理范围" in message_at(result, 2, "身份证号")
    assert database_state() == before


def test_it_rejects_traditional_and_garbled_names_of_people(unchanged, city):
    result = import_people(city.staff_a, people_file(person("陳偉", "EA-B1"), person("寮犱笁", "EA-B1")))
    assert where(result) == {(2, "姓名"), (3, "姓名")}
    assert "A2" in message_at(result, 2, "姓名") and "陈伟" in message_at(result, 2, "姓名")
    assert "乱码" in message_at(result, 3, "姓名")


# ---- the pages ------------------------------------------------------------------------------------

IMPORT_PAGES = ["orgs:org_import", "orgs:people_import"]


@pytest.mark.parametrize("name", IMPORT_PAGES)
def test_the_import_pages_are_for_people_who_may_edit(city, login, name):
    url = reverse(name)
    assert login(city.staff_a).get(url).status_code == 200
    assert login(city.staff_b).get(url).status_code == 200
    assert login(city.viewer_a).get(url).status_code == 403


@pytest.mark.parametrize("name", IMPORT_PAGES)
def test_a_read_only_user_gets_403_on_import_post(unchanged, city, login, name):
    file = (
        people_file(person("王五", "EA-B1"))
        if "people" in name
        else org_file(org("EA-G1", "机关党总支", "党总支", "EA"))
    )
    assert login(city.viewer_a).post(reverse(name), {"file": file}).status_code == 403


@pytest.mark.parametrize("name", IMPORT_PAGES)
def test_anonymous_users_are_sent_to_login_from_the_import_pages(unchanged, client, city, name):
    for response in (client.get(reverse(name)), client.post(reverse(name), {"file": upload(b"x")})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_the_people_import_page_is_404_for_someone_who_may_not_see_people(city, login):
    assert login(city.sysadmin).get(reverse("orgs:people_import")).status_code == 404


def test_the_import_page_lists_every_error_and_writes_nothing(unchanged, city, login):
    file = org_file(org("EA-G1", "机关党总支", "党总", "EA"), org("EA-G2", "機關", "党总支", "EA"))
    response = login(city.staff_a).post(reverse("orgs:org_import"), {"file": file}, follow=True)

    assert response.redirect_chain[0][0].startswith("/jobs/")
    assert 'data-status="failed"' in response.text and "未导入任何数据" in response.text
    table = response.text[response.text.index('id="import-errors"') :]
    assert "第 2 行" in table and "类型" in table and "第 3 行" in table and "B3" in table and "机关" in table


def test_an_english_user_sees_the_import_errors_in_english(unchanged, city, login, settings):
    client = login(city.staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    file = org_file(
        org("EA-G1", "机关党总支", "党总", "EA"),
        org("EA-G2", "機關", "党总支", "EA"),
        org("EA-G3", "机关", "党总支", "NOPE", start="2021-13-01"),
    )
    response = client.post(reverse("orgs:org_import"), {"file": file}, follow=True)

    assert 'data-status="failed"' in response.text
    table = response.text[response.text.index('id="import-errors"') :]
    # The messages are English; the column headers and the values a cell may take stay Chinese.
    assert "“党总” is not valid; use one of: 工委 / 国资委党委, 企业党委, 二级党委, 党总支" in table
    assert "“機關” in cell B3 contains Traditional characters; use Simplified: “机关”" in table
    assert "“2021-13-01” is not a valid date; write it as 2024-07-01" in table
    assert "Parent code “NOPE” does not exist" in table
    assert "Row 2" in table and "类型" in table
    for chinese in ("无效", "繁体", "有效日期", "不存在", "第 2 行"):
        assert chinese not in table


def test_a_good_upload_ends_on_its_job_page_with_a_summary(city, login):
    client = login(city.staff_a)
    response = client.post(
        reverse("orgs:org_import"), {"file": org_file(org("EA-G1", "机关党总支", "党总支", "EA"))}
    )

    assert response.status_code == 302 and response.url.startswith("/jobs/")
    page = client.get(response.url)
    assert 'data-status="succeeded"' in page.text and "新增 1 条" in page.text
    assert OrgUnit.objects.filter(code="EA-G1", parent=city.ent_a).exists()


def test_a_people_upload_imports_within_scope(city, login):
    client = login(city.staff_a)
    response = client.post(reverse("orgs:people_import"), {"file": people_file(person("王五", "EA-B1"))})
    assert response.status_code == 302 and response.url.startswith("/jobs/")
    assert Person.objects.filter(name="王五", org=city.branch_a).exists()


def test_the_upload_still_checks_csrf(unchanged, city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.staff_a)
    response = client.post(
        reverse("orgs:org_import"), {"file": org_file(org("EA-G1", "机关党总支", "党总支", "EA"))}
    )
    assert response.status_code == 403


def test_a_people_import_audits_every_person_it_creates_or_changes(city):
    from kaohe.audit.queries import verify_chain

    result = import_people(
        city.staff_a,
        people_file(
            person("王五", "EA-B1", position="党员"),
            person("张a", "EA-B1", position="宣传委员", phone="13911112222", id_number="110101198001011232"),
        ),
    )
    assert result.errors == [] and (result.created, result.updated) == (1, 1)
    created = AuditEntry.objects.get(action="person.create", target_repr="王五")
    assert created.actor == city.staff_a and (created.new or {})["position"] == "党员"
    updated = AuditEntry.objects.get(action="person.update", target_repr="张a")
    assert updated.old == {"position": "", "phone": "***"}
    assert updated.new == {"position": "宣传委员", "phone": "*** (changed)"}
    assert "13911112222" not in str(updated.new)
    assert verify_chain(anchors=[])[1] == []
