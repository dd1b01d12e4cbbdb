"""/api/v1/consultation with the organiser, a read-only member of the organiser's staff, an invited
participant, and another enterprise's staff (404)."""

import pytest

from kaohe.consultation import actions
from kaohe.consultation.tests.conftest import clause_key

pytestmark = pytest.mark.django_db


def test_rounds_and_the_register_with_the_personas(people, consultation, draft, api_as):
    actions.comment(people.staff_a2, consultation, "匿名的意见", clause_key=clause_key(draft, "考核实行"))
    base = f"/api/v1/consultation/{consultation.public_id}"
    for user in (people.admin, people.viewer_c, people.staff_a):
        listed = api_as(user).get("/api/v1/consultation").json()
        assert [r["id"] for r in listed["items"]] == [str(consultation.public_id)]
    organiser = api_as(people.admin).get(f"{base}/suggestions").json()
    assert organiser[0]["submitter"] == "staff_a2（匿名）" and organiser[0]["target"] == "第四条"
    assert organiser[0]["clause"] == clause_key(draft, "考核实行")
    participant = api_as(people.staff_a).get(f"{base}/suggestions").json()
    assert participant[0]["submitter"] == "匿名" and participant[0]["org"] == "匿名"
    outsider = api_as(people.staff_b)
    assert outsider.get("/api/v1/consultation").json()["items"] == []
    assert outsider.get(f"{base}/suggestions").status_code == 404
    assert api_as(None).get(f"{base}/suggestions").status_code == 401


def test_a_participant_comments_through_the_api(people, consultation, draft, api_as):
    url = f"/api/v1/consultation/{consultation.public_id}/comments"
    made = api_as(people.staff_a).post(url, {"text": "建议增加产业建设指标", "indicator": "lecture"})
    assert made.status_code == 201 and made.json()["number"] == 1 and made.json()["indicator"] == "lecture"
    wrong = api_as(people.staff_a).post(url, {"text": "x", "indicator": "nope"})
    assert wrong.status_code == 400 and "indicator" in wrong.json()["error"]["fields"]
    assert api_as(people.viewer_c).post(url, {"text": "旁观者"}).status_code == 403  # sees, was not invited
    assert api_as(people.staff_b).post(url, {"text": "外单位"}).status_code == 404
    assert consultation.suggestions.count() == 1
