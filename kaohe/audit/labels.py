"""What each recorded action means, in words an audit admin reads (the code stays in the log)."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "auth.login": _("登录"),
    "auth.login_failed": _("登录失败"),
    "auth.lockout": _("账号锁定"),
    "auth.password_changed": _("修改密码"),
    "user.create": _("创建账号"),
    "user.activate": _("启用账号"),
    "user.deactivate": _("停用账号"),
    "user.password_reset": _("重置密码"),
    "user.unlock": _("解锁账号"),
    "role.grant": _("授予角色"),
    "role.revoke": _("撤销角色"),
    "token.create": _("生成 API 令牌"),
    "token.revoke": _("吊销 API 令牌"),
    "org.create": _("新建组织"),
    "org.update": _("修改组织"),
    "org.close": _("撤销组织"),
    "org.import": _("导入组织"),
    "person.create": _("添加人员"),
    "person.update": _("修改人员"),
    "person.import": _("导入人员"),
    "job.start": _("提交后台任务"),
    "audit.export": _("导出审计日志"),
    "demo.load": _("载入演示数据"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
