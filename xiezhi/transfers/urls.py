from django.urls import path

from xiezhi.transfers import dashboard_views, views

app_name = "transfers"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.new, name="new"),
    path("copy-notices/", views.copy_notices, name="copy_notices"),
    path("copy-notices/<int:pk>/read/", views.read_copy, name="read_copy"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/materials/", views.upload, name="upload"),
    path("<int:pk>/materials/<int:material_id>/delete/", views.remove, name="remove_material"),
    path("<int:pk>/materials/<int:material_id>/file", views.material_file, name="material_file"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
