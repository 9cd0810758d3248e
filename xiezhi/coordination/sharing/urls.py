from django.urls import path

from xiezhi.coordination.sharing import views

app_name = "sharing"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("new/", views.new, name="new"),
    path("subscriptions/", views.subscriptions, name="subscriptions"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/attachments/<int:att_id>/", views.attachment, name="attachment"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
