"""Shared records keep their files under sharing/; rows stored under transfers/ before stay served."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from xiezhi.coordination.models import SharedAttachment
from xiezhi.coordination.sharing import services
from xiezhi.core.errors import ValidationFailed
from xiezhi.core.files import TRANSFER_MATERIALS
from xiezhi.testing.factories import Personas
from xiezhi.transfers.tests.helpers import PDF, World, build_world, page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path: Path, settings: Any) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def _record_data(w: World) -> dict[str, Any]:
    return {
        "category": 3,
        "title": "城关镇对王某某违法建设作出行政处罚决定",
        "content": "决定书城综罚〔2025〕12号：责令限期拆除，罚款五千元，已执行完毕。",
        "formed_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "matters": [w.plan.pk],
    }


def test_new_attachments_go_under_sharing_and_old_transfer_paths_still_download(
    personas: Personas, _media: Path
) -> None:
    w = build_world(personas)
    r = services.form_record(w.actor("township_handler"), _record_data(w), [("决定书.pdf", PDF)])
    att = SharedAttachment.objects.get(record=r)
    assert att.path.startswith("sharing/") and (_media / att.path).read_bytes() == PDF
    # A row written before the move points into transfers/: it must still be served, verified.
    old = TRANSFER_MATERIALS.store("旧.pdf", PDF + b"%old")
    SharedAttachment.objects.filter(pk=att.pk).update(path=old.path, sha256=old.sha256, size=old.size)
    services.share(w.actor("township_handler"), r)
    resp = page(w, "department_liaison").get(f"/sharing/{r.pk}/attachments/{att.pk}/")
    assert resp.status_code == 200 and resp.content == PDF + b"%old"


def test_a_bad_file_is_refused_on_the_file_field_and_writes_nothing(personas: Personas, _media: Path) -> None:
    w = build_world(personas)
    with pytest.raises(ValidationFailed) as caught:
        services.form_record(w.actor("township_handler"), _record_data(w), [("x.pdf", b"not a pdf")])
    assert caught.value.details == {"file": ["文件内容与扩展名“.pdf”不符，请上传真实的PDF文件"]}
    assert not SharedAttachment.objects.exists() and not _media.exists()
