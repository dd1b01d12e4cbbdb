"""The three personas of DESIGN §3.3 on every endpoint: access, read-only, another enterprise."""

import pytest

from kaohe.api.tests.endpoints import READS, WRITES, url
from kaohe.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _writes_logged() -> int:
    return AuditEntry.objects.exclude(action="token.create").count()


@pytest.mark.parametrize(("method", "path", "body", "ok"), READS)
def test_reads_are_open_to_staff_and_to_the_read_only(city, api_as, method, path, body, ok):
    for persona in (city.staff_a, city.viewer_a):
        response = api_as(persona).request(method, url(path, city), body)
        assert response.status_code == ok, (persona, response.json())


@pytest.mark.parametrize(("method", "path", "body", "ok"), WRITES)
def test_staff_may_write_through_the_actions(city, api_as, method, path, body, ok):
    client = api_as(city.staff_a)
    before = _writes_logged()
    response = client.request(method, url(path, city), body)
    assert response.status_code == ok, response.json()
    # The action wrote its audit row, by the token's owner.
    assert _writes_logged() == before + 1
    assert AuditEntry.objects.latest("seq").actor == city.staff_a


@pytest.mark.parametrize(("method", "path", "body", "ok"), WRITES)
def test_the_read_only_gets_403_on_writes_and_nothing_changes(city, api_as, method, path, body, ok):
    client = api_as(city.viewer_a)
    before = _writes_logged()
    response = client.request(method, url(path, city), body)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert _writes_logged() == before


@pytest.mark.parametrize(("method", "path", "body", "ok"), READS + WRITES)
def test_another_enterprise_gets_404(city, api_as, method, path, body, ok):
    client = api_as(city.staff_b)
    before = _writes_logged()
    response = client.request(method, url(path, city), body)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert _writes_logged() == before


def test_the_committee_admin_sees_every_enterprise(city, api_as):
    codes = [o["code"] for o in api_as(city.admin).get("/api/v1/orgs").json()["items"]]
    assert codes == ["C", "EA", "EA-B1", "EB", "EB-B1"]
