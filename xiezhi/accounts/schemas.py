"""API schemas. Write schemas forbid unknown fields, so a misspelt field gives 422, not silence."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import ConfigDict, Field


class WriteSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class AccountOut(Schema):
    id: int
    username: str
    display_name: str
    person_id: int | None
    person_name: str | None
    unit_id: int | None
    unit_name: str | None
    admin_role: str
    admin_role_label: str
    is_active: bool
    must_change_password: bool
    otp_enabled: bool
    locked_until: datetime | None
    password_changed_at: datetime
    last_login: datetime | None
    date_joined: datetime


class AccountPage(Schema):
    items: list[AccountOut]
    total: int
    page: int
    page_size: int
    pages: int


class AccountCreateIn(WriteSchema):
    username: str = Field(max_length=150)
    person_id: int | None = None


class AccountWithPasswordOut(Schema):
    account: AccountOut
    temporary_password: str = Field(description="一次性临时密码，仅在此响应中出现一次")


class DeactivateIn(WriteSchema):
    reason: str = Field(max_length=500)


class ReactivateIn(WriteSchema):
    reason: str = Field(default="", max_length=500)


class AdminRoleIn(WriteSchema):
    admin_role: str = Field(description="sysadmin、secadmin 或 auditadmin")


class MeOut(Schema):
    account: AccountOut
    roles: list[str]
    password_expires_at: datetime


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
    status: str


class TokenPage(Schema):
    items: list[TokenOut]
    total: int
    page: int
    page_size: int
    pages: int


class TokenCreateIn(WriteSchema):
    name: str = Field(max_length=100)
    scope: str = Field(default="read", description="read 或 write")
    expires_in_days: int = Field(default=90, description="1 至 365 天")


class TokenCreatedOut(Schema):
    token: TokenOut
    raw_token: str = Field(description="令牌原文，仅在此响应中出现一次")
