"""涉嫌违法案件移送函 (R-TR-06): facts, legal basis, the leader's approval, materials, a reply within 3 WD."""

from __future__ import annotations

from xiezhi.documents.kinds.common import CONTACT_FIELDS, contact_block, sentence
from xiezhi.documents.layout import Block
from xiezhi.documents.models import DocumentType
from xiezhi.documents.specs import Context, DocSpec, Field, Values

URGENCY = (("normal", "一般"), ("urgent", "紧急"), ("immediate", "立即移送"))
# 紧急程度 printed in the top-left corner (GB/T 9704): urgent cases 加急, immediate ones 特急.
URGENCY_MARKS = {"urgent": "加急", "immediate": "特急"}

FIELDS = (
    Field("receiver", "接收单位", max_length=100),
    Field("party", "当事人", max_length=200),
    Field("matter", "涉嫌违法事项", max_length=300),
    Field("discovered_at", "发现时间", "datetime"),
    Field("location", "发现地点", max_length=300),
    Field("facts", "基本事实"),
    Field("legal_basis", "移送依据"),
    Field("approved_by", "批准负责人", max_length=50),
    Field("materials", "移送材料", "lines", max_length=200),
    Field("urgency", "紧急程度", "choice", required=False, choices=URGENCY),
    Field("measures", "已采取的制止和证据固定措施", required=False),
    *CONTACT_FIELDS,
    Field("copy_to", "抄送单位", "lines", required=False, max_length=100),
)


def body(v: Values, ctx: Context) -> list[Block]:
    blocks = [
        Block(
            f"{v['discovered_at']}，我单位在{v['location']}发现{v['party']}涉嫌{v['matter']}。经初步核查，基本事实如下："
        ),
        Block(v["facts"]),
    ]
    if v.has("measures"):
        blocks.append(
            Block(f"该违法行为发现时仍在持续，我单位已{sentence(v['measures'])}请你单位立即依法处置。")
        )
    blocks += [
        Block(
            f"根据{v['legal_basis']}的规定，该案件属于你单位管辖。经我单位负责人{v['approved_by']}批准，"
            "现将该案件依法移送你单位处理。"
        ),
        Block(
            "请你单位自收到本函之日起3个工作日内，将是否受理的决定书面告知我单位；"
            "决定不予受理的，请书面说明理由并退回移送材料。"
        ),
        *contact_block(v),
    ]
    return blocks


SPEC = DocSpec(
    doc_type=DocumentType.TRANSFER_LETTER,
    title="涉嫌违法案件移送函",
    fields=FIELDS,
    body=body,
    addressee="receiver",
    attachments="materials",
    copy_to="copy_to",
    urgency=lambda v: URGENCY_MARKS.get(v.raw("urgency") or "", ""),
)
