"""Small template helpers for the transfer and dispute forms."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def errors_for(errors: Any, name: str) -> list[str]:
    """The messages for one field of a {field: [messages]} dict."""
    if not isinstance(errors, dict):
        return []
    return list(errors.get(name, []))


@register.filter
def get(mapping: Any, key: Any) -> Any:
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None


@register.filter
def selected_in(value: Any, values: Any) -> bool:
    """Whether `value` (an id) is among the selected `values` (strings or ints)."""
    if not values:
        return False
    return str(value) in {str(v) for v in values}
