import pytest
from django.test import Client

from kaohe.accounts.actions import create_api_token


class ApiClient:
    """A test client that sends a user's bearer token and JSON bodies."""

    def __init__(self, raw_token: str | None) -> None:
        headers = {"Authorization": f"Bearer {raw_token}"} if raw_token else {}
        self.client = Client(headers=headers)

    def get(self, url: str, params: dict | None = None):
        return self.client.get(url, params or {})

    def post(self, url: str, body: dict | None = None):
        return self.client.post(url, body or {}, content_type="application/json")

    def patch(self, url: str, body: dict | None = None):
        return self.client.patch(url, body or {}, content_type="application/json")

    def request(self, method: str, url: str, body: dict | None = None):
        return getattr(self, method.lower())(url, body)


@pytest.fixture
def api_as(db):
    """api_as(user) -> a client acting with a fresh token of `user`; api_as(None) sends no token."""

    def _as(user) -> ApiClient:
        if user is None:
            return ApiClient(None)
        _, raw = create_api_token(user, "t")
        return ApiClient(raw)

    return _as
