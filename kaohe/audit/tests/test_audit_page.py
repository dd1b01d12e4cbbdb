import pytest
from django.urls import reverse

from kaohe.accounts.models import Role
from kaohe.conftest import make_user
from kaohe.orgs import actions

pytestmark = pytest.mark.django_db


def test_audit_admin_browses_and_filters(city, login):
    actions.update_org(city.staff_a, city.branch_a, name="改名支部")
    client = login(city.auditor)
    page = client.get(reverse("audit:list"), {"action": "org.update"})
    assert page.status_code == 200
    assert "改名支部" in page.text and "person.create" not in page.text
    assert client.get(reverse("audit:list"), {"actor": "staff_a"}).context["page"].paginator.count == 1


def test_business_users_and_other_admins_get_404(city, login):
    for user in (city.staff_a, city.viewer_a, city.staff_b, city.admin, city.sysadmin, city.secadmin):
        assert login(user).get(reverse("audit:list")).status_code == 404


def test_an_enterprise_audit_admin_sees_only_its_enterprise(city, login):
    auditor_b = make_user("audit_b", Role.AUDIT_ADMIN, city.ent_b)
    actions.update_org(city.staff_a, city.branch_a, name="A的支部改名")
    actions.update_org(city.staff_b, city.branch_b, name="B的支部改名")
    page = login(auditor_b).get(reverse("audit:list"))
    assert "B的支部改名" in page.text and "A的支部改名" not in page.text


def test_htmx_filtering_returns_only_the_rows(city, login):
    page = login(city.auditor).get(reverse("audit:list"), HTTP_HX_REQUEST="true")
    assert "<html" not in page.text and "<table" in page.text
