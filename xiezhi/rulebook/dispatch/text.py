"""Normalising complaint text and cutting long messages into clauses."""

from __future__ import annotations

import re
import unicodedata

# Long messages (forwarded chats, call transcripts) are read up to this many characters: the
# problem is stated early, and the limit bounds the suggestion time (about 10 ms per 500
# characters on one core); the intake form itself accepts up to 5,000 characters.
MAX_CHARS = 1000
MAX_CLAUSES = 16
MIN_CLAUSE_CHARS = 8

_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(
    r"[。！？!?；;\n]+|(?<=[，,])\s*(?=(?:[一二三四五六七八九十]是|另外|还有|其次|再就是|此外|同时)[，,：:]?)"
)
_SPEAKER = re.compile(r"(?:坐席|话务员|客服|工作人员|接线员)[:：]")
_TURN = re.compile(r"(坐席|话务员|客服|接线员|工作人员|市民|来电人|来电者|群众|居民|村民|用户)[:：]")
_OPERATORS = frozenset({"坐席", "话务员", "客服", "接线员", "工作人员"})


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, whitespace collapsed; Chinese punctuation kept."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _SPACE.sub(" ", text).strip()[:MAX_CHARS]


# The fixed frame a 12345 work order or a grid patrol record puts around the complaint
# ("市民来电反映：……，要求处理。", "巡查发现：……"). It says nothing about the matter, yet its
# characters weigh in every character-level similarity; a consultation or a suggestion
# ("来电咨询", "来电建议") is not a frame and stays.
_FRAME_HEAD = re.compile(
    r"^(?:(?:市民|群众|居民|村民)?来电(?:人)?(?:反映|称|表示|投诉|举报)|(?:网格员)?(?:日常)?巡查(?:时)?发现)[：:，, ]*"
)
# A caller's greeting and a forwarded chat's label come before the complaint in the same way
# ("喂，是12345吧？我跟你讲……", "【转发】各位邻居注意！……"); the greeting's question mark and
# the label read like a consultation to the NONE detector.
_OPENING = re.compile(
    r"^(?:[【\[](?:群聊)?转发[】\]]|转发[:：]|(?:喂|您好|你好)[，, 。!！]*"
    r"(?:(?:是|请问是)?12345(?:吗|吧|热线吗|热线吧)?[？?，,。!！ ]*)?"
    r"(?:我(?:要|想)?(?:反映|投诉|举报)(?:个|一个|一下)?(?:事|事情|情况|问题)?[，,。!！：: ]*)?"
    r"(?:我跟你(?:讲|说)(?:哦|啊|一下)?[，,。!！：: ]*)?)+"
)
_FRAME_TAIL = re.compile(
    r"[，,。；; ]*(?:现)?(?:要求|希望|请求|请)(?:相关部门|有关部门|执法部门|相关单位)?(?:尽快|及时)?"
    r"(?:处理|查处|核查|检查|核实|处置|整治|调查处理|核实处理)[。！!]*$"
)


def strip_frame(text: str) -> str:
    """The complaint without the hotline's or the patrol record's fixed opening and closing words."""
    stripped = _FRAME_TAIL.sub("", _FRAME_HEAD.sub("", _OPENING.sub("", text)))
    return stripped or text


def caller_only(text: str) -> str:
    """A call transcript without the operator's turns; other texts unchanged.

    The operator's greetings and questions ("您好，请讲""您是在哪个菜场？") read like a service
    request and would mislead both the ranking and the NONE detector.
    """
    parts = _TURN.split(text)
    if len(parts) < 3 or not any(p in _OPERATORS for p in parts[1::2]):
        return text
    kept = [parts[0].strip()] if parts[0].strip() else []
    for speaker, said in zip(parts[1::2], parts[2::2], strict=True):
        if speaker not in _OPERATORS and said.strip():
            kept.append(said.strip())
    return "。".join(kept) if kept else text


def clauses(text: str) -> list[str]:
    """Sentences of a normalised text, short pieces glued to their predecessor.

    Operator turns of a call transcript are dropped: they repeat or question what the caller says.
    """
    pieces: list[str] = []
    for raw in _SENTENCE_END.split(text):
        piece = raw.strip(" ,，、:：\"'“”")
        if not piece or _SPEAKER.match(piece):
            continue
        if pieces and len(piece) < MIN_CLAUSE_CHARS:
            pieces[-1] = pieces[-1] + "，" + piece
        else:
            pieces.append(piece)
    return pieces[:MAX_CLAUSES]
