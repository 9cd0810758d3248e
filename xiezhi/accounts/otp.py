"""The TOTP second factor (django-otp): enrolment, the otpauth URI and its QR code, verification.

A user has at most one confirmed device. Enrolment keeps one unconfirmed device whose secret the
user scans; it becomes confirmed when the first code from it verifies. The QR code is drawn here as
SVG (the `qrcode` package) — no external service sees the secret.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "身份验证器"
DEFAULT_ISSUER = "獬豸执法平台"


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).order_by("pk").first()


def pending_device(user: Any) -> TOTPDevice:
    """The unconfirmed device being enrolled; the same one on every visit, so a reload does not
    invalidate a code the user has already scanned."""
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode().rstrip("=")


def otpauth_uri(device: TOTPDevice) -> str:
    issuer = str(getattr(settings, "OTP_TOTP_ISSUER", "") or DEFAULT_ISSUER).replace(":", "")
    label = quote(f"{issuer}:{device.user.get_username()}")
    params = urlencode(
        {"secret": secret_base32(device), "algorithm": "SHA1", "digits": device.digits, "period": device.step}
    )
    return f"otpauth://totp/{label}?{params}&issuer={quote(issuer)}"


def qr_svg(data: str) -> bytes:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=10, border=2)
    return image.to_string(encoding="utf-8")  # type: ignore[no-any-return]


def clean_code(raw: str) -> str:
    return "".join(ch for ch in raw if not ch.isspace())


def is_well_formed(code: str) -> bool:
    return len(code) == 6 and code.isdigit()
