"""Who reaches the discipline pages: discipline staff over the case's org, and nobody else at all.

Cases name people, so a user without MANAGE_DISCIPLINE gets 404 on every page and endpoint (not
403: the pages do not exist for them), and a discipline user of another enterprise gets 404 on the
cases outside their scope.
"""

import pytest
from django.urls import reverse

from kaohe.discipline.models import CaseStatus, DisciplineCase

pytestmark = pytest.mark.django_db


def _pages(case) -> list[str]:
    return [
        reverse("discipline:list"),
        reverse("discipline:create"),
        reverse("discipline:people") + "?q=张",
        reverse("discipline:export"),
        reverse("discipline:import"),
        reverse("discipline:template"),
        reverse("discipline:summary"),
        reverse("discipline:summary_export"),
        reverse("discipline:detail", args=[case.public_id]),
        reverse("discipline:edit", args=[case.public_id]),
        reverse("discipline:withdraw", args=[case.public_id]),
    ]


def _posts(case) -> list[tuple[str, dict]]:
    return [
        (reverse("discipline:create"), {"case_number": "X-1", "department": "纪委", "id_number": ""}),
        (reverse("discipline:edit", args=[case.public_id]), {"case_number": "X-2"}),
        (reverse("discipline:withdraw", args=[case.public_id]), {"reason": "试图撤销"}),
        (reverse("discipline:import"), {}),
    ]


def test_anonymous_users_are_sent_to_login(client, city, case_a):
    for url in _pages(case_a):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response.url, url


@pytest.mark.parametrize("persona", ["staff_a", "viewer_a", "admin", "staff_b", "sysadmin", "auditor"])
def test_users_without_manage_discipline_get_404_everywhere(city, login, case_a, persona):
    client = login(getattr(city, persona))
    for url in _pages(case_a):
        assert client.get(url).status_code == 404, url
    for url, data in _posts(case_a):
        assert client.post(url, data).status_code == 404, url
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.ACTIVE and DisciplineCase.objects.count() == 1


def test_a_committee_discipline_user_sees_every_case(city, login, disc_c, case_a, case_b):
    client = login(disc_c)
    page = client.get(reverse("discipline:list")).text
    assert "JC-2025-07" in page and "QY-2025-01" in page and "张a" in page and "张b" in page
    for url in _pages(case_a) + _pages(case_b):
        assert client.get(url).status_code == 200, url


def test_an_enterprise_discipline_user_sees_only_their_enterprise(city, login, disc_a, case_a, case_b):
    client = login(disc_a)
    page = client.get(reverse("discipline:list")).text
    assert "JC-2025-07" in page and "QY-2025-01" not in page and "张b" not in page
    for url in _pages(case_a):
        assert client.get(url).status_code == 200, url
    for url in _pages(case_b)[-3:]:
        assert client.get(url).status_code == 404, url


def test_it_rejects_a_foreign_enterprise(city, login, disc_b, case_a):
    client = login(disc_b)
    for url in _pages(case_a)[-3:]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("discipline:withdraw", args=[case_a.public_id]), {"reason": "x"}).status_code
        == 404
    )
    assert "JC-2025-07" not in client.get(reverse("discipline:list")).text
    assert "JC-2025-07" not in client.get(reverse("discipline:list"), {"q": "JC"}).text
    case_a.refresh_from_db()
    assert case_a.status == CaseStatus.ACTIVE


def test_the_person_search_stays_inside_the_scope(city, login, disc_a, disc_b):
    url = reverse("discipline:people")
    assert "张a" in login(disc_a).get(url, {"q": "张"}).text
    found = login(disc_b).get(url, {"q": "张"}).text
    assert "张b" in found and "张a" not in found


def test_filtering_on_a_foreign_org_finds_nothing(city, login, disc_a, case_a, case_b):
    page = login(disc_a).get(reverse("discipline:list"), {"org": "EB"})
    assert page.status_code == 200 and "QY-2025-01" not in page.text
    assert page.context["org_problem"]


def test_the_summary_of_a_foreign_org_is_not_shown(city, login, disc_a, case_b):
    page = login(disc_a).get(reverse("discipline:summary"), {"org": "EB", "year": 2025})
    assert page.context["root"] == city.ent_a and page.context["total"].total == 0
