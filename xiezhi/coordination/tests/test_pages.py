"""Dispute pages through the real session machinery."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from xiezhi.coordination.models import Dispute
from xiezhi.testing.factories import Personas
from xiezhi.transfers import replies
from xiezhi.transfers.tests.helpers import World, build_world, make_sent, page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(personas: Personas) -> World:
    return build_world(personas)


@pytest.mark.rule("R-DIS-03")
def test_open_from_a_declined_transfer_and_work_it_through_the_pages(world: World) -> None:
    t = make_sent(world)
    replies.decline(
        world.actor("department_liaison"), t, {"reason": "not_competent", "detail": "属于乡村规划区"}
    )
    handler = page(world, "township_handler")
    detail = handler.get(f"/transfers/{t.pk}/").content.decode()
    assert 'data-testid="action-dispute"' in detail
    form = handler.get("/disputes/new/", {"transfer": t.pk}).content.decode()
    assert "属于乡村规划区" in form and f'value="{t.pk}"' in form
    r = handler.post(
        "/disputes/new/",
        {
            "transfer": t.pk,
            "kind": "transfer",
            "counterpart": world.dept.pk,
            "subject": "管辖",
            "facts": "经过",
            "applicant_position": "意见",
        },
    )
    assert r.status_code == 422 and 'data-testid="error-provisional_handler"' in r.content.decode()
    assert not Dispute.objects.exists()
    r = handler.post(
        "/disputes/new/",
        {
            "transfer": t.pk,
            "kind": "transfer",
            "counterpart": world.dept.pk,
            "subject": "管辖",
            "facts": "经过",
            "applicant_position": "意见",
            "provisional_handler": world.town.pk,
        },
    )
    d = Dispute.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/disputes/{d.pk}/"
    page_html = handler.get(f"/disputes/{d.pk}/").content.decode()
    assert 'data-testid="action-acknowledge"' in page_html and 'data-status="negotiating"' in page_html
    assert handler.post(f"/disputes/{d.pk}/acknowledge/", {"note": "继续监管"}).status_code == 302
    leader = page(world, "department_leader")
    r = leader.post(
        f"/disputes/{d.pk}/agree/",
        {"place": "会议室", "chair": "钱局长", "attendees": "城关镇\n城管局", "agreements": "由城管局查处"},
    )
    assert r.status_code == 302
    assert Dispute.objects.get().status == "agreed"
    assert 'data-status="agreed"' in handler.get("/disputes/").content.decode()
    assert page(world, "other_township_handler").get(f"/disputes/{d.pk}/").status_code == 404
    r = leader.post(f"/disputes/{d.pk}/apply/", {"negotiation": "x"})
    assert r.status_code == 409
