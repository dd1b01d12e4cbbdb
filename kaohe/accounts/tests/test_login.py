import pytest
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

from kaohe.accounts.models import User
from kaohe.audit.models import AuditEntry
from kaohe.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_it_hashes_passwords_with_argon2_by_default(city, settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.Argon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = city.staff_a
    user.set_password("Another-pass-2026")
    user.save()
    assert identify_hasher(User.objects.get(pk=user.pk).password).algorithm == "argon2"


def test_it_logs_in_and_records_it(city, client):
    response = _login(client, "staff_a")
    assert response.status_code == 302 and response.url == reverse("home")
    assert AuditEntry.objects.filter(action="auth.login", target_id=str(city.staff_a.pk)).exists()


def test_it_locks_the_account_after_repeated_failures(city, client, settings):
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        assert _login(client, "staff_a", "wrong-password").status_code == 200
    locked = _login(client, "staff_a")  # the right password no longer works
    assert locked.status_code == 200 and "锁定" in locked.text  # the same message as a wrong password
    assert User.objects.get(pk=city.staff_a.pk).is_locked
    assert AuditEntry.objects.filter(action="auth.lockout").count() == 1


def test_it_forces_a_password_change_on_first_login(city, client):
    city.staff_a.must_change_password = True
    city.staff_a.save()
    _login(client, "staff_a")
    assert client.get(reverse("orgs:tree")).url == reverse("accounts:password")
    response = client.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password": "Brand-new-pass-99", "new_password2": "Brand-new-pass-99"},
    )
    assert response.status_code == 302
    assert client.get(reverse("orgs:tree")).status_code == 200
    assert AuditEntry.objects.filter(action="auth.password_changed").exists()


def test_it_rejects_a_weak_new_password_naming_the_field(city, login):
    client = login(city.staff_a)
    response = client.post(
        reverse("accounts:password"),
        {"old_password": PASSWORD, "new_password": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "new_password" in response.context["form"].errors


def test_sessions_expire_after_idle_time(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 60 * 60


def test_it_refuses_an_open_redirect_after_login(city, client):
    response = client.post(
        reverse("accounts:login") + "?next=https://evil.example/",
        {"username": "staff_a", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.url == reverse("home")
