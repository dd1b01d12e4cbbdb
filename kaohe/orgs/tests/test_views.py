"""Every org and people page with the three personas: access, read-only, foreign enterprise."""

import datetime

import pytest
from django.urls import reverse

from kaohe.orgs.models import OrgUnit, Person

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_login(client, city):
    for url in (reverse("orgs:tree"), reverse("orgs:detail", args=["EA"]), reverse("orgs:people")):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response.url


def test_tree_page(city, login):
    assert "企业A党委" in login(city.staff_a).get(reverse("orgs:tree")).text
    assert "企业A党委" in login(city.viewer_a).get(reverse("orgs:tree")).text
    assert "企业A党委" not in login(city.staff_b).get(reverse("orgs:tree")).text


def test_tree_search_stays_inside_the_scope(city, login):
    assert "企业A第一党支部" in login(city.viewer_a).get(reverse("orgs:tree"), {"q": "第一"}).text
    assert "企业A第一党支部" not in login(city.staff_b).get(reverse("orgs:tree"), {"q": "第一"}).text


def test_children_partial(city, login):
    url = reverse("orgs:children", args=["EA"])
    assert "企业A第一党支部" in login(city.staff_a).get(url, HTTP_HX_REQUEST="true").text
    assert login(city.viewer_a).get(url).status_code == 200
    assert login(city.staff_b).get(url).status_code == 404


def test_detail_page(city, login):
    url = reverse("orgs:detail", args=["EA-B1"])
    page = login(city.staff_a).get(url)
    assert (
        page.status_code == 200 and "张a" in page.text and reverse("orgs:edit", args=["EA-B1"]) in page.text
    )
    read_only = login(city.viewer_a).get(url)
    assert read_only.status_code == 200 and reverse("orgs:edit", args=["EA-B1"]) not in read_only.text
    assert login(city.staff_b).get(url).status_code == 404


def test_create_org(city, login):
    url = reverse("orgs:create")
    data = {"code": "EA-B9", "name": "新支部", "kind": "branch", "parent": "EA", "active_from": "2024-01-01"}
    assert login(city.staff_a).post(url, data).status_code == 302
    assert OrgUnit.objects.get(code="EA-B9").enterprise == city.ent_a
    assert login(city.viewer_a).get(url).status_code == 404  # nothing they may create anywhere
    foreign = login(city.staff_b).post(url, {**data, "code": "EA-B10"})
    assert foreign.status_code == 200 and "parent" in foreign.context["form"].errors
    assert not OrgUnit.objects.filter(code="EA-B10").exists()


def test_create_org_names_the_field_in_error(city, login):
    data = {"code": "EA-B1", "name": "重复", "kind": "branch", "parent": "EA", "active_from": "2024-01-01"}
    page = login(city.staff_a).post(reverse("orgs:create"), data)
    assert "code" in page.context["form"].errors


def test_edit_org(city, login):
    url = reverse("orgs:edit", args=["EA-B1"])
    data = {"code": "EA-B1", "name": "改名", "kind": "branch", "parent": "EA", "active_from": "2020-01-01"}
    assert login(city.staff_a).post(url, data).status_code == 302
    assert OrgUnit.objects.get(code="EA-B1").name == "改名"
    assert login(city.viewer_a).post(url, data).status_code == 403
    assert login(city.staff_b).post(url, data).status_code == 404


def test_close_org(city, login):
    url = reverse("orgs:close", args=["EA-B1"])
    assert login(city.viewer_a).post(url, {"on": "2026-01-01"}).status_code == 403
    assert login(city.staff_b).post(url, {"on": "2026-01-01"}).status_code == 404
    assert login(city.staff_a).post(url, {"on": "2026-01-01"}).status_code == 302
    assert OrgUnit.objects.get(code="EA-B1").active_to == datetime.date(2026, 1, 1)


def test_people_list_masks_numbers_and_stays_in_scope(city, login):
    page = login(city.viewer_a).get(reverse("orgs:people"))
    assert "张a" in page.text and "张b" not in page.text
    assert "138****1111" in page.text and "13800001111" not in page.text
    assert "张a" not in login(city.staff_b).get(reverse("orgs:people")).text
    assert login(city.staff_b).get(reverse("orgs:people"), {"org": "EA"}).status_code == 404


def test_people_list_filters_by_pinyin(city, login):
    page = login(city.staff_a).get(reverse("orgs:people"), {"q": "zhang"}, HTTP_HX_REQUEST="true")
    assert "张a" in page.text and "<html" not in page.text


def test_person_detail(city, login):
    url = reverse("orgs:person", args=[city.person_a.public_id])
    assert login(city.staff_a).get(url).status_code == 200
    assert login(city.viewer_a).get(url).status_code == 200
    assert login(city.staff_b).get(url).status_code == 404


def test_create_person(city, login):
    url = reverse("orgs:person_create")
    data = {"name": "李四", "gender": "F", "org": "EA-B1", "status": "full", "phone": "13711112222"}
    assert login(city.staff_a).post(url, data).status_code == 302
    assert Person.objects.get(name="李四").phone == "13711112222"
    bad = login(city.staff_a).post(url, {**data, "phone": "123"})
    assert "phone" in bad.context["form"].errors
    assert login(city.viewer_a).get(url).status_code == 404
    assert "org" in login(city.staff_b).post(url, {**data, "name": "王五"}).context["form"].errors


def test_edit_person(city, login):
    url = reverse("orgs:person_edit", args=[city.person_a.public_id])
    data = {"name": "张a", "gender": "M", "org": "EA-B1", "status": "full", "position": "书记"}
    assert login(city.staff_a).post(url, data).status_code == 302
    city.person_a.refresh_from_db()
    assert city.person_a.position == "书记" and city.person_a.phone == "13800001111"  # blank keeps the number
    assert login(city.viewer_a).post(url, data).status_code == 403
    assert login(city.staff_b).post(url, data).status_code == 404


def test_home_counts_only_the_scope(city, login):
    page = login(city.staff_a).get(reverse("home"))
    assert page.context["scopes"][0]["members"] == 1
    assert login(city.admin).get(reverse("home")).context["scopes"][0]["members"] == 2


def test_the_three_admins_see_structure_but_no_people(city, login):
    client = login(city.sysadmin)
    assert client.get(reverse("orgs:tree")).status_code == 200
    assert client.get(reverse("orgs:people")).status_code == 404
    assert "张a" not in client.get(reverse("orgs:detail", args=["EA-B1"])).text


def test_people_list_sorts_by_join_date_and_keeps_filters_in_links(city, login):
    from kaohe.orgs import actions

    actions.update_person(city.staff_a, city.person_a, join_date=datetime.date(1990, 7, 1))
    actions.create_person(
        city.staff_a, org=city.branch_a, name="阿强", gender="M", join_date=datetime.date(2010, 1, 1)
    )
    page = login(city.viewer_a).get(reverse("orgs:people"), {"sort": "-join", "status": "full"})
    names = [p.name for p in page.context["page"]]
    assert names == ["阿强", "张a"]
    assert "?status=full&sort=join" in page.text  # the header link flips the order, keeps the filter
    assert login(city.viewer_a).get(reverse("orgs:people"), {"sort": "bogus"}).context["sort"] == "name"


def test_import_buttons_show_only_to_those_who_may_import(city, login):
    import_url = reverse("orgs:org_import")
    assert import_url in login(city.staff_a).get(reverse("orgs:tree")).text
    read_only = login(city.viewer_a).get(reverse("orgs:tree")).text
    assert import_url not in read_only and reverse("orgs:org_export") in read_only
    assert reverse("orgs:people_import") not in login(city.viewer_a).get(reverse("orgs:people")).text


@pytest.mark.parametrize("q", ["zhang", "zhanga", "zhang a", "ZHANG", "张"])
def test_people_are_found_by_pinyin_with_or_without_spaces(city, login, q):
    names = [p.name for p in login(city.staff_a).get(reverse("orgs:people"), {"q": q}).context["page"]]
    assert names == ["张a"]


def test_signed_in_pages_are_not_kept_by_browsers(city, login):
    response = login(city.staff_a).get(reverse("orgs:people"))
    assert "no-store" in response["Cache-Control"]


def test_marking_a_person_as_left_hides_them_from_the_list(city, login):
    url = reverse("orgs:person_edit", args=[city.person_a.public_id])
    data = {"name": "张a", "gender": "M", "org": "EA-B1", "status": "full", "left_on": "2026-01-31"}
    assert login(city.staff_a).post(url, data).status_code == 302
    assert "张a" not in login(city.staff_a).get(reverse("orgs:people")).text
    assert "张a" in login(city.staff_a).get(reverse("orgs:people"), {"left": "1"}).text
