from django.urls import path

from xiezhi.accounts import views, views_manage, views_tokens

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("otp/", views.otp_view, name="otp"),
    path("otp/qr.svg", views.otp_qr_view, name="otp_qr"),
    path("otp/remove/", views.otp_remove_view, name="otp_remove"),
    path("me/", views.me_view, name="me"),
    path("tokens/", views_tokens.tokens_view, name="tokens"),
    path("tokens/<int:pk>/revoke/", views_tokens.token_revoke_view, name="token_revoke"),
    path("manage/", views_manage.manage_list, name="manage"),
    path("manage/export.csv", views_manage.manage_export, name="manage_export"),
    path("manage/new/", views_manage.manage_new, name="manage_new"),
    path("manage/<int:pk>/", views_manage.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/<slug:action>/", views_manage.manage_action, name="manage_action"),
]
