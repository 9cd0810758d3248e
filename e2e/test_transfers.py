"""A transfer in the browser (issue 7 §6): a township officer prepares it, the leader approves, the
department's liaison accepts, a copied unit reads the copy notice, and everyone downloads the documents."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from django.utils import timezone

from e2e.conftest import sign_in
from xiezhi.testing.factories import PASSWORD, make_personas
from xiezhi.transfers.models import Transfer
from xiezhi.transfers.tests.helpers import PDF, PNG, build_world


@pytest.fixture
def world(transactional_db: None, settings: Any, tmp_path: Path) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(make_personas())


def _page_for(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("dialog", lambda dialog: dialog.accept())  # the data-confirm questions
    sign_in(page, base, username, PASSWORD)
    page.wait_for_load_state()
    return page


def _downloads_documents(page: Any) -> list[str]:
    """Fetch every PDF and DOCX listed under 执法文书 with the page's own session."""
    numbers = page.locator("[data-testid=documents] tbody tr td:first-child").all_inner_texts()
    for link in page.locator("[data-testid=documents] a").all():
        url = urljoin(page.url, link.get_attribute("href"))
        response = page.request.get(url)
        assert response.status == 200, url
        body = response.body()
        assert body[:4] in (b"%PDF", b"PK\x03\x04")
    return numbers


def test_prepare_approve_accept_copy_and_download(browser: Any, live_server: Any, world: Any, tmp_path: Path) -> None:
    base = live_server.url
    p = world.p
    officer = _page_for(browser, base, "t_handler")
    officer.goto(f"{base}/transfers/new/")
    officer.select_option("[data-testid=field-receiver]", str(p.department.pk))
    officer.select_option("[data-testid=field-matter]", str(world.plan.pk))
    officer.fill("[data-testid=field-party]", "王某某")
    officer.fill("[data-testid=field-location]", "城关镇解放路18号")
    discovered = timezone.localtime(timezone.now() - timedelta(hours=2))
    officer.fill("[data-testid=field-discovered-at]", discovered.strftime("%Y-%m-%dT%H:%M"))
    officer.fill("[data-testid=field-facts]", "当事人在自家院内搭建约30平方米彩钢板房，现场已拍照取证。")
    officer.select_option("[data-testid=field-copy-to]", [str(p.other_township.pk)])
    officer.click("[data-testid=save-transfer]")
    officer.wait_for_selector("[data-testid=transfer-status]")
    transfer = Transfer.objects.get()

    # Submitting without materials lists what is missing (R-TR-06).
    officer.click("[data-testid=action-submit]")
    assert officer.locator("[data-testid=missing-list] li").count() >= 1

    for kind, title, name, content in (
        ("inspection_record", "现场检查笔录", "笔录.pdf", PDF),
        ("evidence", "现场照片", "照片.png", PNG),
    ):
        path = tmp_path / name
        path.write_bytes(content)
        officer.select_option("[data-testid=upload-kind]", kind)
        officer.fill("[data-testid=upload-title]", title)
        officer.set_input_files("[data-testid=upload-file]", str(path))
        officer.click("[data-testid=upload-submit]")
        officer.wait_for_load_state()
    officer.click("[data-testid=action-submit]")
    officer.wait_for_selector("[data-testid=transfer-status][data-status=pending_approval]")

    leader = _page_for(browser, base, "t_leader")
    leader.goto(f"{base}/transfers/{transfer.pk}/")
    leader.click("[data-testid=action-approve]")
    leader.wait_for_selector("[data-testid=transfer-status][data-status=sent]")
    assert any("移" in n for n in _downloads_documents(leader))  # the transfer letter, 示例县…移〔年〕N号

    liaison = _page_for(browser, base, "d_liaison")
    liaison.goto(f"{base}/transfers/?box=received")
    assert liaison.locator(f"[data-testid=transfer-row-{transfer.pk}]").count() == 1
    liaison.goto(f"{base}/transfers/{transfer.pk}/")
    liaison.fill("[data-testid=accept-handling]", "立案调查")
    liaison.click("[data-testid=action-accept]")
    liaison.wait_for_selector("[data-testid=transfer-status][data-status=accepted]")
    assert len(_downloads_documents(liaison)) >= 2  # the letter and the acceptance notice

    copied = _page_for(browser, base, "o_handler")
    copied.goto(f"{base}/transfers/{transfer.pk}/")
    copied.locator("[data-testid^=copy-notice-read-]").click()
    copied.wait_for_selector("[data-testid=my-copy-status]")
    assert "已签收" in copied.inner_text("[data-testid=my-copy-status]")
    _downloads_documents(copied)
    officer.goto(f"{base}/transfers/{transfer.pk}/")
    assert _downloads_documents(officer)  # the sender too

    transfer.refresh_from_db()
    assert transfer.status == "accepted"
    assert transfer.copy_notices.filter(unit=p.other_township, read_at__isnull=False).exists()
