"""One error type per HTTP meaning; the API and the views turn each into the same envelope.

Envelope: {"code": "...", "message": "<Chinese>", "details": {...}}. Services raise these; they never
return error values.
"""

from __future__ import annotations

from typing import Any


class XiezhiError(Exception):
    status = 400
    code = "bad_request"
    default_message = "请求有误"

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None, code: str | None = None):
        self.message = message or self.default_message
        self.details = details or {}
        if code:
            self.code = code
        super().__init__(self.message)

    def envelope(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class BadRequest(XiezhiError):
    status = 400
    code = "bad_request"


class NotAuthenticated(XiezhiError):
    status = 401
    code = "not_authenticated"
    default_message = "请先登录"


class PermissionDenied(XiezhiError):
    status = 403
    code = "forbidden"
    default_message = "您没有执行此操作的权限"


class NotFound(XiezhiError):
    """Raised both for missing and for invisible objects, so that existence never leaks."""

    status = 404
    code = "not_found"
    default_message = "对象不存在或您无权访问"


class Conflict(XiezhiError):
    status = 409
    code = "conflict"
    default_message = "对象状态已变化，请刷新后重试"


class ValidationFailed(XiezhiError):
    status = 422
    code = "validation_failed"
    default_message = "提交的数据有误"

    @classmethod
    def field(cls, name: str, message: str) -> ValidationFailed:
        return cls(message, details={name: [message]})
