"""Outbound channels behind one interface.

A channel names the addresses a notification goes to (`addresses`) and sends one delivery
(`send`). `send` never raises for a delivery problem: it returns a `SendResult`, and `retryable`
says whether trying again later can help (a refused address or a 4xx answer cannot).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from typing import Protocol

from django.core.mail import EmailMessage

from xiezhi.notifications import conf
from xiezhi.notifications.models import Delivery, Notification
from xiezhi.units.models import Person

log = logging.getLogger("xiezhi.notifications.outbound")


@dataclass(frozen=True)
class SendResult:
    ok: bool
    error: str = ""
    response_code: int | None = None
    retryable: bool = True


@dataclass(frozen=True)
class Address:
    """Where one delivery goes. A non-empty `skip_reason` records that this recipient cannot be reached
    on this channel; the delivery row is kept (status skipped) so the delivery log says why."""

    value: str
    person_id: int | None = None
    skip_reason: str = ""


class Channel(Protocol):
    name: str
    label: str

    def addresses(self, notification: Notification) -> list[Address]: ...

    def send(self, delivery: Delivery) -> SendResult: ...


def recipients(notification: Notification) -> list[Person]:
    """The people a notification reaches outside the inbox: the person, or every active person of the unit."""
    if notification.recipient_person_id is not None:
        person = notification.recipient_person
        return [person] if person is not None and person.active else []
    unit_id = notification.recipient_unit_id
    assert unit_id is not None  # the check constraint: exactly one recipient
    return list(Person.objects.filter(unit_id=unit_id, active=True).select_related("account").order_by("pk"))


def message_text(notification: Notification) -> str:
    text = f"{notification.title}\n{notification.body}".strip()
    if notification.url and conf.site_url():
        text += f"\n{conf.site_url()}{notification.url}"
    return text


class ConsoleChannel:
    """The default: one log line per notification (INFO on logger `xiezhi.notifications.outbound`)."""

    name = "console"
    label = "日志"

    def addresses(self, notification: Notification) -> list[Address]:
        if notification.recipient_person_id is not None:
            return [Address(f"person:{notification.recipient_person_id}", notification.recipient_person_id)]
        return [Address(f"unit:{notification.recipient_unit_id}")]

    def send(self, delivery: Delivery) -> SendResult:
        n = delivery.notification
        log.info(
            "通知 [%s] %s → %s：%s %s",
            n.kind,
            delivery.idempotency_key[:12],
            delivery.recipient,
            n.title,
            n.body,
        )
        return SendResult(ok=True)


class EmailChannel:
    """SMTP through Django's e-mail backend (EMAIL_HOST etc.). A person's address is their account's
    e-mail if one is recorded, else `<username>@XIEZHI_NOTIFY_EMAIL_DOMAIN` when that domain is set;
    anyone else is skipped with the reason recorded, never guessed."""

    name = "email"
    label = "电子邮件"

    def _address_of(self, person: Person) -> Address:
        user = getattr(person, "account", None)
        if user is None:
            return Address(f"person:{person.pk}", person.pk, "该人员没有账号，无法确定邮箱地址")
        if user.email:
            return Address(user.email, person.pk)
        domain = conf.email_domain()
        if domain:
            return Address(f"{user.username}@{domain}", person.pk)
        return Address(f"person:{person.pk}", person.pk, "账号未登记邮箱且未配置 XIEZHI_NOTIFY_EMAIL_DOMAIN")

    def addresses(self, notification: Notification) -> list[Address]:
        return [self._address_of(p) for p in recipients(notification)]

    def send(self, delivery: Delivery) -> SendResult:
        n = delivery.notification
        message = EmailMessage(
            subject=f"【獬豸】{n.title}",
            body=message_text(n),
            to=[delivery.recipient],
            # The idempotency key as Message-ID lets a receiving server drop a duplicate of a retried send.
            headers={
                "Message-ID": f"<{delivery.idempotency_key}@xiezhi>",
                "X-Xiezhi-Idempotency-Key": delivery.idempotency_key,
            },
        )
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as exc:
            return SendResult(ok=False, error=f"收件地址被拒绝：{exc}"[:1000], retryable=False)
        except smtplib.SMTPResponseException as exc:
            # 5xx is a permanent refusal; 4xx is "try again later".
            return SendResult(
                ok=False,
                error=f"SMTP {exc.smtp_code}：{exc.smtp_error!r}"[:1000],
                response_code=exc.smtp_code,
                retryable=exc.smtp_code < 500,
            )
        except (smtplib.SMTPException, OSError) as exc:
            return SendResult(ok=False, error=f"SMTP 发送失败：{exc}"[:1000])
        return SendResult(ok=True)


def _registry() -> dict[str, Channel]:
    from xiezhi.notifications.webhook import SmsWebhookChannel

    channels: list[Channel] = [ConsoleChannel(), EmailChannel(), SmsWebhookChannel()]
    return {c.name: c for c in channels}


CHANNELS: dict[str, Channel] = {}


def get_channel(name: str) -> Channel | None:
    if not CHANNELS:
        CHANNELS.update(_registry())
    return CHANNELS.get(name)


def channel_names() -> list[str]:
    get_channel("console")
    return list(CHANNELS)
