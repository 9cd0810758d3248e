"""Reading a form or JSON field the way the services do (bad input → 422 on that field)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xiezhi.core.errors import ValidationFailed


def text_field(
    data: Mapping[str, Any], name: str, label: str, *, required: bool = True, max_length: int = 5000
) -> str:
    """The stripped text of ``data[name]``; missing (when required) or too long → 422 on that field."""
    value = str(data.get(name) or "").strip()
    if required and not value:
        raise ValidationFailed.field(name, f"请填写{label}")
    if len(value) > max_length:
        raise ValidationFailed.field(name, f"{label}不能超过{max_length}个字")
    return value


def ids_as_fields(data: dict[str, Any], *names: str) -> dict[str, Any]:
    """API payloads name related records `<name>_id`; the services take them as `<name>` (as the
    page forms post them). Renames in place and returns `data`."""
    for name in names:
        if f"{name}_id" in data:
            data[name] = data.pop(f"{name}_id")
    return data
