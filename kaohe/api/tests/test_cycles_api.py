"""/api/v1/cycles with the three personas: the running org and a unit (access), the read-only observer
of a unit, and another enterprise (404). Points are exact decimal strings."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from kaohe.accounts.actions import create_api_token
from kaohe.cycles import actions
from kaohe.cycles.models import CycleState
from kaohe.cycles.tests.conftest import SMALL_SCHEME, advance, enter_all
from kaohe.engine.text_form import load_scheme
from kaohe.measures import actions as measure_actions
from kaohe.orgs import actions as org_actions
from kaohe.orgs.models import OrgKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(city):
    version = measure_actions.add_scheme_version(None, city.root, load_scheme(SMALL_SCHEME))
    return measure_actions.publish_scheme(None, version)


@pytest.fixture
def city_cycle(city, scheme):
    """The city committee assesses enterprises A and B: each enterprise sees only itself."""
    return actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name="2026年度党建考核",
        scheme=scheme,
        units=[actions.UnitSpec(city.ent_a, "竞争类"), actions.UnitSpec(city.ent_b, "竞争类")],
        targets_due=datetime.date(2026, 3, 31),
    )


@pytest.fixture
def branch_cycle(city, scheme):
    """Enterprise A assesses its own branch: enterprise B has nothing to see here."""
    return actions.create_cycle(
        city.staff_a,
        owner=city.ent_a,
        year=2026,
        name="企业A支部考核",
        scheme=scheme,
        units=[actions.UnitSpec(city.branch_a)],
    )


@pytest.fixture
def computed(city, city_cycle):
    """Results of the city cycle: A full marks (10), B one lecture short and one criticism (6.5)."""
    _, unit_b = enter_all(city_cycle, city)
    actions.set_fact(None, city_cycle, unit_b, "criticisms", "1", "市直工委通报")
    actions.recompute(None, city_cycle)
    city_cycle.refresh_from_db()
    return city_cycle


def _ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def _not_found(response) -> dict:
    assert response.status_code == 404, response.content
    error = response.json()["error"]
    assert error["code"] == "not_found"
    return error


def _names(response) -> list[str]:
    return [item["name"] for item in _ok(response)["items"]]


def _results_url(cycle) -> str:
    return f"/api/v1/cycles/{cycle.public_id}/results"


def _explanation_url(cycle, code: str) -> str:
    return f"/api/v1/cycles/{cycle.public_id}/units/{code}/explanation"


# ---- the list -------------------------------------------------------------------------------


def test_the_list_holds_the_cycles_a_user_runs_or_is_assessed_in(city, api_as, city_cycle, branch_cycle):
    both = ["2026年度党建考核", "企业A支部考核"]
    assert _names(api_as(city.admin).get("/api/v1/cycles")) == both  # the committee sees under it too
    assert _names(api_as(city.staff_a).get("/api/v1/cycles")) == both
    assert _names(api_as(city.viewer_a).get("/api/v1/cycles")) == both


def test_the_list_hides_another_enterprises_cycles(city, api_as, city_cycle, branch_cycle):
    body = _ok(api_as(city.staff_b).get("/api/v1/cycles"))
    assert body["count"] == 1
    assert [c["name"] for c in body["items"]] == ["2026年度党建考核"]
    assert _ok(api_as(city.staff_b).get("/api/v1/cycles", {"q": "支部"}))["count"] == 0


def test_a_list_item_describes_the_cycle(city, api_as, city_cycle, scheme):
    item = _ok(api_as(city.admin).get("/api/v1/cycles"))["items"][0]
    assert item == {
        "id": str(city_cycle.public_id),
        "year": 2026,
        "name": "2026年度党建考核",
        "owner": "C",
        "owner_name": "明澜市国资委党委",
        "state": {"code": "drafting", "label": "筹备"},
        "scheme": {"code": "test-scheme", "version": scheme.version, "title": "测试评分细则"},
        "deadlines": {
            "targets_due": "2026-03-31",
            "evidence_opens": None,
            "evidence_closes": None,
            "self_assessment_due": None,
            "assessment_due": None,
            "review_due": None,
        },
        "unit_count": 2,
        "run": None,
        "published_at": None,
    }


def test_a_unit_counts_only_itself_and_sees_the_current_run(city, api_as, computed):
    for persona in (city.staff_a, city.viewer_a, city.staff_b):
        item = _ok(api_as(persona).get("/api/v1/cycles"))["items"][0]
        assert (item["unit_count"], item["run"]) == (1, 1), persona
    assert _ok(api_as(city.admin).get("/api/v1/cycles"))["items"][0]["unit_count"] == 2


def test_the_list_filters_by_year_state_and_name(city, api_as, city_cycle, branch_cycle):
    advance(city_cycle, CycleState.TARGETS)
    client = api_as(city.staff_a)
    assert _names(client.get("/api/v1/cycles", {"state": "targets"})) == ["2026年度党建考核"]
    assert _names(client.get("/api/v1/cycles", {"q": "支部"})) == ["企业A支部考核"]
    assert _names(client.get("/api/v1/cycles", {"year": 2025})) == []
    assert len(_names(client.get("/api/v1/cycles", {"year": 2026}))) == 2


def test_an_unknown_state_is_named_in_the_error(city, api_as, city_cycle):
    response = api_as(city.staff_a).get("/api/v1/cycles", {"state": "finished"})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["state"]


def test_the_list_pages_with_limit_and_offset(city, api_as, city_cycle, branch_cycle):
    body = _ok(api_as(city.staff_a).get("/api/v1/cycles", {"limit": 1, "offset": 1}))
    assert (body["count"], body["limit"], body["offset"]) == (2, 1, 1)
    assert [c["name"] for c in body["items"]] == ["企业A支部考核"]


def test_the_list_keeps_a_query_budget(city, api_as, scheme, computed, django_assert_max_num_queries):
    for n in range(5):
        actions.create_cycle(
            None,
            owner=city.root,
            year=2020 + n,
            name=f"{2020 + n}年度党建考核",
            scheme=scheme,
            units=[actions.UnitSpec(city.ent_a), actions.UnitSpec(city.ent_b)],
        )
    for persona in (city.admin, city.staff_a):
        client = api_as(persona)
        with django_assert_max_num_queries(6):
            body = _ok(client.get("/api/v1/cycles"))
        assert body["count"] == 6


# ---- one cycle ------------------------------------------------------------------------------


def test_the_running_org_sees_every_unit_and_the_periods(city, api_as, city_cycle):
    body = _ok(api_as(city.admin).get(f"/api/v1/cycles/{city_cycle.public_id}"))
    assert body["units"] == [
        {"org": "EA", "name": "企业A党委", "group": "竞争类"},
        {"org": "EB", "name": "企业B党委", "group": "竞争类"},
    ]
    assert body["unit_count"] == 2
    assert body["periods"] == [
        {
            "name": "年度考核",
            "starts": "2026-01-01",
            "ends": "2026-12-31",
            "weight_permille": 1000,
            "node": "",
        }
    ]


def test_a_unit_and_its_observer_see_only_their_own_unit(city, api_as, city_cycle):
    for persona in (city.staff_a, city.viewer_a):
        body = _ok(api_as(persona).get(f"/api/v1/cycles/{city_cycle.public_id}"))
        assert [u["org"] for u in body["units"]] == ["EA"], persona
        assert body["unit_count"] == 1


def test_it_rejects_a_foreign_enterprise(city, api_as, branch_cycle):
    client = api_as(city.staff_b)
    hidden = _not_found(client.get(f"/api/v1/cycles/{branch_cycle.public_id}"))
    absent = _not_found(client.get(f"/api/v1/cycles/{uuid.uuid4()}"))
    assert hidden == absent  # a hidden cycle and no cycle look alike
    _not_found(client.get(_results_url(branch_cycle)))
    _not_found(client.get(_explanation_url(branch_cycle, "EA-B1")))


def test_the_three_administrators_see_no_cycles(city, api_as, city_cycle):
    # 三员分立: they hold no VIEW_CYCLES anywhere.
    for persona in (city.sysadmin, city.secadmin, city.auditor):
        assert _ok(api_as(persona).get("/api/v1/cycles"))["count"] == 0
        _not_found(api_as(persona).get(f"/api/v1/cycles/{city_cycle.public_id}"))


def test_a_cycle_id_that_is_not_a_uuid_is_422(city, api_as):
    response = api_as(city.staff_a).get("/api/v1/cycles/2026")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"id": ["不是有效的 UUID"]}


# ---- results --------------------------------------------------------------------------------


def test_results_before_the_first_computation_say_so(city, api_as, city_cycle):
    body = _ok(api_as(city.admin).get(_results_url(city_cycle)))
    assert (body["available"], body["reason"], body["run"]) == (False, "not_computed", None)
    assert body["items"] == [] and body["message"]


def test_a_unit_sees_no_results_before_the_review_window(city, api_as, computed):
    assert len(_ok(api_as(city.admin).get(_results_url(computed)))["items"]) == 2  # the organiser: at once
    for persona in (city.staff_a, city.viewer_a, city.staff_b):
        body = _ok(api_as(persona).get(_results_url(computed)))
        assert (body["available"], body["reason"], body["count"]) == (False, "not_visible_yet", 0)
        assert "结果反馈与申诉" in body["message"]


def test_results_give_points_as_exact_strings(city, api_as, computed):
    body = _ok(api_as(city.admin).get(_results_url(computed)))
    assert (body["available"], body["reason"], body["run"], body["count"]) == (True, None, 1, 2)
    first, second = body["items"]
    assert (first["org"], first["total"], first["grade"], first["rank"]) == ("EA", "10", "好", 1)
    assert second == {
        "org": "EB",
        "name": "企业B党委",
        "group": "竞争类",
        "total": "6.5",
        "basic": "6.5",
        "bonus": "0",
        "band_grade": "一般",
        "grade": "一般",
        "rank": 2,
        "group_size": 2,
        "awards_eligible": True,
        "pay": None,
        "outcomes": [],
        "actions": [],
        "withheld": [],
        "steps": [second["steps"][0]],
    }
    assert second["steps"][0]["kind"] == "band" and second["steps"][0]["grade"] == "一般"
    assert set(second["steps"][0]) == {"kind", "grade", "text", "node"}


def test_each_unit_sees_only_its_own_result_from_the_review_window_on(city, api_as, computed):
    advance(computed, CycleState.REVIEW)
    for persona, code in ((city.staff_a, "EA"), (city.viewer_a, "EA"), (city.staff_b, "EB")):
        body = _ok(api_as(persona).get(_results_url(computed)))
        assert [r["org"] for r in body["items"]] == [code], persona
        assert body["count"] == 1 and body["available"]


def test_results_filter_by_group_and_page(city, api_as, computed):
    client = api_as(city.admin)
    body = _ok(client.get(_results_url(computed), {"limit": 1, "offset": 1}))
    assert (body["count"], [r["org"] for r in body["items"]]) == (2, ["EB"])
    assert _ok(client.get(_results_url(computed), {"group": "垄断类"}))["count"] == 0


def test_results_keep_a_query_budget(city, api_as, scheme, django_assert_max_num_queries):
    enterprises = [city.ent_a, city.ent_b]
    for n in range(1, 7):
        enterprises.append(
            org_actions.create_org(
                None,
                code=f"EX{n}",
                name=f"企业X{n}党委",
                kind=OrgKind.ENTERPRISE,
                parent=city.root,
                active_from=datetime.date(2020, 1, 1),
            )
        )
    cycle = actions.create_cycle(
        None,
        owner=city.root,
        year=2026,
        name="八家企业考核",
        scheme=scheme,
        units=[actions.UnitSpec(org) for org in enterprises],
    )
    for unit in cycle.units.all():
        actions.set_fact(None, cycle, unit, "lectures", "2", "党课台账")
        actions.set_fact(None, cycle, unit, "judgment", "较好", "考核组")
    actions.recompute(None, cycle)
    client = api_as(city.admin)
    with django_assert_max_num_queries(8):
        body = _ok(client.get(_results_url(cycle)))
    assert body["count"] == 8 and all(r["total"] == "6" for r in body["items"])


# ---- explanation ----------------------------------------------------------------------------


def _sum(amounts) -> Decimal:
    return sum((Decimal(a) for a in amounts), Decimal(0))


def test_the_explanation_adds_up_to_the_total(city, api_as, computed):
    client = api_as(city.admin)
    totals = {r["org"]: r["total"] for r in _ok(client.get(_results_url(computed)))["items"]}
    for code in ("EA", "EB"):
        body = _ok(client.get(_explanation_url(computed, code)))
        assert isinstance(body["total"], str)
        assert _sum(e["amount"] for e in body["entries"]) == Decimal(body["total"]), code
        assert body["total"] == totals[code]  # the stored result and the explanation agree


def test_the_explanation_names_rules_facts_and_sources(city, api_as, computed):
    body = _ok(api_as(city.admin).get(_explanation_url(computed, "EB")))
    assert (body["org"], body["name"], body["run"], body["grade"]) == ("EB", "企业B党委", 1, "一般")
    assert body["scheme"]["code"] == "test-scheme"
    by_node: dict[str, list[dict]] = {}
    for entry in body["entries"]:
        by_node.setdefault(entry["node"], []).append(entry)
    lecture_loss = next(e for e in by_node["lecture"] if e["amount"].startswith("-"))
    assert lecture_loss["amount"] == "-1" and "少1次" in lecture_loss["text"]
    assert lecture_loss["rule"] == "quota" and lecture_loss["path"] == ["党课"]
    assert lecture_loss["facts"] == [
        {"kind": "lectures", "title": "党课次数", "value": "3", "sources": ["党课台账"]}
    ]
    (criticism,) = by_node["minus"]
    assert criticism["amount"] == "-0.5"
    assert criticism["facts"][0]["sources"] == ["市直工委通报"]
    assert {i["node"]: (i["points"], i["score"]) for i in body["items"]} == {
        "lecture": ("4", "3"),
        "team": ("6", "4"),
        "minus": ("0", "-0.5"),
    }
    assert body["steps"][0]["kind"] == "band" and body["steps"][0]["grade"] == "一般"


def test_a_unit_reads_its_own_explanation_only_in_the_review_window(city, api_as, computed):
    url_a, url_b = _explanation_url(computed, "EA"), _explanation_url(computed, "EB")
    _not_found(api_as(city.staff_a).get(url_a))  # computed, but not shown to the unit yet
    advance(computed, CycleState.REVIEW)
    for persona in (city.staff_a, city.viewer_a):
        assert _ok(api_as(persona).get(url_a))["total"] == "10"
        _not_found(api_as(persona).get(url_b))  # the other enterprise's unit
    assert _ok(api_as(city.staff_b).get(url_b))["total"] == "6.5"
    _not_found(api_as(city.staff_b).get(url_a))


def test_an_explanation_without_results_is_404(city, api_as, city_cycle):
    error = _not_found(api_as(city.admin).get(_explanation_url(city_cycle, "EA")))
    assert "EA" in error["message"]
    _not_found(api_as(city.admin).get(_explanation_url(city_cycle, "NOPE")))


# ---- tokens ---------------------------------------------------------------------------------


def _urls(cycle) -> list[str]:
    return [
        "/api/v1/cycles",
        f"/api/v1/cycles/{cycle.public_id}",
        _results_url(cycle),
        _explanation_url(cycle, "EA"),
    ]


def test_no_token_is_401(city, api_as, computed):
    for url in _urls(computed):
        response = api_as(None).get(url)
        assert response.status_code == 401, url
        assert response.json()["error"]["code"] == "unauthenticated"


def test_an_expired_token_is_401(city, client, computed):
    token, raw = create_api_token(city.admin, "t")
    for url in _urls(computed):
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200, url
    token.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    token.save(update_fields=["expires_at"])
    for url in _urls(computed):
        response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 401, url
        assert response.json()["error"]["code"] == "unauthenticated"
