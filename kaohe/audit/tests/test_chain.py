import datetime
import hashlib
import hmac
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kaohe.audit.actions import write_anchor
from kaohe.audit.models import AppendOnly, AuditEntry, AuditHead, canonical
from kaohe.audit.queries import verify_chain
from kaohe.orgs import actions

pytestmark = pytest.mark.django_db


def _raw(sql: str, params=()):
    # Tampering goes around the model on purpose: that is what an attacker with database access does.
    # On PostgreSQL they would first have to disable the append-only trigger (undone with the test).
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql.replace("%T", AuditEntry._meta.db_table), params)


def _reforge_from(seq: int, key: str) -> None:
    """Recompute every hash from `seq` on with `key`, as an attacker would after an edit."""
    prev = AuditEntry.objects.get(seq=seq - 1).hash
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        entry.prev_hash = prev
        body = json.loads(canonical(entry.payload()))
        entry.hash = hmac.new(key.encode(), (prev + canonical(body)).encode(), hashlib.sha256).hexdigest()
        _raw("UPDATE %T SET prev_hash = %s, hash = %s WHERE id = %s", [entry.prev_hash, entry.hash, entry.pk])
        prev = entry.hash
    AuditHead.objects.filter(id=1).update(hash=prev)


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


def test_a_chain_rebuilt_without_the_key_is_detected(city):
    _some_writes(city)
    victim = AuditEntry.objects.get(action="org.update")
    _raw("UPDATE %T SET actor_name = %s WHERE id = %s", ["someone_else", victim.pk])
    _reforge_from(victim.seq, key="a-guess-at-the-key")
    problems = verify_chain(anchors=[])[1]
    assert problems and problems[0].seq == victim.seq


def test_an_anchor_catches_a_cut_off_tail_that_the_chain_cannot(city, settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = tmp_path / "anchors.log"
    _some_writes(city)
    seq, _hash = write_anchor() or (0, "")
    keep = seq - 2
    _raw("DELETE FROM %T WHERE seq > %s", [keep])
    # A careful attacker also winds the head back, so the chain itself looks whole...
    AuditHead.objects.filter(id=1).update(seq=keep, hash=AuditEntry.objects.get(seq=keep).hash)
    assert verify_chain(anchors=[])[1] == []
    # ...but the anchor kept outside the database remembers the entry that is gone.
    problems = verify_chain()[1]
    assert [p.seq for p in problems] == [seq] and "anchor" in problems[0].problem


def test_the_anchor_command_and_verify_read_the_same_file(city, settings, tmp_path, capsys):
    settings.AUDIT_ANCHOR_FILE = tmp_path / "anchors.log"
    _some_writes(city)
    call_command("audit", "anchor")
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "anchored entry #" in out and "audit chain OK" in out


def test_postgresql_itself_refuses_to_change_an_entry(city):
    from django.db import DatabaseError, transaction

    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL (see migration 0002)")
    entry = AuditEntry.objects.order_by("seq")[0]
    for sql in (
        "UPDATE audit_auditentry SET actor_name = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
