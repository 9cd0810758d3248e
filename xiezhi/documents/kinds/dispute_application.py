"""争议协调申请书: after negotiation fails, a party applies to the justice bureau (R-DIS-02); the
provisional handler keeps the statutory duty meanwhile (R-DIS-03)."""

from __future__ import annotations

from xiezhi.documents.kinds.common import CONTACT_FIELDS, contact_block, heading, sentence
from xiezhi.documents.layout import Block
from xiezhi.documents.models import DocumentType
from xiezhi.documents.specs import Context, DocSpec, Field, Values

# R-DIS-01's kinds of dispute.
DISPUTE_TYPES = (
    ("legal_basis", "法律依据争议"),
    ("duties", "职责争议"),
    ("joint_enforcement", "联合执法争议"),
    ("assistance", "协助争议"),
    ("transfer", "案件移送争议"),
)

FIELDS = (
    Field("addressee", "受理协调机关", max_length=100),
    Field("counterpart", "争议对方单位", max_length=100),
    Field("dispute_type", "争议类型", "choice", choices=DISPUTE_TYPES),
    Field("matter", "争议事项", max_length=300),
    Field("facts", "争议经过"),
    Field("negotiation", "协商情况"),
    Field("our_position", "我方意见"),
    Field("their_position", "对方意见", required=False),
    Field("request", "申请事项"),
    Field("provisional_handler", "临时承办单位", max_length=100),
    Field("attachments", "附件", "lines", required=False, max_length=200),
    *CONTACT_FIELDS,
)


def body(v: Values, ctx: Context) -> list[Block]:
    blocks = [
        Block(
            f"我单位与{v['counterpart']}就{v['matter']}存在{v['dispute_type']}，经双方协商未能达成一致。"
            "现申请协调，具体情况如下："
        ),
        heading(0, "争议事项及经过"),
        Block(v["facts"]),
        heading(1, "协商情况"),
        Block(v["negotiation"]),
        heading(2, "双方意见"),
        Block(f"我单位意见：{sentence(v['our_position'])}"),
    ]
    if v.has("their_position"):
        blocks.append(Block(f"{v['counterpart']}意见：{sentence(v['their_position'])}"))
    blocks += [
        heading(3, "申请事项"),
        Block(sentence(v["request"])),
        heading(4, "争议期间的临时处置"),
        Block(
            f"争议解决前，由{v['provisional_handler']}作为临时承办单位继续依法履行监管职责，确保监管不留空白。"
        ),
        Block("请予协调。"),
        *contact_block(v),
    ]
    return blocks


SPEC = DocSpec(
    doc_type=DocumentType.DISPUTE_APPLICATION,
    title="争议协调申请书",
    fields=FIELDS,
    body=body,
    addressee="addressee",
    attachments="attachments",
)
