"""Shared test data for assistance requests, hazard notices and corrections."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.deadlines.models import Obligation
from xiezhi.notifications.models import Notification
from xiezhi.testing.factories import Personas


def counts(*extra: type[models.Model]) -> tuple[int, ...]:
    """Row counts that bad input must leave unchanged."""
    tables: tuple[type[models.Model], ...] = (AuditEvent, Obligation, Notification, *extra)
    return tuple(m._default_manager.count() for m in tables)


def clocks(obj: models.Model) -> dict[str, Obligation]:
    ct = ContentType.objects.get_for_model(type(obj))
    # The latest duty per rule (a reopened correction has a second one).
    obs = Obligation.objects.filter(subject_type=ct, subject_id=str(obj.pk)).order_by("pk")
    return {ob.rule_id: ob for ob in obs}


def ago(**kw: Any) -> str:
    return (timezone.now() - timedelta(**kw)).isoformat()


def request_data(p: Personas, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "testing",
        "assisting": p.department.pk,
        "subject": "解放路18号违建彩钢板房结构安全检测",
        "details": "请对现场彩钢板房结构安全进行检测并出具检测意见。",
        "case_reference": "城关镇〔2025〕12号",
    }
    data.update(extra)
    return data


def hazard_data(p: Personas, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "category": "safety",
        "department": p.department.pk,
        "title": "解放路农贸市场燃气管道泄漏隐患",
        "location": "城关镇解放路农贸市场",
        "description": "市场东侧燃气管道锈蚀，有明显气味。",
        "proposals": "建议立即停气检修，疏散周边摊位。",
        "found_at": ago(hours=1),
    }
    data.update(extra)
    return data


def officers(p: Personas) -> list[int]:
    return [p.department_liaison.pk, p.department_leader.pk]


def dispatch_data(p: Personas, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    data: dict[str, Any] = {
        "officers": officers(p),
        "dispatched_at": now.isoformat(),
        "arrived_at": now.isoformat(),
        "onsite_note": "已到场封存样品",
    }
    data.update(extra)
    return data


@pytest.fixture
def isolated_media(tmp_path: Path, settings: Any) -> None:
    """Issued documents (协助复函) go to a temporary media root."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
