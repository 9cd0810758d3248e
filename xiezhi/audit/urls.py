from django.urls import path

from xiezhi.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("<int:event_id>/", views.event_detail, name="detail"),
    path("export.csv", views.export_csv, name="export"),
    path("verify/", views.verify, name="verify"),
]
