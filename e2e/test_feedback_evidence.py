"""Feedback loop and evidence mutual recognition in the browser (issue 8 §7).

R-CO-09: a township sends the outcome of a decision and the loophole it found to the managing
department (empty content refused first), the department answers, the township reads the answer.
R-CO-07: the department cites the township's transfer evidence by its SHA-256 without re-uploading it
(a wrong hash refused first) and the chain of custody names where the file came from.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from e2e.test_assistance import _page_for
from xiezhi.coordination.corrections.models import EvidenceCitation, Feedback
from xiezhi.testing.factories import Personas, make_personas
from xiezhi.transfers.tests.helpers import PNG, build_world, make_sent

pytestmark = pytest.mark.e2e


@pytest.fixture
def personas(transactional_db: None, settings: Any, tmp_path: Path) -> Personas:
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_personas()


@pytest.mark.rule("R-CO-09")
def test_outcome_feedback_is_answered_by_the_managing_department(
    browser: Any, live_server: Any, personas: Personas
) -> None:
    base, p = live_server.url, personas
    town = _page_for(browser, base, "t_handler")
    town.goto(f"{base}/corrections/feedback/new/")
    town.select_option("[data-testid=field-direction]", "outcome")
    town.select_option("[data-testid=field-recipient]", str(p.department.pk))
    town.fill("[data-testid=field-subject]", "某餐馆无证经营案处理结果")
    town.click("[data-testid=submit-feedback]")
    town.wait_for_selector("[data-testid=form-errors]")
    assert Feedback.objects.count() == 0
    town.fill("[data-testid=field-content]", "已责令停业并罚款5000元。")
    town.fill("[data-testid=field-loophole]", "该店长期无证经营，日常巡查未发现。")
    town.click("[data-testid=submit-feedback]")
    town.wait_for_url(f"{base}/corrections/feedback/*/")
    feedback = Feedback.objects.get()

    dept = _page_for(browser, base, "d_liaison")
    dept.goto(f"{base}/corrections/feedback/")
    dept.click(f"[data-testid=feedback-row-{feedback.pk}] a >> nth=0")
    dept.fill("[data-testid=reply-text]", "已将该店纳入重点巡查名单。")
    dept.click("[data-testid=action-answer]")
    dept.wait_for_selector("[data-testid=reply]")

    town.reload()
    assert "已将该店纳入重点巡查名单" in town.inner_text("[data-testid=reply]")


@pytest.mark.rule("R-CO-07")
def test_evidence_is_cited_by_its_hash_and_the_chain_names_its_origin(
    browser: Any, live_server: Any, personas: Personas
) -> None:
    base, p = live_server.url, personas
    photo = make_sent(build_world(p)).materials.get(kind="evidence")
    sha = hashlib.sha256(PNG).hexdigest()
    dept = _page_for(browser, base, "d_liaison")
    dept.goto(f"{base}/corrections/evidence/new/")
    dept.select_option("[data-testid=field-origin-kind]", "transfer_material")
    dept.fill("[data-testid=field-origin-id]", str(photo.pk))
    dept.fill("[data-testid=field-sha256]", "f" * 64)
    dept.fill("[data-testid=field-cited-in]", "行政处罚决定书")
    dept.click("[data-testid=submit-citation]")
    dept.wait_for_selector("[data-testid=form-errors]")
    assert EvidenceCitation.objects.count() == 0
    dept.fill("[data-testid=field-sha256]", sha)
    dept.click("[data-testid=submit-citation]")
    dept.wait_for_selector("[data-testid=citations]")
    assert dept.inner_text("[data-testid=sha256]") == sha
    assert p.township.name in dept.inner_text("[data-testid=sources]")
    assert "行政处罚决定书" in dept.inner_text("[data-testid=citations]")
