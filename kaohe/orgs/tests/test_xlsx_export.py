"""Exporting the org and people sheets: the import layout, masked numbers, scope, and round trips."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from kaohe.orgs import actions
from kaohe.orgs.importing import import_orgs, import_people
from kaohe.orgs.models import OrgKind, OrgUnit, Person
from kaohe.orgs.tests.test_xlsx_import import ORG_HEADER, PEOPLE_HEADER, valid_id

pytestmark = pytest.mark.django_db


EXPORTS = ["orgs:org_export", "orgs:people_export"]
DOWNLOADS = [*EXPORTS, "orgs:org_template", "orgs:people_template"]


def read(response, sheet: str):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    return load_workbook(io.BytesIO(response.content))[sheet]


def rows(ws) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]


def headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def as_upload(response) -> SimpleUploadedFile:
    return SimpleUploadedFile("export.xlsx", response.content)


def fingerprint():
    return (
        list(
            OrgUnit.objects.order_by("pk").values_list(
                "code",
                "name",
                "short_name",
                "kind",
                "parent_id",
                "path",
                "depth",
                "enterprise_id",
                "secretary",
                "active_from",
                "active_to",
            )
        ),
        list(
            Person.objects.order_by("pk").values_list(
                "name",
                "gender",
                "org_id",
                "status",
                "birth_date",
                "join_date",
                "position",
                "phone_enc",
                "id_number_enc",
                "id_number_digest",
            )
        ),
    )


def test_the_org_export_has_the_import_layout_and_only_what_the_user_sees(city, login):
    ws = read(login(city.staff_a).get(reverse("orgs:org_export")), "组织")

    assert headers(ws) == ORG_HEADER
    assert rows(ws) == [
        ["EA", "企业A党委", None, "企业党委", "C", None, datetime.datetime(2020, 1, 1), None],
        ["EA-B1", "企业A第一党支部", None, "党支部", "EA", None, datetime.datetime(2020, 1, 1), None],
    ]


def test_the_export_styles_the_header_sets_widths_and_freezes_it(city, login):
    ws = read(login(city.staff_a).get(reverse("orgs:people_export")), "人员")

    assert ws.freeze_panes == "A2"
    assert all(c.font.b for c in ws[1])
    assert ws["A1"].fill.fgColor.rgb.endswith("B71C1C")
    assert ws.column_dimensions["C"].width == 16 and ws.column_dimensions["I"].width == 22
    assert {str(dv.sqref) for dv in ws.data_validations.dataValidation} == {"B2:B1048576", "D2:D1048576"}


def test_the_people_export_masks_phone_and_id_numbers_and_says_so(city, login):
    ws = read(login(city.staff_a).get(reverse("orgs:people_export")), "人员")

    assert headers(ws) == PEOPLE_HEADER
    assert rows(ws) == [
        ["张a", "男", "EA-B1", "正式党员", None, None, None, "138****1111", "110***********1232"]
    ]
    assert "脱敏" in ws["H1"].comment.text and "脱敏" in ws["I1"].comment.text
    assert "保持不变" in ws["H1"].comment.text


def test_the_people_export_leaves_out_people_who_left_unless_asked(city, login):
    Person.objects.filter(pk=city.person_a.pk).update(left_on=datetime.date(2024, 1, 1))
    client = login(city.staff_a)
    assert rows(read(client.get(reverse("orgs:people_export")), "人员")) == []
    assert len(rows(read(client.get(reverse("orgs:people_export"), {"left": "1"}), "人员"))) == 1


def test_the_export_can_be_limited_to_a_subtree(city, login):
    actions.create_org(
        None,
        code="EA-B2",
        name="企业A第二党支部",
        kind=OrgKind.BRANCH,
        parent=city.ent_a,
        active_from=datetime.date(2020, 1, 1),
    )
    ws = read(login(city.staff_a).get(reverse("orgs:org_export"), {"org": "EA-B2"}), "组织")
    assert [r[0] for r in rows(ws)] == ["EA-B2"]


@pytest.mark.parametrize("name", EXPORTS)
def test_a_read_only_user_can_export_what_they_see(city, login, name):
    response = login(city.viewer_a).get(reverse(name))
    sheet = "人员" if "people" in name else "组织"
    assert "EA-B1" in {r[0 if sheet == "组织" else 2] for r in rows(read(response, sheet))}


@pytest.mark.parametrize("name", EXPORTS)
def test_another_enterprises_export_contains_nothing_of_enterprise_a(city, login, name):
    response = login(city.staff_b).get(reverse(name))
    text = " ".join(str(v) for r in rows(read(response, "人员" if "people" in name else "组织")) for v in r)
    assert "EB-B1" in text
    assert "EA" not in text and "企业A" not in text and "张a" not in text


@pytest.mark.parametrize("name", EXPORTS)
def test_another_enterprise_gets_404_for_a_subtree_of_a(city, login, name):
    assert login(city.staff_b).get(reverse(name), {"org": "EA"}).status_code == 404


@pytest.mark.parametrize("name", DOWNLOADS)
def test_anonymous_users_are_sent_to_login_from_the_downloads(client, city, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_someone_who_may_not_see_people_gets_404_on_the_people_export(city, login):
    assert login(city.sysadmin).get(reverse("orgs:people_export")).status_code == 404
    assert login(city.sysadmin).get(reverse("orgs:org_export")).status_code == 200


def test_the_templates_are_for_people_who_may_edit(city, login):
    assert login(city.viewer_a).get(reverse("orgs:org_template")).status_code == 403
    assert login(city.viewer_a).get(reverse("orgs:people_template")).status_code == 403


@pytest.mark.parametrize(
    ("name", "sheet", "header"),
    [("orgs:org_template", "组织", ORG_HEADER), ("orgs:people_template", "人员", PEOPLE_HEADER)],
)
def test_a_template_has_the_headers_and_one_example_row_that_imports_cleanly(
    city, login, name, sheet, header
):
    response = login(city.staff_a).get(reverse(name))
    ws = read(response, sheet)

    assert headers(ws) == header
    assert len(rows(ws)) == 1 and "示例" in str(rows(ws)[0])
    assert "示例" in ws["A1"].comment.text
    importer = import_people if sheet == "人员" else import_orgs
    result = importer(city.staff_a, as_upload(response))
    assert result.ok, result.errors
    assert result.created == 1


# ---- round trips ----------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["staff_a", "admin"])
def test_reimporting_an_export_changes_nothing(city, login, user):
    actor = getattr(city, user)
    actions.create_org(
        None,
        code="EA-B1-G1",
        name="第一党小组",
        kind=OrgKind.GROUP,
        parent=city.branch_a,
        active_from=datetime.date(2021, 6, 1),
        active_to=datetime.date(2023, 6, 1),
        short_name="一组",
        secretary="王五",
    )
    actions.create_person(
        None,
        org=city.branch_a,
        name="李明",
        gender="F",
        status="probationary",
        birth_date=datetime.date(1990, 5, 1),
        join_date=datetime.date(2024, 7, 1),
        position="组织委员",
        phone="13912345678",
        id_number=valid_id("11010519900501002"),
    )
    actions.create_person(None, org=city.branch_a, name="赵六", gender="M")
    client = login(actor)
    orgs = client.get(reverse("orgs:org_export"))
    people = client.get(reverse("orgs:people_export"))
    before = fingerprint()

    org_result = import_orgs(actor, as_upload(orgs))
    people_result = import_people(actor, as_upload(people))

    assert org_result.ok and people_result.ok, (org_result.errors, people_result.errors)
    assert (org_result.created, org_result.updated) == (0, 0)
    assert (people_result.created, people_result.updated) == (0, 0)
    assert org_result.unchanged == len(rows(read(orgs, "组织")))
    assert people_result.unchanged == len(rows(read(people, "人员")))
    assert fingerprint() == before


def test_an_edited_export_imports_its_changes(city, login):
    client = login(city.staff_a)
    book = load_workbook(io.BytesIO(client.get(reverse("orgs:org_export")).content))
    ws = book["组织"]
    ws.append(["EA-G1", "机关党总支", "", "党总支", "EA", "", datetime.date(2022, 1, 1), None])
    ws["E3"] = "EA-G1"  # move EA-B1 under the new general branch
    out = io.BytesIO()
    book.save(out)

    result = import_orgs(city.staff_a, SimpleUploadedFile("edited.xlsx", out.getvalue()))

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    branch = OrgUnit.objects.get(code="EA-B1")
    assert branch.parent == OrgUnit.objects.get(code="EA-G1")
    assert branch.depth == 3 and branch.enterprise == city.ent_a


def drop_downs(ws) -> dict[str, str]:
    """Range → list formula of each drop-down list of the sheet."""
    return {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}


def test_an_english_users_export_keeps_the_chinese_format_and_reimports_cleanly(city, login, settings):
    actions.create_person(None, org=city.branch_a, name="李明", gender="F", status="probationary")
    client = login(city.staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    orgs = client.get(reverse("orgs:org_export"))
    people = client.get(reverse("orgs:people_export"))
    org_sheet, people_sheet = read(orgs, "组织"), read(people, "人员")

    # The sheet names, headers and the values of the drop-down lists are the file format: Chinese.
    assert headers(org_sheet) == ORG_HEADER and headers(people_sheet) == PEOPLE_HEADER
    assert {r[3] for r in rows(org_sheet)} == {"企业党委", "党支部"}
    assert ["女", "预备党员"] in [[r[1], r[3]] for r in rows(people_sheet)]
    assert "企业党委" in drop_downs(org_sheet)["D2:D1048576"]
    assert "预备党员" in drop_downs(people_sheet)["D2:D1048576"]
    # The notes are for the reader: English.
    assert "unique code" in org_sheet["A1"].comment.text
    assert "Masked in exports" in people_sheet["H1"].comment.text
    before = fingerprint()

    with translation.override("en"):
        org_result = import_orgs(city.staff_a, as_upload(orgs))
        people_result = import_people(city.staff_a, as_upload(people))
    page = client.post(reverse("orgs:people_import"), {"file": as_upload(people)}, follow=True)

    assert org_result.ok and people_result.ok, (org_result.errors, people_result.errors)
    assert (org_result.created, org_result.updated, people_result.created, people_result.updated) == (0,) * 4
    assert (
        'data-status="succeeded"' in page.text
        and "Import complete: 0 added, 0 updated, 2 unchanged" in page.text
    )
    assert fingerprint() == before


def test_an_english_users_template_imports_cleanly(city, login, settings):
    client = login(city.staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("orgs:org_template"))
    ws = read(response, "组织")
    assert headers(ws) == ORG_HEADER
    assert "example" in ws["A1"].comment.text and "example" in str(rows(ws)[0])
    assert rows(ws)[0][3] == "党支部"

    page = client.post(reverse("orgs:org_import"), {"file": as_upload(response)}, follow=True)

    assert 'data-status="succeeded"' in page.text
    assert OrgUnit.objects.filter(name="First Party Branch (example)", kind=OrgKind.BRANCH).exists()
