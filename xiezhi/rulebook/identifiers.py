"""Check digits and formats of Chinese identifiers: citizen ID, unified social credit code, phones.

Sources (docs/LAW.md §E): GB 11643-1999 (公民身份号码, rule 58), GB 32100-2015 (统一社会信用代码,
rule 59) with the embedded GB 11714-1997 organisation code. Every check returns a result object
with a Chinese message instead of raising, so forms can show it next to the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

# --- citizen ID (GB 11643-1999) -------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"\d{17}[\dX]")
# Province-level prefixes of GB/T 2260 (plus 71 Taiwan, 81/82 HK/Macao residence permits).
# County codes change every year, so only the province part is checked.
_PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82".split()
)
MIN_BIRTH_DATE = date(1900, 1, 1)

Sex = Literal["male", "female"]
SEX_LABELS: dict[str, str] = {"male": "男", "female": "女"}


@dataclass(frozen=True)
class IdCheck:
    """Result of `check_citizen_id`; `value` is the normalised number (upper-case X, no spaces)."""

    ok: bool
    value: str
    error: str | None = None
    birth_date: date | None = None
    sex: Sex | None = None

    @property
    def sex_label(self) -> str | None:
        return SEX_LABELS[self.sex] if self.sex else None


def citizen_id_check_char(first17: str) -> str:
    """GB 11643-1999 ISO 7064 MOD 11-2 check character for the first 17 digits."""
    total = sum(int(ch) * w for ch, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _normalise(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def check_citizen_id(value: str, *, today: date | None = None) -> IdCheck:
    """Check an 18-character citizen ID number (公民身份号码).

    Order of checks = order a clerk would look: length, characters, address code, birth date,
    check character. `today` bounds the birth date (defaults to the machine date).
    """
    v = _normalise(value)
    if len(v) == 15 and v.isdigit():
        return IdCheck(False, v, "身份证号码应为18位（15位的第一代身份证号码已停止使用）")
    if len(v) != 18:
        return IdCheck(False, v, "身份证号码应为18位")
    if not _ID_SHAPE.fullmatch(v):
        return IdCheck(False, v, "身份证号码前17位应为数字，最后一位应为数字或X")
    if v[:2] not in _PROVINCE_CODES or v[2:6] == "0000":
        return IdCheck(False, v, "地址码无效（前6位不是有效的行政区划代码）")
    try:
        born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        return IdCheck(False, v, "出生日期无效（第7至14位不是存在的日期）")
    if born < MIN_BIRTH_DATE:
        return IdCheck(False, v, "出生日期无效（早于1900年1月1日）")
    if born > (today or date.today()):
        return IdCheck(False, v, "出生日期无效（晚于今天）")
    if citizen_id_check_char(v[:17]) != v[17]:
        return IdCheck(False, v, "校验码错误（最后一位与前17位不符，请核对号码）")
    sex: Sex = "male" if int(v[16]) % 2 == 1 else "female"
    return IdCheck(True, v, None, born, sex)


# --- unified social credit code (GB 32100-2015) ---------------------------------------------

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 chars: no I O S V Z
_CREDIT_VALUES = {ch: i for i, ch in enumerate(CREDIT_CODE_CHARS)}
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 ...

# 1/5/9/Y are in GB 32100-2015 annex A; the others were assigned later by the national code
# centre [unverified list, docs/LAW.md rule 59] — an unknown code is therefore only a warning.
REGISTRATION_AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商（市场监管）",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class CreditCodeCheck:
    """Result of `check_credit_code`.

    `ok` covers length, charset, division-code shape and the GB 32100 check character.
    `warnings` carries checks a user may override (unknown registration authority, failed
    GB 11714 organisation-code check): real codes exist that fail them (LAW.md rule 59).
    """

    ok: bool
    value: str
    error: str | None = None
    warnings: tuple[str, ...] = ()
    registration_authority: str | None = None
    division_code: str | None = None
    organisation_code: str | None = None
    organisation_code_ok: bool | None = None


def credit_code_check_char(first17: str) -> str:
    total = sum(_CREDIT_VALUES[ch] * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def organisation_code_check_char(first8: str) -> str | None:
    """GB 11714-1997 check character, or None when `first8` has characters outside 0-9A-Z."""
    if not re.fullmatch(r"[0-9A-Z]{8}", first8):
        return None
    total = sum(int(ch, 36) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def check_credit_code(value: str) -> CreditCodeCheck:
    """Check an 18-character unified social credit code (统一社会信用代码)."""
    v = _normalise(value)
    if len(v) != 18:
        return CreditCodeCheck(False, v, "统一社会信用代码应为18位")
    bad = sorted({ch for ch in v if ch not in _CREDIT_VALUES})
    if bad:
        return CreditCodeCheck(
            False, v, f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用I、O、S、V、Z）"
        )
    division = v[2:8]
    if not division.isdigit():
        return CreditCodeCheck(False, v, "第3至8位（登记管理机关行政区划码）应为6位数字")
    if credit_code_check_char(v[:17]) != v[17]:
        return CreditCodeCheck(False, v, "校验码错误（第18位与前17位不符，请核对代码）")

    warnings: list[str] = []
    authority = REGISTRATION_AUTHORITIES.get(v[0])
    if authority is None:
        warnings.append(f"登记管理部门代码“{v[0]}”不在已知代码表中，请核实")
    org_code = v[8:17]
    expected = organisation_code_check_char(org_code[:8])
    org_ok = expected == org_code[8]
    if not org_ok:
        warnings.append(f"第9至17位的组织机构代码“{org_code[:8]}-{org_code[8]}”校验不通过，请核实")
    return CreditCodeCheck(
        True,
        v,
        None,
        tuple(warnings),
        registration_authority=authority,
        division_code=division,
        organisation_code=f"{org_code[:8]}-{org_code[8]}",
        organisation_code_ok=org_ok,
    )


# --- phones --------------------------------------------------------------------------------

PhoneKind = Literal["mobile", "landline"]

_MOBILE = re.compile(r"1[3-9]\d{9}")
# 010 and 02x are 3-digit area codes; all others are 4 digits (03xx–09xx).
_AREA = r"(?:010|02\d|0[3-9]\d{2})"
_LOCAL = re.compile(r"[1-9]\d{6,7}")
_LANDLINE_FORMAT = "固定电话格式不正确，应为“区号-号码”，例如0571-12345678"


@dataclass(frozen=True)
class PhoneCheck:
    """`value` is normalised: mobile as 11 digits, landline as 0571-12345678[-ext]."""

    ok: bool
    value: str
    error: str | None = None
    kind: PhoneKind | None = None


def _strip_phone(value: str) -> str:
    v = re.sub(r"[\s()（）]", "", value or "")
    return re.sub(r"^(?:\+86|0086)-?", "", v)


def check_mobile_phone(value: str) -> PhoneCheck:
    v = _strip_phone(value).replace("-", "")
    if not v.isdigit():
        return PhoneCheck(False, v, "手机号码只能包含数字")
    if len(v) != 11:
        return PhoneCheck(False, v, "手机号码应为11位数字")
    if not _MOBILE.fullmatch(v):
        return PhoneCheck(False, v, "手机号码应以13至19开头")
    return PhoneCheck(True, v, None, "mobile")


def check_landline(value: str) -> PhoneCheck:
    """Landline with area code: 0571-12345678, (0571)12345678, 057112345678, 010-1234567-801."""
    raw = _strip_phone(value)
    ext = ""
    m_ext = re.fullmatch(r"(.+?)(?:转|ext\.?|#)(\d{1,6})", raw, re.IGNORECASE)
    if m_ext:
        raw, ext = m_ext[1], m_ext[2]
    parts = raw.split("-")
    area = ""
    if len(parts) == 3 and not ext:
        area, number, ext = parts
    elif len(parts) == 2 and re.fullmatch(_AREA, parts[0]):
        area, number = parts
    elif len(parts) == 2 and not ext:
        number, ext = parts
    elif len(parts) == 1:
        number = parts[0]
    else:
        return PhoneCheck(False, raw, _LANDLINE_FORMAT)
    m = re.fullmatch(rf"(?P<area>{_AREA})(?P<local>[1-9]\d{{6,7}})", area + number)
    if area and not re.fullmatch(_AREA, area):
        m = None
    if m is None or (ext and not ext.isdigit()):
        if not area and _LOCAL.fullmatch(number):
            return PhoneCheck(False, number, "固定电话应包含区号，例如0571-12345678")
        return PhoneCheck(False, raw, _LANDLINE_FORMAT)
    normal = f"{m['area']}-{m['local']}" + (f"-{ext}" if ext else "")
    return PhoneCheck(True, normal, None, "landline")


def check_phone(value: str) -> PhoneCheck:
    """Accept a mainland mobile number or a landline with area code."""
    stripped = _strip_phone(value)
    digits = stripped.replace("-", "")
    if stripped.startswith("0"):
        return check_landline(value)
    if stripped.startswith("1") and len(digits) == 11:
        return check_mobile_phone(value)
    if _LOCAL.fullmatch(digits):
        return check_landline(value)
    if stripped.startswith("1"):
        return check_mobile_phone(value)
    return PhoneCheck(False, stripped, "电话号码应为11位手机号码或带区号的固定电话（如0571-12345678）")
