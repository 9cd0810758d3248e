"""The 12345 interface (§3): HMAC-SHA256 signed work orders, 5-minute window, no replays, idempotency.

Headers: X-Client-Id, X-Timestamp (Unix seconds), X-Nonce, X-Signature, Idempotency-Key.
Signature: hex HMAC-SHA256(secret, f"{timestamp}\\n{nonce}\\n" + raw body).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from xiezhi.core.actor import Actor
from xiezhi.core.errors import BadRequest, Conflict, NotAuthenticated, ValidationFailed
from xiezhi.intake import services
from xiezhi.intake.cleaning import clean_report
from xiezhi.intake.models import Channel, HotlineClient, HotlineNonce, IdempotentRequest, Report
from xiezhi.intake.signing import sign

WINDOW = timedelta(minutes=5)
ORDER_FIELDS = (
    "order_no",
    "text",
    "township",
    "address",
    "latitude",
    "longitude",
    "observed_at",
    "anonymous",
    "reporter_name",
    "reporter_phone",
    "reporter_id_number",
)


def verify(headers: Mapping[str, str], body: bytes) -> HotlineClient:
    """The calling client, or NotAuthenticated for a missing/bad/stale signature or a replay."""
    key_id, ts, nonce, signature = (
        headers.get(h, "").strip() for h in ("X-Client-Id", "X-Timestamp", "X-Nonce", "X-Signature")
    )
    if not (key_id and ts and nonce and signature):
        raise NotAuthenticated(
            "缺少签名信息（X-Client-Id、X-Timestamp、X-Nonce、X-Signature）", code="unsigned"
        )
    client = HotlineClient.objects.filter(key_id=key_id, active=True).first()
    if client is None or not hmac.compare_digest(sign(client.secret, ts, nonce, body), signature.lower()):
        raise NotAuthenticated("签名无效", code="bad_signature")
    try:
        sent = datetime.fromtimestamp(int(ts), tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise NotAuthenticated("时间戳格式不正确", code="bad_timestamp") from None
    if abs(timezone.now() - sent) > WINDOW:
        raise NotAuthenticated("请求已过期（时间戳与服务器时间相差超过5分钟）", code="stale")
    if len(nonce) > 64:
        raise NotAuthenticated("X-Nonce 过长", code="bad_nonce")
    if secrets.randbelow(100) == 0:  # expired nonces only need clearing now and then, not per request
        HotlineNonce.objects.filter(at__lt=timezone.now() - 2 * WINDOW).delete()
    try:
        with transaction.atomic():
            HotlineNonce.objects.create(client=client, nonce=nonce)
    except IntegrityError:
        raise NotAuthenticated("重复的请求（重放）已被拒绝", code="replay") from None
    return client


def _payload(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("请求体不是有效的JSON") from None
    if not isinstance(data, dict):
        raise BadRequest("请求体应为JSON对象")
    unknown = sorted(set(data) - set(ORDER_FIELDS))
    if unknown:
        raise ValidationFailed("提交的数据有误", details={k: ["不允许的字段"] for k in unknown})
    return data


def _answer(report: Report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "order_no": report.external_id,
        "tracking_code": report.tracking_code,
        "status": report.status,
        "first_unit": report.first_unit.name,
    }


def receive(client: HotlineClient, key: str, body: bytes) -> tuple[int, dict[str, Any]]:
    """Register a work order (R-IN-05: same flow as every channel); idempotent on `key`."""
    key = key.strip()
    if not key or len(key) > 100:
        raise BadRequest("缺少或过长的 Idempotency-Key", code="idempotency_key_required")
    digest = hashlib.sha256(body).hexdigest()
    previous = IdempotentRequest.objects.filter(client=client, key=key).first()
    if previous is not None:
        if previous.body_sha256 != digest:
            raise Conflict("该 Idempotency-Key 已用于内容不同的请求", code="idempotency_conflict")
        return previous.status, previous.response
    data = _payload(body)
    order_no = str(data.get("order_no") or "").strip()
    if not order_no or len(order_no) > 64:
        raise ValidationFailed.field("order_no", "请提供12345工单号（不超过64个字符）")
    clean = clean_report({**data, "channel": Channel.HOTLINE}, client.county_id, channels=(Channel.HOTLINE,))
    first = client.receiving_unit or clean["township"]
    actor = Actor(user=None)
    try:
        with transaction.atomic():
            report = services.register(
                actor, clean, first, (), by=f"12345热线（{client.name}）", external_id=order_no
            )
            Report.objects.filter(pk=report.pk).update(hotline_client=client)
            answer = _answer(report)
            IdempotentRequest.objects.create(
                client=client, key=key, body_sha256=digest, status=201, response=answer
            )
    except IntegrityError:
        # The same key committed concurrently: answer as the winner did.
        winner = IdempotentRequest.objects.filter(client=client, key=key).first()
        if winner is None:
            raise
        if winner.body_sha256 != digest:
            raise Conflict("该 Idempotency-Key 已用于内容不同的请求", code="idempotency_conflict") from None
        return winner.status, winner.response
    return 201, answer
