from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "xiezhi.transfers"
    label = "transfers"
    verbose_name = "案件移送"

    def ready(self) -> None:
        from xiezhi.core import navigation
        from xiezhi.documents.access import register_visibility
        from xiezhi.transfers.access import can_see
        from xiezhi.transfers.models import Transfer

        register_visibility(Transfer, can_see)
        navigation.register("案件移送", "transfers:inbox", 20)
        navigation.register("移送统计", "transfers:dashboard", 21)
