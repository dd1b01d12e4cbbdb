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


def test_a_change_of_kind_must_still_fit_the_children(city):
    with pytest.raises(ValidationError) as exc:
        actions.update_org(city.admin, city.ent_a, kind=OrgKind.BRANCH)  # EA has a branch below it
    assert "kind" in exc.value.error_dict and "企业A第一党支部" in str(exc.value)


def test_a_node_cannot_be_made_a_root_by_an_edit(city):
    with pytest.raises(ValidationError) as exc:
        actions.update_org(city.admin, city.ent_a, kind=OrgKind.COMMITTEE, parent=None)
    assert "parent" in exc.value.error_dict


def test_closing_goes_through_close_org_only(city):
    with pytest.raises(ValidationError) as exc:
        actions.update_org(city.admin, city.branch_a, active_to=datetime.date(2025, 1, 1))
    assert "active_to" in exc.value.error_dict


def test_a_founding_date_in_the_future_is_refused(city):
    from django.utils import timezone

    later = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        actions.update_org(city.admin, city.ent_a, active_from=later)
    assert "active_from" in exc.value.error_dict


def test_traditional_or_garbled_names_are_refused_in_forms_as_in_imports(city):
    with pytest.raises(ValidationError) as exc:
        actions.create_org(
            city.admin,
            code="EA-X",
            name="機關黨支部",
            kind=OrgKind.BRANCH,
            parent=city.ent_a,
            active_from=DAY,
        )
    assert "机关党支部" in str(exc.value.error_dict["name"])
    with pytest.raises(ValidationError) as exc:
        actions.create_person(city.staff_a, org=city.branch_a, name="张锟斤拷", gender="M")
    assert "name" in exc.value.error_dict


def test_a_closed_org_takes_no_new_people_children_or_merges(city):
    closed = actions.close_org(city.admin, city.branch_a, on=datetime.date(2025, 6, 30))
    with pytest.raises(ValidationError) as exc:
        actions.create_person(city.staff_a, org=closed, name="丁一", gender="M")
    assert "org" in exc.value.error_dict
    with pytest.raises(ValidationError):
        actions.update_person(city.admin, city.person_b, org=closed)
    with pytest.raises(ValidationError):
        actions.create_org(
            city.admin, code="EA-B1-G", name="小组", kind=OrgKind.GROUP, parent=closed, active_from=DAY
        )
    with pytest.raises(ValidationError) as exc:
        actions.close_org(city.admin, city.branch_b, on=datetime.date(2025, 7, 1), successors=[closed])
    assert "successors" in exc.value.error_dict


@pytest.mark.parametrize(
    ("birth", "join", "field"),
    [
        (datetime.date(2090, 1, 1), None, "birth_date"),
        (datetime.date(1990, 1, 1), datetime.date(2007, 12, 31), "join_date"),  # not yet eighteen
        (datetime.date(1990, 1, 1), datetime.date(2099, 1, 1), "join_date"),
    ],
)
def test_impossible_dates_are_refused(city, birth, join, field):
    with pytest.raises(ValidationError) as exc:
        actions.create_person(
            city.staff_a, org=city.branch_a, name="丁一", gender="M", birth_date=birth, join_date=join
        )
    assert list(exc.value.error_dict) == [field]
