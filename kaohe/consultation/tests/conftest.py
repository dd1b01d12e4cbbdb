import datetime

import pytest
from django.utils import timezone

from kaohe.accounts.models import Role
from kaohe.api.tests.conftest import api_as  # noqa: F401 (a fixture: the API as a user)
from kaohe.conftest import make_user
from kaohe.consultation import actions
from kaohe.cycles.tests.conftest import SMALL_SCHEME, city_cycle, small_scheme  # noqa: F401 (fixtures shared with the cycle tests)
from kaohe.engine.text_form import load_scheme
from kaohe.measures.actions import add_scheme_version
from kaohe.measures.actions import documents as document_actions
from kaohe.measures.outline import ARTICLE, CHAPTER, CLAUSE, Outline, OutlineNode


def draft_outline() -> Outline:
    return Outline(
        "明澜市党建工作目标责任制考核办法",
        "（征求意见稿）",
        [
            OutlineNode(
                CHAPTER,
                1,
                "总则",
                children=[
                    OutlineNode(ARTICLE, 1, text="为压实党建工作责任，制定本办法。"),
                    OutlineNode(ARTICLE, 2, text="本办法适用于市属国有企业党委。"),
                ],
            ),
            OutlineNode(
                CHAPTER,
                2,
                "考核内容",
                children=[
                    OutlineNode(
                        ARTICLE,
                        3,
                        text="考核内容包括：",
                        children=[
                            OutlineNode(CLAUSE, 1, text="党的政治建设；"),
                            OutlineNode(CLAUSE, 2, text="基层组织建设，党课每年不少于4次。"),
                        ],
                    ),
                    OutlineNode(ARTICLE, 4, text="考核实行百分制，另设加分项和否决项。"),
                ],
            ),
        ],
    )


@pytest.fixture
def people(city):
    city.viewer_c = make_user("viewer_c", Role.OBSERVER, city.root)
    city.staff_a2 = make_user("staff_a2", Role.PARTY_STAFF, city.ent_a)
    return city


@pytest.fixture
def draft(people):
    # Next version of the small scheme: a city_cycle (version 1) may sit beside it.
    scheme = add_scheme_version(
        None, people.root, load_scheme(SMALL_SCHEME.replace("version: 1", "version: 2"))
    )
    version = document_actions.create_document(None, people.root, "考核办法", "measures", draft_outline())
    return document_actions.attach_scheme(None, version, scheme)


@pytest.fixture
def consultation(people, draft):
    deadline = timezone.now() + datetime.timedelta(days=7)
    return actions.open_round(
        people.admin,
        draft,
        title="征求意见",
        deadline=deadline,
        people=[(people.staff_a, people.ent_a, False), (people.staff_a2, people.ent_a, True)],
    )


def clause_key(version, text_start: str) -> str:
    return str(version.clauses.get(text__startswith=text_start).key)
