from django.urls import path

from kaohe.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_view, name="password"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("users/", views.users, name="users"),
    path("users/export.xlsx", views.users_export, name="users_export"),
    path("roles/export.xlsx", views.roles_export, name="roles_export"),
    path("users/<str:username>/active/", views.user_active, name="user_active"),
    path("users/<str:username>/reset/", views.user_reset, name="user_reset"),
    path("roles/", views.roles, name="roles"),
    path("roles/<int:assignment_id>/revoke/", views.role_revoke, name="role_revoke"),
    path("roles/unlock/<str:username>/", views.user_unlock, name="user_unlock"),
]
