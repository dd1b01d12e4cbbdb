"""Who holds which role where. Roles are read once per request and cached on the user object."""

from django.db.models import QuerySet

from kaohe.accounts.models import ROLE_CAPS, RoleAssignment, User


def role_assignments(user) -> list[RoleAssignment]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_kaohe_roles", None)
    if cached is None:
        cached = list(user.role_assignments.select_related("org"))
        user._kaohe_roles = cached
    return cached


def scope_roots(user, cap: str) -> list:
    """The org nodes under which `user` has capability `cap`, without nested duplicates."""
    nodes = [ra.org for ra in role_assignments(user) if cap in ROLE_CAPS[ra.role]]
    nodes.sort(key=lambda n: n.path)
    roots: list = []
    for node in nodes:
        if not any(node.path.startswith(r.path) for r in roots):
            roots.append(node)
    return roots


def has_cap(user, cap: str, org=None) -> bool:
    """Whether `user` has `cap` at all (org None) or over the given org node."""
    roots = scope_roots(user, cap)
    if org is None:
        return bool(roots)
    return any(org.path.startswith(r.path) for r in roots)


def roles_of(user) -> set[str]:
    return {ra.role for ra in role_assignments(user)}


def users_for_user(user, cap: str) -> QuerySet[User]:
    """Accounts a system or security admin may manage: those whose home org is in their scope."""
    from kaohe.orgs.models import OrgUnit

    roots = scope_roots(user, cap)
    if not roots:
        return User.objects.none()
    return User.objects.filter(org__in=OrgUnit.objects.subtree_of(*roots))
