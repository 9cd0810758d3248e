"""Test helpers for signing in through the real session machinery (any app's tests may use them).

Administrators must pass the second factor before any page or session API call; `sign_in` gives a
test client a session that has done so, as a real sign-in followed by a TOTP code would.
"""

from __future__ import annotations

import time
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from xiezhi.accounts import policy
from xiezhi.accounts.models import User


def totp_code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the user's phone shows now (or `steps_ahead` periods later: a code once accepted
    cannot be used again, so a second verification within 30 s needs the next one)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)


def mark_verified(client: Client, device: TOTPDevice) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def sign_in(client: Client, user: Any) -> Client:
    """force_login, plus a verified second factor for administrators and enrolled users."""
    account: User = user if isinstance(user, User) else user.account
    client.force_login(account)
    if policy.otp_required(account) or policy.has_confirmed_device(account):
        mark_verified(client, enrol_device(account))
    return client
