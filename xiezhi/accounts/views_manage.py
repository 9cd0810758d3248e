"""Account management pages: the system administrator manages accounts, the security
administrator grants and revokes administrator roles; both read the list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from xiezhi.accounts import access, lockout, services
from xiezhi.accounts.models import AdminRole, User
from xiezhi.accounts.selectors import (
    STATUSES,
    AccountFilters,
    accounts_visible_to,
    lock_times,
    search_accounts,
)
from xiezhi.accounts.webutils import actor_of, no_store, pages
from xiezhi.audit.services import record
from xiezhi.core.errors import ValidationFailed
from xiezhi.core.exports import csv_response
from xiezhi.core.pagination import paginate


def _filters(request: HttpRequest) -> AccountFilters:
    unit = request.GET.get("unit", "").strip()
    if unit and not unit.isdigit():
        raise ValidationFailed.field("unit", "单位参数有误")
    return AccountFilters(
        q=request.GET.get("q", "").strip(),
        admin_role=request.GET.get("admin_role", "").strip(),
        status=request.GET.get("status", "").strip(),
        unit_id=int(unit) if unit else None,
    )


def _status_label(user: User, locks: dict[str, Any]) -> str:
    if not user.is_active:
        return "已停用"
    if user.username in locks:
        return f"已锁定（至{lockout.clock(locks[user.username])}）"
    return "启用"


@login_required
@pages
def manage_list(request: HttpRequest) -> HttpResponse:
    from xiezhi.units.models import Unit

    actor = actor_of(request)
    access.require(actor, "view")
    filters = _filters(request)
    page = paginate(
        search_accounts(actor, filters), request.GET.get("page"), request.GET.get("page_size") or 20
    )
    locks = lock_times(page.items)
    rows = [{"user": u, "status": _status_label(u, locks), "locked": u.username in locks} for u in page.items]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "statuses": STATUSES.items(),
        "admin_roles": AdminRole.choices,
        "units": Unit.objects.order_by("name").only("pk", "name"),
        "query": query.urlencode(),
        "can_create": access.can(actor, "create"),
    }
    return render(request, "accounts/manage_list.html", context)


@login_required
@pages
def manage_export(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    access.require(actor, "export")
    filters = _filters(request)
    users = list(search_accounts(actor, filters)[:10000])
    locks = lock_times(users)
    header = [
        "用户名",
        "姓名",
        "单位",
        "管理员角色",
        "状态",
        "须修改密码",
        "双因素认证",
        "最近登录",
        "密码修改时间",
    ]
    lines = [
        [
            u.username,
            u.person.name if u.person else "",
            u.person.unit.name if u.person else "",
            u.get_admin_role_display(),
            _status_label(u, locks),
            "是" if u.must_change_password else "否",
            "已启用" if getattr(u, "has_otp", False) else "未启用",
            u.last_login.isoformat() if u.last_login else "",
            u.password_changed_at.isoformat(),
        ]
        for u in users
    ]
    with transaction.atomic():
        record(
            actor,
            "account.export",
            ("accounts.user", "", "账号列表"),
            reason=f"导出{len(users)}条；条件：{filters}",
        )
    return csv_response("accounts.csv", header, lines)


@login_required
@pages
def manage_new(request: HttpRequest) -> HttpResponse:
    from xiezhi.units.models import Person

    actor = actor_of(request)
    access.require(actor, "create")
    errors: dict[str, list[str]] = {}
    form = {"username": "", "person_id": ""}
    if request.method == "POST":
        form = {key: request.POST.get(key, "").strip() for key in form}
        person_raw = form["person_id"]
        try:
            if person_raw and not person_raw.isdigit():
                raise ValidationFailed.field("person_id", "请选择人员")
            user, temporary = services.create_account(
                actor, username=form["username"], person_id=int(person_raw) if person_raw else None
            )
        except ValidationFailed as exc:
            errors = exc.details
        else:
            context = {"account": user, "temporary": temporary, "what": "账号已创建"}
            return no_store(render(request, "accounts/manage_password.html", context, status=201))
    people = (
        Person.objects.filter(active=True, account__isnull=True)
        .select_related("unit")
        .order_by("unit__name", "name")[:2000]
    )
    context = {"errors": errors, "general_errors": errors.get("__all__", []), "form": form, "people": people}
    return render(request, "accounts/manage_new.html", context, status=422 if errors else 200)


@login_required
@pages
def manage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    user = access.access_account(actor, pk, "view")
    annotated = accounts_visible_to(actor).get(pk=user.pk)
    locked = lockout.locked_until(user.username)
    is_self = actor.user is not None and actor.user.pk == user.pk
    context = {
        "account": annotated,
        "locked_until": locked,
        "has_otp": annotated.has_otp,  # type: ignore[attr-defined]
        "can_manage": access.can(actor, "deactivate") and not is_self,
        "can_admin_role": access.can(actor, "admin_role") and not is_self,
        "admin_roles": AdminRole.choices,
        "is_self": is_self,
    }
    return render(request, "accounts/manage_detail.html", context)


_ACTIONS = {
    "deactivate",
    "reactivate",
    "reset-password",
    "unlock",
    "reset-otp",
    "grant-admin-role",
    "revoke-admin-role",
}


@require_POST
@login_required
@pages
def manage_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in _ACTIONS:
        raise Http404()
    actor = actor_of(request)
    reason = request.POST.get("reason", "")
    if action == "reset-password":
        user, temporary = services.reset_password(actor, pk)
        context = {"account": user, "temporary": temporary, "what": "密码已重置"}
        return no_store(render(request, "accounts/manage_password.html", context))
    if action == "deactivate":
        services.set_active(actor, pk, False, reason)
        messages.success(request, "账号已停用")
    elif action == "reactivate":
        services.set_active(actor, pk, True, reason)
        messages.success(request, "账号已启用")
    elif action == "unlock":
        services.unlock(actor, pk)
        messages.success(request, "账号已解锁")
    elif action == "reset-otp":
        services.reset_otp(actor, pk)
        messages.success(request, "双因素认证已重置，该账号下次登录时需重新绑定")
    elif action == "grant-admin-role":
        user = services.grant_admin_role(actor, pk, request.POST.get("admin_role", ""))
        messages.success(request, f"已授予{user.get_admin_role_display()}角色")
    else:
        services.revoke_admin_role(actor, pk)
        messages.success(request, "已撤销管理员角色")
    return redirect("accounts:manage_detail", pk=pk)
