"""Password rules: at least 8 characters from 3 of the 4 classes (upper, lower, digit, symbol)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def character_classes(password: str) -> int:
    return sum(
        (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


class CharacterClassValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < 3:
            raise ValidationError("密码须包含大写字母、小写字母、数字、特殊字符中的至少三类", code="password_classes")

    def get_help_text(self) -> str:
        return "密码至少8位，且包含大写字母、小写字母、数字、特殊字符中的至少三类。"
