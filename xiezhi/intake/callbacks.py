"""Status callbacks to the 12345 system (accepted, handed_on, replied, closed): HMAC-signed like the
requests it sends us, queued in the caller's transaction, delivered after commit and by the
`hotline_callbacks` job, retried with exponential back-off."""

from __future__ import annotations

import json
import secrets
import time
import urllib.request
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from xiezhi.intake.models import CallbackDelivery, CallbackStatus, HotlineClient, Report
from xiezhi.intake.signing import sign

EVENTS = ("accepted", "handed_on", "replied", "closed")
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)
Sender = Callable[[str, bytes, dict[str, str]], int]


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def enqueue(report: Report, event: str) -> CallbackDelivery | None:
    if event not in EVENTS or report.hotline_client_id is None:
        return None
    client = (
        HotlineClient.objects.filter(pk=report.hotline_client_id, active=True)
        .exclude(callback_url="")
        .first()
    )
    if client is None:
        return None
    payload = {
        "order_no": report.external_id,
        "event": event,
        "status": report.status,
        "unit": report.current_unit.name,
        "reply": report.reply if event == "replied" else "",
        "at": timezone.now().isoformat(),
    }
    row = CallbackDelivery.objects.create(
        client=client, report=report, event=event, payload=payload, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: deliver_due(ids=[row.pk]))
    return row


def _http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def _claim(pk: int) -> CallbackDelivery | None:
    now = timezone.now()
    claimed = CallbackDelivery.objects.filter(
        pk=pk, status=CallbackStatus.PENDING, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    return CallbackDelivery.objects.select_related("client").get(pk=pk) if claimed else None


def deliver_due(*, ids: list[int] | None = None, send: Sender | None = None) -> int:
    """Send what is due; returns how many were delivered. Claiming is a conditional UPDATE, so two
    workers never send the same row at once."""
    post = send or _http_post
    qs = CallbackDelivery.objects.filter(status=CallbackStatus.PENDING, next_attempt_at__lte=timezone.now())
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    delivered = 0
    for pk in list(qs.values_list("pk", flat=True)[:200]):
        row = _claim(pk)
        if row is None:
            continue
        body = json.dumps(row.payload, ensure_ascii=False).encode()
        stamp, nonce = str(int(time.time())), secrets.token_hex(12)
        headers = {
            "Content-Type": "application/json",
            "X-Client-Id": row.client.key_id,
            "X-Timestamp": stamp,
            "X-Nonce": nonce,
            "X-Signature": sign(row.client.secret, stamp, nonce, body),
        }
        try:
            code = post(row.client.callback_url, body, headers)
            error = "" if 200 <= code < 300 else f"HTTP {code}"
        except Exception as exc:  # any network failure is retried, never raised into the caller
            error = f"{type(exc).__name__}: {exc}"[:300]
        if not error:
            CallbackDelivery.objects.filter(pk=pk).update(
                status=CallbackStatus.SENT, sent_at=timezone.now(), last_error=""
            )
            delivered += 1
        elif row.attempts >= MAX_ATTEMPTS:
            CallbackDelivery.objects.filter(pk=pk).update(
                status=CallbackStatus.FAILED, last_error=error, next_attempt_at=None
            )
        else:
            CallbackDelivery.objects.filter(pk=pk).update(
                last_error=error, next_attempt_at=timezone.now() + backoff(row.attempts)
            )
    return delivered
