"""Rectification pages with the three personas: the organiser (all units, checks), a unit's staff
(their own items, submits), a read-only observer of the unit, another enterprise (404), anonymous
(login); the filters, the xlsx export read back, and query budgets."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from kaohe.audit.models import AuditEntry
from kaohe.cycles import actions
from kaohe.cycles.actions import rectification as rectify
from kaohe.cycles.models import CycleState
from kaohe.cycles.models import rectification as rect
from kaohe.cycles.models.rectification import RectificationItem, RectificationStatus
from kaohe.cycles.tests.conftest import enter_all
from kaohe.cycles.tests.test_rectification import advance
from kaohe.files.tests.samples import pdf, upload

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 2, 1)
DEADLINE = datetime.date(2027, 4, 30)


@pytest.fixture
def on_day(monkeypatch):
    def move(day: datetime.date) -> None:
        monkeypatch.setattr(rect, "today", lambda: day)

    move(TODAY)
    return move


@pytest.fixture
def cycle(city, city_cycle, on_day):
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    return advance(city_cycle, CycleState.REVIEW)


@pytest.fixture
def items(city, cycle):
    """EA: one manual item; EB: the two automatic ones."""
    unit_a = cycle.units.get(org=city.ent_a)
    mine = rectify.open_item(
        city.admin, unit_a, problem="企业A学习记录不完整", deadline=DEADLINE, measure="补齐"
    )
    auto = rectify.open_from_results(city.admin, cycle, deadline=DEADLINE)
    return mine, auto


def url(name, cycle, *args):
    return reverse(f"cycles:{name}", args=[cycle.public_id, *args])


def test_the_organiser_sees_every_unit_and_the_unit_its_own(
    city, login, cycle, items, django_assert_max_num_queries
):
    page_url = url("rectification", cycle)
    client = login(city.admin)
    client.get(page_url)  # warm the scheme cache of the cycle's version
    with django_assert_max_num_queries(14):
        page = client.get(page_url)
    assert page.status_code == 200
    assert "企业A学习记录不完整" in page.text and "党课：得分 3 / 4" in page.text
    assert "按失分自动生成整改项" in page.text
    own = login(city.staff_a).get(page_url)
    assert "企业A学习记录不完整" in own.text and "党课：得分" not in own.text
    assert "按失分自动生成整改项" not in own.text and "登记整改项" in own.text
    viewer = login(city.viewer_a).get(page_url)
    assert "企业A学习记录不完整" in viewer.text and "登记整改项" not in viewer.text


def test_a_foreign_enterprise_gets_404_and_anonymous_the_login(city, login, client, cycle, items):
    mine, _auto = items
    item_url = url("rectification_item", cycle, mine.public_id)
    assert client.get(item_url).status_code == 302 and "login" in client.get(item_url)["Location"]
    assert client.get(url("rectification", cycle)).status_code == 302
    assert login(city.staff_b).get(item_url).status_code == 404
    assert (
        login(city.staff_b)
        .post(url("rectification_verify", cycle, mine.public_id), {"passed": "1"})
        .status_code
        == 404
    )
    assert (
        login(city.staff_b)
        .post(url("rectification_plan", cycle, mine.public_id), {"measure": "x"})
        .status_code
        == 404
    )


def test_filters_by_unit_status_and_overdue(city, login, cycle, items, on_day):
    client = login(city.admin)
    base = url("rectification", cycle)
    only_b = client.get(base, {"unit": "EB"}).text
    assert "企业A学习记录不完整" not in only_b and "党课：得分" in only_b
    assert "党课：得分" not in client.get(base, {"status": "closed"}).text
    assert "没有符合条件的整改项" in client.get(base, {"overdue": "1"}).text
    on_day(DEADLINE + datetime.timedelta(days=1))
    overdue = client.get(base, {"overdue": "1"}).text
    assert "企业A学习记录不完整" in overdue and "逾期 3 项" in overdue


def test_the_unit_submits_with_files_and_the_organiser_closes_it(city, login, cycle, items):
    mine, _auto = items
    item_url = url("rectification_item", cycle, mine.public_id)
    submit_url = url("rectification_submit", cycle, mine.public_id)
    assert login(city.viewer_a).post(submit_url, {"note": "x"}).status_code == 403
    assert "提交整改完成" not in login(city.viewer_a).get(item_url).text
    staff = login(city.staff_a)
    assert "提交整改完成" in staff.get(item_url).text
    failed = staff.post(submit_url, {"note": "已补齐"})
    assert failed.status_code == 200 and "请上传整改佐证材料" in failed.text
    done = staff.post(
        submit_url, {"note": "已补齐", "evidence": [upload("制度.pdf", pdf()), upload("记录.pdf", pdf())]}
    )
    assert done.status_code == 302 and done["Location"] == item_url
    mine.refresh_from_db()
    assert mine.status == RectificationStatus.SUBMITTED
    page = staff.get(item_url).text
    assert "制度.pdf" in page and "记录.pdf" in page
    evidence = mine.events.get(kind="submitted").evidence.first()
    file_url = url("rectification_file", cycle, mine.public_id, evidence.file.public_id)
    assert b"".join(login(city.viewer_a).get(file_url).streaming_content).startswith(b"%PDF")
    assert login(city.staff_b).get(file_url).status_code == 404
    verify_url = url("rectification_verify", cycle, mine.public_id)
    assert login(city.staff_a).post(verify_url, {"passed": "1"}).status_code == 403
    admin = login(city.admin)
    assert "提交验收结论" in admin.get(item_url).text
    assert admin.post(verify_url, {"passed": "1", "reason": "通过"}).status_code == 302
    mine.refresh_from_db()
    assert mine.status == RectificationStatus.CLOSED and mine.closed_on == TODAY
    assert "验收通过，销号" in admin.get(item_url).text


def test_sending_back_without_a_reason_names_the_field(city, login, cycle, items):
    mine, _auto = items
    rectify.submit_done(city.staff_a, mine, note="已补齐", evidence=[upload("a.pdf", pdf())])
    page = login(city.admin).post(
        url("rectification_verify", cycle, mine.public_id), {"passed": "0", "reason": ""}
    )
    assert page.status_code == 200 and "退回整改时请写明理由" in page.text
    mine.refresh_from_db()
    assert mine.status == RectificationStatus.SUBMITTED


def test_planning_on_the_page(city, login, cycle, items):
    _mine, auto = items
    item = auto[0]
    plan_url = url("rectification_plan", cycle, item.public_id)
    assert login(city.staff_a).post(plan_url, {"measure": "x"}).status_code == 404  # EB's item
    assert login(city.admin).post(plan_url, {"measure": "x"}).status_code == 302  # the organiser may too
    staff = login(city.staff_b)
    wrong = staff.post(plan_url, {"measure": "补上党课", "owner_org": "EA-B1"})
    assert (
        wrong.status_code == 200 and "EA-B1" in wrong.text and "不是企业B党委或其下级组织的编码" in wrong.text
    )
    ok = staff.post(plan_url, {"measure": "补上党课", "owner_name": "赵六", "owner_org": "EB-B1"})
    assert ok.status_code == 302
    item.refresh_from_db()
    assert (item.measure, item.owner_name, item.owner_org.code) == ("补上党课", "赵六", "EB-B1")
    assert AuditEntry.objects.filter(action="rectification.plan").count() == 2


def test_opening_by_hand_on_the_page(city, login, cycle):
    open_url = url("rectification_open", cycle)
    assert login(city.viewer_a).get(open_url).status_code == 403
    assert login(city.staff_b).get(open_url).status_code == 200
    # staff_a may only choose EA: EB is not offered and is refused
    refused = login(city.staff_a).post(open_url, {"unit": "EB", "problem": "x", "deadline": "2027-03-01"})
    assert refused.status_code == 200 and not RectificationItem.objects.exists()
    late = login(city.staff_a).post(open_url, {"unit": "EA", "problem": "自查问题", "deadline": "2027-01-01"})
    assert late.status_code == 200 and "早于今天" in late.text
    done = login(city.staff_a).post(
        open_url, {"unit": "EA", "node": "lecture", "problem": "自查问题", "deadline": "2027-03-01"}
    )
    assert done.status_code == 302
    item = RectificationItem.objects.get()
    assert done["Location"] == url("rectification_item", cycle, item.public_id)
    assert (item.unit.org.code, item.node, item.created_by) == ("EA", "lecture", city.staff_a)


def test_the_auto_button_is_the_organiser_s(city, login, cycle):
    auto_url = url("rectification_auto", cycle)
    assert (
        login(city.viewer_a).post(auto_url, {"threshold": "80", "deadline": "2027-04-30"}).status_code == 403
    )
    assert (
        login(city.staff_b).post(auto_url, {"threshold": "80", "deadline": "2027-04-30"}).status_code == 403
    )
    missing = login(city.admin).post(auto_url, {"threshold": "80"})
    assert missing.status_code == 200 and not RectificationItem.objects.exists()
    assert login(city.admin).post(auto_url, {"threshold": "80", "deadline": "2027-04-30"}).status_code == 302
    assert login(city.admin).post(auto_url, {"threshold": "80", "deadline": "2027-04-30"}).status_code == 302
    assert RectificationItem.objects.count() == 2


def test_the_list_exports_as_xlsx(city, login, cycle, items, on_day):
    mine, _auto = items
    rectify.submit_done(city.staff_a, mine, note="x", evidence=[upload("a.pdf", pdf())])
    on_day(DEADLINE + datetime.timedelta(days=3))
    rectify.verify(city.admin, mine, passed=True)
    response = login(city.admin).get(url("rectification_export", cycle))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("单位", "问题", "整改措施", "责任人", "期限", "状态", "是否逾期", "销号日期")
    by_problem = {r[1]: r for r in rows[1:]}
    closed = by_problem["企业A学习记录不完整"]
    assert closed[0] == "企业A党委" and closed[2] == "补齐" and closed[5] == "已销号"
    assert closed[4].date() == DEADLINE and closed[7].date() == DEADLINE + datetime.timedelta(days=3)
    assert closed[6] == "是（逾期销号）"
    open_rows = [r for r in rows[1:] if r[0] == "企业B党委"]
    assert len(open_rows) == 2 and all(r[6] == "是" and r[7] is None for r in open_rows)
    # a unit's export has its own items only; the filters apply to the export too
    own = openpyxl.load_workbook(
        io.BytesIO(login(city.staff_b).get(url("rectification_export", cycle)).content)
    )
    assert {r[0] for r in list(own.active.iter_rows(values_only=True))[1:]} == {"企业B党委"}
    filtered = login(city.admin).get(url("rectification_export", cycle), {"status": "closed"})
    assert len(list(openpyxl.load_workbook(io.BytesIO(filtered.content)).active.iter_rows())) == 2
