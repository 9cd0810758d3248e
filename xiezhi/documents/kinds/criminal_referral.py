"""涉嫌犯罪案件移送书 (国务院令第310号 arts. 5–6, R-CR-01): the transferring body sends a suspected
crime to the public security organ with the head's approval and the art. 6 materials attached."""

from __future__ import annotations

from xiezhi.documents.kinds.common import CONTACT_FIELDS, contact_block, sentence
from xiezhi.documents.layout import Block
from xiezhi.documents.models import DocumentType
from xiezhi.documents.specs import Context, DocSpec, Field, Values

FIELDS = (
    Field("receiver", "公安机关", max_length=100),
    Field("party", "当事人", max_length=200),
    Field("offence", "涉嫌罪名", max_length=200),
    Field("facts", "涉嫌犯罪事实"),
    Field("team", "专案组成员", "lines", max_length=100),
    Field("approved_by", "批准负责人", max_length=50),
    Field("materials", "移送材料", "lines", max_length=300),
    *CONTACT_FIELDS,
    Field("copy_to", "抄送单位", "lines", required=False, max_length=100),
)


def body(v: Values, ctx: Context) -> list[Block]:
    return [
        Block(
            f"我机关在依法查处{v['party']}违法行为过程中，发现其涉嫌{v['offence']}。经专案组（{v['team']}）调查，基本事实如下："
        ),
        Block(sentence(v["facts"])),
        Block(
            "根据《行政执法机关移送涉嫌犯罪案件的规定》第三条、第五条的规定，经本机关正职负责人"
            f"{v['approved_by']}批准，现将该案移送你局，随附该规定第六条所列材料，请依法审查。"
        ),
        Block(
            "请你局在移送回执上签字；不属于你局管辖的，请在24小时内转送有管辖权的机关并书面告知我机关。"
            "请自接受移送之日起3日内作出立案或者不予立案的决定，并书面通知我机关；决定不予立案的，请说明理由。"
        ),
        *contact_block(v),
    ]


SPEC = DocSpec(
    doc_type=DocumentType.CRIMINAL_REFERRAL,
    title="涉嫌犯罪案件移送书",
    fields=FIELDS,
    body=body,
    addressee="receiver",
    attachments="materials",
    copy_to="copy_to",
)
