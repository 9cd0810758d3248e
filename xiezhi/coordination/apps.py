from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "xiezhi.coordination"
    label = "coordination"
    verbose_name = "协调联动"

    def ready(self) -> None:
        from xiezhi.coordination.assistance.apps import register_assistance
        from xiezhi.coordination.disputes.access import can_see
        from xiezhi.coordination.models import Dispute
        from xiezhi.core import navigation
        from xiezhi.documents.access import register_visibility

        register_visibility(Dispute, can_see)
        navigation.register("执法争议", "disputes:list", 25)
        register_assistance()
