"""Start-up checks report a misconfigured channel."""

from __future__ import annotations

from typing import Any

from xiezhi.notifications.checks import check_channels


def test_default_configuration_is_clean(settings: Any) -> None:
    settings.XIEZHI_NOTIFY_CHANNELS = ["console"]
    assert check_channels() == []


def test_unknown_channel_and_unconfigured_sms_are_reported(settings: Any) -> None:
    settings.XIEZHI_NOTIFY_CHANNELS = "console,sms,pigeon"
    settings.XIEZHI_SMS_WEBHOOK_URL = "ftp://gateway.example/"
    settings.XIEZHI_SMS_WEBHOOK_SECRET = "x"
    ids = sorted(str(m.id) for m in check_channels())
    assert ids == ["notifications.E001", "notifications.W001"]
