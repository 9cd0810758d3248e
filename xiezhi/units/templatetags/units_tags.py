from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from xiezhi.rulebook.masking import mask_phone
from xiezhi.units.selectors import category_label

register = template.Library()


@register.filter
def masked_phone(value: str | None) -> str:
    """Lists show phones masked; the full number is an explicit, audited action."""
    return mask_phone(value) if value else "—"


@register.simple_tag
def category_tag(person: Any) -> str:
    """执法人员 / 协管/辅助人员 as a tag; needs `is_officer` annotated (selectors.with_officer_flag)."""
    officer = bool(getattr(person, "is_officer", False))
    label = category_label(officer, person.unit.kind)
    if not label:
        return "—"
    css = "ok" if officer else "warn"
    return format_html('<span class="tag {}" data-testid="category">{}</span>', css, label)
