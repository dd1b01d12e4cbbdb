"""The navigation a user sees follows their roles."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kaohe.accounts.models import Cap, Role
from kaohe.accounts.queries import has_cap, role_assignments

# (url name, label, icon, capability needed)
NAV = [
    ("home", _("首页"), "house", None),
    ("orgs:tree", _("组织架构"), "diagram-3", Cap.VIEW_ORGS),
    ("orgs:people", _("党员与人员"), "people", Cap.VIEW_PEOPLE),
    ("ledgers:index", _("党建台账"), "journal-bookmark", Cap.VIEW_LEDGERS),
    ("cycles:list", _("考核周期"), "clipboard-check", Cap.VIEW_CYCLES),
    ("documents:list", _("考核办法"), "file-earmark-text", Cap.VIEW_CYCLES),
    ("consultation:list", _("征求意见"), "chat-square-text", Cap.VIEW_CYCLES),
    ("measures:list", _("评分细则"), "list-ol", Cap.VIEW_CYCLES),
    ("discipline:list", _("违纪案件"), "shield-exclamation", Cap.MANAGE_DISCIPLINE),
    ("accounts:users", _("账号管理"), "person-gear", Cap.MANAGE_USERS),
    ("accounts:roles", _("角色授权"), "shield-lock", Cap.MANAGE_ROLES),
    ("audit:list", _("审计日志"), "journal-text", Cap.VIEW_AUDIT),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"url": reverse(name), "label": label, "icon": icon, "active": request.path == reverse(name)}
        for name, label, icon, cap in NAV
        if cap is None or has_cap(user, cap)
    ]
    roles = [(ra.get_role_display(), ra.org.short_name or ra.org.name) for ra in role_assignments(user)]
    return {"nav_items": items, "my_roles": roles, "Role": Role}
