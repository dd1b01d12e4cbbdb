import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_shows_the_tree_to_someone_with_access(city, login):
    page = login(city.staff_a).get(reverse("orgs:tree"))
    assert page.status_code == 200
    assert "企业A党委" in page.text and "企业B党委" not in page.text


def test_a_foreign_enterprise_gets_404_on_detail(city, login):
    assert login(city.staff_b).get(reverse("orgs:detail", args=["EA"])).status_code == 404
    assert login(city.staff_b).get(reverse("orgs:children", args=["EA"])).status_code == 404


def test_read_only_sees_but_cannot_edit(city, login):
    client = login(city.viewer_a)
    assert client.get(reverse("orgs:detail", args=["EA"])).status_code == 200
    assert client.get(reverse("orgs:edit", args=["EA"])).status_code == 403
    assert client.post(reverse("orgs:edit", args=["EA"]), {"name": "x"}).status_code == 403
