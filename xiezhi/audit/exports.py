"""CSV export of the filtered audit trail, itself audited ("audit.export").

UTF-8 with a byte-order mark so that Excel and WPS open the Chinese text correctly; cells that a
spreadsheet would read as a formula are prefixed with an apostrophe (CSV injection).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiezhi.audit.filters import AuditFilter
from xiezhi.audit.selectors import events_for
from xiezhi.audit.services import record
from xiezhi.core.actor import Actor

BOM = "\ufeff"
# 序号 is the event's number (its id); 链序号 its position in the chain, empty while it waits.
HEADER = [
    "序号",
    "时间（北京时间）",
    "操作人",
    "操作账号ID",
    "单位",
    "单位ID",
    "IP",
    "操作",
    "对象类型",
    "对象ID",
    "对象",
    "结果",
    "原因",
    "变更前",
    "变更后",
    "摘要算法",
    "内容摘要",
    "链序号",
    "链接摘要",
]
COLUMNS = (
    "id",
    "created_at",
    "actor_name",
    "actor_user_id",
    "unit_name",
    "unit_id",
    "ip",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "success",
    "reason",
    "before",
    "after",
    "algorithm",
    "content_hash",
    "link__seq",
    "link__hash",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "成功" if value else "失败"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif hasattr(value, "astimezone"):
        value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def start_export(actor: Actor, flt: AuditFilter) -> Iterator[str]:
    """Check, count and audit the export now; stream the rows afterwards. The export covers the
    events recorded before its own event (a chain position is empty for an event the chainer has
    not linked yet)."""
    qs = flt.apply(events_for(actor))
    with transaction.atomic():
        count = qs.count()
        event = record(
            actor,
            "audit.export",
            ("audit.auditevent", "", "审计日志"),
            reason=flt.describe(),
            after={"rows": count, "format": "csv"},
        )
    rows = qs.filter(id__lt=event.pk).values_list(*COLUMNS).iterator(chunk_size=2000)
    return _lines(rows)


def _lines(rows: Iterator[tuple[Any, ...]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(HEADER)
    for row in rows:
        yield writer.writerow([_cell(v) for v in row])


def filename() -> str:
    return f"audit-{timezone.localtime():%Y%m%d-%H%M%S}.csv"
