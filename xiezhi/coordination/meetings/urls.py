from django.urls import path

from xiezhi.coordination.meetings import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.new, name="new"),
    path("series/new/", views.new_series, name="new_series"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/items/<int:number>/done/", views.item_done, name="item_done"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
