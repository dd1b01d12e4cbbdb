"""Result uses (结果运用): grade, rank, pay coefficient, actions and rank outcomes per unit, awards a
veto withheld, the grouped lists, and the 薪酬系数表 for HR read back exactly."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from kaohe.accounts.models import Role
from kaohe.conftest import make_user
from kaohe.cycles import actions
from kaohe.cycles.bulletin import bulletin_rows
from kaohe.cycles.models import CycleState
from kaohe.cycles.tests.conftest import SMALL_SCHEME, enter_all
from kaohe.cycles.tests.test_rectification import advance
from kaohe.engine.text_form import load_scheme
from kaohe.measures import actions as measure_actions

pytestmark = pytest.mark.django_db

USES_SCHEME = (
    SMALL_SCHEME.replace("version: 1", "version: 3")
    .replace(
        "  - {code: criticisms, title: 通报批评次数, type: count, default: 0}",
        "  - {code: criticisms, title: 通报批评次数, type: count, default: 0}\n"
        "  - {code: fraud, title: 考核材料弄虚作假, type: flag, default: false}",
    )
    .replace(
        "grading:",
        """  - code: veto
    title: 否决项
    category: veto
    children:
      - code: veto.fraud
        title: 弄虚作假
        veto:
          when:
            - fact: fraud
          no_awards: true
          reason: 考核材料弄虚作假
grading:""",
    )
    + """  rank_outcomes:
    - {top: 1, action: 通报表扬}
    - {bottom: 1, action: 约谈}
uses:
  pay: {好: 1.1, 较好: 1, 一般: 0.9, 差: 0.85}
  actions:
    好: [通报表扬]
    较好: [限期整改]
    差: [约谈, 限期整改]
  award_actions: [通报表扬]
"""
)


@pytest.fixture
def uses_cycle(city):
    scheme = measure_actions.publish_scheme(
        None, measure_actions.add_scheme_version(None, city.root, load_scheme(USES_SCHEME))
    )
    return actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name="2026年度党建考核",
        scheme=scheme,
        units=[actions.UnitSpec(city.ent_a), actions.UnitSpec(city.ent_b)],
    )


@pytest.fixture
def scored(city, uses_cycle):
    """EA: 好, first (通报表扬 by grade and by rank); EB: 较好, last (约谈 by rank, 限期整改 by grade)."""
    enter_all(uses_cycle, city)
    actions.recompute(None, uses_cycle)
    return uses_cycle


@pytest.fixture
def viewer_c(city):
    """A read-only observer of the organiser (the city committee)."""
    return make_user("viewer_c", Role.OBSERVER, city.root)


def url(name, cycle):
    return reverse(f"cycles:{name}", args=[cycle.public_id])


def test_the_organiser_sees_every_unit_s_uses_grouped_by_action(
    city, login, scored, django_assert_max_num_queries
):
    client = login(city.admin)
    client.get(url("uses", scored))
    with django_assert_max_num_queries(10):
        page = client.get(url("uses", scored))
    assert page.status_code == 200
    text = page.text
    assert "企业A党委" in text and "企业B党委" in text
    groups = text[text.index('id="action-groups"') : text.index('id="uses"')]
    assert groups.index("通报表扬") < groups.index("约谈")  # the scheme's order: rank outcomes first
    assert "1.1" in text and "导出薪酬系数表" in text


def test_a_veto_withholds_the_award_and_the_page_says_why(city, login, uses_cycle):
    enter_all(uses_cycle, city)
    actions.set_fact(None, uses_cycle, uses_cycle.units.get(org=city.ent_a), "fraud", "是", "纪检监察组")
    actions.recompute(None, uses_cycle)
    text = login(city.admin).get(url("uses", uses_cycle)).text
    withheld = text[text.index('id="withheld"') : text.index('id="uses"')]
    assert "企业A党委" in withheld and "通报表扬" in withheld and "考核材料弄虚作假" in withheld
    groups = text[text.index('id="action-groups"') : text.index('id="withheld"')]
    assert "通报表扬" not in groups  # nobody receives it now
    # nor does the published bulletin or the results list it, and no use is listed twice
    cycle = advance(uses_cycle, CycleState.PUBLISHED)
    bulletin = login(city.staff_b).get(url("bulletin", cycle)).text
    assert "通报表扬" not in bulletin[bulletin.index('id="bulletin"') :]
    for row in bulletin_rows(cycle):
        uses = row["uses"].split("、") if row["uses"] else []
        assert len(uses) == len(set(uses))


def test_a_unit_sees_its_own_row_only_and_only_once_results_are_fed_back(city, login, scored):
    assert "考核结果尚未反馈" in login(city.staff_b).get(url("uses", scored)).text
    assert login(city.staff_b).get(url("uses_pay_export", scored)).status_code == 404
    cycle = advance(scored, CycleState.REVIEW)
    text = login(city.staff_b).get(url("uses", cycle)).text
    assert "企业B党委" in text and "企业A党委" not in text
    book = openpyxl.load_workbook(io.BytesIO(login(city.viewer_a).get(url("uses_pay_export", cycle)).content))
    assert [r[0] for r in list(book.active.iter_rows(values_only=True))[1:]] == ["EA"]


def test_an_observer_of_the_organiser_reads_everything_and_changes_nothing(city, login, scored, viewer_c):
    # Like the assessors, observers see results only once they are released to the units.
    assert "企业A党委" not in login(viewer_c).get(url("uses", scored)).text
    scored = advance(scored, CycleState.REVIEW)
    text = login(viewer_c).get(url("uses", scored)).text
    assert "企业A党委" in text and "企业B党委" in text
    assert login(viewer_c).post(url("rectification_auto", scored), {"threshold": "80"}).status_code == 403


def test_another_enterprise_and_anonymous(city, login, client, scored, small_scheme):
    theirs = actions.create_cycle(
        None,
        owner=city.ent_a,
        year=2026,
        name="企业A对支部的考核",
        scheme=small_scheme,
        units=[actions.UnitSpec(city.branch_a)],
    )
    assert login(city.staff_b).get(url("uses", theirs)).status_code == 404
    assert login(city.staff_b).get(url("uses_pay_export", theirs)).status_code == 404
    client.logout()
    response = client.get(url("uses", scored))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_pay_table_reads_back_exactly(city, login, scored):
    response = login(city.admin).get(url("uses_pay_export", scored))
    assert ".xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet.title == "薪酬系数表"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("单位编码", "单位名称", "等次", "薪酬系数", "考核年度")
    assert [(r[0], r[1], r[2], Decimal(str(r[3])), r[4]) for r in rows[1:]] == [
        ("EA", "企业A党委", "好", Decimal("1.1"), 2026),
        ("EB", "企业B党委", "较好", Decimal("1"), 2026),
    ]
