import datetime

import pytest

from kaohe.orgs import actions
from kaohe.orgs.models import Person

pytestmark = pytest.mark.django_db

CLEAR_PHONE = "13800001111"
CLEAR_ID = "110101198001011232"


def _names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["name"] for item in response.json()["items"]]


@pytest.fixture
def more_people(city):
    actions.create_person(None, org=city.ent_a, name="李雷", gender="M", status="probationary")
    gone = actions.create_person(None, org=city.branch_a, name="韩梅梅", gender="F")
    actions.update_person(None, gone, left_on=datetime.date(2024, 1, 1))


# ---- reading ------------------------------------------------------------------------------------


def test_numbers_leave_the_server_masked_only(city, api_as):
    client = api_as(city.staff_a)
    for response in (client.get("/api/v1/people"), client.get(f"/api/v1/people/{city.person_a.public_id}")):
        assert response.status_code == 200
        assert CLEAR_PHONE not in response.text and CLEAR_ID not in response.text
    body = client.get(f"/api/v1/people/{city.person_a.public_id}").json()
    assert (body["phone_masked"], body["id_number_masked"]) == ("138****1111", "110***********1232")
    assert "phone" not in body and "id_number" not in body


def test_the_list_sorts_by_pinyin_and_hides_who_left(city, api_as, more_people):
    client = api_as(city.viewer_a)
    assert _names(client.get("/api/v1/people")) == ["李雷", "张a"]
    assert _names(client.get("/api/v1/people", {"include_left": "true"})) == ["韩梅梅", "李雷", "张a"]


def test_the_list_filters_by_subtree_name_and_status(city, api_as, more_people):
    client = api_as(city.staff_a)
    assert _names(client.get("/api/v1/people", {"org": "EA-B1"})) == ["张a"]
    assert _names(client.get("/api/v1/people", {"org": "EA"})) == ["李雷", "张a"]
    assert _names(client.get("/api/v1/people", {"q": "lei"})) == ["李雷"]
    assert _names(client.get("/api/v1/people", {"q": "张"})) == ["张a"]
    assert _names(client.get("/api/v1/people", {"status": "probationary"})) == ["李雷"]


def test_counts_do_not_include_other_enterprises(city, api_as, more_people):
    body = api_as(city.staff_b).get("/api/v1/people", {"include_left": "true"}).json()
    assert body["count"] == 1
    assert [p["name"] for p in body["items"]] == ["张b"]
    assert api_as(city.staff_b).get("/api/v1/people", {"q": "李"}).json()["count"] == 0


def test_an_org_filter_outside_the_scope_is_404_naming_the_field(city, api_as):
    response = api_as(city.staff_b).get("/api/v1/people", {"org": "EA-B1"})
    assert response.status_code == 404
    assert list(response.json()["error"]["fields"]) == ["org"]


def test_the_separated_admins_see_no_people(city, api_as):
    # 三员分立: the system administrator sees the tree, never its people.
    assert api_as(city.sysadmin).get("/api/v1/people").json()["count"] == 0
    assert api_as(city.sysadmin).get(f"/api/v1/people/{city.person_a.public_id}").status_code == 404


def test_a_malformed_id_is_422_naming_it(city, api_as):
    response = api_as(city.staff_a).get("/api/v1/people/not-a-uuid")
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["public_id"]


def test_the_list_costs_the_same_few_queries_however_long(city, api_as, django_assert_max_num_queries):
    for i in range(30):
        actions.create_person(None, org=city.branch_a, name=f"王{i}", gender="M", phone=f"139{i:08d}")
    client = api_as(city.staff_a)
    # token + its last-use stamp + roles + count + page (the org comes in the same query)
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/people", {"limit": 100})
    assert response.json()["count"] == 31


# ---- writing ------------------------------------------------------------------------------------


def test_create_stores_the_numbers_and_shows_them_masked(city, api_as):
    body = {
        "org": "EA-B1",
        "name": "李四",
        "gender": "F",
        "phone": "13912345678",
        "id_number": "11010119900101004x",
        "join_date": "2015-07-01",
    }
    response = api_as(city.staff_a).post("/api/v1/people", body)
    assert response.status_code == 201, response.json()
    assert response.json()["phone_masked"] == "139****5678"
    assert "13912345678" not in response.text
    person = Person.objects.get(public_id=response.json()["public_id"])
    assert (person.phone, person.id_number, person.org) == (
        "13912345678",
        "11010119900101004X",
        city.branch_a,
    )


def test_create_reports_malformed_numbers_by_field(city, api_as):
    response = api_as(city.staff_a).post(
        "/api/v1/people",
        {"org": "EA-B1", "name": "李四", "gender": "F", "phone": "12345", "id_number": "abc"},
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {
        "phone": ["手机号应为 11 位数字，以 1 开头"],
        "id_number": ["身份证号应为 18 位，最后一位可为 X"],
    }


def test_a_duplicate_id_number_is_400_naming_it(city, api_as):
    response = api_as(city.staff_a).post(
        "/api/v1/people", {"org": "EA-B1", "name": "李四", "gender": "F", "id_number": CLEAR_ID}
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["id_number"]


def test_create_in_another_enterprise_is_404_naming_org(city, api_as):
    response = api_as(city.staff_a).post("/api/v1/people", {"org": "EB-B1", "name": "李四", "gender": "F"})
    assert response.status_code == 404
    assert list(response.json()["error"]["fields"]) == ["org"]


def test_patch_changes_only_the_given_fields(city, api_as):
    url = f"/api/v1/people/{city.person_a.public_id}"
    response = api_as(city.staff_a).patch(url, {"position": "组织委员", "phone": ""})
    assert response.status_code == 200, response.json()
    person = Person.objects.get(pk=city.person_a.pk)
    assert (person.position, person.phone, person.id_number) == ("组织委员", "", CLEAR_ID)


def test_patch_moves_a_person_and_records_leaving(city, api_as):
    url = f"/api/v1/people/{city.person_a.public_id}"
    response = api_as(city.staff_a).patch(url, {"org": "EA", "left_on": "2024-05-01"})
    assert response.status_code == 200, response.json()
    assert (response.json()["org"], response.json()["left_on"]) == ("EA", "2024-05-01")
    response = api_as(city.staff_a).patch(url, {"left_on": None})
    assert response.json()["left_on"] is None


def test_patch_into_another_enterprise_is_404_naming_org(city, api_as):
    response = api_as(city.staff_a).patch(f"/api/v1/people/{city.person_a.public_id}", {"org": "EB-B1"})
    assert response.status_code == 404
    assert list(response.json()["error"]["fields"]) == ["org"]
    assert Person.objects.get(pk=city.person_a.pk).org == city.branch_a


def test_patch_refuses_null_where_a_value_is_required(city, api_as):
    response = api_as(city.staff_a).patch(f"/api/v1/people/{city.person_a.public_id}", {"gender": None})
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["gender"]
