"""Required fields and malformed data give ValidationFailed with Chinese messages, per field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from xiezhi.core.errors import ValidationFailed
from xiezhi.documents.kinds import SPECS, spec_for
from xiezhi.documents.render import render
from xiezhi.documents.specs import validate
from xiezhi.documents.tests.samples import SAMPLES


def _fail(doc_type: str, data: dict[str, Any]) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        validate(spec_for(doc_type), data)
    assert info.value.status == 422
    return info.value


@pytest.mark.parametrize("doc_type", sorted(SAMPLES))
def test_empty_data_lists_every_required_field(doc_type: str) -> None:
    spec = SPECS[doc_type]
    err = _fail(doc_type, {})
    required = [f for f in spec.fields if f.required]
    assert required
    assert set(err.details) == {f.name for f in required}
    for f in required:
        assert f.label in err.message
        assert err.details[f.name] == [f"请填写{f.label}"]
    assert err.message.startswith("文书内容不完整，缺少：")


@pytest.mark.parametrize("doc_type", sorted(SAMPLES))
def test_each_required_field_is_checked_alone(doc_type: str) -> None:
    for f in SPECS[doc_type].fields:
        if not f.required:
            continue
        blank: Any = [] if f.kind == "lines" else "   "
        err = _fail(doc_type, {**SAMPLES[doc_type], f.name: blank})
        assert set(err.details) == {f.name}, f.name
        assert err.message == f"文书内容不完整，缺少：{f.label}"


def test_render_refuses_incomplete_data_before_drawing_anything() -> None:
    data = dict(SAMPLES["transfer_letter"])
    del data["facts"], data["materials"]
    with pytest.raises(ValidationFailed) as info:
        render(
            "transfer_letter", data, "X移〔2025〕1号", issuer="示例县城市管理局", issued_on=date(2025, 10, 8)
        )
    assert info.value.message == "文书内容不完整，缺少：基本事实、移送材料"


def test_unknown_fields_are_refused() -> None:
    err = _fail("copy_notice", {**SAMPLES["copy_notice"], "recipent": "错拼的字段"})
    assert err.details == {"recipent": ["不允许的字段"]}


def test_malformed_values_get_field_messages() -> None:
    data = {
        **SAMPLES["transfer_letter"],
        "discovered_at": "昨天上午",
        "urgency": "very",
        "materials": [1, 2],
        "party": 42,
    }
    err = _fail("transfer_letter", data)
    assert err.details["discovered_at"] == ["发现时间应为日期时间，如2025-10-08T09:30"]
    assert err.details["urgency"] == ["紧急程度须为以下之一：一般、紧急、立即移送"]
    assert err.details["materials"] == ["移送材料应为文字列表"]
    assert err.details["party"] == ["当事人应为文字"]
    assert err.message.startswith("文书内容有误：")


def test_too_long_text_is_refused() -> None:
    err = _fail("transfer_letter", {**SAMPLES["transfer_letter"], "receiver": "局" * 101})
    assert err.details == {"receiver": ["接收单位不超过100字"]}


def test_decline_needs_reasons() -> None:
    data = {**SAMPLES["acceptance_reply"]}
    del data["reasons"]
    err = _fail("acceptance_reply", data)
    assert err.details == {"reasons": ["请填写不予受理理由"]}
    assert err.message == "文书内容不完整，缺少：不予受理理由"
    validate(spec_for("acceptance_reply"), {**data, "decision": "accept"})  # accepting needs none


@pytest.mark.rule("R-TR-07")
def test_oral_transfer_written_formalities_within_24_hours() -> None:
    spec = spec_for("oral_transfer_record")
    late = {**SAMPLES["oral_transfer_record"], "written_due": "2025-10-09T22:16"}
    err = _fail("oral_transfer_record", late)
    assert err.details == {"written_due": ["书面手续补办期限应在口头移送后24小时以内"]}
    before = {**SAMPLES["oral_transfer_record"], "written_due": "2025-10-08T22:15"}
    assert _fail("oral_transfer_record", before).details.keys() == {"written_due"}
    validate(spec, {**SAMPLES["oral_transfer_record"], "written_due": "2025-10-09T22:15"})


def test_entrustment_term_must_be_ordered() -> None:
    err = _fail("entrustment", {**SAMPLES["entrustment"], "valid_to": "2025-10-31"})
    assert err.details == {"valid_to": ["委托期限止不能早于委托期限起"]}


def test_dates_and_times_are_normalised() -> None:
    clean = validate(
        spec_for("oral_transfer_record"),
        {
            **SAMPLES["oral_transfer_record"],
            "communicated_at": "2025-10-08T14:15:00+00:00",
            "written_due": "2025-10-09 20:00",
        },
    )
    # Stored in Shanghai time, to the minute; naive input is taken as Shanghai wall-clock time.
    assert clean["communicated_at"] == "2025-10-08T22:15+08:00"
    assert clean["written_due"] == "2025-10-09T20:00+08:00"
    assert clean["recorder"] == "刘记录"


def test_unknown_document_type() -> None:
    with pytest.raises(ValidationFailed) as info:
        spec_for("memo")
    assert info.value.details == {"doc_type": ["不支持的文书类型：memo"]}
