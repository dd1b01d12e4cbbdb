"""Every endpoint wants a live bearer token of an active user; anything else is 401 in the one shape."""

import pytest
from django.test import Client

from kaohe.accounts.actions import create_api_token, revoke_api_token, set_user_active
from kaohe.api.tests.endpoints import ALL, url

pytestmark = pytest.mark.django_db

ENDPOINTS = pytest.mark.parametrize(("method", "path", "body", "ok"), ALL)


def _assert_401(response) -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "error": {"code": "unauthenticated", "message": response.json()["error"]["message"], "fields": {}}
    }


@ENDPOINTS
def test_no_token_is_401(city, api_as, method, path, body, ok):
    _assert_401(api_as(None).request(method, url(path, city), body))


@ENDPOINTS
def test_a_revoked_token_is_401(city, method, path, body, ok):
    token, raw = create_api_token(city.staff_a, "t")
    revoke_api_token(city.staff_a, token)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    _assert_401(getattr(client, method.lower())(url(path, city), body or {}, content_type="application/json"))


def test_an_unknown_token_is_401(city):
    client = Client(headers={"Authorization": "Bearer kh_not-a-token"})
    _assert_401(client.get("/api/v1/orgs"))


def test_a_token_of_a_deactivated_user_is_401(city):
    _, raw = create_api_token(city.staff_a, "t")
    set_user_active(None, city.staff_a, False)
    _assert_401(Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/orgs"))


def test_a_session_is_not_a_token(city, login):
    # The API answers tokens only: a signed-in browser does not reach it without one.
    _assert_401(login(city.staff_a).get("/api/v1/orgs"))


def test_a_token_acts_with_its_owners_roles(city, api_as):
    assert api_as(city.staff_a).get("/api/v1/orgs/EA").status_code == 200
    assert api_as(city.staff_b).get("/api/v1/orgs/EA").status_code == 404


def test_a_token_does_nothing_until_its_owner_changed_the_one_time_password(city, client):
    from kaohe.accounts.actions import create_api_token

    _token, raw = create_api_token(city.staff_a, "t")
    city.staff_a.must_change_password = True
    city.staff_a.save()
    response = client.get("/api/v1/orgs", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401


def test_an_expired_token_is_refused(city, client):
    from datetime import timedelta

    from django.utils import timezone

    from kaohe.accounts.actions import create_api_token

    token, raw = create_api_token(city.staff_a, "t")
    assert token.expires_at is not None and token.expires_at > timezone.now() + timedelta(days=30)
    assert client.get("/api/v1/orgs", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save(update_fields=["expires_at"])
    assert client.get("/api/v1/orgs", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
