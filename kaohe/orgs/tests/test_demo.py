import io
from collections import Counter

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command

from kaohe.accounts.models import SEPARATED_ADMIN_ROLES, Role, RoleAssignment, User
from kaohe.audit.models import AuditEntry
from kaohe.orgs import id_numbers
from kaohe.orgs.actions import check_parent
from kaohe.orgs.demo import DEMO_PASSWORD, SCALES, build_city, plan_city
from kaohe.orgs.models import Gender, MemberStatus, OrgKind, OrgUnit, Person, path_segment

SMALL = SCALES["small"]


@pytest.fixture
def small_city(db):
    return build_city(7, **SMALL)


def test_it_computes_the_id_check_digit_of_the_standard_example():
    assert id_numbers.check_digit("11010519491231002") == "X"  # the worked example of GB 11643-1999
    assert id_numbers.is_valid("11010519491231002X")
    assert not id_numbers.is_valid("110105194912310021")


def test_it_places_every_node_under_its_parent(small_city):
    nodes = {o.pk: o for o in OrgUnit.objects.all()}
    for node in nodes.values():
        parent = nodes[node.parent_id] if node.parent_id else None
        check_parent(node.kind, parent)
        if parent is None:
            assert (node.path, node.depth, node.enterprise_id) == (path_segment(node.pk), 0, None)
            continue
        assert node.path == parent.path + path_segment(node.pk)
        assert node.depth == parent.depth + 1
        assert node.enterprise_id == (node.pk if parent.parent_id is None else parent.enterprise_id)
        assert node.code.startswith(parent.code) and node.active_from >= parent.active_from


def test_it_builds_every_kind_of_node_with_unique_codes(small_city):
    codes = list(OrgUnit.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert set(OrgUnit.objects.values_list("kind", flat=True)) == set(OrgKind.values)
    assert OrgUnit.objects.filter(kind=OrgKind.ENTERPRISE).count() == SMALL["enterprises"]
    assert OrgUnit.objects.active().filter(kind=OrgKind.BRANCH).count() == SMALL["branches"]
    assert Person.objects.count() == SMALL["members"] == small_city.people


def test_it_gives_every_branch_a_secretary_from_its_members(small_city):
    for branch in OrgUnit.objects.active().filter(kind=OrgKind.BRANCH):
        assert branch.people.filter(position="书记", name=branch.secretary).exists()
        assert not branch.people.filter(position="书记", status=MemberStatus.PROBATIONARY).exists()


def test_it_keeps_the_history_of_a_merge_and_a_split(small_city):
    closed = OrgUnit.objects.filter(active_to__isnull=False).prefetch_related("successors")
    successor_counts = sorted(len(org.successors.all()) for org in closed)
    assert successor_counts == [1, 1, 2]
    merged = [org for org in closed if len(org.successors.all()) == 1]
    assert merged[0].successors.get() == merged[1].successors.get()
    for org in closed:
        assert org.active_to is not None and not org.people.exists()
        assert all(s.active_from > org.active_to and s.is_active for s in org.successors.all())


def test_it_issues_unique_valid_id_numbers_that_match_the_person(small_city):
    people = list(Person.objects.all())
    numbers = [p.id_number for p in people]
    assert len(set(numbers)) == len(numbers) == len({p.id_number_digest for p in people})
    for person, number in zip(people, numbers, strict=True):
        assert id_numbers.is_valid(number) and person.birth_date is not None
        assert number[6:14] == person.birth_date.strftime("%Y%m%d")
        assert int(number[16]) % 2 == (1 if person.gender == Gender.MALE else 0)
        assert len(person.phone) == 11 and person.phone.startswith("1") and person.phone.isdigit()
        assert person.name_pinyin


def test_it_gives_every_role_a_user_and_keeps_the_three_admins_apart(small_city):
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    admins = RoleAssignment.objects.filter(role__in=SEPARATED_ADMIN_ROLES)
    assert admins.values("user").distinct().count() == 3
    for ra in admins:
        assert ra.user.role_assignments.count() == 1


def test_it_lets_demo_users_sign_in_at_once_except_the_newcomer(small_city):
    assert len(small_city.logins) == User.objects.count()
    for user in User.objects.all():
        validate_password(DEMO_PASSWORD, user)
        assert user.check_password(DEMO_PASSWORD)
        assert user.must_change_password == (user.username == "newcomer")


def test_it_writes_one_audit_row_for_the_bulk_load(small_city):
    actions = Counter(AuditEntry.objects.values_list("action", flat=True))
    assert actions["demo.load"] == 1
    assert actions["org.create"] == actions["person.create"] == 0
    assert actions["user.create"] == actions["role.grant"] == len(small_city.logins)


def test_it_refuses_to_build_over_existing_organisations(small_city):
    with pytest.raises(ValueError, match="without organisations"):
        build_city(8, **SMALL)


def test_it_draws_the_same_city_from_the_same_seed():
    assert plan_city(3, **SMALL) == plan_city(3, **SMALL)
    assert plan_city(3, **SMALL).people != plan_city(4, **SMALL).people


def test_it_sizes_the_full_city_like_a_real_one():
    plan = plan_city()
    kinds = Counter(o.kind for o in plan.orgs if o.active_to is None)
    assert kinds[OrgKind.ENTERPRISE] == 24 and kinds[OrgKind.BRANCH] == 600
    assert 50 <= kinds[OrgKind.COMMITTEE_SUB] + kinds[OrgKind.GENERAL_BRANCH] <= 70
    assert len(plan.people) == 12000
    assert len({o.code for o in plan.orgs}) == len(plan.orgs)


def test_every_demo_person_passes_the_rules_a_user_must_pass():
    # Otherwise an export of the demo data would not re-import.
    from kaohe.orgs.demo import AS_OF
    from kaohe.orgs.models import person_date_problems
    from kaohe.orgs.text import text_problem

    plan = plan_city()
    assert [p for p in plan.people if person_date_problems(p.birth_date, p.join_date, AS_OF)] == []
    assert [p.name for p in plan.people if text_problem(p.name)] == []
    assert [o.name for o in plan.orgs if text_problem(o.name) or text_problem(o.secretary)] == []


def _demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", "--scale", "small", *args, stdout=out)
    return out.getvalue()


def test_the_command_prepares_an_empty_database_and_prints_the_logins(db):
    output = _demo("--port", "8123")
    assert "http://127.0.0.1:8123/" in output
    assert OrgUnit.objects.filter(code="ML").exists()
    for line in ("admin", "sysadmin", "newcomer", DEMO_PASSWORD, "支部书记"):
        assert line in output


def test_the_command_builds_only_on_the_first_run(db):
    _demo()
    before = OrgUnit.objects.count()
    assert "nothing generated" in _demo("--seed", "9")
    assert OrgUnit.objects.count() == before
    assert AuditEntry.objects.filter(action="demo.load").count() == 1


# flush (TRUNCATE) cannot run inside the test transaction on PostgreSQL
def test_the_command_starts_over_with_reset(transactional_db):
    _demo()
    User.objects.filter(username="admin").update(username="renamed")
    _demo("--reset")
    assert User.objects.filter(username="admin").exists()
    assert not User.objects.filter(username="renamed").exists()
    assert AuditEntry.objects.filter(action="demo.load").count() == 1
