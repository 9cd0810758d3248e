from django.urls import path

from xiezhi.intake import views, views_clients

app_name = "intake"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.new, name="new"),
    path("suggest/", views.suggest, name="suggest"),
    path("quality/", views.dispatch_quality, name="quality"),
    path("callbacks/", views.callback_log, name="callbacks"),
    path("import/", views.batch_import, name="import"),
    path("clients/", views_clients.client_list, name="clients"),
    path("clients/export.csv", views_clients.client_export, name="client_export"),
    path("clients/new/", views_clients.client_new, name="client_new"),
    path("clients/<int:pk>/", views_clients.client_detail, name="client_detail"),
    path("clients/<int:pk>/rotate/", views_clients.client_rotate, name="client_rotate"),
    path("clients/<int:pk>/deactivate/", views_clients.client_deactivate, name="client_deactivate"),
    path("clients/<int:pk>/callback-url/", views_clients.client_callback_url, name="client_callback_url"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reporter/", views.reporter, name="reporter"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
