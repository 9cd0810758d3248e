"""行政执法委托书: a county department entrusts a township, in writing, with named matters, their
authority and term (R-CAT-02; 行政处罚法 art. 20)."""

from __future__ import annotations

from datetime import date

from xiezhi.documents.kinds.common import heading, numbered, sentence
from xiezhi.documents.layout import Block
from xiezhi.documents.models import DocumentType
from xiezhi.documents.specs import Context, DocSpec, Field, Values

FIELDS = (
    Field("trustee", "受委托单位", max_length=100),
    Field("legal_basis", "委托依据"),
    Field("matters", "委托事项", "lines", max_length=300),
    Field("authority", "委托权限"),
    Field("valid_from", "委托期限起", "date"),
    Field("valid_to", "委托期限止", "date"),
    Field("responsibility", "法律责任"),
    Field("supervision", "监督方式", required=False),
)


def check(v: Values) -> dict[str, list[str]]:
    if date.fromisoformat(v.raw("valid_to")) < date.fromisoformat(v.raw("valid_from")):
        return {"valid_to": ["委托期限止不能早于委托期限起"]}
    return {}


def body(v: Values, ctx: Context) -> list[Block]:
    blocks = [
        Block(f"根据{v['legal_basis']}，经研究，我单位决定委托你单位以我单位名义实施下列行政执法事项："),
        *numbered(v.lines("matters")),
        heading(0, "委托权限"),
        Block(sentence(v["authority"])),
        heading(1, "委托期限"),
        Block(f"自{v['valid_from']}起至{v['valid_to']}止。"),
        heading(2, "实施要求"),
        Block(
            "受委托单位应当在委托范围内，以委托机关名义实施行政执法，不得再委托其他组织或者个人实施。"
            "委托机关对受委托单位在委托范围内实施的行政执法行为负责监督，并对该行为的后果承担法律责任。"
        ),
        heading(3, "法律责任"),
        Block(sentence(v["responsibility"])),
    ]
    if v.has("supervision"):
        blocks += [heading(4, "监督方式"), Block(sentence(v["supervision"]))]
    blocks.append(Block("本委托书依法向社会公布。"))
    return blocks


SPEC = DocSpec(
    doc_type=DocumentType.ENTRUSTMENT,
    title="行政执法委托书",
    fields=FIELDS,
    body=body,
    addressee="trustee",
    check=check,
)
