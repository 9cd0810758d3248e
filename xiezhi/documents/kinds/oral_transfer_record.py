"""口头移送记录: an oral transfer in a particular emergency, recorded at once; the written
formalities follow within 24 hours (R-TR-07)."""

from __future__ import annotations

from datetime import datetime, timedelta

from xiezhi.documents.kinds.common import sentence
from xiezhi.documents.layout import Block, Style
from xiezhi.documents.models import DocumentType
from xiezhi.documents.specs import Context, DocSpec, Field, Values

METHODS = (("phone", "电话"), ("in_person", "当面"), ("other", "其他方式"))

FIELDS = (
    Field("receiver", "接收单位", max_length=100),
    Field("receiver_person", "接收人", max_length=50),
    Field("sender_person", "移送人", max_length=50),
    Field("communicated_at", "口头移送时间", "datetime"),
    Field("method", "移送方式", "choice", choices=METHODS),
    Field("matter", "涉嫌违法事项", max_length=300),
    Field("location", "发生地点", required=False, max_length=300),
    Field("facts", "基本情况"),
    Field("urgency_reason", "情况特别紧急的理由"),
    Field("measures", "已采取的处置措施", required=False),
    Field("written_due", "书面手续补办期限", "datetime"),
    Field("recorder", "记录人", max_length=50),
)


# R-TR-07: the written formalities are completed within 24 hours of the oral transfer.
WRITTEN_WITHIN = timedelta(hours=24)


def check(v: Values) -> dict[str, list[str]]:
    said = datetime.fromisoformat(v.raw("communicated_at"))
    due = datetime.fromisoformat(v.raw("written_due"))
    if not said < due <= said + WRITTEN_WITHIN:
        return {"written_due": ["书面手续补办期限应在口头移送后24小时以内"]}
    return {}


def body(v: Values, ctx: Context) -> list[Block]:
    rows = [
        ("口头移送时间", v["communicated_at"]),
        ("移送方式", v["method"]),
        ("移送单位", ctx.issuer),
        ("移送人", v["sender_person"]),
        ("接收单位", v["receiver"]),
        ("接收人", v["receiver_person"]),
        ("涉嫌违法事项", v["matter"]),
    ]
    if v.has("location"):
        rows.append(("发生地点", v["location"]))
    blocks = [Block(f"{label}：{value}", Style.PLAIN) for label, value in rows]
    blocks += [Block("基本情况：", Style.PLAIN), Block(v["facts"])]
    blocks += [Block("情况特别紧急的理由：", Style.PLAIN), Block(sentence(v["urgency_reason"]))]
    if v.has("measures"):
        blocks += [Block("已采取的处置措施：", Style.PLAIN), Block(sentence(v["measures"]))]
    blocks.append(
        Block(
            "因情况特别紧急，本案先行口头移送，并当即记录在案。移送单位应当在24小时内补办书面移送手续，"
            f"即于{v['written_due']}前补齐涉嫌违法案件移送函及相关材料。"
        )
    )
    return blocks


SPEC = DocSpec(
    doc_type=DocumentType.ORAL_TRANSFER_RECORD,
    title="口头移送记录",
    fields=FIELDS,
    body=body,
    signature_notes=lambda v: [f"记录人：{v['recorder']}"],
    check=check,
)
