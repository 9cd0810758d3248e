from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "xiezhi.coordination"
    label = "coordination"
    verbose_name = "协调联动"

    def ready(self) -> None:
        # Each part registers its own menu entries and which documents its parties may download.
        from xiezhi.coordination.assistance.apps import register_assistance
        from xiezhi.coordination.disputes.access import can_see as can_see_dispute
        from xiezhi.coordination.meetings.access import can_see as can_see_meeting
        from xiezhi.coordination.models import Dispute, Meeting
        from xiezhi.coordination.referrals.apps import ready as register_referrals
        from xiezhi.core import navigation
        from xiezhi.documents.access import register_visibility

        register_visibility(Dispute, can_see_dispute)
        register_visibility(Meeting, can_see_meeting)
        navigation.register("执法争议", "disputes:list", 25)
        register_assistance()  # 26–27, 31–33
        navigation.register("会商会议", "meetings:list", 28)
        navigation.register("联合执法", "operations:list", 29)
        navigation.register("信息共享", "sharing:list", 30)
        register_referrals()  # 34
