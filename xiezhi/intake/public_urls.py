from django.urls import path

from xiezhi.intake import public_views

app_name = "public_intake"
urlpatterns = [
    path("report/", public_views.report, name="report"),
    path("track/", public_views.track, name="track"),
]
