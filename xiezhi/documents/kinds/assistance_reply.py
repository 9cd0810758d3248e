"""协助复函: the assisting unit's written answer to an assistance request (R-CO-04, R-CO-05)."""

from __future__ import annotations

from xiezhi.documents.kinds.common import CONTACT_FIELDS, contact_block, sentence
from xiezhi.documents.layout import Block
from xiezhi.documents.models import DocumentType
from xiezhi.documents.specs import Context, DocSpec, Field, Values

FIELDS = (
    Field("requester", "请求单位", max_length=100),
    Field("kind", "协助类型", max_length=20),
    Field("matter", "协助事项", max_length=300),
    Field("requested_on", "请求日期", "date"),
    Field("answer", "答复内容"),
    *CONTACT_FIELDS,
)


def body(v: Values, ctx: Context) -> list[Block]:
    return [
        Block(
            f"你单位于{v['requested_on']}提出的关于{v['matter']}的{v['kind']}协助请求收悉。经研究，现答复如下："
        ),
        Block(sentence(v["answer"])),
        Block("特此函复。"),
        *contact_block(v),
    ]


SPEC = DocSpec(
    doc_type=DocumentType.ASSISTANCE_REPLY,
    title="协助复函",
    fields=FIELDS,
    body=body,
    addressee="requester",
)
