"""Users, their roles scoped to an org subtree, and API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMITTEE_ADMIN = "committee_admin", _("工委管理员")
    ASSESSOR = "assessor", _("考核员")
    PARTY_STAFF = "party_staff", _("企业党务工作者")
    BRANCH_SECRETARY = "branch_secretary", _("支部书记")
    OBSERVER = "observer", _("只读观察员")
    DISCIPLINE_STAFF = "discipline_staff", _("纪检干部")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


class Cap(models.TextChoices):
    """What a role lets its holder do inside the subtree it is scoped to."""

    VIEW_ORGS = "view_orgs", _("查看组织")
    VIEW_PEOPLE = "view_people", _("查看人员")
    EDIT_ORGS = "edit_orgs", _("维护组织")
    EDIT_PEOPLE = "edit_people", _("维护人员")
    MANAGE_USERS = "manage_users", _("管理账号")
    MANAGE_ROLES = "manage_roles", _("分配角色")
    VIEW_AUDIT = "view_audit", _("查看审计日志")
    VIEW_CYCLES = "view_cycles", _("查看考核")
    MANAGE_CYCLES = "manage_cycles", _("组织考核")
    MANAGE_SCHEMES = "manage_schemes", _("维护评分细则")
    FILL_UNIT = "fill_unit", _("填报本单位考核材料")
    VIEW_LEDGERS = "view_ledgers", _("查看台账")
    EDIT_LEDGERS = "edit_ledgers", _("维护台账")
    SCORE = "score", _("考核评分")
    MANAGE_DISCIPLINE = "manage_discipline", _("管理违纪案件")


_BUSINESS_READ = {Cap.VIEW_ORGS, Cap.VIEW_PEOPLE, Cap.VIEW_CYCLES, Cap.VIEW_LEDGERS}
_UNIT_WORK = {Cap.FILL_UNIT, Cap.EDIT_LEDGERS}
ROLE_CAPS: dict[str, frozenset[str]] = {
    Role.COMMITTEE_ADMIN: frozenset(
        _BUSINESS_READ | {Cap.EDIT_ORGS, Cap.EDIT_PEOPLE, Cap.MANAGE_CYCLES, Cap.MANAGE_SCHEMES}
    ),
    # An enterprise's staff run their own cycles for their branches (一级考核一级).
    Role.PARTY_STAFF: frozenset(
        _BUSINESS_READ | _UNIT_WORK | {Cap.EDIT_ORGS, Cap.EDIT_PEOPLE, Cap.MANAGE_CYCLES, Cap.MANAGE_SCHEMES}
    ),
    Role.BRANCH_SECRETARY: frozenset(_BUSINESS_READ | _UNIT_WORK | {Cap.EDIT_PEOPLE}),
    Role.ASSESSOR: frozenset(_BUSINESS_READ | {Cap.SCORE}),
    Role.OBSERVER: frozenset(_BUSINESS_READ),
    # Cases name people: only discipline staff see them (DOMAIN.md §6).
    Role.DISCIPLINE_STAFF: frozenset(_BUSINESS_READ | {Cap.MANAGE_DISCIPLINE}),
    # 三员分立: the three administrators see the tree's structure to do their job, never its people.
    Role.SYSTEM_ADMIN: frozenset({Cap.VIEW_ORGS, Cap.MANAGE_USERS}),
    Role.SECURITY_ADMIN: frozenset({Cap.VIEW_ORGS, Cap.MANAGE_ROLES}),
    Role.AUDIT_ADMIN: frozenset({Cap.VIEW_ORGS, Cap.VIEW_AUDIT}),
}
SEPARATED_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


class User(AbstractUser):
    full_name = models.CharField(_("姓名"), max_length=40, blank=True)
    # The organisation the account belongs to (a user of enterprise A is one whose org is in A).
    org = models.ForeignKey(
        "orgs.OrgUnit",
        verbose_name=_("所属组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    must_change_password = models.BooleanField(_("首次登录须改密码"), default=True)
    failed_logins = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    password_changed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    org = models.ForeignKey(
        "orgs.OrgUnit", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org"],
                name="role_assignment_unique",
                violation_error_message=_("该用户在此范围内已有此角色"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.org}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for /api/v1/. Only its hash is stored; the raw value is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=60)
    prefix = models.CharField(max_length=8, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # A token lives for KAOHE_API_TOKEN_DAYS; a script that needs longer gets a new one.
    expires_at = models.DateTimeField(_("到期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_raw() -> str:
        return "kh_" + secrets.token_urlsafe(32)
