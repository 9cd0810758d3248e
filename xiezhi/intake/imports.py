"""Batch import of 12345 work orders from CSV or xlsx: every row validated first, then all saved in one
transaction or none (§3)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import transaction

from xiezhi.core.actor import Actor
from xiezhi.core.errors import ValidationFailed
from xiezhi.intake import access, services
from xiezhi.intake.cleaning import clean_report
from xiezhi.intake.models import Channel, Report

COLUMNS = (
    "order_no",
    "text",
    "township",
    "address",
    "observed_at",
    "anonymous",
    "reporter_name",
    "reporter_phone",
    "reporter_id_number",
)
REQUIRED = ("order_no", "text", "township")
MAX_ROWS = 2000


def read_rows(name: str, content: bytes) -> list[dict[str, str]]:
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
        except Exception:  # openpyxl raises many types for a damaged file
            raise ValidationFailed.field("file", "无法读取该Excel文件") from None
        values = [
            ["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)
        ]
    elif name.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed.field("file", "CSV文件须为UTF-8编码") from None
        values = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    else:
        raise ValidationFailed.field("file", "请上传CSV或xlsx文件")
    values = [row for row in values if any(row)]
    if not values:
        raise ValidationFailed.field("file", "文件为空")
    header = values[0]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationFailed.field("file", f"缺少列：{'、'.join(missing)}")
    rows = [dict(zip(header, row + [""] * (len(header) - len(row)), strict=False)) for row in values[1:]]
    if not rows:
        raise ValidationFailed.field("file", "文件中没有工单")
    if len(rows) > MAX_ROWS:
        raise ValidationFailed.field("file", f"一次最多导入{MAX_ROWS}条工单")
    return rows


def import_orders(actor: Actor, name: str, content: bytes) -> list[Report]:
    access.require_receive(actor)
    assert actor.county_id is not None
    rows = read_rows(name, content)
    errors: dict[str, list[str]] = {}
    cleaned: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    existing = set(
        Report.objects.filter(county_id=actor.county_id, channel=Channel.HOTLINE).values_list(
            "external_id", flat=True
        )
    )
    for line, row in enumerate(rows, start=2):
        problems: list[str] = []
        order_no = row.get("order_no", "").strip()
        if not order_no or len(order_no) > 64:
            problems.append("工单号不能为空，且不超过64个字符")
        elif order_no in seen or order_no in existing:
            problems.append(f"工单号{order_no}重复")
        seen.add(order_no)
        try:
            clean = clean_report(
                {**row, "channel": Channel.HOTLINE}, actor.county_id, channels=(Channel.HOTLINE,)
            )
        except ValidationFailed as exc:
            problems.extend(m for msgs in exc.details.values() for m in msgs)
        else:
            cleaned.append((order_no, clean))
        if problems:
            errors[f"第{line}行"] = problems
    if errors:
        raise ValidationFailed(f"有{len(errors)}行数据有误，未导入任何工单", details=errors)
    with transaction.atomic():
        return [
            services.register(
                actor, clean, clean["township"], (), by=f"12345批量导入（{actor}）", external_id=order_no
            )
            for order_no, clean in cleaned
        ]
