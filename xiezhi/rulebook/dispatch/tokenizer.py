"""A private jieba tokenizer with the domain dictionary.

jieba's global tokenizer is shared with anything else in the process, so we build our own
`jieba.Tokenizer` once, lazily (not at import), with its cache file in the system temp
directory and its start-up log lines suppressed.
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
from collections.abc import Iterable

import jieba

from xiezhi.rulebook.dispatch.lexicon import bundled_lexicon

# Function words and the catalogue's boilerplate ("对……的处罚", "或者", "规定"): they match
# everything and would only add noise to BM25 and to the explanations shown to clerks.
STOPWORDS = frozenset(
    """的 了 和 与 及 或 或者 等 对 在 是 有 也 都 就 还 又 把 被 给 让 从 向 往 到 于 为 以 其 之 而 并 但
    这 那 这个 那个 这里 那里 这边 那边 这样 那样 什么 怎么 怎么办 谁 哪 哪里 吗 呢 吧 啊 呀 哦 嘛 哈 么 啦 着 过 得 地
    我 我们 你 你们 他 他们 她 它 它们 自己 大家 人家 有人 人 一 一个 一些 个 些 上 下 里 中 内 外 后 前 边
    不 没 没有 很 太 特别 非常 一直 已经 经常 每天 天天 现在 今天 昨天 最近 时候 一下 一点 好 说 看 去 来 要 想 能 会 可以 应该
    处罚 规定 按照 依法 有关 相关 违反 进行 造成 行为 要求 处理 反映 市民 来电 来电人 反映 情况 问题 希望 请 麻烦 管管 管一管
    巡查 发现 核查 检查 上报 网格员 网格 巡查员""".split()
)
_WORD = re.compile(r"[\u4e00-\u9fff]|[a-z]{2,}|\d+")

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None


def _build(extra_words: Iterable[str]) -> jieba.Tokenizer:
    tk = jieba.Tokenizer()
    tk.tmp_dir = tempfile.gettempdir()
    logger = jieba.default_logger
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        tk.initialize()
    finally:
        logger.setLevel(level)
    for word in sorted(extra_words):
        # A high frequency keeps each domain phrase whole in the main cut; search mode still
        # emits its dictionary sub-words.
        tk.add_word(word, freq=2000)
    return tk


def get_tokenizer() -> jieba.Tokenizer:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _build(bundled_lexicon().words())
    return _tokenizer


def tokens(text: str) -> list[str]:
    """Search-mode tokens of a normalised text, without stop words and punctuation."""
    out: list[str] = []
    for tok in get_tokenizer().cut_for_search(text, HMM=True):
        tok = tok.strip()
        if tok and tok not in STOPWORDS and _WORD.match(tok):
            out.append(tok)
    return out
