"""List pages cost a fixed number of queries, however large the tree."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.orgs import actions
from kaohe.orgs.models import OrgKind

pytestmark = pytest.mark.django_db
# Every page pays 6: session read, user, roles, and the sliding session's save (savepoint, update, release).
BUDGETS = {
    reverse("orgs:tree"): 9,  # + visible nodes, subtree orgs, subtree member counts
    reverse("orgs:children", args=["EA"]): 10,  # + the node, its children, two counts
    reverse("orgs:detail", args=["EA"]): 14,  # + node, children, counts, ancestors, people, merges
    reverse("orgs:people"): 8,  # + count, page
    reverse("home"): 9,  # + subtree orgs, member counts, consultations awaiting an answer
}


def _grow(city, n: int):
    day = datetime.date(2022, 1, 1)
    for i in range(n):
        sub = actions.create_org(
            None,
            code=f"EA-S{i}",
            name=f"二级党委{i}",
            kind=OrgKind.COMMITTEE_SUB,
            parent=city.ent_a,
            active_from=day,
        )
        branch = actions.create_org(
            None, code=f"EA-S{i}-B", name=f"支部{i}", kind=OrgKind.BRANCH, parent=sub, active_from=day
        )
        actions.create_person(None, org=branch, name=f"党员{i}", gender="F")


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", list(BUDGETS))
def test_page_query_count_does_not_grow_with_the_tree(city, client, url):
    client.force_login(city.admin)
    small = _queries(client, url)
    _grow(city, 15)
    large = _queries(client, url)
    assert large == small <= BUDGETS[url]
