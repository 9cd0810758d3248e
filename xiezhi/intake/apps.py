from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "xiezhi.intake"
    label = "intake"
    verbose_name = "投诉举报"

    def ready(self) -> None:
        from xiezhi.core import navigation
        from xiezhi.intake.clients import can_manage

        navigation.register("投诉举报", "intake:list", 15)
        navigation.register("12345客户端", "intake:clients", 910, can_manage)
