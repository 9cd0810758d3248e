"""Demo correction opinions, feedback and an evidence citation for 示例县 (after the transfers).

1. 城市管理局 → 城关镇: a correction opinion awaiting the rectification answer (copied to 司法局).
2. 城关镇 → 市场监督管理局: an outcome with a management loophole, awaiting the answer.
3. 自然资源和规划局 → 河西镇: a matter needing enforcement, answered with the result.
4. 市场监督管理局 cites a photo from 城关镇's transfer by its hash (证据互认).

Idempotent: nothing is done when the demo county already has a correction opinion.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from xiezhi.coordination.corrections import services
from xiezhi.coordination.corrections.models import CorrectionOpinion
from xiezhi.rulebook.workdays import WorkCalendar
from xiezhi.transfers.demo import COUNTY_CODE, _actor, _unit
from xiezhi.transfers.models import TransferMaterial
from xiezhi.units.models import County


def load_corrections(ctx: Any) -> None:
    write = getattr(ctx, "write", print)
    county = County.objects.filter(code=COUNTY_CODE).first()
    if county is None or CorrectionOpinion.objects.filter(county=county).exists():
        return
    due = WorkCalendar.default().add_workdays(timezone.localdate(), 10)
    services.issue_opinion(_actor("cgj_leader"), {
        "township": _unit("T-cgz"), "subject": "城关镇对某商户占道经营案处罚幅度不当",
        "findings": "首次违法且及时改正，处罚决定未适用《示例县城市管理行政处罚裁量基准》首违不罚条款。",
        "legal_basis": "《中华人民共和国行政处罚法》第三十三条", "requirements": "复查该案并依法纠正，报送整改情况。",
        "due_on": due.isoformat(),
    })  # fmt: skip
    services.send_feedback(_actor("cgz_handler"), {
        "direction": "outcome", "recipient": _unit("D-scj"), "subject": "解放路某超市销售过期食品案处理结果",
        "content": "已作出没收违法所得并罚款8000元的决定。", "loophole": "该超市近一年未纳入日常检查计划。",
    })  # fmt: skip
    f = services.send_feedback(_actor("zrj_handler"), {
        "direction": "matter", "recipient": _unit("T-hxz"), "subject": "河西镇某村违法占用耕地建房",
        "content": "卫片执法发现疑似违法占地约200平方米，请依法查处并反馈结果。",
    })  # fmt: skip
    services.answer_feedback(_actor("hxz_handler"), f, {"reply": "已立案调查，责令停止建设并恢复原状。"})
    photo = (
        TransferMaterial.objects.filter(transfer__sender=_unit("T-cgz"), transfer__receiver=_unit("D-scj"))
        .exclude(sha256="")
        .order_by("pk")
        .first()
    )
    if photo is not None:
        services.cite_evidence(_actor("scj_handler"), {
            "origin_kind": "transfer_material", "origin_id": str(photo.pk), "sha256": photo.sha256,
            "cited_in": "市场监管局立案审批表", "purpose": "现场照片直接采信，不再重复取证",
        })  # fmt: skip
    if hasattr(ctx, "created"):
        ctx.created["corrections"] += 1
        ctx.created["feedback"] += 2
    write("纠错意见 1 件、监管执法反馈 2 件、证据互认引用已载入")
