"""纠错意见书: a department's correction opinion on a township's enforcement, copied to the justice
bureau (R-CO-08)."""

from __future__ import annotations

from xiezhi.documents.kinds.common import CONTACT_FIELDS, contact_block, heading, sentence
from xiezhi.documents.layout import Block
from xiezhi.documents.models import DocumentType
from xiezhi.documents.specs import Context, DocSpec, Field, Values

FIELDS = (
    Field("township", "被纠错乡镇（街道）", max_length=100),
    Field("matter", "纠错事项", max_length=300),
    Field("case_reference", "相关案件", required=False, max_length=100),
    Field("findings", "存在的问题"),
    Field("legal_basis", "依据", required=False),
    Field("requirements", "整改要求"),
    Field("due_on", "整改答复期限", "date"),
    *CONTACT_FIELDS,
    Field("copy_to", "抄送单位", "lines", max_length=100),
)


def body(v: Values, ctx: Context) -> list[Block]:
    case = f"（{v['case_reference']}）" if v.has("case_reference") else ""
    blocks = [
        Block(f"我单位在工作中发现你单位{v['matter']}{case}存在问题，现提出纠错意见如下："),
        heading(0, "存在的问题"),
        Block(sentence(v["findings"])),
    ]
    if v.has("legal_basis"):
        blocks += [heading(1, "依据"), Block(sentence(v["legal_basis"]))]
    blocks += [
        heading(2 if v.has("legal_basis") else 1, "整改要求"),
        Block(sentence(v["requirements"])),
        Block(f"请于{v['due_on']}前将整改情况书面答复我单位。"),
        *contact_block(v),
    ]
    return blocks


SPEC = DocSpec(
    doc_type=DocumentType.CORRECTION_OPINION,
    title="纠错意见书",
    fields=FIELDS,
    body=body,
    addressee="township",
    copy_to="copy_to",
)
