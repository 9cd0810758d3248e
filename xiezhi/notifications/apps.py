from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "xiezhi.notifications"
    label = "notifications"
    verbose_name = "通知"
