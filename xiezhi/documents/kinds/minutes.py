"""协调会议纪要: the record of a negotiation or coordination meeting; an agreement recorded here
binds the parties (R-DIS-01)."""

from __future__ import annotations

from xiezhi.documents.kinds.common import heading, numbered
from xiezhi.documents.layout import Block, Style
from xiezhi.documents.models import DocumentType
from xiezhi.documents.specs import Context, DocSpec, Field, Values

FIELDS = (
    Field("topic", "会议名称", max_length=100),
    Field("held_at", "会议时间", "datetime"),
    Field("place", "会议地点", max_length=200),
    Field("chair", "主持人", max_length=100),
    Field("attendees", "参会单位及人员", "lines", max_length=200),
    Field("matter", "会议议题", max_length=500),
    Field("discussion", "会议情况", required=False),
    Field("agreements", "议定事项", "lines", max_length=1000),
    Field("recorder", "记录人", required=False, max_length=50),
    Field("distribution", "分送单位", "lines", required=False, max_length=100),
)


def title(v: Values) -> str:
    topic = v["topic"]
    return topic if topic.endswith("纪要") else f"{topic}纪要"


def body(v: Values, ctx: Context) -> list[Block]:
    blocks = [
        Block(
            f"{v['held_at']}，{v['chair']}在{v['place']}主持召开{v['topic']}，就{v['matter']}进行协商。"
            "现将会议议定事项纪要如下："
        ),
    ]
    if v.has("discussion"):
        blocks.append(Block(v["discussion"]))
    blocks += [heading(0, "议定事项"), *numbered(v.lines("agreements"))]
    blocks += [
        heading(1, "效力"),
        Block("以上议定事项经参会各方协商一致，对各方具有约束力，请各单位遵照执行。"),
        Block("参会单位及人员：", Style.PLAIN),
        *[Block(line, Style.ITEM) for line in v.lines("attendees")],
    ]
    return blocks


SPEC = DocSpec(
    doc_type=DocumentType.MINUTES,
    title=title,
    fields=FIELDS,
    body=body,
    copy_to="distribution",
    copy_label="分送",
    seal=False,
    signature_notes=lambda v: [f"记录人：{v['recorder']}"] if v.has("recorder") else [],
)
