"""会商纪要: the minutes of a consultation or joint meeting (R-CO-01, R-CO-03). Each decision names
its responsible unit and due date, and is followed up as an action item until done."""

from __future__ import annotations

from xiezhi.documents.kinds.common import heading, numbered, sentence
from xiezhi.documents.layout import Block, Style
from xiezhi.documents.models import DocumentType
from xiezhi.documents.specs import Context, DocSpec, Field, Values

FIELDS = (
    Field("topic", "会议名称", max_length=100),
    Field("held_at", "会议时间", "datetime"),
    Field("place", "会议地点", max_length=200),
    Field("chair", "主持人", max_length=100),
    Field("attendees", "出席单位及人员", "lines", max_length=200),
    Field("agenda", "会议议题", "lines", max_length=500),
    Field("discussion", "会议情况", required=False),
    Field("decisions", "议定事项", "lines", max_length=1000),
    Field("recorder", "记录人", required=False, max_length=50),
    Field("distribution", "分送单位", "lines", required=False, max_length=100),
)


def title(v: Values) -> str:
    topic = v["topic"]
    return topic if topic.endswith("纪要") else f"{topic}纪要"


def body(v: Values, ctx: Context) -> list[Block]:
    blocks = [
        Block(f"{v['held_at']}，{v['chair']}在{v['place']}主持召开{v['topic']}。现将会议议定事项纪要如下："),
        heading(0, "会议议题"),
        *numbered(v.lines("agenda")),
    ]
    index = 1
    if v.has("discussion"):
        blocks += [heading(index, "会议情况"), Block(sentence(v["discussion"]))]
        index += 1
    blocks += [heading(index, "议定事项"), *numbered(v.lines("decisions"))]
    blocks += [
        heading(index + 1, "落实要求"),
        Block("各责任单位按照议定事项和完成时限抓好落实，并在平台报告落实情况；逾期未落实的，纳入时限督办。"),
        Block("出席单位及人员：", Style.PLAIN),
        *[Block(line, Style.ITEM) for line in v.lines("attendees")],
    ]
    return blocks


SPEC = DocSpec(
    doc_type=DocumentType.CONSULTATION_MINUTES,
    title=title,
    fields=FIELDS,
    body=body,
    copy_to="distribution",
    copy_label="分送",
    seal=False,
    signature_notes=lambda v: [f"记录人：{v['recorder']}"] if v.has("recorder") else [],
)
