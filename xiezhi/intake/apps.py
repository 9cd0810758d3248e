from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "xiezhi.intake"
    label = "intake"
    verbose_name = "投诉举报"

    def ready(self) -> None:
        from xiezhi.core import navigation

        navigation.register("投诉举报", "intake:list", 15)
