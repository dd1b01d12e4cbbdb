import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kaohe.accounts import actions
from kaohe.accounts.models import Role, RoleAssignment, User
from kaohe.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_three_admin_roles_never_meet_in_one_person(city):
    with pytest.raises(ValidationError, match="三员分立"):
        actions.assign_role(city.secadmin, city.sysadmin, Role.AUDIT_ADMIN, city.root)


def test_an_admin_role_cannot_be_combined_with_a_business_role(city):
    with pytest.raises(ValidationError, match="业务角色"):
        actions.assign_role(city.secadmin, city.staff_a, Role.SYSTEM_ADMIN, city.root)


def test_security_admin_grants_a_role_through_the_page(city, login):
    client = login(city.secadmin)
    response = client.post(
        reverse("accounts:roles"), {"username": "staff_b", "role": Role.OBSERVER, "org": "EA"}
    )
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=city.staff_b, role=Role.OBSERVER, org=city.ent_a).exists()
    assert AuditEntry.objects.filter(action="role.grant", actor=city.secadmin).exists()


def test_roles_page_is_for_security_admins_only(city, login):
    for user in (city.staff_a, city.viewer_a, city.staff_b, city.sysadmin, city.auditor):
        assert login(user).get(reverse("accounts:roles")).status_code == 404


def test_security_admin_unlocks_a_locked_account(city, login, settings):
    settings.LOGIN_MAX_FAILURES = 1
    actions.note_failed_login("staff_a")
    assert User.objects.get(pk=city.staff_a.pk).is_locked
    page = login(city.secadmin).get(reverse("accounts:roles"))
    assert "staff_a" in page.text
    login(city.secadmin).post(reverse("accounts:user_unlock", args=["staff_a"]))
    assert not User.objects.get(pk=city.staff_a.pk).is_locked


def test_revoking_a_role_removes_access(city, login):
    ra = RoleAssignment.objects.get(user=city.viewer_a)
    login(city.secadmin).post(reverse("accounts:role_revoke", args=[ra.pk]))
    assert login(city.viewer_a).get(reverse("orgs:detail", args=["EA"])).status_code == 404


def test_no_administrator_can_take_over_another_or_their_own_account(city, login):
    client = login(city.sysadmin)
    for target in ("auditadmin", "secadmin", "sysadmin"):
        client.post(reverse("accounts:user_reset", args=[target]), {"password": "Taken-over-2026"})
        client.post(reverse("accounts:user_active", args=[target]), {"active": "0"})
        user = User.objects.get(username=target)
        assert user.is_active and not user.check_password("Taken-over-2026")


def test_a_security_admin_granting_themselves_gets_a_form_error(city, login):
    response = login(city.secadmin).post(
        reverse("accounts:roles"), {"username": "secadmin", "role": Role.OBSERVER, "org": "EA"}
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()


def test_a_reset_revokes_the_accounts_api_tokens(city):
    token, _raw = actions.create_api_token(city.staff_a, "script")
    actions.reset_password(city.sysadmin, city.staff_a, "Reset-pass-2026")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_failed_logins_for_unknown_names_are_recorded(city, client):
    client.post(reverse("accounts:login"), {"username": "nobody_here", "password": "x"})
    assert AuditEntry.objects.filter(action="auth.login_failed", target_repr="nobody_here").exists()
