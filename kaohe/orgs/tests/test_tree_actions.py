import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaohe.orgs import actions
from kaohe.orgs.models import OrgKind, OrgUnit, Person

pytestmark = pytest.mark.django_db
DAY = datetime.date(2021, 3, 1)


def _chain(parent, depth: int):
    """A branch hanging `depth` general branches below `parent`."""
    node = parent
    for i in range(depth):
        node = actions.create_org(
            None,
            code=f"{parent.code}-G{i}",
            name=f"第{i}党总支",
            kind=OrgKind.COMMITTEE_SUB,
            parent=node,
            active_from=DAY,
        )
    return node


def test_a_subtree_is_one_query_whatever_the_depth(city):
    leaf = _chain(city.ent_a, 8)
    with CaptureQueriesContext(connection) as ctx:
        codes = list(OrgUnit.objects.subtree_of(city.ent_a).values_list("code", flat=True))
    assert len(ctx.captured_queries) == 1
    assert leaf.code in codes and "EB" not in codes and len(codes) == 10


def test_moving_a_node_moves_its_subtree(city):
    sub = actions.create_org(
        city.admin,
        code="EA-S",
        name="二级党委",
        kind=OrgKind.COMMITTEE_SUB,
        parent=city.ent_a,
        active_from=DAY,
    )
    branch = actions.create_org(
        city.admin, code="EA-S-B", name="支部", kind=OrgKind.BRANCH, parent=sub, active_from=DAY
    )
    actions.update_org(city.admin, sub, parent=city.ent_b)
    branch.refresh_from_db()
    assert branch.path.startswith(city.ent_b.path) and branch.enterprise == city.ent_b
    assert branch.depth == 3


def test_it_refuses_a_move_that_makes_a_cycle(city):
    sub = actions.create_org(
        city.admin,
        code="EA-S",
        name="二级党委",
        kind=OrgKind.COMMITTEE_SUB,
        parent=city.ent_a,
        active_from=DAY,
    )
    inner = actions.create_org(
        city.admin, code="EA-S2", name="下级二级党委", kind=OrgKind.COMMITTEE_SUB, parent=sub, active_from=DAY
    )
    with pytest.raises(ValidationError) as exc:
        actions.update_org(city.admin, sub, parent=inner)
    assert "parent" in exc.value.error_dict


def test_it_refuses_a_kind_that_cannot_sit_under_its_parent(city):
    with pytest.raises(ValidationError) as exc:
        actions.create_org(
            city.admin, code="X", name="x", kind=OrgKind.GENERAL_BRANCH, parent=city.branch_a, active_from=DAY
        )
    assert "kind" in exc.value.error_dict


def test_a_user_cannot_write_outside_their_subtree(city):
    with pytest.raises(PermissionDenied):
        actions.create_org(
            city.staff_b, code="X", name="x", kind=OrgKind.BRANCH, parent=city.ent_a, active_from=DAY
        )
    with pytest.raises(PermissionDenied):
        actions.update_org(city.viewer_a, city.branch_a, name="x")


def test_closing_a_merged_node_keeps_its_history(city):
    new = actions.create_org(
        city.admin, code="EA-B2", name="合并后支部", kind=OrgKind.BRANCH, parent=city.ent_a, active_from=DAY
    )
    actions.close_org(city.admin, city.branch_a, on=datetime.date(2025, 6, 30), successors=[new])
    old = OrgUnit.objects.get(code="EA-B1")
    assert old.active_to == datetime.date(2025, 6, 30) and not old.is_active
    assert list(new.predecessors.all()) == [old]
    assert old in OrgUnit.objects.active_on(datetime.date(2025, 6, 29))
    assert old not in OrgUnit.objects.active()


def test_personal_numbers_are_encrypted_at_rest_and_masked(city):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT phone_enc, id_number_enc FROM {Person._meta.db_table} WHERE id = %s", [city.person_a.pk]
        )
        phone_enc, id_enc = cursor.fetchone() or ("", "")
    assert "13800001111" not in phone_enc and "1232" not in id_enc
    assert city.person_a.phone == "13800001111"
    assert city.person_a.phone_masked == "138****1111"
    assert city.person_a.id_number_masked == "110***********1232"


def test_an_id_number_is_registered_once(city):
    with pytest.raises(ValidationError) as exc:
        actions.create_person(
            city.staff_b, org=city.branch_b, name="重复", gender="F", id_number="110101198001011232"
        )
    assert "id_number" in exc.value.error_dict


def test_person_changes_are_audited_without_clear_numbers(city):
    from kaohe.audit.models import AuditEntry

    actions.update_person(city.staff_a, city.person_a, phone="13900002222")
    entry = AuditEntry.objects.get(action="person.update")
    assert entry.new is not None and "13900002222" not in str(entry.new)
    assert entry.new["phone"].startswith("***")


def test_it_refuses_an_id_number_with_a_wrong_check_digit(city):
    with pytest.raises(ValidationError) as exc:
        actions.create_person(
            city.staff_a, org=city.branch_a, name="李四", gender="F", id_number="110101198001011234"
        )
    assert "校验位" in str(exc.value.error_dict["id_number"])


@pytest.mark.parametrize("code", ["people", "New", "a b", "机关", "-x"])
def test_it_refuses_codes_that_cannot_sit_in_a_url(city, code):
    with pytest.raises(ValidationError) as exc:
        actions.create_org(
            city.admin, code=code, name="x", kind=OrgKind.BRANCH, parent=city.ent_a, active_from=DAY
        )
    assert "code" in exc.value.error_dict
