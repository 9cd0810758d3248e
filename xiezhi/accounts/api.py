"""/api/v1/accounts/: one's own account and tokens; account management for the administrators."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from xiezhi.accounts import access, lockout, otp, policy, services, tokens
from xiezhi.accounts.models import ApiToken, User
from xiezhi.accounts.schemas import (
    AccountCreateIn,
    AccountOut,
    AccountPage,
    AccountWithPasswordOut,
    AdminRoleIn,
    DeactivateIn,
    MeOut,
    ReactivateIn,
    TokenCreatedOut,
    TokenCreateIn,
    TokenOut,
    TokenPage,
)
from xiezhi.accounts.selectors import (
    AccountFilters,
    accounts_visible_to,
    lock_times,
    search_accounts,
    tokens_of,
)
from xiezhi.core.api import actor
from xiezhi.core.errors import PermissionDenied
from xiezhi.core.pagination import DEFAULT_PAGE_SIZE, paginate

router = Router(tags=["账号与令牌"])


class AccountQuery(Schema):
    q: str = ""
    admin_role: str = ""
    status: str = ""
    unit_id: int | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


class PageQuery(Schema):
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def account_out(
    user: User, locks: dict[str, Any] | None = None, otp_enabled: bool | None = None
) -> dict[str, Any]:
    person = user.person if user.person_id else None
    if locks is None:
        until = lockout.locked_until(user.username)
    else:
        until = locks.get(user.username)
    if otp_enabled is None:
        annotated = getattr(user, "has_otp", None)  # set by accounts_visible_to
        otp_enabled = bool(annotated) if annotated is not None else otp.confirmed_device(user) is not None
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "person_id": user.person_id,
        "person_name": person.name if person else None,
        "unit_id": person.unit_id if person else None,
        "unit_name": person.unit.name if person else None,
        "admin_role": user.admin_role,
        "admin_role_label": user.get_admin_role_display(),
        "is_active": user.is_active,
        "must_change_password": user.must_change_password,
        "otp_enabled": otp_enabled,
        "locked_until": until,
        "password_changed_at": user.password_changed_at,
        "last_login": user.last_login,
        "date_joined": user.date_joined,
    }


def token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "scope": token.scope,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "last_used_at": token.last_used_at,
        "status": token.status,
    }


def _fresh(request: HttpRequest, user: User) -> dict[str, Any]:
    return account_out(accounts_visible_to(actor(request)).get(pk=user.pk))


@router.get("/me", response=MeOut, summary="当前账号")
def me(request: HttpRequest) -> dict[str, Any]:
    who = actor(request)
    user: User = who.user  # type: ignore[assignment]
    return {
        "account": account_out(user),
        "roles": sorted(who.roles),
        "password_expires_at": user.password_changed_at + policy.password_age_limit(),
    }


@router.get("/tokens", response=TokenPage, summary="我的令牌")
def list_tokens(request: HttpRequest, params: Query[PageQuery]) -> dict[str, Any]:
    page = paginate(tokens_of(actor(request)), params.page, params.page_size)
    return {
        "items": [token_out(t) for t in page.items],
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
    }


@router.post("/tokens", response={201: TokenCreatedOut}, summary="创建令牌（原文只返回一次）")
def create_token(request: HttpRequest, payload: TokenCreateIn) -> Status[dict[str, Any]]:
    who = actor(request)
    if request.headers.get("Authorization", "").startswith("Bearer "):
        # A leaked token must not be able to mint longer-lived ones: tokens come from a signed-in session.
        raise PermissionDenied("令牌不能用于创建新令牌，请登录后在页面或会话中创建")
    token, raw = tokens.issue_token(
        who, name=payload.name, scope=payload.scope, expires_in_days=payload.expires_in_days
    )
    return Status(201, {"token": token_out(token), "raw_token": raw})


@router.delete("/tokens/{int:token_id}", response=TokenOut, summary="撤销令牌")
def revoke_token(request: HttpRequest, token_id: int) -> dict[str, Any]:
    return token_out(tokens.revoke_token(actor(request), token_id))


@router.get("/", response=AccountPage, summary="账号列表（系统管理员、安全管理员）")
def list_accounts(request: HttpRequest, params: Query[AccountQuery]) -> dict[str, Any]:
    who = actor(request)
    access.require(who, "view")
    filters = AccountFilters(
        q=params.q.strip(), admin_role=params.admin_role, status=params.status, unit_id=params.unit_id
    )
    page = paginate(search_accounts(who, filters), params.page, params.page_size)
    locks = lock_times(page.items)
    return {
        "items": [account_out(u, locks) for u in page.items],
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
    }


@router.post("/", response={201: AccountWithPasswordOut}, summary="新建账号（系统管理员）")
def create_account(request: HttpRequest, payload: AccountCreateIn) -> Status[dict[str, Any]]:
    user, temporary = services.create_account(
        actor(request), username=payload.username, person_id=payload.person_id
    )
    return Status(201, {"account": _fresh(request, user), "temporary_password": temporary})


@router.get("/{int:account_id}", response=AccountOut, summary="账号详情")
def get_account(request: HttpRequest, account_id: int) -> dict[str, Any]:
    who = actor(request)
    user = access.access_account(who, account_id, "view")
    return _fresh(request, user)


@router.post("/{int:account_id}/deactivate", response=AccountOut, summary="停用账号（系统管理员）")
def deactivate(request: HttpRequest, account_id: int, payload: DeactivateIn) -> dict[str, Any]:
    return _fresh(request, services.set_active(actor(request), account_id, False, payload.reason))


@router.post("/{int:account_id}/reactivate", response=AccountOut, summary="重新启用账号（系统管理员）")
def reactivate(request: HttpRequest, account_id: int, payload: ReactivateIn) -> dict[str, Any]:
    return _fresh(request, services.set_active(actor(request), account_id, True, payload.reason))


@router.post(
    "/{int:account_id}/reset-password", response=AccountWithPasswordOut, summary="重置密码（系统管理员）"
)
def reset_password(request: HttpRequest, account_id: int) -> dict[str, Any]:
    user, temporary = services.reset_password(actor(request), account_id)
    return {"account": _fresh(request, user), "temporary_password": temporary}


@router.post("/{int:account_id}/unlock", response=AccountOut, summary="解除锁定（系统管理员）")
def unlock(request: HttpRequest, account_id: int) -> dict[str, Any]:
    return _fresh(request, services.unlock(actor(request), account_id))


@router.post("/{int:account_id}/reset-otp", response=AccountOut, summary="重置双因素认证（系统管理员）")
def reset_otp(request: HttpRequest, account_id: int) -> dict[str, Any]:
    return _fresh(request, services.reset_otp(actor(request), account_id))


@router.put("/{int:account_id}/admin-role", response=AccountOut, summary="授予管理员角色（安全管理员）")
def grant_admin_role(request: HttpRequest, account_id: int, payload: AdminRoleIn) -> dict[str, Any]:
    return _fresh(request, services.grant_admin_role(actor(request), account_id, payload.admin_role))


@router.delete("/{int:account_id}/admin-role", response=AccountOut, summary="撤销管理员角色（安全管理员）")
def revoke_admin_role(request: HttpRequest, account_id: int) -> dict[str, Any]:
    return _fresh(request, services.revoke_admin_role(actor(request), account_id))
