"""Validation of a report's fields, with Chinese messages; everything checked before anything is saved."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from xiezhi.core.errors import ValidationFailed
from xiezhi.intake.models import Channel
from xiezhi.rulebook.identifiers import check_citizen_id, check_phone
from xiezhi.units.models import Unit, UnitKind

MAX_TEXT = 5000


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return "" if value is None else str(value).strip()


def _bool(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name)
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in {"1", "true", "on", "yes"}


def _decimal(raw: str, name: str, label: str, bound: int, errors: dict[str, list[str]]) -> Decimal | None:
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors[name] = [f"{label}必须是数字"]
        return None
    if not -bound <= value <= bound:
        errors[name] = [f"{label}超出范围"]
        return None
    return value.quantize(Decimal("0.000001"))


def _when(raw: Any, errors: dict[str, list[str]]) -> datetime | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, datetime):
        value: datetime | None = raw
    else:
        value = parse_datetime(str(raw).strip())
    if value is None:
        errors["observed_at"] = ["发现时间格式不正确，例如2025-10-08T09:30"]
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now() + timedelta(minutes=5):
        errors["observed_at"] = ["发现时间不能晚于当前时间"]
    return value


def clean_report(
    data: Mapping[str, Any], county_id: int, *, channels: tuple[str, ...] | None = None
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    channel = _text(data, "channel")
    allowed = channels or tuple(Channel.values)
    if channel not in allowed:
        errors["channel"] = ["请选择来源渠道"]
    out["channel"] = channel
    text = _text(data, "text")
    if not text:
        errors["text"] = ["请填写反映内容"]
    elif len(text) > MAX_TEXT:
        errors["text"] = [f"反映内容不能超过{MAX_TEXT}个字（现为{len(text)}个字）"]
    out["text"] = text
    township_raw = _text(data, "township")
    township = None
    if not township_raw:
        errors["township"] = ["请选择所在乡镇（街道）"]
    else:
        qs = Unit.objects.filter(county_id=county_id, kind=UnitKind.TOWNSHIP, active=True)
        township = (
            qs.filter(pk=int(township_raw)) if township_raw.isdigit() else qs.filter(code=township_raw)
        ).first()
        if township is None:
            township = qs.filter(name=township_raw).first()
        if township is None:
            errors["township"] = [f"不是本县的乡镇（街道）：{township_raw}"]
    out["township"] = township
    address = _text(data, "address")
    if len(address) > 200:
        errors["address"] = ["地址不能超过200个字"]
    out["address"] = address
    out["latitude"] = _decimal(_text(data, "latitude"), "latitude", "纬度", 90, errors)
    out["longitude"] = _decimal(_text(data, "longitude"), "longitude", "经度", 180, errors)
    out["observed_at"] = _when(data.get("observed_at"), errors)
    anonymous = _bool(data, "anonymous")
    out["anonymous"] = anonymous
    name, phone, id_number = (
        _text(data, "reporter_name"),
        _text(data, "reporter_phone"),
        _text(data, "reporter_id_number"),
    )
    if anonymous:
        name = phone = id_number = ""
    else:
        if not name:
            errors["reporter_name"] = ["请填写反映人姓名，或选择匿名"]
        elif len(name) > 50:
            errors["reporter_name"] = ["姓名不能超过50个字"]
        if phone:
            pc = check_phone(phone)
            if not pc.ok:
                errors["reporter_phone"] = [pc.error or "联系电话格式不正确"]
            else:
                phone = pc.value
        if id_number:
            ic = check_citizen_id(id_number)
            if not ic.ok:
                errors["reporter_id_number"] = [ic.error or "身份证号码不正确"]
            else:
                id_number = ic.value
    out.update(reporter_name=name, reporter_phone=phone, reporter_id_number=id_number)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, details=errors)
    return out
