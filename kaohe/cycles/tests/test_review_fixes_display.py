"""What people see on the cycle's pages: values as they read them (not JSON), refusals in their
language naming the item and the bound, one pseudonym per assessor in a cycle, sort links without
a stray "&", and (in Chromium) a readable year-on-year chart and items tables on a phone."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kaohe.accounts.models import Role
from kaohe.conftest import make_user
from kaohe.cycles import actions
from kaohe.cycles.actions import scoring
from kaohe.cycles.actions.scoring import Score
from kaohe.cycles.models import CycleState, FactEntry
from kaohe.cycles.tests.conftest import advance, enter_all
from kaohe.cycles.tests.test_scoring import panel_test_cycle

pytestmark = pytest.mark.django_db

SCHEME = """
code: display-scheme
title: 显示测试
year: 2026
version: 1
total_points: 10
panel: {method: mean}
facts:
  - {code: steps, title: 决策程序, type: checklist, options: [议程, 决议, 记录]}
  - {code: lectures, title: 党课次数, type: count}
  - {code: grade, title: 综合评价, type: judgment, options: [好, 较好, 一般, 差], panel: true}
  - {code: found, title: 检查发现问题, type: findings, panel: true, default: []}
nodes:
  - code: decide
    title: 决策程序
    points: 2
    rule:
      kind: checklist
      fact: steps
      items: [{option: 议程, points: 0.5}, {option: 决议, points: 1}, {option: 记录, points: 0.5}]
  - code: lecture
    title: 党课
    points: 3
    rule: {kind: quota, fact: lectures, required: 3, amount: 1}
  - code: team
    title: 综合评价
    points: 3
    rule:
      kind: tiered_judgment
      fact: grade
      tiers:
        - {grade: 好, points: 3}
        - {grade: 较好, points: 2}
        - {grade: 一般, points: 1}
        - {grade: 差, points: 0}
  - code: checks
    title: 检查发现问题
    points: 2
    rule: {kind: ranged_deduction, fact: found, min_per_case: 0.5, max_per_case: 1}
grading:
  bands:
    - {grade: 好, at_least: 9}
    - {grade: 一般, below: 9}
"""


@pytest.fixture
def cycle(city):
    made = panel_test_cycle(city, SCHEME, "显示测试")
    for unit in made.units.all():
        actions.set_fact(None, made, unit, "steps", '["议程", "决议"]')
    return made


@pytest.fixture
def assessors(city):
    return [make_user(f"a{n}", Role.ASSESSOR, city.root) for n in (1, 2, 3)]


@pytest.fixture
def scored(city, cycle, assessors):
    scoring.create_panel(city.admin, cycle, name="一组", members=assessors[:2], units=list(cycle.units.all()))
    cycle = advance(cycle, CycleState.ASSESSMENT)
    ea = cycle.units.get(org=city.ent_a)
    finding = '[{"case": "F1", "points": "1", "note": "记录不全"}]'
    scoring.save_scores(
        assessors[0], cycle, ea, [Score("team", {"grade": "好"}), Score("checks", {"found": finding})]
    )
    return cycle


# -- values as people read them --------------------------------------------------------------


def test_the_facts_page_shows_a_checklist_as_ticked_steps_and_findings_as_text(city, login, scored):
    page = login(city.admin).get(reverse("cycles:unit_facts", args=[scored.public_id, "EA"])).text
    assert "✓ 议程" in page and "✓ 决议" in page and "✗ 记录" in page
    assert "F1：记录不全（1 分）" in page
    shown = page.split('id="facts"', 1)[1]
    assert "&quot;points&quot;" not in shown.split("<form", 1)[0]
    assert "[&quot;议程&quot;" not in shown.split("<form", 1)[0]


def test_the_scoring_page_shows_facts_and_findings_as_text_not_json(city, login, scored, assessors):
    page = login(city.admin).get(reverse("cycles:unit_scoring", args=[scored.public_id, "EA"])).text
    row = page.split('id="item-checks"', 1)[1].split("</tr>", 1)[0]
    assert "考核员1：" in row and "F1：记录不全（1 分）" in row and "&quot;points&quot;" not in row
    decide = page.split('id="item-decide"', 1)[1].split("</tr>", 1)[0]
    assert "✓ 议程" in decide and "✗ 记录" in decide and "[&quot;" not in decide


# -- refusals in the user's language ---------------------------------------------------------


def test_it_refuses_a_finding_outside_the_range_naming_the_item_and_the_bounds(
    city, login, scored, assessors
):
    url = reverse("cycles:unit_scoring", args=[scored.public_id, "EA"])
    page = login(assessors[1]).post(url, {"checks.found": "F9 3 材料缺失"}, follow=True).text
    assert "“检查发现问题”的问题“F9”扣 3 分，超出每例 0.5～1 分的范围" in page
    assert "outside the range" not in page


def test_it_refuses_a_bad_judgment_in_chinese_naming_the_options(city, scored, assessors):
    ea = scored.units.get(org=city.ent_a)
    with pytest.raises(ValidationError) as refused:
        scoring.save_scores(assessors[1], scored, ea, [Score("team", {"grade": "优秀"})])
    text = " ".join(refused.value.messages)
    assert "“综合评价”" in text and "好、较好、一般、差" in text and "must be one of" not in text


def test_the_facts_page_tells_a_refused_value_in_chinese(city, login, cycle):
    url = reverse("cycles:unit_fact_set", args=[cycle.public_id, "EA"])
    page = login(city.admin).post(url, {"kind": "lectures", "value": "-2", "source": ""}, follow=True).text
    assert "“党课次数”填写的“-2”无效，应为不小于 0 的整数" in page and "cannot be negative" not in page


def test_the_facts_page_tells_a_stored_bad_value_in_chinese(city, login, cycle):
    FactEntry.objects.filter(unit__org=city.ent_a, kind="steps").update(value='["议程", "签字"]')
    page = login(city.admin).get(reverse("cycles:unit_facts", args=[cycle.public_id, "EA"])).text
    assert "应从以下选项中勾选：议程、决议、记录" in page and "must be one of" not in page


# -- one pseudonym per assessor in a cycle ---------------------------------------------------


def test_an_assessor_keeps_one_label_on_every_panel_of_a_cycle(city, cycle, assessors):
    ea, eb = cycle.units.get(org=city.ent_a), cycle.units.get(org=city.ent_b)
    first = scoring.create_panel(city.admin, cycle, name="A组", members=assessors[:2], units=[ea])
    second = scoring.create_panel(
        city.admin, cycle, name="B组", members=[assessors[1], assessors[2]], units=[eb]
    )
    labels = {m.user.username: m.label for m in first.members.all()}
    assert labels == {"a1": "考核员1", "a2": "考核员2"}
    assert {m.user.username: m.label for m in second.members.all()} == {"a2": "考核员2", "a3": "考核员3"}


# -- sort links ------------------------------------------------------------------------------


def test_a_sort_link_without_filters_has_no_stray_ampersand(city, login):
    page = login(city.staff_a).get(reverse("orgs:people")).text
    assert 'href="?sort=' in page and "?&sort=" not in page and "?&amp;sort=" not in page
    filtered = login(city.staff_a).get(reverse("orgs:people"), {"q": "张"}).text
    assert "?q=%E5%BC%A0&sort=" in filtered


# -- in Chromium -----------------------------------------------------------------------------


@pytest.fixture
def tab(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    opened.set_default_timeout(10_000)
    yield opened
    context.close()


def _sign_in(tab, base, username):
    from kaohe.conftest import PASSWORD

    tab.goto(f"{base}/accounts/login/")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("main button[type=submit]")
    tab.wait_for_url(f"{base}/")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_scoring_table_scrolls_inside_the_page_with_readable_columns(
    city, live_server, tab, scored
):
    tab.set_viewport_size({"width": 375, "height": 800})
    _sign_in(tab, live_server.url, "admin")
    tab.goto(f"{live_server.url}{reverse('cycles:unit_scoring', args=[scored.public_id, 'EA'])}")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    wrapper = "document.querySelector('#scoring').parentElement"
    assert tab.evaluate(f"{wrapper}.scrollWidth > {wrapper}.clientWidth")  # it scrolls sideways
    # every header on one line: no column squeezed to a character a line
    lines = tab.evaluate(
        "[...document.querySelectorAll('#scoring thead th')].map(th => {"
        " const r = document.createRange(); r.selectNodeContents(th);"
        " return new Set([...r.getClientRects()].map(box => Math.round(box.top))).size; })"
    )
    assert max(lines) == 1, lines


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_year_on_year_chart_lists_the_units_down_the_side_unrotated(
    city, live_server, tab, city_cycle, small_scheme
):
    enter_all(city_cycle, city)
    actions.recompute(None, city_cycle)
    last = actions.create_cycle(
        None,
        owner=city.root,
        year=2025,
        name="2025年度",
        scheme=small_scheme,
        units=[actions.UnitSpec(city.ent_a)],
        targets_due=datetime.date(2025, 3, 1),
    )
    actions.set_fact(None, last, last.units.get(), "lectures", "2")
    actions.set_fact(None, last, last.units.get(), "judgment", "一般")
    actions.recompute(None, last)
    _sign_in(tab, live_server.url, "admin")
    tab.goto(f"{live_server.url}{reverse('cycles:dashboard', args=[city_cycle.public_id])}")
    tab.wait_for_selector("#chart-trend[data-rendered]")
    axis = tab.evaluate(
        "(() => { const o = echarts.getInstanceByDom(document.getElementById('chart-trend')).getOption();"
        " return {y: o.yAxis[0], x: o.xAxis[0]}; })()"
    )
    assert axis["y"]["type"] == "category" and axis["y"]["data"][-1] == "企业A党委"  # the first on top
    assert not axis["y"].get("axisLabel", {}).get("rotate")
