"""Identifier checks against the examples of docs/LAW.md §E (rules 58–59)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xiezhi.rulebook.identifiers import (
    check_citizen_id,
    check_credit_code,
    check_landline,
    check_mobile_phone,
    check_phone,
    citizen_id_check_char,
    credit_code_check_char,
    organisation_code_check_char,
)

TODAY = date(2025, 6, 1)


# --- citizen ID ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("330183198503120012", date(1985, 3, 12), "male"),
        ("130283199001010027", date(1990, 1, 1), "female"),
        ("410902197811200031", date(1978, 11, 20), "male"),
        ("330881200002290043", date(2000, 2, 29), "female"),  # leap day in a leap century year
        ("330183198503120020", date(1985, 3, 12), "female"),
        ("11010519491231002X", date(1949, 12, 31), "female"),  # example printed in the standard
    ],
)
def test_valid_citizen_ids(number: str, born: date, sex: str) -> None:
    result = check_citizen_id(number, today=TODAY)
    assert result.ok, result.error
    assert result.error is None
    assert result.value == number
    assert result.birth_date == born
    assert result.sex == sex
    assert result.sex_label == ("男" if sex == "male" else "女")


def test_lowercase_x_and_spaces_are_normalised() -> None:
    result = check_citizen_id(" 110105 19491231 002x ", today=TODAY)
    assert result.ok
    assert result.value == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("330183198503120010", "校验码错误"),  # LAW.md: wrong check char
        ("330183198502300011", "出生日期无效"),  # LAW.md: check char right, 30 Feb does not exist
        ("330183190002290012", "出生日期无效"),  # 1900 is not a leap year
        ("330183198502290018", "出生日期无效"),  # 1985 is not a leap year
        ("440524188001010014", "早于1900年"),  # the standard's own example, born 1880
        ("330183203001010013", "晚于今天"),
        ("33018319850312001", "应为18位"),
        ("3301831985031200123", "应为18位"),
        ("330183850312001", "应为18位"),  # first-generation 15-digit number
        ("33018319850312001Y", "最后一位应为数字或X"),
        ("3301831985031200X2", "前17位应为数字"),
        ("990183198503120012", "地址码无效"),
        ("", "应为18位"),
    ],
)
def test_invalid_citizen_ids(number: str, message: str) -> None:
    result = check_citizen_id(number, today=TODAY)
    assert not result.ok
    assert result.error is not None and message in result.error
    assert result.birth_date is None and result.sex is None


def test_birth_date_today_is_allowed_but_tomorrow_is_not() -> None:
    first17 = "33018320250601001"
    number = first17 + citizen_id_check_char(first17)
    assert check_citizen_id(number, today=date(2025, 6, 1)).ok
    assert not check_citizen_id(number, today=date(2025, 5, 31)).ok


@st.composite
def _valid_ids(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=TODAY))
    seq = draw(st.integers(min_value=0, max_value=999))
    first17 = f"330183{born:%Y%m%d}{seq:03d}"
    return first17 + citizen_id_check_char(first17)


@given(_valid_ids(), st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_any_single_digit_error_is_detected(number: str, pos: int, delta: int) -> None:
    assert check_citizen_id(number, today=TODAY).ok
    changed = number[:pos] + str((int(number[pos]) + delta) % 10) + number[pos + 1 :]
    assert not check_citizen_id(changed, today=TODAY).ok


# --- unified social credit code --------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "authority", "division", "org"),
    [
        ("91350100M000100Y43", "工商（市场监管）", "350100", "M000100Y-4"),  # the standard's example
        ("91330183MA2B3C4D1H", "工商（市场监管）", "330183", "MA2B3C4D-1"),
        ("92130283MA0EXL9Y2M", "工商（市场监管）", "130283", "MA0EXL9Y-2"),
        ("124109020058901290", "机构编制", "410902", "00589012-9"),
        ("11330881002547325D", "机构编制", "330881", "00254732-5"),
    ],
)
def test_valid_credit_codes(code: str, authority: str, division: str, org: str) -> None:
    result = check_credit_code(code)
    assert result.ok, result.error
    assert result.warnings == ()
    assert result.registration_authority == authority
    assert result.division_code == division
    assert result.organisation_code == org
    assert result.organisation_code_ok is True


def test_credit_code_lower_case_is_normalised() -> None:
    assert check_credit_code("91330183ma2b3c4d1h").value == "91330183MA2B3C4D1H"


def test_standard_worked_example_check_chars() -> None:
    assert credit_code_check_char("91350100M000100Y4") == "3"
    assert organisation_code_check_char("M000100Y") == "4"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350211M0000XUF46", "校验码错误"),  # quoted online as real; fails the check (LAW.md)
        ("91350100M0001TGQXM", "校验码错误"),
        ("91350100M000100Y44", "校验码错误"),
        ("91330183MA2B3C4D1G", "校验码错误"),
        ("91350100M000100Y4", "应为18位"),
        ("91350100I000100Y43", "不允许的字符：I"),
        ("91350100O000100Y43", "不允许的字符：O"),
        ("9135010SM000100Y43", "不允许的字符：S"),
        ("913A0100M000100Y43", "行政区划码"),
    ],
)
def test_invalid_credit_codes(code: str, message: str) -> None:
    result = check_credit_code(code)
    assert not result.ok
    assert result.error is not None and message in result.error


def test_failed_organisation_code_is_a_warning_not_an_error() -> None:
    # Organisation code 12345678-0 is wrong (its check char is 9); complete the outer check char.
    first17 = "91330183123456780"
    code = first17 + credit_code_check_char(first17)
    result = check_credit_code(code)
    assert result.ok
    assert result.organisation_code_ok is False
    assert any("组织机构代码" in w for w in result.warnings)


def test_unknown_registration_authority_is_a_warning() -> None:
    first17 = "H1330183MA2B3C4D1"
    result = check_credit_code(first17 + credit_code_check_char(first17))
    assert result.ok
    assert result.registration_authority is None
    assert any("登记管理部门代码“H”" in w for w in result.warnings)


# --- phones ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 13812345678", "13812345678"),
        ("19912345678", "19912345678"),
    ],
)
def test_valid_mobile(raw: str, normal: str) -> None:
    result = check_mobile_phone(raw)
    assert result.ok and result.kind == "mobile" and result.value == normal
    assert check_phone(raw).value == normal


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("12812345678", "13至19开头"),
        ("1381234567", "11位"),
        ("138123456789", "11位"),
        ("1381234567a", "只能包含数字"),
    ],
)
def test_invalid_mobile(raw: str, message: str) -> None:
    result = check_mobile_phone(raw)
    assert not result.ok and result.error is not None and message in result.error


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("0571-12345678", "0571-12345678"),
        ("(0571)87654321", "0571-87654321"),
        ("（0571）87654321", "0571-87654321"),
        ("057187654321", "0571-87654321"),
        ("0571 8765 4321", "0571-87654321"),
        ("010-1234567", "010-1234567"),
        ("02012345678", "020-12345678"),
        ("0315-5678901-801", "0315-5678901-801"),
        ("0315-5678901转801", "0315-5678901-801"),
    ],
)
def test_valid_landline(raw: str, normal: str) -> None:
    result = check_landline(raw)
    assert result.ok and result.kind == "landline" and result.value == normal, result.error
    assert check_phone(raw).value == normal


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("87654321", "应包含区号"),
        ("0571-0234567", "格式不正确"),
        ("0571-123456", "格式不正确"),
        ("0011-12345678", "格式不正确"),
        ("0571-123456789", "格式不正确"),
    ],
)
def test_invalid_landline(raw: str, message: str) -> None:
    result = check_phone(raw)
    assert not result.ok and result.error is not None and message in result.error


def test_check_phone_rejects_other_text() -> None:
    result = check_phone("电话12345")
    assert not result.ok and result.error is not None and "手机号码或带区号的固定电话" in result.error
