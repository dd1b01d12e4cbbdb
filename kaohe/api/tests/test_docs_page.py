import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_nothing_from_the_internet(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/static/") or s.startswith("/api/") for s in sources), sources
