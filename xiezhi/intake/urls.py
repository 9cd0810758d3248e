from django.urls import path

from xiezhi.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.new, name="new"),
    path("suggest/", views.suggest, name="suggest"),
    path("quality/", views.dispatch_quality, name="quality"),
    path("callbacks/", views.callback_log, name="callbacks"),
    path("import/", views.batch_import, name="import"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/reporter/", views.reporter, name="reporter"),
    path("<int:pk>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
