from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks


class AuditConfig(AppConfig):
    name = "xiezhi.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from xiezhi.audit.selectors import is_auditor
        from xiezhi.core import navigation

        navigation.register("审计日志", "audit:list", 90, visible=is_auditor)
        checks.register(check_hash_setting)


def check_hash_setting(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """XIEZHI_AUDIT_HASH must name an algorithm this machine can compute."""
    from django.conf import settings

    from xiezhi.audit.hashing import ALGORITHMS, sm3_available

    algorithm = getattr(settings, "XIEZHI_AUDIT_HASH", "sha256")
    if algorithm not in ALGORITHMS:
        return [
            checks.Error(f"XIEZHI_AUDIT_HASH={algorithm!r} 无效，应为 sha256 或 sm3", id="xiezhi.audit.E001")
        ]
    if algorithm == "sm3" and not sm3_available():
        return [
            checks.Error(
                "XIEZHI_AUDIT_HASH=sm3，但本机 OpenSSL 不支持 SM3 且未安装 gmssl", id="xiezhi.audit.E002"
            )
        ]
    return []
