"""Two organisers answer the same suggestion at the same moment: one answer lands, the other is
refused with who answered first; never a silent overwrite. Real concurrency needs a server
database: on SQLite (one writer at a time) the test is skipped; CI runs it on PostgreSQL."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from kaohe.accounts.models import Role
from kaohe.conftest import make_user
from kaohe.consultation import actions
from kaohe.consultation.models import Disposition, Suggestion

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a database that writes concurrently")
def test_two_organisers_answering_at_once_never_lose_an_answer(people, consultation):
    second = make_user("admin2", Role.COMMITTEE_ADMIN, people.root)
    suggestion = actions.comment(people.staff_a, consultation, "建议提高党课分值")
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def answer(user, disposition, reason):
        try:
            start.wait()
            actions.answer(user, suggestion, disposition, reason, revision=0)
            outcomes[user.username] = "saved"
        except ValidationError as error:
            outcomes[user.username] = " ".join(error.messages)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=answer, args=(people.admin, Disposition.ADOPTED, "")),
        threading.Thread(target=answer, args=(second, Disposition.REJECTED, "分值已综合平衡")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(v == "saved" for v in outcomes.values()) == [False, True]
    winner = next(name for name, v in outcomes.items() if v == "saved")
    loser = next(v for v in outcomes.values() if v != "saved")
    stored = Suggestion.objects.get(pk=suggestion.pk)
    assert stored.answered_by is not None and stored.answered_by.username == winner and stored.revision == 1
    assert "请刷新后再处理" in loser
