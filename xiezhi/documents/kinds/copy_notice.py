"""抄告单: a transfer or decision copied to the parties and other concerned units (R-TR-10)."""

from __future__ import annotations

from xiezhi.documents.kinds.common import CONTACT_FIELDS, contact_block, sentence
from xiezhi.documents.layout import Block
from xiezhi.documents.models import DocumentType
from xiezhi.documents.specs import Context, DocSpec, Field, Values

FIELDS = (
    Field("recipients", "抄告单位", "lines", max_length=100),
    Field("topic", "抄告事项", max_length=300),
    Field("content", "抄告内容"),
    Field("reference", "相关文书文号", required=False, max_length=200),
    Field("request", "请予配合事项", required=False),
    Field("attachments", "附件", "lines", required=False, max_length=200),
    *CONTACT_FIELDS,
)


def body(v: Values, ctx: Context) -> list[Block]:
    reference = f"（{v['reference']}）" if v.has("reference") else ""
    blocks = [Block(f"现将{v['topic']}{reference}有关情况抄告如下："), Block(v["content"])]
    if v.has("request"):
        blocks.append(Block(f"请你单位{sentence(v['request'])}"))
    blocks += [
        Block("请收到本抄告单后及时在平台确认签收。特此抄告。"),
        *contact_block(v),
    ]
    return blocks


SPEC = DocSpec(
    doc_type=DocumentType.COPY_NOTICE,
    title="抄告单",
    fields=FIELDS,
    body=body,
    addressee="recipients",
    attachments="attachments",
)
