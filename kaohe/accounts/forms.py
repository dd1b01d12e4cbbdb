from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from kaohe.accounts.models import Role, User


class LoginForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput)

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user: User | None = None
        self.failed = False
        super().__init__(*args, **kwargs)

    def clean(self):
        from kaohe.accounts.actions import note_failed_login

        username = self.cleaned_data.get("username", "")
        password = self.cleaned_data.get("password", "")
        # One message for every failure, so the form does not tell which user names exist.
        failed = _("用户名或密码错误；多次失败后账号会被临时锁定。")
        known = User.objects.filter(username=username).first()
        if known is not None and known.is_locked:
            note_failed_login(username)
            raise forms.ValidationError(failed)
        user = authenticate(self.request, username=username, password=password)
        if user is None:
            note_failed_login(username)
            raise forms.ValidationError(failed)
        self.user = user
        return self.cleaned_data


class PasswordForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput)
    new_password = forms.CharField(
        label=_("新密码"),
        widget=forms.PasswordInput,
        help_text=_("至少 10 位，不能全为数字，不能与用户名相近。"),
    )
    new_password2 = forms.CharField(label=_("确认新密码"), widget=forms.PasswordInput)

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        if not self.user.check_password(self.cleaned_data["old_password"]):
            raise forms.ValidationError(_("原密码不正确。"))
        return self.cleaned_data["old_password"]

    def clean(self):
        a, b = self.cleaned_data.get("new_password"), self.cleaned_data.get("new_password2")
        if a and b and a != b:
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        if a and a == self.cleaned_data.get("old_password"):
            self.add_error("new_password", _("新密码不能与原密码相同。"))
        return self.cleaned_data


class TokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=60)


class UserForm(forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.@-]{3,150}$",
        error_messages={"invalid": _("只能用字母、数字和 _ . @ -，至少 3 位")},
    )
    full_name = forms.CharField(label=_("姓名"), max_length=40)
    org = forms.CharField(label=_("所属组织编码"), max_length=40)
    password = forms.CharField(
        label=_("初始密码"), widget=forms.PasswordInput, help_text=_("用户首次登录时必须修改。")
    )


class ResetPasswordForm(forms.Form):
    password = forms.CharField(label=_("新的初始密码"), widget=forms.PasswordInput)


class RoleForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    org = forms.CharField(label=_("范围（组织编码）"), max_length=40)
