"""Every cycle page with the three personas: access, read-only, another enterprise (404)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kaohe.cycles import actions
from kaohe.cycles.models import Cycle, CycleState, FactEntry
from kaohe.cycles.tests.conftest import advance, enter_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def branch_cycle(city, small_scheme):
    """Enterprise A assesses its own branch: enterprise B has nothing to see here."""
    return actions.create_cycle(
        city.staff_a,
        owner=city.ent_a,
        year=2026,
        name="企业A支部考核",
        scheme=small_scheme,
        units=[actions.UnitSpec(city.branch_a)],
    )


def test_anonymous_users_are_sent_to_login(client, city_cycle):
    response = client.get(reverse("cycles:detail", args=[city_cycle.public_id]))
    assert response.status_code == 302


def test_cycle_list(city, login, city_cycle, branch_cycle):
    assert "2026年度党建考核" in login(city.admin).get(reverse("cycles:list")).text
    page = login(city.viewer_a).get(reverse("cycles:list")).text
    assert "2026年度党建考核" in page and "企业A支部考核" in page
    page = login(city.staff_b).get(reverse("cycles:list")).text
    assert "2026年度党建考核" in page and "企业A支部考核" not in page


def test_cycle_page_shows_only_the_units_a_user_may_see(city, login, city_cycle, branch_cycle):
    url = reverse("cycles:detail", args=[city_cycle.public_id])
    admin = login(city.admin).get(url)
    assert "企业A党委" in admin.text and "企业B党委" in admin.text and 'id="advance"' in admin.text
    viewer = login(city.viewer_a).get(url)
    assert "企业A党委" in viewer.text and "企业B党委" not in viewer.text and 'id="advance"' not in viewer.text
    assert login(city.staff_b).get(reverse("cycles:detail", args=[branch_cycle.public_id])).status_code == 404


def test_advance(city, login, city_cycle):
    url = reverse("cycles:advance", args=[city_cycle.public_id])
    assert login(city.viewer_a).post(url, {"to": "targets"}).status_code == 403
    assert login(city.staff_a).post(url, {"to": "targets"}).status_code == 403  # assessed, not the organiser
    assert login(city.admin).post(url, {"to": "targets"}).status_code == 302
    city_cycle.refresh_from_db()
    assert city_cycle.state == CycleState.TARGETS


def test_create_cycle_page(city, login, small_scheme):
    url = reverse("cycles:create")
    data = {
        "owner": "C",
        "year": 2026,
        "name": "新周期",
        "scheme": str(small_scheme.public_id),
        "unit_kind": "enterprise",
    }
    response = login(city.admin).post(url, data)
    assert response.status_code == 302
    assert login(city.viewer_a).get(url).status_code == 404
    # staff of enterprise B may run cycles for their branches, not for the city
    foreign = login(city.staff_b).post(url, {**data, "name": "越权"})
    assert foreign.status_code == 200 and "owner" in foreign.context["form"].errors


def test_units_page(city, login, city_cycle):
    url = reverse("cycles:units", args=[city_cycle.public_id])
    assert login(city.viewer_a).get(url).status_code == 403
    assert login(city.staff_b).post(url, {"org": ["EB"]}).status_code == 403
    assert login(city.admin).post(url, {"org": ["EA"], "group_EA": "功能类"}).status_code == 302
    assert [(u.org.code, u.group) for u in city_cycle.units.all()] == [("EA", "功能类")]
    assert login(city.staff_b).get(url).status_code == 404  # no longer assessed: nothing to see


def test_unit_facts_page_and_entry(city, login, city_cycle):
    url = reverse("cycles:unit_facts", args=[city_cycle.public_id, "EA"])
    page = login(city.admin).get(url)
    assert page.status_code == 200 and "党课次数" in page.text and "缺少此项事实" in page.text
    set_url = reverse("cycles:unit_fact_set", args=[city_cycle.public_id, "EA"])
    assert (
        login(city.admin).post(set_url, {"kind": "lectures", "value": "3", "source": "台账"}).status_code
        == 302
    )
    assert FactEntry.objects.get(kind="lectures").value == "3"
    viewer = login(city.viewer_a)
    assert viewer.get(url).status_code == 200
    assert viewer.post(set_url, {"kind": "lectures", "value": "4"}).status_code == 403
    assert login(city.staff_b).get(url).status_code == 404
    assert login(city.staff_b).post(set_url, {"kind": "lectures", "value": "4"}).status_code == 404
    assert FactEntry.objects.get(kind="lectures").value == "3"


def test_a_bad_fact_value_says_why(city, login, city_cycle):
    set_url = reverse("cycles:unit_fact_set", args=[city_cycle.public_id, "EA"])
    page = login(city.admin).post(set_url, {"kind": "judgment", "value": "优秀"}, follow=True)
    assert "好、较好、一般、差" in page.text


def test_recompute_results_and_explanation(city, login, city_cycle):
    enter_all(city_cycle, city)
    recompute_url = reverse("cycles:recompute", args=[city_cycle.public_id])
    assert login(city.viewer_a).post(recompute_url).status_code == 403
    assert login(city.staff_b).post(recompute_url).status_code == 403
    job_page = login(city.admin).post(recompute_url, follow=True)
    assert "已计算 2 个单位" in job_page.text
    advance(city_cycle, CycleState.REVIEW)  # units see their results from the review window on
    results = login(city.admin).get(reverse("cycles:results", args=[city_cycle.public_id]))
    assert "企业A党委" in results.text and "企业B党委" in results.text
    own = login(city.staff_b).get(reverse("cycles:results", args=[city_cycle.public_id]))
    assert "企业B党委" in own.text and "企业A党委" not in own.text
    unit_url = reverse("cycles:unit", args=[city_cycle.public_id, "EB"])
    page = login(city.staff_b).get(unit_url)
    assert page.status_code == 200 and "少1次" in page.text  # the lost lecture point, explained
    assert login(city.viewer_a).get(unit_url).status_code == 404
    assert (
        login(city.viewer_a).get(reverse("cycles:unit", args=[city_cycle.public_id, "EA"])).status_code == 200
    )


def test_recompute_with_missing_facts_reports_them(city, login, city_cycle):
    page = login(city.admin).post(reverse("cycles:recompute", args=[city_cycle.public_id]), follow=True)
    assert "结果未更新" in page.text and "lectures" in page.text


def test_results_export_reads_back(city, login, city_cycle):
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    advance(city_cycle, CycleState.REVIEW)
    response = login(city.staff_b).get(reverse("cycles:results_export", args=[city_cycle.public_id]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("单位编码", "单位名称", "同类分组", "总分")
    assert [r[0] for r in rows[1:]] == ["EB"]  # only their own unit
    assert rows[1][3] == 7 and rows[1][6] == "较好"


def test_cycle_pages_keep_a_query_budget(city, login, city_cycle, django_assert_max_num_queries):
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    client = login(city.admin)
    for name, budget in (("cycles:detail", 14), ("cycles:results", 14), ("cycles:dashboard", 24)):
        with django_assert_max_num_queries(budget):
            client.get(reverse(name, args=[city_cycle.public_id]))


def test_create_cycle_with_periods_and_bad_lines_named(city, login, small_scheme):
    url = reverse("cycles:create")
    data = {
        "owner": "C",
        "year": 2026,
        "name": "分时段",
        "scheme": str(small_scheme.public_id),
        "unit_kind": "enterprise",
    }
    bad = login(city.admin).post(
        url, {**data, "periods": "上半年 2026-01-01 2026-06-30 30\n年终 2026-07-01 12-31 70"}
    )
    assert bad.status_code == 200 and "第 2 行的日期" in " ".join(bad.context["form"].errors["periods"])
    short = login(city.admin).post(url, {**data, "periods": "上半年 2026-01-01 2026-06-30 30"})
    assert "100%" in " ".join(short.context["form"].errors["periods"])
    # Several periods must each name the scheme's part they score (test_periods.py).
    unparted = "上半年日常检查 2026-01-01 2026-06-30 30%\n年终考核 2026-07-01 2026-12-31 70"
    refused = login(city.admin).post(url, {**data, "periods": unparted})
    assert "第 1 个时段“上半年日常检查”" in " ".join(refused.context["form"].errors["periods"])
    whole = "全年考核 2026-01-01 2026-12-31 100%"
    assert login(city.admin).post(url, {**data, "periods": whole}).status_code == 302
    cycle = Cycle.objects.get(name="分时段")
    assert [(p.name, p.weight) for p in cycle.periods.all()] == [("全年考核", 1000)]
