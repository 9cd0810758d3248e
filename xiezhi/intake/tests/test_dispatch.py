"""Dispatch integration (§2): train/eval commands, live suggestions, the choice recorded."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from xiezhi.intake import dispatching, services
from xiezhi.intake.models import Report
from xiezhi.intake.tests.conftest import report_data
from xiezhi.rulebook import dispatch as rd
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db

DEV_ROWS = rd.load_rows(rd.BUNDLED_DEV_SET)
SAMPLE = DEV_ROWS[0]


@pytest.fixture
def small_catalogue(monkeypatch: Any) -> list[rd.Matter]:
    """Forty matters keep training to seconds; the pipeline is the same as for the full catalogue."""
    codes = {r.matter_code for r in DEV_ROWS[:80] if not r.is_none}
    matters = [m for m in rd.load_matters(dispatching.CATALOGUE_CSV) if m.code in codes]
    monkeypatch.setattr(dispatching, "catalogue_matters", lambda: matters)
    return matters


def test_train_eval_suggest_and_record(
    personas: Personas, small_catalogue: list[rd.Matter], tmp_path: Any
) -> None:
    actor = personas.actor("township_handler")
    confirmed = services.create_report(actor, report_data(personas.township, text=SAMPLE.text))
    services.dispatch(actor, confirmed, SAMPLE.matter_code, "")
    services.accept(actor, confirmed)
    assert [r.matter_code for r in dispatching.confirmed_rows()] == [SAMPLE.matter_code]

    out = io.StringIO()
    call_command("dispatch", "train", "--quick", stdout=out)
    path = dispatching.latest_model()
    assert path is not None and path.name.endswith(f"-v{rd.FORMAT_VERSION}.model")
    assert "已训练派单模型" in out.getvalue()

    sample = tmp_path / "eval.csv"
    sample.write_text(
        "id,text,matter_code\n1," + SAMPLE.text + "," + SAMPLE.matter_code + "\n", encoding="utf-8"
    )
    out = io.StringIO()
    call_command("dispatch", "eval", str(sample), "--json", stdout=out)
    figures = json.loads(out.getvalue())
    assert set(figures) == {"top1", "top3", "field_top1", "none_precision", "none_recall", "p95_ms"}
    assert figures["top3"] == 1.0

    c = Client()
    c.force_login(personas.township_handler.account)  # type: ignore[attr-defined]
    html = c.get(
        "/intake/suggest/", {"text": SAMPLE.text, "township": str(personas.township.pk)}
    ).content.decode()
    assert f'value="{SAMPLE.matter_code}"' in html
    resp = c.post(
        "/intake/new/",
        {**report_data(personas.township, text=SAMPLE.text), "matter_code": SAMPLE.matter_code},
    )
    assert resp.status_code == 302
    report = Report.objects.latest("id")
    assert report.matter_code == SAMPLE.matter_code and report.dispatch_count == 1
    assert report.events.filter(kind="dispatched", note__contains="派单助手").exists()


def test_suggest_without_model_says_so(personas: Personas) -> None:
    c = Client()
    c.force_login(personas.township_handler.account)  # type: ignore[attr-defined]
    html = c.get(
        "/intake/suggest/", {"text": "路边有人乱扔垃圾", "township": str(personas.township.pk)}
    ).content.decode()
    assert "尚未训练" in html


def test_eval_without_model_fails_clearly(tmp_path: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="请先运行"):
        call_command("dispatch", "eval", str(tmp_path / "x.csv"))


def test_retrain_due_only_with_new_confirmed_dispatches(
    personas: Personas, small_catalogue: list[rd.Matter]
) -> None:
    import os

    assert dispatching.retrain_due()
    path, _ = dispatching.train_and_save(tune=False)
    assert not dispatching.retrain_due()
    old = path.stat().st_mtime - 2 * 86400
    os.utime(path, (old, old))
    assert not dispatching.retrain_due()  # old, but nothing new to learn from
    actor = personas.actor("township_handler")
    report = services.create_report(actor, report_data(personas.township, text=SAMPLE.text))
    services.dispatch(actor, report, SAMPLE.matter_code, "")
    services.accept(actor, report)
    assert dispatching.retrain_due()


def test_a_model_file_of_an_older_format_is_ignored_and_retrained(small_catalogue: list[rd.Matter]) -> None:
    dispatching.model_dir().mkdir(parents=True, exist_ok=True)
    stale = dispatching.model_dir() / f"dispatch-29990101T000000-v{rd.FORMAT_VERSION - 1}.model"
    stale.write_bytes(b'{"format": "xiezhi-dispatch-model", "format_version": 0}\n')
    assert dispatching.latest_model() is None and dispatching.index() is None
    assert dispatching.retrain_due()
    path, _ = dispatching.train_and_save(tune=False)
    assert dispatching.latest_model() == path and dispatching.index() is not None
