"""案件受理告知书 / 案件不予受理告知书: the receiver's written answer to a transfer (R-TR-08)."""

from __future__ import annotations

from xiezhi.documents.kinds.common import CONTACT_FIELDS, contact_block, sentence
from xiezhi.documents.layout import Block
from xiezhi.documents.models import DocumentType
from xiezhi.documents.specs import Context, DocSpec, Field, Values, required_message

DECISIONS = (("accept", "受理"), ("decline", "不予受理"))

FIELDS = (
    Field("sender", "移送单位", max_length=100),
    Field("transfer_number", "移送函文号", max_length=80),
    Field("matter", "移送事项", max_length=300),
    Field("received_on", "收到日期", "date"),
    Field("decision", "受理决定", "choice", choices=DECISIONS),
    Field("reasons", "不予受理理由", required=False),
    Field("handling", "后续处理安排", required=False),
    Field("returned_materials", "退回材料", "lines", required=False, max_length=200),
    *CONTACT_FIELDS,
    Field("copy_to", "抄送单位", "lines", required=False, max_length=100),
)


def title(v: Values) -> str:
    return "案件受理告知书" if v.raw("decision") == "accept" else "案件不予受理告知书"


def check(v: Values) -> dict[str, list[str]]:
    if v.raw("decision") == "decline" and not v.has("reasons"):
        return {"reasons": [required_message("不予受理理由")]}
    return {}


def body(v: Values, ctx: Context) -> list[Block]:
    opening = (
        f"你单位《涉嫌违法案件移送函》（{v['transfer_number']}）及移送材料已于{v['received_on']}收悉。"
        f"经审查，关于{v['matter']}一案，"
    )
    if v.raw("decision") == "accept":
        blocks = [
            Block(
                opening
                + "该案件属于我单位管辖，我单位决定予以受理，将依法调查处理，并及时将处理结果反馈你单位。"
            )
        ]
    else:
        blocks = [
            Block(opening + "我单位决定不予受理，理由如下："),
            Block(sentence(v["reasons"])),
            Block("移送材料随本告知书退回。你单位对本决定有异议的，可以提请争议协调。"),
        ]
    if v.has("handling"):
        blocks.append(Block(sentence(v["handling"])))
    blocks += [Block("特此告知。"), *contact_block(v)]
    return blocks


SPEC = DocSpec(
    doc_type=DocumentType.ACCEPTANCE_REPLY,
    title=title,
    fields=FIELDS,
    body=body,
    addressee="sender",
    attachments="returned_materials",
    copy_to="copy_to",
    check=check,
)
