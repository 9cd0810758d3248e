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
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类", code="password_classes"
            )

    def get_help_text(self) -> str:
        return "密码至少8位，且包含大写字母、小写字母、数字、特殊字符中的至少三类。"


# No look-alikes (0/O, 1/l/I) in temporary passwords: they are read off a screen and typed in.
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnopqrstuvwxyz"
_DIGITS = "23456789"
_SYMBOLS = "-_.@#%+="


def generate_temporary_password(length: int = 14) -> str:
    """A one-time password handed to a user who must change it at first sign-in; all four classes."""
    import secrets

    pools = (_UPPER, _LOWER, _DIGITS, _SYMBOLS)
    chars = [secrets.choice(pool) for pool in pools]
    everything = "".join(pools)
    chars += [secrets.choice(everything) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
