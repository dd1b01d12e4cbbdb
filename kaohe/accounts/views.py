from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe.accounts import actions
from kaohe.accounts.forms import LoginForm, PasswordForm, ResetPasswordForm, RoleForm, TokenForm, UserForm
from kaohe.accounts.models import Cap, RoleAssignment, User
from kaohe.accounts.queries import has_cap, users_for_user
from kaohe.forms_errors import add_action_errors
from kaohe.orgs.queries import orgs_for_user
from kaohe.tables import table_xlsx, xlsx_response


def login_view(request):
    form = LoginForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        assert form.user is not None
        login(request, form.user)
        actions.note_login(form.user)
        target = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = ""
        return redirect(target or "home")
    return render(request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")


@login_required
def password_view(request):
    form = PasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_password(request.user, request.user, form.cleaned_data["new_password"])
        except ValidationError as exc:
            form.add_error("new_password", exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return redirect("home")
    return render(request, "accounts/password.html", {"form": form})


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = actions.create_api_token(request.user, form.cleaned_data["name"])
        form = TokenForm()
    mine = request.user.api_tokens.order_by("-created_at")
    return render(request, "accounts/tokens.html", {"form": form, "tokens": mine, "raw": raw})


@login_required
@require_POST
def revoke_token(request, token_id: int):
    token = get_object_or_404(request.user.api_tokens, pk=token_id, revoked_at__isnull=True)
    actions.revoke_api_token(request.user, token)
    messages.success(request, _("令牌已吊销。"))
    return redirect("accounts:tokens")


def _managed_user(request, username: str, cap: str) -> User:
    user = users_for_user(request.user, cap).filter(username=username).first()
    if user is None:
        raise Http404("no such user")
    return user


def _require_cap(request, cap: str) -> None:
    if not has_cap(request.user, cap):
        raise Http404("not here")


@login_required
def users(request):
    """System admin: accounts in scope (三员分立: no roles here, no audit log)."""
    _require_cap(request, Cap.MANAGE_USERS)
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = orgs_for_user(request.user, Cap.MANAGE_USERS).filter(code=data["org"]).first()
        if org is None:
            form.add_error("org", _("组织编码不存在或不在您的管理范围内"))
        else:
            try:
                actions.create_user(
                    request.user,
                    username=data["username"],
                    full_name=data["full_name"],
                    org=org,
                    password=data["password"],
                )
            except ValidationError as exc:
                add_action_errors(form, exc)
            else:
                messages.success(request, _("账号已创建，用户首次登录须修改密码。"))
                return redirect("accounts:users")
    q = request.GET.get("q", "").strip()
    rows = users_for_user(request.user, Cap.MANAGE_USERS).select_related("org").order_by("username")
    if q:
        rows = rows.filter(username__icontains=q) | rows.filter(full_name__icontains=q)
    return render(
        request,
        "accounts/users.html",
        {"form": form, "rows": rows[:500], "q": q, "reset_form": ResetPasswordForm()},
    )


@login_required
@require_POST
def user_active(request, username: str):
    user = _managed_user(request, username, Cap.MANAGE_USERS)
    try:
        actions.set_user_active(request.user, user, request.POST.get("active") == "1")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("accounts:users")


@login_required
@require_POST
def user_reset(request, username: str):
    user = _managed_user(request, username, Cap.MANAGE_USERS)
    form = ResetPasswordForm(request.POST)
    if form.is_valid():
        try:
            actions.reset_password(request.user, user, form.cleaned_data["password"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已重置 %(u)s 的密码。") % {"u": user.username})
    return redirect("accounts:users")


@login_required
def roles(request):
    """Security admin: grant and revoke roles over subtrees, unlock accounts."""
    _require_cap(request, Cap.MANAGE_ROLES)
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = users_for_user(request.user, Cap.MANAGE_ROLES).filter(username=data["username"]).first()
        org = orgs_for_user(request.user, Cap.MANAGE_ROLES).filter(code=data["org"]).first()
        if user is None:
            form.add_error("username", _("用户不存在或不在您的管理范围内"))
        if org is None:
            form.add_error("org", _("组织编码不存在或不在您的管理范围内"))
        if user is not None and org is not None:
            try:
                actions.assign_role(request.user, user, data["role"], org)
            except ValidationError as exc:
                add_action_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已授权。"))
                return redirect("accounts:roles")
    managed = users_for_user(request.user, Cap.MANAGE_ROLES)
    rows = (
        RoleAssignment.objects.filter(user__in=managed)
        .select_related("user", "org")
        .order_by("user__username", "role")
    )
    locked = [u for u in managed.filter(locked_until__isnull=False) if u.is_locked]
    return render(request, "accounts/roles.html", {"form": form, "rows": rows[:1000], "locked": locked})


@login_required
@require_POST
def role_revoke(request, assignment_id: int):
    _require_cap(request, Cap.MANAGE_ROLES)
    managed = users_for_user(request.user, Cap.MANAGE_ROLES)
    ra = get_object_or_404(
        RoleAssignment.objects.select_related("user", "org"), pk=assignment_id, user__in=managed
    )
    actions.revoke_role(request.user, ra)
    messages.success(request, _("已撤销授权。"))
    return redirect("accounts:roles")


@login_required
@require_POST
def user_unlock(request, username: str):
    user = _managed_user(request, username, Cap.MANAGE_ROLES)
    actions.unlock_user(request.user, user)
    messages.success(request, _("已解锁 %(u)s。") % {"u": user.username})
    return redirect("accounts:roles")


@login_required
def users_export(request):
    _require_cap(request, Cap.MANAGE_USERS)
    rows = users_for_user(request.user, Cap.MANAGE_USERS).select_related("org").order_by("username")
    columns = [
        (_("用户名"), 16),
        (_("姓名"), 12),
        (_("所属组织"), 36),
        (_("状态"), 8),
        (_("须改密码"), 10),
        (_("最近登录"), 18),
    ]
    data = (
        [
            u.username,
            u.full_name,
            str(u.org or ""),
            _("正常") if u.is_active else _("停用"),
            _("是") if u.must_change_password else "",
            _local(u.last_login),
        ]
        for u in rows.iterator()
    )
    return xlsx_response(table_xlsx(_("账号"), columns, data), _("账号"))


@login_required
def roles_export(request):
    _require_cap(request, Cap.MANAGE_ROLES)
    managed = users_for_user(request.user, Cap.MANAGE_ROLES)
    rows = (
        RoleAssignment.objects.filter(user__in=managed)
        .select_related("user", "org")
        .order_by("user__username", "role")
    )
    columns = [
        (_("用户名"), 16),
        (_("姓名"), 12),
        (_("角色"), 16),
        (_("范围"), 36),
        (_("范围编码"), 14),
        (_("授权时间"), 18),
    ]
    data = (
        [
            ra.user.username,
            ra.user.full_name,
            ra.get_role_display(),
            ra.org.name,
            ra.org.code,
            _local(ra.granted_at),
        ]
        for ra in rows.iterator()
    )
    return xlsx_response(table_xlsx(_("角色授权"), columns, data), _("角色授权"))


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None
