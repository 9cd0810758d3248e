from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "xiezhi.notifications"
    label = "notifications"
    verbose_name = "通知"

    def ready(self) -> None:
        from xiezhi.core import navigation
        from xiezhi.notifications import checks  # noqa: F401  (registers the system checks)
        from xiezhi.notifications.selectors import has_inbox

        navigation.register("通知", "notifications:inbox", 85, has_inbox)
        navigation.register(
            "通知投递日志", "notifications:deliveries", 910, lambda a: a.admin_role == "sysadmin"
        )
