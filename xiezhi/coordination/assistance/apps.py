"""Registration of the assistance, hazard and correction pages in the navigation and of their
documents' visibility."""

from __future__ import annotations


def register_assistance() -> None:
    from xiezhi.coordination.assistance.access import can_see_hazard, can_see_request
    from xiezhi.coordination.assistance.models import AssistanceRequest, HazardNotice
    from xiezhi.coordination.corrections.access import can_see_opinion
    from xiezhi.coordination.corrections.models import CorrectionOpinion
    from xiezhi.core import navigation
    from xiezhi.documents.access import register_visibility

    register_visibility(AssistanceRequest, can_see_request)
    register_visibility(HazardNotice, can_see_hazard)
    register_visibility(CorrectionOpinion, can_see_opinion)
    navigation.register("协助请求", "assistance:list", 26)
    navigation.register("隐患通报", "hazards:list", 27)
    navigation.register("纠错意见", "corrections:list", 31)
    navigation.register("监管执法反馈", "corrections:feedback_list", 32)
    navigation.register("证据互认", "corrections:evidence_list", 33)
