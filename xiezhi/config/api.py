"""The one NinjaAPI under /api/v1. Each app contributes a Router from its `api` module."""

from __future__ import annotations

import importlib

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from xiezhi.core.api import AUTH
from xiezhi.core.errors import XiezhiError

api = NinjaAPI(
    title="獬豸 Xiezhi API",
    version="1",
    description="乡镇综合行政执法协调联动与监督平台 API。所有错误返回 {code, message, details}。",
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(XiezhiError)
def _xiezhi_error(request: HttpRequest, exc: XiezhiError) -> HttpResponse:
    return api.create_response(request, exc.envelope(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        key = ".".join(loc) or "__all__"
        kind = err.get("type", "")
        if kind == "extra_forbidden":
            message = "不允许的字段"
        elif kind == "missing":
            message = "必填字段"
        else:
            message = str(err.get("msg", "格式有误"))
        details.setdefault(key, []).append(message)
    return api.create_response(
        request, {"code": "validation_failed", "message": "提交的数据有误", "details": details}, status=422
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"code": "not_authenticated", "message": "请先登录或提供有效的令牌", "details": {}}, status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"code": "error", "message": str(exc), "details": {}}, status=exc.status_code)


# Apps whose `api.router` is mounted, in this order, at /api/v1/<prefix>/.
ROUTERS = [
    ("accounts", "xiezhi.accounts.api"),
    ("units", "xiezhi.units.api"),
    ("audit", "xiezhi.audit.api"),
    ("", "xiezhi.deadlines.api"),
    ("notifications", "xiezhi.notifications.api"),
    ("", "xiezhi.catalogue.api"),
    ("documents", "xiezhi.documents.api"),
    ("transfers", "xiezhi.transfers.api"),
    ("disputes", "xiezhi.coordination.disputes.api"),
    ("referrals", "xiezhi.coordination.referrals.api"),
    ("assistance", "xiezhi.coordination.assistance.api"),
    ("hazards", "xiezhi.coordination.assistance.hazard_api"),
    ("corrections", "xiezhi.coordination.corrections.api"),
    ("intake", "xiezhi.intake.api"),
    ("sharing", "xiezhi.coordination.sharing.api"),
    ("meetings", "xiezhi.coordination.meetings.api"),
    ("operations", "xiezhi.coordination.operations.api"),
    ("dashboards", "xiezhi.dashboards.api"),
]

for prefix, module_name in ROUTERS:
    api.add_router(f"/{prefix}" if prefix else "/", importlib.import_module(module_name).router)
