from django.urls import path

from xiezhi.deadlines import views

app_name = "deadlines"
urlpatterns = [
    path("", views.my_tasks, name="my_tasks"),
    path("obligations/<int:pk>/", views.obligation_detail, name="obligation"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/override", views.calendar_override, name="calendar_override"),
    path("calendar/delete", views.calendar_delete, name="calendar_delete"),
    path("calendar/import", views.calendar_import, name="calendar_import"),
]
