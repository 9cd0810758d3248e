from django.apps import AppConfig


class CoordinationConfig(AppConfig):
    name = "xiezhi.coordination"
    label = "coordination"
    verbose_name = "协调联动"

    def ready(self) -> None:
        from xiezhi.coordination.disputes.access import can_see
        from xiezhi.coordination.models import Dispute
        from xiezhi.core import navigation
        from xiezhi.documents.access import register_visibility

        register_visibility(Dispute, can_see)
        navigation.register("执法争议", "disputes:list", 25)
        navigation.register("信息共享", "sharing:list", 27)
        from xiezhi.coordination.referrals.apps import ready as referrals_ready

        referrals_ready()

        # consultations and joint operations (issue #8 §3–§4)
        from xiezhi.coordination.meetings.access import can_see as can_see_meeting
        from xiezhi.coordination.models import Meeting

        register_visibility(Meeting, can_see_meeting)
        navigation.register("会商会议", "meetings:list", 26)
        navigation.register("联合执法", "operations:list", 27)
