from django.urls import path

from xiezhi.coordination.assistance import views

app_name = "hazards"
urlpatterns = [
    path("", views.hazard_list, name="list"),
    path("new/", views.hazard_new, name="new"),
    path("<int:pk>/", views.hazard_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.hazard_act, name="act"),
]
