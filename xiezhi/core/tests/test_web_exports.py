"""The shared page decorator, error page and CSV/xlsx download responses."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, QueryDict
from django.test import RequestFactory
from openpyxl import load_workbook

from xiezhi.core.errors import Conflict, ValidationFailed
from xiezhi.core.exports import XLSX_TYPE, csv_response, xlsx_response
from xiezhi.core.web import date_param, int_param, page_view, page_view_with, request_actor
from xiezhi.testing.factories import Personas


def _request(user: object) -> HttpRequest:
    request = RequestFactory().get("/somewhere/")
    request.user = user  # type: ignore[assignment]
    return request


def test_page_view_sends_anonymous_visitors_to_sign_in() -> None:
    view = page_view(lambda request: HttpResponse("ok"))
    response = view(_request(AnonymousUser()))
    assert response.status_code == 302 and "next=/somewhere/" in response["Location"]


@pytest.mark.django_db
def test_page_view_renders_the_error_with_its_status_and_back_link(personas: Personas) -> None:
    def failing(request: HttpRequest) -> HttpResponse:
        raise Conflict("该移送已被接收，不能撤回")

    actor = personas.actor("township_handler")
    request = _request(actor.user)
    request.actor = actor  # type: ignore[attr-defined]
    response = page_view_with(back_url="transfers:inbox", back_label="返回案件移送")(failing)(request)
    body = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="error-message"' in body and "该移送已被接收，不能撤回" in body
    assert "返回案件移送" in body


@pytest.mark.django_db
def test_page_view_lists_field_messages_and_request_actor_reads_the_actor(personas: Personas) -> None:
    seen = []

    def invalid(request: HttpRequest) -> HttpResponse:
        seen.append(request_actor(request))
        raise ValidationFailed.field("facts", "请填写违法事实")

    actor = personas.actor("township_handler")
    request = _request(actor.user)
    request.actor = actor  # type: ignore[attr-defined]
    response = page_view(invalid)(request)
    assert response.status_code == 422 and "请填写违法事实" in response.content.decode()
    assert "返回首页" in response.content.decode()
    assert seen == [actor]


def test_int_and_date_params() -> None:
    params = QueryDict("n=12&bad=x1&d=2025-10-08&wrong=2025-13-40")
    assert (
        int_param(params, "n") == 12
        and int_param(params, "bad") is None
        and int_param(params, "none") is None
    )
    assert date_param(params, "d")[0] is not None and date_param(params, "d")[1] == ""
    assert date_param(params, "wrong")[0] is None and "日期格式有误" in date_param(params, "wrong")[1]
    assert date_param(params, "none") == (None, "")


def test_csv_response_has_bom_and_download_name() -> None:
    response = csv_response("reports.csv", ["编号", "状态"], [[1, "已受理"], [2, "已办结"]])
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="reports.csv"'
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [["编号", "状态"], ["1", "已受理"], ["2", "已办结"]]


def test_chinese_names_are_encoded_with_an_optional_ascii_fallback() -> None:
    plain = csv_response("案件移送.csv", ["编号"], [])
    assert plain["Content-Disposition"] == content_disposition_of("案件移送.csv")
    fallback = csv_response("单位.csv", ["编号"], [], ascii_name="units.csv")
    assert fallback["Content-Disposition"] == (
        "attachment; filename=\"units.csv\"; filename*=UTF-8''%E5%8D%95%E4%BD%8D.csv"
    )


def content_disposition_of(name: str) -> str:
    from django.utils.http import content_disposition_header

    return str(content_disposition_header(as_attachment=True, filename=name))


def test_xlsx_response_writes_header_and_rows() -> None:
    response = xlsx_response("单位.xlsx", ["编号", "名称"], [[1, "某镇人民政府"]], sheet_title="单位" * 20)
    assert response["Content-Type"] == XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet.title == ("单位" * 20)[:31]
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [["编号", "名称"], [1, "某镇人民政府"]]
