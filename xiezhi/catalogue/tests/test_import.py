"""Import and export: round trips change nothing; errors name sheet, row and column; all or nothing;
progress for the page (htmx) and the command line."""

from __future__ import annotations

import io
import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from xiezhi.catalogue import imports, versions
from xiezhi.catalogue.models import CatalogueVersion, Devolution, ImportJob, Matter
from xiezhi.catalogue.spreadsheets import export_csv, export_table, export_xlsx
from xiezhi.catalogue.tests.helpers import Cat, api_client, build_cat, future, page_client
from xiezhi.testing.factories import make_personas

pytestmark = pytest.mark.django_db


def upload(cat: Cat, name: str, payload: bytes, **form: Any) -> Any:
    client = api_client(cat, "manager")
    data = {"file": SimpleUploadedFile(name, payload), **form}
    return client.post("/api/v1/catalogue/imports", data)


def xlsx(rows: list[list[Any]], title: str = "事项清单") -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_export_then_import_changes_nothing_xlsx_and_csv(cat: Cat) -> None:
    # A partial period and an entrusted cell make the round trip non-trivial.
    draft = versions.create_draft(cat.actor("manager"), cat.p.county.pk, {"effective_from": future()})
    row = Devolution.objects.get(version=draft, matter=cat.city, township=cat.other)
    versions.update_devolution(cat.actor("manager"), row, {"effective_to": future(60)})
    versions.create_devolution(
        cat.actor("manager"), draft,
        {"matter_id": cat.city.pk, "township_id": cat.other.pk, "mode": "granted", "effective_from": future(61)},
    )  # fmt: skip
    header, rows = export_table(draft)
    assert header[:11] == ["code", "name", "field", "department", "legal_basis_violation", "legal_basis_penalty",
                           "penalty", "min_fine_yuan", "max_fine_yuan", "major_category", "source_file"]  # fmt: skip
    city = next(r for r in rows if r[0] == "DEMO-SR-001")
    assert (
        city[header.index("河西镇")] == f"不下放 至{future(60).isoformat()}；赋权 {future(61).isoformat()}至"
    )
    noise = next(r for r in rows if r[0] == "DEMO-ZS-001")
    assert noise[header.index("河西镇")] == "委托（WT-2025-01）"
    matters_before = list(Matter.objects.order_by("pk").values())

    for name, payload in (("v.xlsx", export_xlsx(draft)), ("v.csv", export_csv(draft))):
        response = upload(cat, name, payload, effective_from=future().isoformat())
        assert response.status_code == 202, response.content
        job = response.json()
        assert job["status"] == "succeeded", job
        imported = CatalogueVersion.objects.get(pk=job["version_id"])
        assert versions.compare(draft, imported).is_empty
        assert export_table(imported) == (header, rows)
        assert list(Matter.objects.order_by("pk").values()) == matters_before  # no matter was touched


def test_every_error_is_reported_with_sheet_row_and_column_and_nothing_is_imported(cat: Cat) -> None:
    header = ["code", "name", "field", "department", "legal_basis_violation", "legal_basis_penalty", "penalty",
              "min_fine_yuan", "max_fine_yuan", "major_category", "source_file", "城关镇", "河西镇"]  # fmt: skip
    good: list[Any] = ["DEMO-NEW-001", "新事项", "市容环境卫生", "县城市管理局", "《条例》第一条", "《条例》第二条", "罚款", 100, 500,
            "none", "", "赋权", "不下放"]  # fmt: skip
    rows: list[list[Any]] = [
        header,
        good,
        [*good[:3], "县不存在局", *good[4:]],  # row 3: department
        [*good[:7], 900, 100, *good[9:]],  # row 4: min > max (and duplicate code)
        [*good[:11], "下放", "委托"],  # row 5: bad mode; entrusted without a letter (and duplicate code)
        ["DEMO-NEW-002", *good[1:9], "重大", *good[10:]],  # row 6: category
    ]
    versions_before, matters_before = CatalogueVersion.objects.count(), Matter.objects.count()
    job = upload(cat, "bad.xlsx", xlsx(rows), effective_from=future().isoformat()).json()
    assert job["status"] == "failed" and "未导入任何数据" in job["message"]
    found = {(e["sheet"], e["row"], e["column"]): e["message"] for e in job["errors"]}
    assert "不是本县的单位" in found[("事项清单", 3, "D")]
    assert "最高罚款100低于最低罚款900" in found[("事项清单", 4, "I")]
    assert "与第2行重复" in found[("事项清单", 4, "A")]
    assert "下放方式“下放”无效" in found[("事项清单", 5, "L")]
    assert "委托事项必须附行政执法委托书" in found[("事项清单", 5, "M")]
    assert "“重大”无效" in found[("事项清单", 6, "J")]
    assert CatalogueVersion.objects.count() == versions_before and Matter.objects.count() == matters_before


def test_missing_township_column_and_unknown_column(cat: Cat) -> None:
    rows: list[list[Any]] = [
        ["code", "name", "field", "department", "城关镇", "备注"],
        ["X-1", "n", "f", "县城市管理局", "赋权", ""],
    ]
    job = upload(cat, "bad.xlsx", xlsx(rows), effective_from=future().isoformat()).json()
    messages = [(e["row"], e["column"], e["message"]) for e in job["errors"]]
    assert (1, "F", "未知的列“备注”：既不是事项清单的列，也不是本县的乡镇（街道）") in messages
    assert any(m[0] == 1 and "缺少乡镇（街道）“河西镇”的下放方式列" in m[2] for m in messages)


def test_import_into_a_published_version_is_refused(cat: Cat) -> None:
    response = upload(cat, "v.xlsx", export_xlsx(cat.v1), version_id=str(cat.v1.pk))
    assert response.status_code == 409


def test_progress_page_polls_until_done(cat: Cat) -> None:
    client = page_client(cat, "manager")
    response = client.post(
        "/catalogue/imports/new/",
        {"file": SimpleUploadedFile("v.xlsx", export_xlsx(cat.v1)), "effective_from": future().isoformat()},
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == "succeeded" and job.done == job.total == 3
    fragment = client.get(
        f"/catalogue/imports/{job.pk}/progress", headers={"HX-Request": "true"}
    ).content.decode()
    assert "已完成" in fragment and "hx-trigger" not in fragment
    ImportJob.objects.filter(pk=job.pk).update(status="running", done=1, phase="校验")
    running = client.get(
        f"/catalogue/imports/{job.pk}/progress", headers={"HX-Request": "true"}
    ).content.decode()
    assert 'hx-trigger="every 1s"' in running and "<progress" in running and "1/3" in running


@pytest.mark.django_db(transaction=True)
def test_the_page_import_runs_in_a_background_thread(settings: Any) -> None:
    settings.XIEZHI_CATALOGUE_IMPORT_THREAD = True
    cat = build_cat(make_personas())
    response = upload(cat, "v.xlsx", export_xlsx(cat.v1), effective_from=future().isoformat())
    assert response.status_code == 202
    job_id = response.json()["id"]
    # Join the worker rather than poll: in-memory SQLite (shared cache) locks whole tables.
    worker = next((t for t in threading.enumerate() if t.name == f"{imports.THREAD_PREFIX}{job_id}"), None)
    if worker is not None:
        worker.join(timeout=60)
    job = ImportJob.objects.get(pk=job_id)
    assert job.status == "succeeded", job.message
    assert job.version is not None and versions.compare(cat.v1, job.version).is_empty


def test_command_line_import_and_export_with_progress_bar(cat: Cat, tmp_path: Path, capsys: Any) -> None:
    out = tmp_path / "v1.xlsx"
    call_command("catalogue", "export", "--version", "1", "--county", cat.p.county.code, "-o", str(out))
    assert load_workbook(out).active is not None
    call_command(
        "catalogue", "import", str(out), "--county", cat.p.county.code, "--effective-from", "2030-01-01"
    )
    captured = capsys.readouterr()
    assert "已导入第2版目录草稿：3个事项" in captured.out
    assert "100%" in captured.err and "[" in captured.err
    draft = CatalogueVersion.objects.get(county=cat.p.county, number=2)
    assert draft.effective_from == date(2030, 1, 1) and versions.compare(cat.v1, draft).is_empty

    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,field,department,城关镇,河西镇\nX-1,,f,县城市管理局,赋权,赋权\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match="发现1处错误，未导入任何数据"):
        call_command("catalogue", "import", str(bad), "--county", cat.p.county.code)
    assert "工作表“CSV”第2行B列（name）：不能为空" in capsys.readouterr().err
