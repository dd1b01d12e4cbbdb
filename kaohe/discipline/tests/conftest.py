"""Discipline users for the city of kaohe/conftest.py, and a few cases in it.

- `disc_c` : discipline staff of the committee (sees every case)
- `disc_a` : discipline staff of enterprise A (sees A's cases only)
- `disc_b` : discipline staff of enterprise B (sees nothing of A: 404)
"""

import datetime

import pytest

from kaohe.accounts.models import Role
from kaohe.conftest import make_user
from kaohe.discipline import actions
from kaohe.discipline.models import Outcome


@pytest.fixture
def disc_c(city):
    return make_user("disc_c", Role.DISCIPLINE_STAFF, city.root)


@pytest.fixture
def disc_a(city):
    return make_user("disc_a", Role.DISCIPLINE_STAFF, city.ent_a)


@pytest.fixture
def disc_b(city):
    return make_user("disc_b", Role.DISCIPLINE_STAFF, city.ent_b)


@pytest.fixture
def case_a(city):
    """A warning for 张a (branch EA-B1), counted against the branch."""
    return actions.record_case(
        None,
        case_number="JC-2025-07",
        department="市纪委监委",
        person=city.person_a,
        outcome=Outcome.WARNING,
        decided_on=datetime.date(2025, 3, 5),
        summary="张a 违规收受礼品",
    )


@pytest.fixture
def case_b(city):
    """A talk reminder for 张b (branch EB-B1)."""
    return actions.record_case(
        None,
        case_number="QY-2025-01",
        department="企业纪委",
        person=city.person_b,
        outcome=Outcome.TALK_REMINDER,
        decided_on=datetime.date(2025, 4, 1),
    )
