"""The app's settings, read at call time (so tests and operators can change them) with safe defaults.

Every name is documented in README.md; none of them makes a network call unless it is configured.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def _get(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def default_channels() -> list[str]:
    raw = _get("XIEZHI_NOTIFY_CHANNELS", ["console"])
    if isinstance(raw, str):
        raw = raw.split(",")
    return [c.strip() for c in raw if c and c.strip()]


def inline_dispatch() -> bool:
    """True: send right after the notifying transaction commits; False: leave it all to `xiezhi deliver`."""
    return bool(_get("XIEZHI_NOTIFY_INLINE", True))


def max_attempts() -> int:
    return max(1, int(_get("XIEZHI_NOTIFY_MAX_ATTEMPTS", 6)))


def retry_base_seconds() -> float:
    return max(0.0, float(_get("XIEZHI_NOTIFY_RETRY_BASE_SECONDS", 60)))


def retry_max_seconds() -> float:
    return max(0.0, float(_get("XIEZHI_NOTIFY_RETRY_MAX_SECONDS", 3600)))


def lease_seconds() -> float:
    return max(1.0, float(_get("XIEZHI_NOTIFY_LEASE_SECONDS", 300)))


def email_domain() -> str:
    return str(_get("XIEZHI_NOTIFY_EMAIL_DOMAIN", "") or "").strip().lstrip("@")


def sms_webhook_url() -> str:
    return str(_get("XIEZHI_SMS_WEBHOOK_URL", "") or "").strip()


def sms_webhook_secret() -> str:
    return str(_get("XIEZHI_SMS_WEBHOOK_SECRET", "") or "")


def sms_webhook_timeout() -> float:
    return float(_get("XIEZHI_SMS_WEBHOOK_TIMEOUT", 10))


def site_url() -> str:
    """Absolute base for links in e-mail and SMS (the inbox itself uses the relative link)."""
    return str(_get("XIEZHI_SITE_URL", "") or "").rstrip("/")
