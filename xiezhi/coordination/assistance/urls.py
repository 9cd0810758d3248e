from django.urls import path

from xiezhi.coordination.assistance import views

app_name = "assistance"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_new, name="new"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.request_act, name="act"),
]
