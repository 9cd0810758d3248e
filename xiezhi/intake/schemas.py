from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict


class ReportIn(Schema):
    model_config = ConfigDict(extra="forbid")

    channel: str
    text: str
    township: str
    address: str = ""
    latitude: str = ""
    longitude: str = ""
    observed_at: datetime | None = None
    anonymous: bool = False
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_id_number: str = ""


class ActionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    note: str = ""
    target: int | None = None
    matter_code: str = ""
    matter_name: str = ""
    party: str = ""


class EventOut(Schema):
    at: datetime
    label: str
    note: str
    unit_name: str
    actor_name: str


class ReportOut(Schema):
    id: int
    channel: str
    text: str
    township: str
    address: str
    status: str
    first_unit: str
    current_unit: str
    matter_code: str
    matter_name: str
    dispatch_count: int
    reporter_name: str
    reporter_phone: str
    reply: str
    tracking_code: str
    created_at: datetime


class ReportDetailOut(ReportOut):
    events: list[EventOut]


class ReportPage(Schema):
    items: list[ReportOut]
    total: int
    page: int
    page_size: int


class HotlineClientIn(Schema):
    name: str = ""
    key_id: str = ""
    county: int | None = None
    receiving_unit: int | None = None
    callback_url: str = ""


class HotlineClientOut(Schema):
    id: int
    key_id: str
    name: str
    county: str
    receiving_unit: str
    callback_url: str
    active: bool
    created_at: datetime


class HotlineClientPage(Schema):
    items: list[HotlineClientOut]
    total: int
    page: int
    page_size: int


class CallbackUrlIn(Schema):
    callback_url: str = ""


class DeactivateIn(Schema):
    reason: str = ""


class CallbackDeliveryOut(Schema):
    id: int
    order_no: str
    event: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str
    created_at: datetime


class CallbackDeliveryPage(Schema):
    items: list[CallbackDeliveryOut]
    total: int
    page: int
    page_size: int
