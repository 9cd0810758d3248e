from django.urls import path

from xiezhi.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("linkage/", views.linkage, name="linkage"),
]
