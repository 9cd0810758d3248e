"""`coordination.common.views`: `ActionPost`, the POST behind every record's action buttons, on disputes:
an unknown action is 404, a refused one shows the detail page again with the error and writes
nothing, a done one says so and returns to the detail page; `listing` keeps the filters for the pager."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory

from xiezhi.audit.models import AuditEvent
from xiezhi.coordination.common.views import listing
from xiezhi.coordination.disputes import services
from xiezhi.coordination.models import Dispute, DisputeEvent
from xiezhi.core.errors import ValidationFailed
from xiezhi.testing.factories import Personas
from xiezhi.transfers import replies
from xiezhi.transfers.tests.helpers import World, build_world, make_sent, page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def opened(w: World) -> Dispute:
    t = make_sent(w)
    replies.decline(w.actor("department_liaison"), t, {"reason": "not_competent", "detail": "属于乡村规划区"})
    return services.open_dispute(
        w.actor("township_handler"),
        {"transfer": t.pk, "provisional_handler": w.town.pk, "facts": "经过", "applicant_position": "意见"},
    )


def test_unknown_refused_and_done_actions(personas: Personas) -> None:
    w = build_world(personas)
    d = opened(w)
    handler = page(w, "township_handler")
    writes = (DisputeEvent.objects.count(), AuditEvent.objects.count())

    assert handler.post(f"/disputes/{d.pk}/nosuch/").status_code == 404

    r = handler.post(f"/disputes/{d.pk}/apply/", {"negotiation": "x"})  # not the handler's to do
    assert r.status_code == 403 and f'data-status="{d.status}"' in r.content.decode()
    r = page(w, "department_leader").post(f"/disputes/{d.pk}/apply/", {"negotiation": "x"})  # bad input
    assert r.status_code == 422 and f'data-status="{d.status}"' in r.content.decode()
    assert (DisputeEvent.objects.count(), AuditEvent.objects.count()) == writes
    assert Dispute.objects.get(pk=d.pk).status == d.status

    r = handler.post(f"/disputes/{d.pk}/acknowledge/", {"note": "继续监管"}, follow=True)
    assert r.redirect_chain == [(f"/disputes/{d.pk}/", 302)]
    assert "已确认临时承办" in r.content.decode()
    assert Dispute.objects.get(pk=d.pk).provisional_ack_note == "继续监管"


def test_listing_keeps_the_filters_for_the_pager(personas: Personas) -> None:
    w = build_world(personas)
    opened(w)
    request = RequestFactory().get("/disputes/", {"status": "negotiating", "page": "1", "format": "html"})
    page, query = listing(request, Dispute.objects.order_by("-id"))
    assert (page.total, page.page, page.page_size) == (1, 1, 20)
    assert query == "status=negotiating&format=html"
    assert listing(request, Dispute.objects.all(), keep_format=False)[1] == "status=negotiating"
    with pytest.raises(ValidationFailed):
        listing(RequestFactory().get("/disputes/", {"page": "0"}), Dispute.objects.all())
