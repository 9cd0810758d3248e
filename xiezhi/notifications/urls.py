from django.urls import path

from xiezhi.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read", views.read, name="read"),
    path("<int:pk>/open", views.open_notification, name="open"),
    path("read-all", views.read_all, name="read_all"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/requeue", views.requeue, name="requeue"),
]
