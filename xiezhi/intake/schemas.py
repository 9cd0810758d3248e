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
