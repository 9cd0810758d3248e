"""CSV and xlsx exports of the directory lists. Every export is audited (who, what, filters, rows);
phones are exported masked, like the lists they come from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.http import HttpResponse

from xiezhi.audit.services import record
from xiezhi.core.actor import Actor
from xiezhi.core.errors import ValidationFailed
from xiezhi.core.exports import csv_response, xlsx_response
from xiezhi.rulebook.masking import mask_phone
from xiezhi.rulebook.zh import format_date_zh
from xiezhi.units.models import Certificate, Person, Unit
from xiezhi.units.selectors import category_label, subject_review_due

FORMATS = {"csv", "xlsx"}


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date) and not isinstance(value, datetime):
        return format_date_zh(value)
    return "" if value is None else value


def export(
    actor: Actor,
    kind: str,
    title: str,
    fmt: str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    filters: dict[str, Any],
) -> HttpResponse:
    if fmt not in FORMATS:
        raise ValidationFailed.field("export", "导出格式应为 csv 或 xlsx")
    data = [[_cell(v) for v in row] for row in rows]
    with transaction.atomic():
        record(
            actor,
            f"{kind}.export",
            (f"units.{kind}", "", title),
            after={"format": fmt, "rows": len(data), "filters": filters},
        )
    filename = f"{title}.{fmt}"
    if fmt == "csv":
        return csv_response(filename, headers, data, ascii_name=f"{kind}.{fmt}")
    return xlsx_response(filename, headers, data, sheet_title=title, ascii_name=f"{kind}.{fmt}")


UNIT_HEADERS = ("单位编码", "单位名称", "单位类型", "所属县", "上级单位", "统一社会信用代码", "信用代码校验说明",
                "执法主体", "主体资格依据", "主体资格审核日期", "待复核", "状态")  # fmt: skip


def unit_rows(units: Iterable[Unit], today: date) -> Iterable[list[Any]]:
    for u in units:
        yield [
            u.code, u.name, u.get_kind_display(), u.county.name, u.parent.name if u.parent else "", u.credit_code,
            u.credit_code_override_reason, u.is_enforcement_subject, u.subject_legal_basis, u.subject_review_date,
            subject_review_due(u, today), "启用" if u.active else "停用",
        ]  # fmt: skip


PERSON_HEADERS = ("姓名", "单位", "内设机构", "职务", "角色", "类别", "联系电话", "状态")


def person_rows(people: Iterable[Person]) -> Iterable[list[Any]]:
    for p in people:
        roles = "、".join(r.get_role_display() for r in p.roles.all())
        yield [
            p.name, p.unit.name, p.section.name if p.section else "", p.post, roles,
            category_label(bool(getattr(p, "is_officer", False)), p.unit.kind), mask_phone(p.phone) if p.phone else "",
            "在岗" if p.active else "停用",
        ]  # fmt: skip


CERTIFICATE_HEADERS = ("证件编号", "持证人", "单位", "发证机关", "执法领域", "有效期起", "有效期止", "状态",
                       "最近年审日期", "30日内到期", "已过期")  # fmt: skip


def certificate_rows(certs: Iterable[Certificate], today: date) -> Iterable[list[Any]]:
    for c in certs:
        yield [
            c.number, c.holder.name, c.holder.unit.name, c.issuing_authority, c.fields, c.valid_from, c.valid_to,
            c.get_status_display(), c.last_review_date, c.expires_soon(today), c.is_expired_on(today),
        ]  # fmt: skip
