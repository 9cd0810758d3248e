"""Masking of personal information (R-PUB-02; docs/LAW.md rule 47)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xiezhi.rulebook.masking import (
    MaskKind,
    _mask_all,
    mask_address,
    mask_bank_account,
    mask_id_number,
    mask_mapping,
    mask_name,
    mask_phone,
    mask_text,
)

pytestmark = pytest.mark.rule("R-PUB-02")


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("330183198503120012", "330***********0012"),
        ("11010519491231002X", "110***********002X"),
        ("3301 8319 8503 1200 12", "330***********0012"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_id_number_keeps_first_3_and_last_4(raw: str, masked: str) -> None:
    assert mask_id_number(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+86 13812345678", "+86138****5678"),
        ("0571-87654321", "0571-****4321"),
        ("(0571)87654321", "0571-****4321"),
        ("010-1234567", "010-***4567"),
        ("0315-5678901转801", "0315-***8901"),
    ],
)
def test_phone(raw: str, masked: str) -> None:
    assert mask_phone(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("张三", "张*"),
        ("李小明", "李**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马光", "司马*"),
        ("王", "*"),
        ("买买提·艾力", "买**·**"),
        ("", ""),
    ],
)
def test_name_keeps_surname(raw: str, masked: str) -> None:
    assert mask_name(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("浙江省杭州市富阳区富春街道江滨西大道58号3幢201室", "浙江省杭州市富阳区富春街道江滨西大道****"),
        ("河北省迁安市杨店子镇孔庄村三组12号", "河北省迁安市杨店子镇孔庄村****"),
        ("河南省濮阳市华龙区中原路１２８号", "河南省濮阳市华龙区中原路****"),
        ("江苏省南京市鼓楼区中山路一号", "江苏省南京市鼓楼区中山路****"),  # 楼 in 鼓楼区 is no house detail
        ("城关镇幸福小区A座1单元", "城关镇幸福小区****"),
        ("某某家属院5号", "****"),  # no marker at all: mask everything
        ("浙江省江山市贺村镇", "浙江省江山市贺村镇"),  # nothing below the township level
    ],
)
def test_address_keeps_up_to_street_level(raw: str, masked: str) -> None:
    assert mask_address(raw) == masked


def test_masked_address_contains_no_house_number() -> None:
    masked = mask_address("浙江省杭州市富阳区富春街道江滨西大道58号3幢201室")
    assert "58" not in masked and "201" not in masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("6222021234567891234", "***************1234"),
        ("6222 0212 3456 7891 234", "***************1234"),
        ("123", "***"),
    ],
)
def test_bank_account_keeps_last_4(raw: str, masked: str) -> None:
    assert mask_bank_account(raw) == masked


def test_mask_text_finds_each_kind() -> None:
    text = (
        "当事人张三，身份证号码330183198503120012，住址：浙江省杭州市富阳区富春街道江滨西大道58号3幢201室，"
        "电话138 1234 5678，固话（0571）87654321，银行卡6222021234567891234，账号：33050161123456。"
    )
    masked = mask_text(text)
    for secret in (
        "330183198503120012",
        "58号",
        "1234 5678",
        "87654321",
        "6222021234567891234",
        "33050161123456",
    ):
        assert secret not in masked
    assert "330***********0012" in masked
    assert "浙江省杭州市富阳区富春街道江滨西大道****" in masked
    assert "138****5678" in masked
    assert "0571-****4321" in masked
    assert "***************1234" in masked
    assert "账号：**********3456" in masked


def test_mask_text_keeps_credit_codes_dates_and_case_numbers() -> None:
    text = "统一社会信用代码124109020058901290，富综执罚〔2025〕123号，2025年6月1日，12345热线工单20250601。"
    assert mask_text(text) == text


def test_mask_text_id_with_lowercase_x_and_invalid_18_digit_run() -> None:
    assert mask_text("证号11010519491231002x。") == "证号110***********002x。"
    # An 18-digit run that is neither a valid ID nor a credit code is still masked.
    assert "330183198503120010" not in mask_text("号码330183198503120010")


def test_mask_mapping_recurses_and_uses_key_names() -> None:
    before = {
        "reporter_name": "欧阳娜娜",
        "party_name": "某某餐饮有限公司",
        "reporter_phone": "13812345678",
        "ID_NUMBER": "330183198503120012",
        "detail": {"home_address": "浙江省杭州市富阳区富春街道江滨西大道58号", "health_status": "高血压"},
        "witnesses": [{"witness_name": "张三", "mobile": "13912345678"}],
        "description": "现场联系人电话13712345678",
        "count": 3,
        "urgent": True,
        "bank_account": None,
    }
    after = mask_mapping(before, {"reporter_name", "witness_name"})
    assert after == {
        "reporter_name": "欧阳**",
        "party_name": "某某餐饮有限公司",  # the penalised party's name is published (R-PUB-01)
        "reporter_phone": "138****5678",
        "ID_NUMBER": "330***********0012",
        "detail": {"home_address": "浙江省杭州市富阳区富春街道江滨西大道****", "health_status": "***"},
        "witnesses": [{"witness_name": "张*", "mobile": "139****5678"}],
        "description": "现场联系人电话137****5678",
        "count": 3,
        "urgent": True,
        "bank_account": None,
    }
    assert before["reporter_phone"] == "13812345678"  # input untouched


def test_mask_mapping_with_explicit_kinds_and_without_text_scan() -> None:
    data = {"contact": 13812345678, "remark": "电话13712345678", "other_secret": "x"}
    masked = mask_mapping(data, {"contact": MaskKind.PHONE, "other_secret": "redact"}, scan_text=False)
    assert masked == {"contact": "138****5678", "remark": "电话13712345678", "other_secret": "***"}


def test_mask_mapping_unknown_plain_key_is_redacted() -> None:
    assert mask_mapping({"diagnosis": "骨折"}, ["diagnosis"]) == {"diagnosis": "***"}


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "住址：",
                "户籍地址:",
                "住所",
                "账号",
                "电话",
                "杭州市西湖区文三路90号",
                "13812345678",
                "0571-87654321",
                "330183198503120012",
                "６２２２",
                "张三",
                "，",
                "。",
                " ",
                "a",
                "X",
                "7",
                "第2025号",
            ]
        ),
        max_size=8,
    ).map("".join)
)
def test_mask_text_skips_only_texts_no_pattern_can_match(text: str) -> None:
    """The shortcut for texts without a digit or an address label gives what the patterns give."""
    assert mask_text(text) == _mask_all(text)
