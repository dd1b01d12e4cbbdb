"""The discipline pages at work: list filters and sort, the form, withdrawal, summary, export."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from kaohe.audit.models import AuditEntry
from kaohe.conftest import ID_NUMBERS
from kaohe.discipline import actions
from kaohe.discipline.models import CaseStatus, DisciplineCase, Outcome
from kaohe.orgs import actions as org_actions
from kaohe.orgs.models import OrgKind

pytestmark = pytest.mark.django_db


def _case(person, number, outcome, *, day=datetime.date(2025, 5, 1), department="市纪委监委", org=None):
    return actions.record_case(
        None,
        case_number=number,
        department=department,
        person=person,
        outcome=outcome,
        decided_on=day,
        org=org,
    )


def _numbers(response) -> list[str]:
    return [c.case_number for c in response.context["page"]]


# ---- the list ------------------------------------------------------------------------------------


def test_the_list_filters_by_year_org_outcome_status_and_text(city, login, disc_c, case_a, case_b):
    old = _case(city.person_a, "JC-2024-01", Outcome.CRITICISM, day=datetime.date(2024, 2, 1))
    actions.withdraw_case(None, old, reason="录入错误")
    client = login(disc_c)
    url = reverse("discipline:list")
    assert _numbers(client.get(url)) == ["QY-2025-01", "JC-2025-07", "JC-2024-01"]  # newest first
    assert _numbers(client.get(url, {"year": 2024})) == ["JC-2024-01"]
    assert _numbers(client.get(url, {"org": "EA"})) == ["JC-2025-07", "JC-2024-01"]
    assert _numbers(client.get(url, {"org": "EB-B1"})) == ["QY-2025-01"]
    assert _numbers(client.get(url, {"outcome": Outcome.WARNING})) == ["JC-2025-07"]
    assert _numbers(client.get(url, {"status": CaseStatus.WITHDRAWN})) == ["JC-2024-01"]
    assert _numbers(client.get(url, {"q": "QY"})) == ["QY-2025-01"]
    assert _numbers(client.get(url, {"q": "zhang b"})) == ["QY-2025-01"]  # by pinyin
    assert _numbers(client.get(url, {"year": "not a year", "outcome": "bogus"})) == _numbers(client.get(url))


def test_the_list_sorts_by_outcome_weight_and_number(city, login, disc_c, case_a, case_b):
    _case(city.person_a, "JC-2025-09", Outcome.JUDICIAL_REFERRAL)
    client = login(disc_c)
    url = reverse("discipline:list")
    assert _numbers(client.get(url, {"sort": "outcome"})) == ["QY-2025-01", "JC-2025-07", "JC-2025-09"]
    assert _numbers(client.get(url, {"sort": "-outcome"})) == ["JC-2025-09", "JC-2025-07", "QY-2025-01"]
    assert _numbers(client.get(url, {"sort": "number"})) == ["JC-2025-07", "JC-2025-09", "QY-2025-01"]
    assert _numbers(client.get(url, {"sort": "nonsense"})) == _numbers(client.get(url))


def test_the_list_paginates(city, login, disc_a):
    for i in range(55):
        _case(city.person_a, f"JC-P-{i:03d}", Outcome.WARNING)
    client = login(disc_a)
    first = client.get(reverse("discipline:list"))
    assert len(first.context["page"]) == 50 and first.context["page"].paginator.count == 55
    assert len(client.get(reverse("discipline:list"), {"page": 2}).context["page"]) == 5


def test_the_list_names_the_enterprise_and_branch_of_a_party_group(city, login, disc_c):
    for key, branch in (("a", city.branch_a), ("b", city.branch_b)):
        group = org_actions.create_org(
            None,
            code=f"{branch.code}-G1",
            name=f"{branch.name}第一党小组",
            short_name="第一党小组",
            kind=OrgKind.GROUP,
            parent=branch,
            active_from=datetime.date(2020, 1, 1),
        )
        person = org_actions.create_person(None, org=group, name=f"李{key}", gender="M")
        _case(person, f"JC-G-{key}", Outcome.WARNING)
    html = login(disc_c).get(reverse("discipline:list")).text
    cells = {
        key: html.split(f'data-org="{b.code}-G1">', 1)[1].split("</td>", 1)[0]
        for key, b in (("a", city.branch_a), ("b", city.branch_b))
    }
    assert "第一党小组" in cells["a"] and "企业A党委 · 企业A第一党支部" in cells["a"]
    assert "第一党小组" in cells["b"] and "企业B党委 · 企业B第一党支部" in cells["b"]


def test_the_list_answers_htmx_with_the_rows_only(city, login, disc_a, case_a):
    page = login(disc_a).get(reverse("discipline:list"), HTTP_HX_REQUEST="true")
    assert "JC-2025-07" in page.text and "<html" not in page.text


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("name", "params", "budget"),
    [
        # 6 for every page (session, user, roles, the session's save), then count, page, years.
        ("discipline:list", {}, 9),
        ("discipline:list", {"org": "EA"}, 10),
        # + the child orgs, the counts, the years
        ("discipline:summary", {"year": 2025}, 9),
    ],
)
def test_page_query_count_does_not_grow_with_the_cases(city, login, disc_c, case_a, name, params, budget):
    client = login(disc_c)
    url = reverse(name)
    small = _queries(client, url, **params)
    for i in range(12):
        branch = org_actions.create_org(
            None,
            code=f"EA-Q{i}",
            name=f"支部{i}",
            kind=OrgKind.BRANCH,
            parent=city.ent_a,
            active_from=datetime.date(2020, 1, 1),
        )
        person = org_actions.create_person(None, org=branch, name=f"党员{i}", gender="M")
        _case(person, f"JC-Q-{i}", Outcome.WARNING, day=datetime.date(2025 - i % 3, 5, 1))
    large = _queries(client, url, **params)
    assert large == small <= budget


# ---- one case ------------------------------------------------------------------------------------


def test_the_detail_page_shows_the_person(city, login, disc_a, case_a):
    page = login(disc_a).get(reverse("discipline:detail", args=[case_a.public_id]))
    assert "张a" in page.text and "违规收受礼品" in page.text and "110***********1232" in page.text


def _form(**overrides) -> dict:
    data = {
        "case_number": "JC-2025-20",
        "department": "市纪委监委",
        "id_number": "",
        "person": "",
        "org": "",
        "outcome": Outcome.ADMONISHMENT,
        "decided_on": "2025-06-01",
        "summary": "案情",
    }
    return {**data, **overrides}


def test_it_records_a_case_for_a_person_found_by_id_number(city, login, disc_a):
    response = login(disc_a).post(reverse("discipline:create"), _form(id_number=ID_NUMBERS["a"].lower()))
    case = DisciplineCase.objects.get()
    assert response.status_code == 302 and response.url == reverse("discipline:detail", args=[case.public_id])
    assert case.person == city.person_a and case.org == city.branch_a and case.recorded_by == disc_a
    assert AuditEntry.objects.filter(action="discipline_case.create", actor=disc_a).count() == 1


def test_it_records_a_case_for_a_person_chosen_from_the_search(city, login, disc_a):
    client = login(disc_a)
    # Without script, the search button posts the form back with the matches, saving nothing.
    found = client.post(reverse("discipline:create"), _form(q="张", search="1"))
    assert found.status_code == 200 and [p.name for p in found.context["candidates"]] == ["张a"]
    assert not found.context["form"].is_bound and not DisciplineCase.objects.exists()
    response = client.post(reverse("discipline:create"), _form(person=str(city.person_a.public_id), org="EA"))
    assert response.status_code == 302
    assert DisciplineCase.objects.get().org == city.ent_a


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({}, "person"),  # nobody chosen
        ({"id_number": ID_NUMBERS["b"]}, "id_number"),  # a person of another enterprise
        ({"id_number": "110101199001011237"}, "id_number"),  # valid, but nobody has it
        ({"id_number": ID_NUMBERS["a"], "org": "EB"}, "org"),  # an org out of scope
        ({"id_number": ID_NUMBERS["a"], "decided_on": "2999-01-01"}, "decided_on"),
        ({"id_number": ID_NUMBERS["a"], "case_number": "JC-2025-07"}, "case_number"),  # taken
    ],
)
def test_the_form_names_the_field_in_error(city, login, disc_a, case_a, overrides, field):
    page = login(disc_a).post(reverse("discipline:create"), _form(**overrides))
    assert page.status_code == 200 and field in page.context["form"].errors
    assert DisciplineCase.objects.count() == 1


def test_the_form_refuses_an_org_that_does_not_hold_the_person(city, login, disc_c):
    page = login(disc_c).post(reverse("discipline:create"), _form(id_number=ID_NUMBERS["a"], org="EB"))
    assert "org" in page.context["form"].errors and not DisciplineCase.objects.exists()


def test_it_edits_a_case(city, login, disc_a, case_a):
    url = reverse("discipline:edit", args=[case_a.public_id])
    client = login(disc_a)
    page = client.get(url)
    assert page.context["chosen"] == city.person_a and 'value="JC-2025-07"' in page.text
    data = _form(
        case_number="JC-2025-07", person=str(city.person_a.public_id), org="EA-B1", outcome=Outcome.PROBATION
    )
    assert client.post(url, data).status_code == 302
    case_a.refresh_from_db()
    assert case_a.outcome == Outcome.PROBATION and case_a.decided_on == datetime.date(2025, 6, 1)
    assert AuditEntry.objects.filter(action="discipline_case.update").count() == 1


def test_a_withdrawn_case_is_not_edited(city, login, disc_a, case_a):
    actions.withdraw_case(None, case_a, reason="录入错误")
    url = reverse("discipline:edit", args=[case_a.public_id])
    response = login(disc_a).post(url, _form(id_number=ID_NUMBERS["a"], outcome=Outcome.EXPULSION))
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.outcome == Outcome.WARNING


def test_it_withdraws_a_case_with_a_reason(city, login, disc_a, case_a):
    url = reverse("discipline:withdraw", args=[case_a.public_id])
    client = login(disc_a)
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400 and "reason" in refused.context["form"].errors
    assert client.post(url, {"reason": "申诉后撤销"}).status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.WITHDRAWN and case_a.withdrawn_reason == "申诉后撤销"
    assert DisciplineCase.objects.count() == 1  # nothing is deleted
    assert AuditEntry.objects.filter(action="discipline_case.withdraw", actor=disc_a).exists()
    again = client.post(url, {"reason": "再次"})
    assert again.status_code == 400 and again.context["form"].non_field_errors()


# ---- summary and export ---------------------------------------------------------------------------


def test_the_summary_counts_outcomes_and_the_first_form_share(city, login, disc_c, case_a, case_b):
    _case(city.person_a, "JC-2025-08", Outcome.ADMONISHMENT, department="企业纪委", org=city.ent_a)
    _case(city.person_a, "JC-2025-09", Outcome.CRITICISM, org=city.root)
    withdrawn = _case(city.person_a, "JC-2025-10", Outcome.EXPULSION)
    actions.withdraw_case(None, withdrawn, reason="录入错误")
    _case(city.person_b, "JC-2024-01", Outcome.WARNING, day=datetime.date(2024, 1, 1))
    page = login(disc_c).get(reverse("discipline:summary"), {"year": 2025})
    rows = {
        row.org.code + ("/own" if row.own_only else ""): (row, share) for row, share in page.context["rows"]
    }
    ea, ea_share = rows["EA"]
    assert ea.by_outcome[Outcome.WARNING] == 1 and ea.by_outcome[Outcome.ADMONISHMENT] == 1
    assert (ea.total, ea.first_form, ea_share) == (2, 1, "50.0%")
    assert (rows["EB"][0].total, rows["EB"][1]) == (1, "100.0%")
    assert rows["C/own"][0].total == 1  # counted against the committee itself
    total = page.context["total"]
    assert (total.total, total.first_form, page.context["total_share"]) == (4, 3, "75.0%")


def test_the_summary_of_a_year_without_cases_has_no_share(city, login, disc_a, case_a):
    page = login(disc_a).get(reverse("discipline:summary"), {"year": 2020})
    assert page.context["total"].total == 0 and page.context["total_share"] == "—"


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_the_summary_exports(city, login, disc_a, case_a):
    rows = _sheet(login(disc_a).get(reverse("discipline:summary_export"), {"year": 2025}))
    assert rows[0][:5] == ["组织", "谈话提醒", "批评教育", "诫勉", "警告"]
    assert rows[1][0] == "企业A第一党支部" and rows[1][4] == 1 and rows[1][-3:] == [1, 0, "0.0%"]
    assert rows[-1][0] == "合计"


def test_the_export_reads_back_with_the_filters_and_an_audit_row(city, login, disc_c, case_a, case_b):
    rows = _sheet(login(disc_c).get(reverse("discipline:export"), {"org": "EA", "q": "张a"}))
    header, *body = rows
    assert header[:4] == ["案件编号", "处理部门", "姓名", "身份证号"]
    assert len(body) == 1
    record = dict(zip(header, body[0], strict=True))
    assert record["案件编号"] == "JC-2025-07" and record["姓名"] == "张a"
    assert record["身份证号"] == "110***********1232"  # masked
    assert record["计入组织编码"] == "EA-B1" and record["处理结果"] == "警告" and record["第一种形态"] == "否"
    assert record["处理日期"].date() == datetime.date(2025, 3, 5) and record["状态"] == "有效"
    entry = AuditEntry.objects.get(action="discipline_case.export")
    assert entry.actor == disc_c and entry.new == {"org": "EA", "q": "***"}


def test_the_summary_links_up_only_inside_the_scope(city, login, disc_a, disc_c):
    assert login(disc_c).get(reverse("discipline:summary"), {"org": "EA"}).context["parent"] == city.root
    assert login(disc_a).get(reverse("discipline:summary"), {"org": "EA-B1"}).context["parent"] == city.ent_a
    assert login(disc_a).get(reverse("discipline:summary"), {"org": "EA"}).context["parent"] is None
