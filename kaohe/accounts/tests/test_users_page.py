import pytest
from django.urls import reverse

from kaohe.accounts.models import User
from kaohe.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_system_admin_creates_an_account_that_must_change_its_password(city, login):
    client = login(city.sysadmin)
    response = client.post(
        reverse("accounts:users"),
        {"username": "li_ming", "full_name": "李明", "org": "EA-B1", "password": "Start-pass-2026"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="li_ming")
    assert user.must_change_password and user.org == city.branch_a
    assert AuditEntry.objects.filter(action="user.create", target_repr="li_ming").exists()


def test_it_names_the_field_when_the_org_is_unknown(city, login):
    response = login(city.sysadmin).post(
        reverse("accounts:users"),
        {"username": "li_ming", "full_name": "李明", "org": "NOPE", "password": "Start-pass-2026"},
    )
    assert response.status_code == 200 and "org" in response.context["form"].errors
    assert not User.objects.filter(username="li_ming").exists()


def test_users_page_is_for_system_admins_only(city, login):
    for user in (city.staff_a, city.viewer_a, city.staff_b, city.secadmin, city.auditor):
        assert login(user).get(reverse("accounts:users")).status_code == 404


def test_system_admin_deactivates_and_resets(city, login):
    client = login(city.sysadmin)
    client.post(reverse("accounts:user_active", args=["staff_a"]), {"active": "0"})
    assert not User.objects.get(pk=city.staff_a.pk).is_active
    client.post(reverse("accounts:user_reset", args=["viewer_a"]), {"password": "Reset-pass-2026"})
    assert User.objects.get(pk=city.viewer_a.pk).must_change_password


def test_tokens_page_shows_a_new_token_once_and_revokes_it(city, login):
    client = login(city.viewer_a)
    page = client.post(reverse("accounts:tokens"), {"name": "报表脚本"})
    raw = page.context["raw"]
    assert raw.startswith("kh_") and raw in page.text
    assert raw not in client.get(reverse("accounts:tokens")).text
    token = city.viewer_a.api_tokens.get()
    client.post(reverse("accounts:revoke_token", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    # another user cannot revoke it
    assert login(city.staff_b).post(reverse("accounts:revoke_token", args=[token.pk])).status_code == 404


def _sheet(response):
    import io

    from openpyxl import load_workbook

    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_system_admin_exports_the_accounts_in_scope(city, login):
    from kaohe.accounts.models import Role
    from kaohe.conftest import make_user

    rows = _sheet(login(city.sysadmin).get(reverse("accounts:users_export")))
    assert rows[0][0] == "用户名" and {r[0] for r in rows[1:]} >= {"staff_a", "staff_b"}
    # A system admin of enterprise B exports B's accounts only.
    sys_b = make_user("sys_b", Role.SYSTEM_ADMIN, city.ent_b)
    names = {r[0] for r in _sheet(login(sys_b).get(reverse("accounts:users_export")))[1:]}
    assert "staff_b" in names and "staff_a" not in names
    for user in (city.staff_a, city.viewer_a, city.secadmin):
        assert login(user).get(reverse("accounts:users_export")).status_code == 404


def test_security_admin_exports_the_role_assignments(city, login):
    rows = _sheet(login(city.secadmin).get(reverse("accounts:roles_export")))
    assert rows[[r[0] for r in rows].index("viewer_a")][:5] == (
        "viewer_a",
        "viewer_a",
        "只读观察员",
        "企业A党委",
        "EA",
    )
    for user in (city.staff_a, city.sysadmin, city.auditor):
        assert login(user).get(reverse("accounts:roles_export")).status_code == 404
