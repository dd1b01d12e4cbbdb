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
    rows = page.text[page.text.index('id="audit-rows"') :]
    assert "改名支部" in rows and "person.create" not in rows
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


def test_audit_admin_exports_the_filtered_log_and_the_export_is_recorded(city, login):
    import io

    from openpyxl import load_workbook

    from kaohe.audit.models import AuditEntry

    actions.update_org(city.staff_a, city.branch_a, name="改名支部")
    response = login(city.auditor).get(reverse("audit:export"), {"action": "org.update"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "序号" and len(rows) == 2
    assert rows[1][4] == "org.update" and "改名支部" in rows[1][8]
    assert AuditEntry.objects.filter(action="audit.export", actor=city.auditor).exists()


def test_others_cannot_export_the_log(city, login):
    for user in (city.staff_a, city.viewer_a, city.staff_b, city.sysadmin):
        assert login(user).get(reverse("audit:export")).status_code == 404


def test_an_enterprise_audit_admin_exports_only_its_enterprise(city, login):
    import io

    from openpyxl import load_workbook

    auditor_b = make_user("audit_b", Role.AUDIT_ADMIN, city.ent_b)
    actions.update_org(city.staff_a, city.branch_a, name="A的支部改名")
    response = login(auditor_b).get(reverse("audit:export"))
    text = str(list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)))
    assert "A的支部改名" not in text and "企业B" in text


def test_actions_are_shown_in_words_next_to_their_code(city, login):
    actions.update_org(city.staff_a, city.branch_a, name="改名支部")
    page = login(city.auditor).get(reverse("audit:list"), {"action": "org.update"})
    assert "修改组织" in page.text and "org.update" in page.text
    assert '<option value="org.update" selected>' in page.text
