from django.urls import path

from xiezhi.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("otp/", views.password_change_view, name="otp"),
]
