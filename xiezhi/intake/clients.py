"""Managing the 12345 hotline clients (HotlineClient): list, create, rotate the secret, deactivate,
change the callback URL, read the callback log. Only the system administrator (系统管理员) may do any
of it: a client is a machine account of the platform, not business data.

The secret signs every work order (hotline.verify) and every callback (callbacks.deliver_due) with
HMAC-SHA256, which needs the secret itself, so it is stored as the model always did and is
readable only through this module. It is shown once, on the page (or API answer) that created or
rotated it, and never written to the audit trail. A rotation replaces it at once: requests signed
with the old secret are refused from the next request on.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet

from xiezhi.accounts.models import AdminRole
from xiezhi.audit.services import record
from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiezhi.intake.access import RECEIVING_KINDS
from xiezhi.intake.models import CallbackDelivery, HotlineClient
from xiezhi.units.models import County, Unit

KEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,39}$")
SECRET_BYTES = 32  # token_urlsafe(32): 43 characters, 256 bits
MAX_URL = 200
STATUSES = {"active": "启用", "inactive": "已停用"}
_url = URLValidator(schemes=["http", "https"])


def can_manage(actor: Actor) -> bool:
    return actor.is_authenticated and actor.admin_role == AdminRole.SYSTEM.value


def require_manage(actor: Actor) -> None:
    if not can_manage(actor):
        raise PermissionDenied("只有系统管理员可以管理12345热线客户端")


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


# --- reads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientFilters:
    q: str = ""
    status: str = ""


def search(actor: Actor, filters: ClientFilters) -> QuerySet[HotlineClient]:
    require_manage(actor)
    qs = HotlineClient.objects.select_related("county", "receiving_unit").order_by("-active", "name", "pk")
    if filters.q:
        qs = qs.filter(Q(name__icontains=filters.q) | Q(key_id__icontains=filters.q))
    if filters.status in STATUSES:
        qs = qs.filter(active=filters.status == "active")
    return qs


def get(actor: Actor, pk: int) -> HotlineClient:
    require_manage(actor)
    client = HotlineClient.objects.select_related("county", "receiving_unit").filter(pk=pk).first()
    if client is None:
        raise NotFound("未找到该12345热线客户端")
    return client


def deliveries(actor: Actor, client: HotlineClient, status: str = "") -> QuerySet[CallbackDelivery]:
    require_manage(actor)
    qs = CallbackDelivery.objects.filter(client=client).select_related("report")
    if status:
        qs = qs.filter(status=status)
    return qs


def receiving_units(county_id: int | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.filter(kind__in=RECEIVING_KINDS, active=True).order_by("county_id", "name")
    return qs.filter(county_id=county_id) if county_id else qs


# --- validation --------------------------------------------------------------------------


def _clean_url(raw: str) -> str:
    url = (raw or "").strip()
    if not url:
        return ""
    if len(url) > MAX_URL:
        raise ValidationFailed.field("callback_url", f"回调地址不能超过{MAX_URL}个字符")
    try:
        _url(url)
    except ValidationError:
        raise ValidationFailed.field(
            "callback_url", "回调地址格式不正确，应为 http:// 或 https:// 开头的网址"
        ) from None
    return url


def _clean_new(
    name: str, key_id: str, county_id: int | None, receiving_unit_id: int | None, callback_url: str
) -> tuple[str, str, County, Unit | None, str]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    key_id = (key_id or "").strip()
    if not name:
        errors["name"] = ["请填写客户端名称"]
    elif len(name) > 100:
        errors["name"] = ["客户端名称不能超过100个字符"]
    if not KEY_ID.match(key_id):
        errors["key_id"] = ["客户端编号应为3至40位字母、数字、点、下划线或连字符，且以字母或数字开头"]
    elif HotlineClient.objects.filter(key_id=key_id).exists():
        errors["key_id"] = ["该客户端编号已被使用"]
    county = County.objects.filter(pk=county_id).first() if county_id else None
    if county is None:
        errors["county"] = ["请选择所属县（市、区）"]
    unit = None
    if receiving_unit_id:
        unit = receiving_units(county.pk if county else None).filter(pk=receiving_unit_id).first()
        if unit is None:
            errors["receiving_unit"] = ["接收单位应为本县的乡镇（街道）、县级部门或指挥中心"]
    try:
        url = _clean_url(callback_url)
    except ValidationFailed as exc:
        errors.update(exc.details)
        url = ""
    if errors:
        raise ValidationFailed("提交的数据有误", details=errors)
    assert county is not None
    return name, key_id, county, unit, url


def _snapshot(client: HotlineClient) -> dict[str, object]:
    """What the audit trail keeps of a client: never the secret."""
    return {
        "key_id": client.key_id,
        "name": client.name,
        "county": client.county_id,
        "receiving_unit": client.receiving_unit_id,
        "callback_url": client.callback_url,
        "active": client.active,
    }


# --- writes ------------------------------------------------------------------------------


def create(
    actor: Actor,
    *,
    name: str,
    key_id: str,
    county_id: int | None,
    receiving_unit_id: int | None = None,
    callback_url: str = "",
) -> tuple[HotlineClient, str]:
    """A new active client and its secret (the only time the secret is handed out)."""
    require_manage(actor)
    name, key_id, county, unit, url = _clean_new(name, key_id, county_id, receiving_unit_id, callback_url)
    secret = new_secret()
    with transaction.atomic():
        if HotlineClient.objects.select_for_update().filter(key_id=key_id).exists():
            raise ValidationFailed.field("key_id", "该客户端编号已被使用")
        client = HotlineClient.objects.create(
            county=county, key_id=key_id, name=name, secret=secret, callback_url=url, receiving_unit=unit
        )
        record(actor, "hotline_client.create", client, after=_snapshot(client))
    return client, secret


def rotate_secret(actor: Actor, pk: int) -> tuple[HotlineClient, str]:
    """Replace the secret of an active client; the old one stops working at once."""
    client = get(actor, pk)
    secret = new_secret()
    with transaction.atomic():
        if not HotlineClient.objects.filter(pk=client.pk, active=True).update(secret=secret):
            raise Conflict("该客户端已停用，不能更换密钥")
        record(actor, "hotline_client.rotate_secret", client, reason="更换签名密钥（旧密钥立即失效）")
    client.refresh_from_db()
    return client, secret


def deactivate(actor: Actor, pk: int, reason: str = "") -> HotlineClient:
    """Stop accepting the client's requests and sending it callbacks (pending ones stay in the log)."""
    client = get(actor, pk)
    reason = (reason or "").strip()
    if len(reason) > 500:
        raise ValidationFailed.field("reason", "停用原因不能超过500个字符")
    with transaction.atomic():
        if not HotlineClient.objects.filter(pk=client.pk, active=True).update(active=False):
            raise Conflict("该客户端已停用")
        before = _snapshot(client)
        client.refresh_from_db()
        record(
            actor, "hotline_client.deactivate", client, before=before, after=_snapshot(client), reason=reason
        )
    return client


def set_callback_url(actor: Actor, pk: int, callback_url: str) -> HotlineClient:
    client = get(actor, pk)
    url = _clean_url(callback_url)
    with transaction.atomic():
        if not HotlineClient.objects.filter(pk=client.pk, active=True).update(callback_url=url):
            raise Conflict("该客户端已停用，不能修改回调地址")
        before = _snapshot(client)
        client.refresh_from_db()
        record(actor, "hotline_client.callback_url", client, before=before, after=_snapshot(client))
    return client
