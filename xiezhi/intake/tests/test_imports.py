"""Batch import of 12345 orders: all or nothing, row errors in Chinese."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from xiezhi.core.errors import ValidationFailed
from xiezhi.intake import imports
from xiezhi.intake.models import Report
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db
HEADER = "order_no,text,township,reporter_name,reporter_phone\n"


def test_csv_all_rows_imported(personas: Personas) -> None:
    body = HEADER + "GD1,路边乱堆杂物,T01,李先生,13812345678\nGD2,夜间施工噪音,城关镇,王女士,\n"
    created = imports.import_orders(personas.actor("dispatcher"), "orders.csv", body.encode("utf-8-sig"))
    assert [r.external_id for r in created] == ["GD1", "GD2"]
    assert {r.channel for r in created} == {"hotline_12345"} and created[0].first_unit == personas.township


def test_one_bad_row_imports_nothing(personas: Personas) -> None:
    body = HEADER + "GD1,路边乱堆杂物,T01,李先生,13812345678\nGD1,重复,T01,李先生,1\nGD3,,X01,,\n"
    with pytest.raises(ValidationFailed) as info:
        imports.import_orders(personas.actor("dispatcher"), "orders.csv", body.encode())
    assert set(info.value.details) == {"第3行", "第4行"}
    assert any("重复" in m for m in info.value.details["第3行"])
    assert not Report.objects.exists()


def test_xlsx_and_page(personas: Personas) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["order_no", "text", "township", "anonymous"])
    ws.append(["GD9", "菜市场门口占道经营", "T02", "1"])
    buf = io.BytesIO()
    wb.save(buf)
    c = Client()
    c.force_login(personas.dispatcher.account)  # type: ignore[attr-defined]
    assert c.get("/intake/import/").status_code == 200
    resp = c.post("/intake/import/", {"file": SimpleUploadedFile("o.xlsx", buf.getvalue())})
    assert resp.status_code == 200 and "已导入1条" in resp.content.decode()
    assert Report.objects.get().township == personas.other_township
    bad = c.post("/intake/import/", {"file": SimpleUploadedFile("o.txt", b"x")})
    assert bad.status_code == 422 and "CSV或xlsx" in bad.content.decode()
