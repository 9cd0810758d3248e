"""The SMS gateway channel: a signed JSON POST to one configured URL (standard library only).

Headers: `X-Xiezhi-Timestamp` (Unix seconds), `X-Xiezhi-Signature` = hex HMAC-SHA256(secret,
timestamp + "." + body) and `X-Xiezhi-Idempotency-Key` (also `id` in the body), so the gateway can
reject forged or replayed requests and drop a retried duplicate.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from xiezhi.notifications import conf
from xiezhi.notifications.channels import Address, SendResult, message_text, recipients
from xiezhi.notifications.models import Delivery, Notification

# Answers where trying again later can help; any other non-2xx means the request itself is wrong.
RETRYABLE_STATUSES = frozenset({408, 425, 429})


def sign(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does; kept here so the tests and gateway implementers share one definition."""
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def configuration_problem() -> str:
    url = conf.sms_webhook_url()
    if not url:
        return "未配置短信网关地址 XIEZHI_SMS_WEBHOOK_URL"
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return "短信网关地址必须是 http(s):// 开头的完整地址"
    if not conf.sms_webhook_secret():
        return "未配置短信网关签名密钥 XIEZHI_SMS_WEBHOOK_SECRET"
    return ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a GET without the body; a redirect is reported instead.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No proxy from the environment: the request goes to the configured address and nowhere else.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def payload(delivery: Delivery) -> bytes:
    n = delivery.notification
    data = {
        "id": delivery.idempotency_key,
        "to": delivery.recipient,
        "text": f"【獬豸】{message_text(n)}",
        "kind": n.kind,
        "notification_id": n.pk,
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


class SmsWebhookChannel:
    name = "sms"
    label = "短信"

    def addresses(self, notification: Notification) -> list[Address]:
        problem = configuration_problem()
        found: list[Address] = []
        for person in recipients(notification):
            if problem:
                found.append(Address(f"person:{person.pk}", person.pk, problem))
            elif not person.phone.strip():
                found.append(Address(f"person:{person.pk}", person.pk, "该人员未登记联系电话"))
            else:
                found.append(Address(person.phone.strip(), person.pk))
        return found

    def send(self, delivery: Delivery) -> SendResult:
        problem = configuration_problem()
        if problem:
            return SendResult(ok=False, error=problem, retryable=False)
        body = payload(delivery)
        timestamp = str(int(time.time()))
        request = urllib.request.Request(
            conf.sms_webhook_url(),
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "xiezhi-notify/1",
                "X-Xiezhi-Timestamp": timestamp,
                "X-Xiezhi-Signature": sign(conf.sms_webhook_secret(), timestamp, body),
                "X-Xiezhi-Idempotency-Key": delivery.idempotency_key,
            },
        )
        try:
            with _OPENER.open(request, timeout=conf.sms_webhook_timeout()) as response:
                code = int(response.status)
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace")
            retryable = exc.code >= 500 or exc.code in RETRYABLE_STATUSES
            return SendResult(
                ok=False,
                error=f"短信网关返回 HTTP {exc.code}：{detail}"[:1000],
                response_code=exc.code,
                retryable=retryable,
            )
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return SendResult(ok=False, error=f"无法连接短信网关：{exc}"[:1000])
        if not 200 <= code < 300:
            return SendResult(
                ok=False, error=f"短信网关返回 HTTP {code}", response_code=code, retryable=code >= 500
            )
        return SendResult(ok=True, response_code=code)
