"""Every error has one shape: {"error": {"code", "message", "fields"}}, in the user's words."""

import pytest

pytestmark = pytest.mark.django_db


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_query_errors_name_each_parameter(city, api_as):
    error = _error(api_as(city.staff_a).get("/api/v1/orgs", {"kind": "club", "limit": 0}), 422)
    assert error["fields"] == {
        "kind": ["应为以下之一：committee、enterprise、sub_committee、general_branch、branch、group"],
        "limit": ["不能小于 1"],
    }
    assert "kind" in error["message"] and "limit" in error["message"]


def test_body_errors_name_the_field_not_the_view_parameter(city, api_as):
    error = _error(
        api_as(city.staff_a).post("/api/v1/orgs/EA-B1/close", {"on": "tomorrow", "successors": "EA"}), 422
    )
    assert error["fields"] == {"on": ["日期应为 YYYY-MM-DD 格式"], "successors": ["应为列表"]}


def test_a_missing_body_is_reported_on_body(city, api_as):
    response = api_as(city.staff_a).client.generic(
        "POST", "/api/v1/orgs", b"", content_type="application/json"
    )
    assert _error(response, 422)["fields"] == {"body": ["此字段为必填项"]}


def test_a_body_that_is_not_json_is_400(city, api_as):
    response = api_as(city.staff_a).client.post("/api/v1/orgs", "{not json", content_type="application/json")
    error = _error(response, 400)
    assert error["code"] == "invalid" and error["fields"] == {}


def test_an_action_refusal_keeps_the_actions_message(city, api_as):
    error = _error(api_as(city.staff_a).patch("/api/v1/orgs/EA-B1", {"parent": None}), 400)
    assert error == {
        "code": "invalid",
        "message": "只有工委可以没有上级组织",
        "fields": {"parent": ["只有工委可以没有上级组织"]},
    }


def test_403_and_404_use_the_same_shape(city, api_as):
    assert _error(api_as(city.viewer_a).patch("/api/v1/orgs/EA", {"name": "x"}), 403)["code"] == "forbidden"
    not_found = _error(api_as(city.staff_b).get("/api/v1/orgs/EA"), 404)
    unknown = _error(api_as(city.staff_b).get("/api/v1/orgs/NOPE"), 404)
    # Hidden and absent look alike apart from the code echoed back.
    assert not_found["message"].replace("EA", "NOPE") == unknown["message"]


def test_an_unknown_api_path_answers_in_the_api_error_shape(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
