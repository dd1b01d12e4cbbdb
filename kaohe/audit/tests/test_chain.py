import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kaohe.audit.models import AppendOnly, AuditEntry
from kaohe.audit.queries import verify_chain
from kaohe.orgs import actions

pytestmark = pytest.mark.django_db


def _raw(sql: str, params=()):
    # Tampering goes around the model on purpose: that is what an attacker with database access does.
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("%T", AuditEntry._meta.db_table), params)


def _some_writes(city):
    actions.update_org(city.staff_a, city.branch_a, name="企业A第一党支部（机关）")
    actions.update_person(city.staff_a, city.person_a, position="组织委员")


def test_every_write_is_recorded_with_actor_old_and_new(city):
    _some_writes(city)
    entry = AuditEntry.objects.filter(action="org.update").get()
    assert entry.actor == city.staff_a
    assert entry.old == {"name": "企业A第一党支部"} and entry.new == {"name": "企业A第一党支部（机关）"}
    assert entry.org_path == city.branch_a.path


def test_an_intact_chain_verifies(city, capsys):
    _some_writes(city)
    count, problems = verify_chain()
    assert count == AuditEntry.objects.count() > 5 and problems == []
    call_command("audit", "verify")
    assert "audit chain OK" in capsys.readouterr().out


def test_it_detects_an_edited_row(city):
    _some_writes(city)
    victim = AuditEntry.objects.get(action="org.update")
    _raw("UPDATE %T SET actor_name = %s WHERE id = %s", ["someone_else", victim.pk])
    _count, problems = verify_chain()
    assert [p.seq for p in problems] == [victim.seq]
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("audit", "verify")


def test_it_detects_an_edited_json_value(city):
    _some_writes(city)
    victim = AuditEntry.objects.get(action="person.update")
    _raw("UPDATE %T SET new = %s WHERE id = %s", ['{"position": "书记"}', victim.pk])
    assert [p.seq for p in verify_chain()[1]] == [victim.seq]


def test_it_detects_a_deleted_row(city):
    _some_writes(city)
    victim = AuditEntry.objects.order_by("seq")[3]
    _raw("DELETE FROM %T WHERE id = %s", [victim.pk])
    problems = verify_chain()[1]
    assert problems and problems[0].seq == victim.seq


def test_it_detects_a_cut_off_tail(city):
    _some_writes(city)
    last = AuditEntry.objects.order_by("-seq")[0]
    _raw("DELETE FROM %T WHERE id = %s", [last.pk])
    assert "tail" in verify_chain()[1][-1].problem


def test_entries_cannot_be_changed_or_deleted_through_the_model(city):
    entry = AuditEntry.objects.order_by("seq")[0]
    entry.actor_name = "x"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()


def test_it_records_the_source_ip_of_a_web_write(city, login):
    client = login(city.staff_a)
    client.post(
        f"/orgs/{city.branch_a.code}/close/",
        {"on": datetime.date(2026, 1, 1).isoformat()},
        REMOTE_ADDR="10.1.2.3",
    )
    assert AuditEntry.objects.get(action="org.close").ip == "10.1.2.3"
