"""Account writes: sign-in bookkeeping, passwords, accounts, roles, API tokens."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.accounts.models import SEPARATED_ADMIN_ROLES, ApiToken, Cap, Role, RoleAssignment, User, hash_token
from kaohe.accounts.queries import has_cap
from kaohe.audit.actions import record

USER_FIELDS = ["username", "full_name", "org", "is_active", "must_change_password"]


@transaction.atomic
def note_failed_login(username: str) -> User | None:
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        # Guessing at names is recorded too; the name is cut short, it is untrusted input.
        record(
            None, "auth.login_failed", target_type="accounts.user", target_id="-", target_repr=username[:150]
        )
        return None
    user.failed_logins += 1
    locked = user.failed_logins >= settings.LOGIN_MAX_FAILURES
    if locked:
        user.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
        user.failed_logins = 0
    user.save(update_fields=["failed_logins", "locked_until"])
    record(None, "auth.lockout" if locked else "auth.login_failed", user, target_repr=user.username)
    return user


@transaction.atomic
def note_login(user: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=timezone.now())
    record(user, "auth.login", user, target_repr=user.username)


@transaction.atomic
def change_password(actor: User, user: User, new_password: str) -> None:
    if actor.pk != user.pk:
        raise PermissionDenied(_("只能修改自己的密码"))
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    record(actor, "auth.password_changed", user, target_repr=user.username)


def _require(actor, cap: str, org) -> None:
    if actor is not None and not has_cap(actor, cap, org):
        raise PermissionDenied(_("无权管理此范围内的账号"))


def _require_manageable(actor, user: User) -> None:
    """三员分立: no administrator can take over another's (or their own) account from the web.
    Administrator accounts are kept from the server's command line (kaohe changepassword)."""
    _require(actor, Cap.MANAGE_USERS, user.org)
    if actor is not None and (
        actor.pk == user.pk or user.role_assignments.filter(role__in=SEPARATED_ADMIN_ROLES).exists()
    ):
        raise PermissionDenied(_("管理员账号和自己的账号不能在此维护，请在服务器上用命令行处理（三员分立）"))


def _check_org_open(org) -> None:
    if org is not None and org.active_to is not None:
        raise ValidationError({"org": _("“%(name)s”已撤销") % {"name": org.name}})


@transaction.atomic
def create_user(
    actor, *, username: str, full_name: str, org, password: str, must_change_password: bool = True
) -> User:
    """Accounts are made by the system admin (三员分立); the password is a one-time one."""
    _require(actor, Cap.MANAGE_USERS, org)
    _check_org_open(org)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名已存在")})
    user = User(username=username, full_name=full_name, org=org, must_change_password=must_change_password)
    if actor is not None:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    record(
        actor,
        "user.create",
        user,
        target_repr=username,
        new={"username": username, "full_name": full_name, "org": str(org) if org else None},
    )
    return user


@transaction.atomic
def set_user_active(actor, user: User, active: bool) -> User:
    _require_manageable(actor, user)
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            _revoke_tokens(user)
        record(
            actor,
            "user.activate" if active else "user.deactivate",
            user,
            target_repr=user.username,
            old={"is_active": not active},
            new={"is_active": active},
        )
    return user


@transaction.atomic
def reset_password(actor, user: User, password: str) -> User:
    """Set a one-time password; the user must change it at the next sign-in."""
    _require_manageable(actor, user)
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    _revoke_tokens(user)  # a reset means the account may be in other hands: its tokens go too
    record(actor, "user.password_reset", user, target_repr=user.username)
    return user


@transaction.atomic
def unlock_user(actor, user: User) -> User:
    _require(actor, Cap.MANAGE_ROLES, user.org)
    User.objects.filter(pk=user.pk).update(locked_until=None, failed_logins=0)
    record(actor, "user.unlock", user, target_repr=user.username)
    user.refresh_from_db()
    return user


@transaction.atomic
def assign_role(actor, user: User, role: str, org) -> RoleAssignment:
    """Grant a role over a subtree. The three administrator roles never meet in one person."""
    _require(actor, Cap.MANAGE_ROLES, org)
    if actor is not None and actor.pk == user.pk:
        raise PermissionDenied(_("不能给自己授权"))
    if role not in Role.values:
        raise ValidationError({"role": _("未知角色：%(role)s") % {"role": role}})
    held = set(user.role_assignments.values_list("role", flat=True))
    if role in SEPARATED_ADMIN_ROLES and (held & SEPARATED_ADMIN_ROLES) - {role}:
        raise ValidationError({"role": _("系统管理员、安全管理员、审计管理员须由不同人员担任（三员分立）")})
    if role in SEPARATED_ADMIN_ROLES and held - SEPARATED_ADMIN_ROLES:
        raise ValidationError({"role": _("三员账号不能同时承担业务角色")})
    if role not in SEPARATED_ADMIN_ROLES and held & SEPARATED_ADMIN_ROLES:
        raise ValidationError({"role": _("三员账号不能同时承担业务角色")})
    _check_org_open(org)
    if RoleAssignment.objects.filter(user=user, role=role, org=org).exists():
        raise ValidationError({"role": _("该用户在此范围内已有此角色")})
    ra = RoleAssignment.objects.create(user=user, role=role, org=org)
    record(
        actor,
        "role.grant",
        user,
        target_repr=user.username,
        org_path=org.path,
        new={"role": role, "org": org.code},
    )
    return ra


@transaction.atomic
def revoke_role(actor, assignment: RoleAssignment) -> None:
    _require(actor, Cap.MANAGE_ROLES, assignment.org)
    record(
        actor,
        "role.revoke",
        assignment.user,
        target_repr=assignment.user.username,
        org_path=assignment.org.path,
        old={"role": assignment.role, "org": assignment.org.code},
    )
    assignment.delete()


def _revoke_tokens(user: User) -> None:
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def create_api_token(actor: User, name: str) -> tuple[ApiToken, str]:
    """A token acts with its owner's roles. Returns the raw value, which is never stored."""
    raw = ApiToken.new_raw()
    token = ApiToken.objects.create(
        expires_at=timezone.now() + timedelta(days=settings.API_TOKEN_DAYS),
        user=actor,
        name=name.strip() or "API",
        prefix=raw[3:11],
        digest=hash_token(raw),
    )
    record(actor, "token.create", actor, target_repr=f"{actor.username}: {token.name}")
    return token, raw


@transaction.atomic
def revoke_api_token(actor: User, token: ApiToken) -> None:
    if token.user_id != actor.pk:
        raise PermissionDenied(_("只能吊销自己的令牌"))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(actor, "token.revoke", actor, target_repr=f"{actor.username}: {token.name}")
