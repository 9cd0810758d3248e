from django.urls import path

from xiezhi.coordination.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/", views.new, name="new"),
    path("penalties/", views.penalties, name="penalties"),
    path("support/", views.supports, name="supports"),
    path("support/<int:pk>/", views.support_detail, name="support_detail"),
    path("support/<int:pk>/respond/", views.support_respond, name="support_respond"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
