"""Test data for consultations and joint operations, on the personas' county."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from xiezhi.audit.models import AuditEvent
from xiezhi.coordination.meetings import services
from xiezhi.coordination.models import ActionItem, JointOperation, Meeting, OperationFinding, OperationOfficer
from xiezhi.deadlines.models import Obligation
from xiezhi.documents.models import IssuedDocument
from xiezhi.intake.models import Report
from xiezhi.testing.factories import Personas, make_certificate, make_person
from xiezhi.units.models import Person


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def counts() -> tuple[int, ...]:
    """Everything a write could leave behind: a refused request must change none of it."""
    return (
        Meeting.objects.count(),
        Meeting.objects.exclude(status="convened").count(),
        ActionItem.objects.count(),
        IssuedDocument.objects.count(),
        JointOperation.objects.count(),
        OperationOfficer.objects.count(),
        OperationFinding.objects.count(),
        Obligation.objects.count(),
        AuditEvent.objects.count(),
    )


def convene_data(p: Personas, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "topic",
        "title": "城区占道经营整治专题会商",
        "agenda": "研究解放路夜市占道经营整治\n明确各单位分工",
        "scheduled_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "place": "城关镇政府三楼会议室",
        "chair": "李镇长",
        "invited_units": [p.department.pk, p.other_township.pk],
        "invited_people": [p.department_leader.pk],
    }
    data.update(extra)
    return data


def minutes_data(p: Personas, **extra: Any) -> dict[str, Any]:
    soon = timezone.localdate() + timedelta(days=10)
    data: dict[str, Any] = {
        "attendees": ["城关镇：李镇长、张承办", "示例县城市管理局：钱局长"],
        "discussion": "各方通报了夜市占道经营情况。",
        "decisions": [
            {
                "decision": "城管局牵头制定夜市规范设置方案",
                "responsible": p.department.pk,
                "due_date": soon.isoformat(),
            },
            {
                "decision": "城关镇做好摊主宣传劝导",
                "responsible": p.township.pk,
                "due_date": soon.isoformat(),
            },
        ],
    }
    data.update(extra)
    return data


def convened(p: Personas, **extra: Any) -> Meeting:
    return services.convene(p.actor("township_handler"), convene_data(p, **extra))


def minuted(p: Personas) -> Meeting:
    m = convened(p)
    return services.issue_minutes(p.actor("township_leader"), m, minutes_data(p))


def certified(p: Personas) -> dict[str, Person]:
    """Two certified officers of the township and one of the department; an assistant; one whose
    certificate is suspended; one whose certificate has expired."""
    today = timezone.localdate()
    people = {
        "a": make_person(p.township, "执法甲", ("handler",), account=False),
        "b": make_person(p.township, "执法乙", ("handler",), account=False),
        "c": make_person(p.department, "执法丙", ("handler",), account=False),
        "helper": make_person(p.township, "协管丁", (), account=False),
        "suspended": make_person(p.department, "暂扣戊", ("handler",), account=False),
        "expired": make_person(p.township, "过期己", ("handler",), account=False),
    }
    for key in ("a", "b", "c"):
        make_certificate(people[key])
    make_certificate(people["suspended"], status="suspended")
    make_certificate(
        people["expired"], valid_from=today - timedelta(days=400), valid_to=today - timedelta(days=1)
    )
    return people


def report_for(p: Personas) -> Report:
    from xiezhi.intake import services as intake

    return intake.create_report(
        p.actor("township_handler"),
        {
            "channel": "walk_in",
            "text": "解放路夜市多家摊位占道经营并使用液化气罐，存在安全隐患。",
            "township": str(p.township.pk),
            "address": "城关镇解放路",
            "anonymous": True,
        },
    )
