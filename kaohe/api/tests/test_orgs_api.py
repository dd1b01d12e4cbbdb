import datetime

import pytest

from kaohe.orgs import actions
from kaohe.orgs.models import OrgKind, OrgUnit

pytestmark = pytest.mark.django_db

DAY = datetime.date(2020, 1, 1)


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["code"] for item in response.json()["items"]]


@pytest.fixture
def subs(city):
    """Two nested 二级党委 under A, so that a move can be tried that would make a cycle."""
    outer = actions.create_org(
        None,
        code="EA-S1",
        name="企业A二级党委",
        kind=OrgKind.COMMITTEE_SUB,
        parent=city.ent_a,
        active_from=DAY,
    )
    inner = actions.create_org(
        None, code="EA-S2", name="企业A三级党委", kind=OrgKind.COMMITTEE_SUB, parent=outer, active_from=DAY
    )
    branch = actions.create_org(
        None, code="EA-S2-B1", name="企业A下属党支部", kind=OrgKind.BRANCH, parent=inner, active_from=DAY
    )
    return outer, inner, branch


# ---- reading ------------------------------------------------------------------------------------


def test_the_list_holds_only_the_users_enterprise_in_tree_order(city, api_as, subs):
    response = api_as(city.staff_a).get("/api/v1/orgs")
    assert _codes(response) == ["EA", "EA-B1", "EA-S1", "EA-S2", "EA-S2-B1"]
    assert response.json()["count"] == 5


def test_counts_do_not_include_other_enterprises(city, api_as, subs):
    response = api_as(city.staff_b).get("/api/v1/orgs")
    assert response.json()["count"] == 2
    assert _codes(response) == ["EB", "EB-B1"]
    assert api_as(city.staff_b).get("/api/v1/orgs", {"q": "企业A"}).json()["count"] == 0


def test_the_list_filters_by_kind_parent_name_and_date(city, api_as, subs):
    client = api_as(city.staff_a)
    assert _codes(client.get("/api/v1/orgs", {"kind": "branch"})) == ["EA-B1", "EA-S2-B1"]
    assert _codes(client.get("/api/v1/orgs", {"parent": "EA"})) == ["EA-B1", "EA-S1"]
    assert _codes(client.get("/api/v1/orgs", {"q": "三级"})) == ["EA-S2"]
    actions.close_org(None, subs[0], on=datetime.date(2023, 1, 1))
    assert _codes(client.get("/api/v1/orgs", {"active_on": "2022-12-31"})) == [
        "EA",
        "EA-B1",
        "EA-S1",
        "EA-S2",
        "EA-S2-B1",
    ]
    assert _codes(client.get("/api/v1/orgs", {"active_on": "2023-01-01"})) == ["EA", "EA-B1"]


def test_the_list_pages_with_limit_and_offset(city, api_as, subs):
    body = api_as(city.staff_a).get("/api/v1/orgs", {"limit": 2, "offset": 2}).json()
    assert (body["count"], body["limit"], body["offset"]) == (5, 2, 2)
    assert [o["code"] for o in body["items"]] == ["EA-S1", "EA-S2"]


def test_a_parent_filter_outside_the_scope_is_404_naming_the_field(city, api_as):
    response = api_as(city.staff_a).get("/api/v1/orgs", {"parent": "EB"})
    assert response.status_code == 404
    assert list(response.json()["error"]["fields"]) == ["parent"]


def test_a_node_above_the_scope_is_not_named(city, api_as):
    # The committee is not in enterprise A's scope: its code is not shown to A's staff.
    assert api_as(city.staff_a).get("/api/v1/orgs/EA").json()["parent"] is None
    assert api_as(city.admin).get("/api/v1/orgs/EA").json()["parent"] == "C"


def test_the_detail_shows_the_node(city, api_as):
    body = api_as(city.viewer_a).get("/api/v1/orgs/EA-B1").json()
    assert body["name"] == "企业A第一党支部"
    assert (body["kind"], body["parent"], body["enterprise"], body["is_active"]) == (
        "branch",
        "EA",
        "EA",
        True,
    )
    assert "path" not in body and "id" not in body


def test_children_are_the_direct_ones_only(city, api_as, subs):
    assert _codes(api_as(city.viewer_a).get("/api/v1/orgs/EA/children")) == ["EA-B1", "EA-S1"]
    assert _codes(api_as(city.viewer_a).get("/api/v1/orgs/EA-S1/children")) == ["EA-S2"]


def test_successors_outside_the_scope_are_not_listed(city, api_as):
    actions.close_org(
        None, city.branch_a, on=datetime.date(2024, 1, 1), successors=[city.branch_b, city.ent_a]
    )
    assert api_as(city.staff_a).get("/api/v1/orgs/EA-B1").json()["successors"] == ["EA"]
    assert sorted(api_as(city.admin).get("/api/v1/orgs/EA-B1").json()["successors"]) == ["EA", "EB-B1"]
    assert api_as(city.staff_b).get("/api/v1/orgs/EB-B1").json()["predecessors"] == []


def test_the_list_costs_the_same_few_queries_however_long(city, api_as, django_assert_max_num_queries):
    for i in range(30):
        actions.create_org(
            None, code=f"EA-X{i}", name=f"支部{i}", kind=OrgKind.BRANCH, parent=city.ent_a, active_from=DAY
        )
    client = api_as(city.staff_a)
    # token + its last-use stamp + roles + count + page
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/orgs", {"limit": 100})
    assert response.json()["count"] == 32


# ---- writing ------------------------------------------------------------------------------------


def test_create_makes_the_node_under_its_parent(city, api_as):
    body = {
        "code": " EA-B2 ",
        "name": "企业A第二党支部",
        "kind": "branch",
        "parent": "EA",
        "active_from": "2021-03-01",
        "secretary": "王五",
    }
    response = api_as(city.staff_a).post("/api/v1/orgs", body)
    assert response.status_code == 201, response.json()
    assert response.json()["code"] == "EA-B2"
    org = OrgUnit.objects.get(code="EA-B2")
    assert (org.parent, org.enterprise, org.secretary) == (city.ent_a, city.ent_a, "王五")


def test_create_needs_a_parent_in_reach(city, api_as):
    body = {"code": "EA-B2", "name": "x", "kind": "branch", "parent": "NOPE", "active_from": "2021-03-01"}
    response = api_as(city.staff_a).post("/api/v1/orgs", body)
    assert response.status_code == 404
    assert list(response.json()["error"]["fields"]) == ["parent"]


def test_create_reports_the_field_the_action_refused(city, api_as):
    client = api_as(city.staff_a)
    base = {"name": "x", "parent": "EA", "active_from": "2021-03-01"}
    response = client.post("/api/v1/orgs", {**base, "code": "EA-B1", "kind": "branch"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert list(response.json()["error"]["fields"]) == ["code"]
    response = client.post("/api/v1/orgs", {**base, "code": "EA-E2", "kind": "enterprise"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"kind": ["企业党委必须直属工委"]}


def test_create_reports_schema_errors_by_field(city, api_as):
    response = api_as(city.staff_a).post(
        "/api/v1/orgs", {"code": "EA-B2", "kind": "club", "parent": "EA", "active_from": "2021-02-30"}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert set(error["fields"]) == {"name", "kind", "active_from"}
    assert error["fields"]["name"] == ["此字段为必填项"]


def test_patch_changes_only_the_given_fields(city, api_as):
    response = api_as(city.staff_a).patch("/api/v1/orgs/EA-B1", {"secretary": "赵六", "sort_order": 3})
    assert response.status_code == 200, response.json()
    city.branch_a.refresh_from_db()
    assert (city.branch_a.secretary, city.branch_a.sort_order, city.branch_a.name) == (
        "赵六",
        3,
        "企业A第一党支部",
    )


def test_patch_refuses_null_where_a_value_is_required(city, api_as):
    response = api_as(city.staff_a).patch("/api/v1/orgs/EA-B1", {"name": None})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["name"]


def test_patch_moves_the_subtree(city, api_as, subs):
    response = api_as(city.staff_a).patch("/api/v1/orgs/EA-S2", {"parent": "EA"})
    assert response.status_code == 200, response.json()
    assert response.json()["parent"] == "EA"
    moved = OrgUnit.objects.get(code="EA-S2-B1")
    assert moved.path.startswith(city.ent_a.path) and moved.depth == 3


def test_a_move_that_would_make_a_cycle_is_400_naming_parent(city, api_as, subs):
    response = api_as(city.staff_a).patch("/api/v1/orgs/EA-S1", {"parent": "EA-S2"})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["parent"]
    assert OrgUnit.objects.get(code="EA-S1").parent == city.ent_a


def test_a_move_into_another_enterprise_is_404_naming_parent(city, api_as):
    response = api_as(city.staff_a).patch("/api/v1/orgs/EA-B1", {"parent": "EB"})
    assert response.status_code == 404
    assert list(response.json()["error"]["fields"]) == ["parent"]


def test_close_closes_the_subtree_and_names_successors(city, api_as, subs):
    response = api_as(city.staff_a).post(
        "/api/v1/orgs/EA-S1/close", {"on": "2024-06-30", "successors": ["EA-B1"]}
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["active_to"], response.json()["successors"]) == ("2024-06-30", ["EA-B1"])
    assert OrgUnit.objects.get(code="EA-S2-B1").active_to == datetime.date(2024, 6, 30)


def test_close_with_a_successor_out_of_reach_is_404_naming_successors(city, api_as):
    response = api_as(city.staff_a).post(
        "/api/v1/orgs/EA-B1/close", {"on": "2024-06-30", "successors": ["EB-B1"]}
    )
    assert response.status_code == 404
    assert list(response.json()["error"]["fields"]) == ["successors"]
    assert OrgUnit.objects.get(code="EA-B1").active_to is None


def test_close_before_the_opening_date_is_400_naming_the_field(city, api_as):
    response = api_as(city.staff_a).post("/api/v1/orgs/EA-B1/close", {"on": "2019-01-01"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"active_to": ["撤销日期必须晚于成立日期"]}
