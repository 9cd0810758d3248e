"""Masking of personal information before it is published or written to the audit trail.

R-PUB-02 (docs/LAW.md rule 47): natural persons' home address, contact details, ID number,
bank account and health status, names of natural persons other than the penalised party, and
legal persons' bank accounts are removed before publication. The same functions mask the
before/after values of audit events (DESIGN §4 Audit).

The masking rules, one per kind (documented here so that publications look the same
everywhere):

* ID number — keep the first 3 and last 4 characters: ``330***********0012``. The first 3
  give only the province/city, the last 4 let a clerk match a record without the birth date.
* Mobile phone — keep the first 3 and last 4 digits: ``138****5678``. Landline — keep the area
  code and the last 4 digits: ``0571-****5678``.
* Name — keep the surname (two characters for compound surnames): ``张*``, ``欧阳**``.
* Address — keep the text up to the last administrative or street marker (省/市/县/区/镇/
  乡/街道/村/社区/路/街 …) that appears before any house number, then ``****``.
* Bank account — keep the last 4 digits: ``***************1234``.
* Health status and other free-form sensitive values — replaced entirely by ``***``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from xiezhi.rulebook.identifiers import check_citizen_id, check_credit_code

STAR = "*"
REDACTED = "***"


def _stars(n: int) -> str:
    return STAR * max(n, 0)


def mask_id_number(value: str) -> str:
    """``330183198503120012`` → ``330***********0012`` (first 3 + last 4 kept)."""
    v = re.sub(r"\s+", "", value or "")
    if len(v) <= 7:
        return _stars(len(v))
    return v[:3] + _stars(len(v) - 7) + v[-4:]


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``; ``0571-87654321`` → ``0571-****4321``."""
    v = re.sub(r"[\s()（）]", "", value or "")
    prefix = ""
    m_cc = re.match(r"(\+86|0086)-?", v)
    if m_cc:
        prefix, v = m_cc[1], v[m_cc.end() :]
    digits = v.replace("-", "")
    if re.fullmatch(r"1\d{10}", digits):
        return prefix + digits[:3] + "****" + digits[-4:]
    m = re.fullmatch(r"(010|02\d|0[3-9]\d{2})-?(\d{7,8})((?:-|转)\d{1,6})?", v)
    if m:
        local = m[2]
        return f"{m[1]}-{_stars(len(local) - 4)}{local[-4:]}"
    if len(digits) <= 4:
        return _stars(len(digits))
    return _stars(len(digits) - 4) + digits[-4:]


# Compound surnames (复姓) that keep two characters; the common ones only.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 澹台 "
    "公冶 太史 申屠 端木 百里 呼延 南宫 独孤 万俟 闻人 赫连 第五 西门 东郭 拓跋 左丘 濮阳".split()
)


def mask_name(value: str) -> str:
    """``张三`` → ``张*``, ``欧阳娜娜`` → ``欧阳**``, ``买买提·艾力`` → ``买**·**``."""
    v = (value or "").strip()
    if not v:
        return v
    keep = 2 if len(v) >= 3 and v[:2] in COMPOUND_SURNAMES else 1
    if len(v) == 1:
        return STAR
    # Keep the middle dot of transliterated names so the masked form still reads as a name.
    return v[:keep] + "".join(ch if ch in "·•" else STAR for ch in v[keep:])


# A marker ends an administrative / street unit; the longest alternatives come first.
_ADDRESS_MARKERS = re.compile(
    r"自治区|自治州|自治县|街道|社区|大道|省|市|州|盟|县|旗|区|镇|乡|村|路|街|巷|屯|嘎查"
)
# Anything from here on is a house number / building / room. Words such as 号/楼 count only
# after a numeral, so that place names like 鼓楼区 are kept.
_HOUSE_DETAIL = re.compile(
    r"[0-9０-９A-Za-zＡ-Ｚａ-ｚ]|[一二三四五六七八九十百零〇两]+(?:号|幢|栋|楼|单元|室|弄|组)"
)


def mask_address(value: str) -> str:
    """``浙江省杭州市富阳区富春街道江滨西大道58号3幢201室`` → ``浙江省杭州市富阳区富春街道江滨西大道****``.

    Keeps the text up to the end of the last marker before the first house-number detail;
    without any marker the whole address is masked.
    """
    v = (value or "").strip()
    if not v:
        return v
    detail = _HOUSE_DETAIL.search(v)
    cut = detail.start() if detail else len(v)
    end = 0
    for m in _ADDRESS_MARKERS.finditer(v, 0, cut):
        end = m.end()
    if end == len(v):
        return v
    return v[:end] + "****"


def mask_bank_account(value: str) -> str:
    """``6222021234567891234`` → ``***************1234`` (last 4 kept)."""
    v = re.sub(r"[\s-]+", "", value or "")
    if len(v) <= 4:
        return _stars(len(v))
    return _stars(len(v) - 4) + v[-4:]


def redact(value: str) -> str:
    return REDACTED if value else value


# --- free text ---------------------------------------------------------------------------------

_NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
_NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"
_LABELLED_ACCOUNT = re.compile(
    r"(?P<label>账号|账户|帐号|帐户|卡号|银行卡)(?P<sep>[：:\s]*)(?P<num>\d[\d ]{6,32}\d)"
)
_LABELLED_ADDRESS = re.compile(
    r"(?P<label>家庭住址|现住址|居住地址|户籍地址|住址|住所地|住所)(?P<sep>\s*[：:]\s*)(?P<addr>[^，,。；;、\n\r（(]+)"
)
_DIGIT = re.compile(r"\d")
_LONG_NUMBER = re.compile(_NOT_ALNUM_BEFORE + r"(?:\d{17}[\dXx]|\d{15,19})" + _NOT_ALNUM_AFTER)
_MOBILE_IN_TEXT = re.compile(
    r"(?<!\d)(?:(?:\+86|0086)[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)",
)
_LANDLINE_IN_TEXT = re.compile(
    r"(?<!\d)(?:\((?:010|02\d|0[3-9]\d{2})\)|（(?:010|02\d|0[3-9]\d{2})）|(?:010|02\d|0[3-9]\d{2})-?)"
    r"[1-9]\d{6,7}(?:(?:-|转)\d{1,6})?(?!\d)"
)


def _mask_long_number(m: re.Match[str]) -> str:
    s = m.group(0)
    if len(s) == 18:
        is_id = check_citizen_id(s).ok
        if not is_id and check_credit_code(s).ok:
            return s  # a legal person's credit code is public
        if is_id or s[-1] in "Xx":
            return mask_id_number(s)
    return mask_bank_account(s)


def mask_text(text: str) -> str:
    """Find and mask ID numbers, phones, bank accounts and labelled addresses in free text.

    Long digit runs (15–19 digits) are treated as ID numbers when they pass the GB 11643
    check, else as bank accounts; an 18-character valid credit code is left alone because
    legal persons' codes are published.
    """
    if not text or ("住" not in text and "址" not in text and not _DIGIT.search(text)):
        return text  # every pattern below needs a digit or an address label (住址, 地址, 住所…)
    return _mask_all(text)


def _mask_all(text: str) -> str:
    out = _LABELLED_ACCOUNT.sub(lambda m: m["label"] + m["sep"] + mask_bank_account(m["num"]), text)
    out = _LABELLED_ADDRESS.sub(lambda m: m["label"] + m["sep"] + mask_address(m["addr"]), out)
    out = _LONG_NUMBER.sub(_mask_long_number, out)
    out = _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), out)
    out = _LANDLINE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), out)
    return out


# --- mappings (audit before/after, publication payloads) -----------------------------------------


class MaskKind(StrEnum):
    ID_NUMBER = "id_number"
    PHONE = "phone"
    NAME = "name"
    ADDRESS = "address"
    BANK_ACCOUNT = "bank_account"
    REDACT = "redact"
    TEXT = "text"


MASKERS: dict[MaskKind, Callable[[str], str]] = {
    MaskKind.ID_NUMBER: mask_id_number,
    MaskKind.PHONE: mask_phone,
    MaskKind.NAME: mask_name,
    MaskKind.ADDRESS: mask_address,
    MaskKind.BANK_ACCOUNT: mask_bank_account,
    MaskKind.REDACT: redact,
    MaskKind.TEXT: mask_text,
}

# Key names the project uses for personal data; a key also matches by suffix
# (``reporter_phone`` → phone). Name keys are not here: which names are third parties
# depends on the document, so callers pass them (R-PUB-02: the penalised party's name stays).
DEFAULT_SENSITIVE_KEYS: dict[str, MaskKind] = {
    "id_number": MaskKind.ID_NUMBER,
    "id_no": MaskKind.ID_NUMBER,
    "citizen_id": MaskKind.ID_NUMBER,
    "identity_number": MaskKind.ID_NUMBER,
    "phone": MaskKind.PHONE,
    "mobile": MaskKind.PHONE,
    "telephone": MaskKind.PHONE,
    "tel": MaskKind.PHONE,
    "address": MaskKind.ADDRESS,
    "home_address": MaskKind.ADDRESS,
    "bank_account": MaskKind.BANK_ACCOUNT,
    "account_number": MaskKind.BANK_ACCOUNT,
    "health": MaskKind.REDACT,
    "health_status": MaskKind.REDACT,
}


def _kind_for(key: str, table: Mapping[str, MaskKind]) -> MaskKind | None:
    k = key.lower()
    if k in table:
        return table[k]
    # Longest suffix wins, so ``home_address`` beats ``address`` when both are listed.
    for known in sorted(table, key=len, reverse=True):
        if k.endswith("_" + known):
            return table[known]
    return None


@functools.lru_cache(maxsize=64)
def _key_table(extra: tuple[tuple[str, MaskKind], ...]) -> Callable[[str], MaskKind | None]:
    """`_kind_for` over the default keys plus `extra`, remembering each key's answer: the audit
    trail masks every event's before/after with the same table and mostly the same keys."""
    table = {**DEFAULT_SENSITIVE_KEYS, **dict(extra)}
    return functools.lru_cache(maxsize=1024)(lambda key: _kind_for(key, table))


def _caller_kind(key: str) -> MaskKind:
    k = key.lower()
    if k == "name" or k.endswith("name"):
        return MaskKind.NAME
    return _kind_for(k, DEFAULT_SENSITIVE_KEYS) or MaskKind.REDACT


@dataclass(frozen=True)
class SensitiveKeys:
    """`mask_mapping`'s extra keys, resolved once: a caller masking many mappings with the same
    keys (the audit trail, every event) passes this instead of resolving them on every call."""

    extra: tuple[tuple[str, MaskKind], ...]


def sensitive_keys_of(keys: Mapping[str, MaskKind | str] | Iterable[str] | None) -> SensitiveKeys:
    if isinstance(keys, Mapping):
        return SensitiveKeys(tuple((str(k).lower(), MaskKind(v)) for k, v in keys.items()))
    if keys is not None:
        return SensitiveKeys(tuple((k.lower(), _caller_kind(k)) for k in keys))
    return SensitiveKeys(())


def mask_mapping(
    data: Mapping[str, Any],
    sensitive_keys: SensitiveKeys | Mapping[str, MaskKind | str] | Iterable[str] | None = None,
    *,
    scan_text: bool = True,
) -> dict[str, Any]:
    """Return a masked deep copy of ``data``.

    Keys are matched case-insensitively, exactly or by ``_suffix`` (``reporter_phone``).
    ``DEFAULT_SENSITIVE_KEYS`` always apply; ``sensitive_keys`` adds keys, either as a mapping
    key → `MaskKind` or as plain key names (``{"witness_name"}``): a name ending in ``name`` is
    masked as a person's name, a known suffix by its kind, anything else redacted entirely; or as
    `sensitive_keys_of(...)` of either, resolved once. Nested dicts, lists and tuples are walked
    (a child key without a kind inherits its parent's); other strings go through `mask_text`
    when ``scan_text``, because free-text fields such as a description may contain a phone
    number. Non-string values under a sensitive key are masked as strings; None and booleans
    are kept.
    """
    keys = sensitive_keys if isinstance(sensitive_keys, SensitiveKeys) else sensitive_keys_of(sensitive_keys)
    kind_of = _key_table(keys.extra)

    def walk(value: Any, kind: MaskKind | None) -> Any:
        if isinstance(value, Mapping):
            return {k: walk(v, kind_of(str(k)) or kind) for k, v in value.items()}
        if isinstance(value, list | tuple):
            items = [walk(v, kind) for v in value]
            return items if isinstance(value, list) else tuple(items)
        if value is None or isinstance(value, bool):
            return value
        if kind is not None:
            return MASKERS[kind](str(value))
        if scan_text and isinstance(value, str):
            return mask_text(value)
        return value

    return {k: walk(v, kind_of(str(k))) for k, v in data.items()}
