"""Information sharing (R-SH-01, R-SH-02): form a record, share it, extend the time limit with a
reason, confirm reading; units subscribe to categories, fields or matters.

Forming a record opens the sender's R-SH-02 obligation (1 WD from the time it was formed); sharing
settles it. Recipients are the county-policy groups of the category (`rulebook.sharing`), the
matching subscriptions and the units the sender names. Sharing is a conditional UPDATE draft →
shared (zero rows → 409, nothing written); so is a read receipt.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xiezhi.audit.services import record as audit
from xiezhi.catalogue.models import Devolution, DevolutionMode, Matter, VersionMatter
from xiezhi.catalogue.versions import latest_published
from xiezhi.coordination.models import (
    SharedAttachment,
    SharedRecord,
    ShareRecipient,
    ShareSubscription,
)
from xiezhi.coordination.sharing import access
from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from xiezhi.core.files import SHARED_ATTACHMENTS as ATTACHMENTS
from xiezhi.core.timeline import actor_name, add_event
from xiezhi.deadlines import services as deadlines
from xiezhi.deadlines.access import can_approve_change
from xiezhi.deadlines.models import ACTIVE, Obligation
from xiezhi.notifications.services import notify
from xiezhi.rulebook import sharing as rules
from xiezhi.units.cleaning import Cleaner
from xiezhi.units.models import Unit, UnitKind

MAX_MATTERS = 50
MAX_RECIPIENTS = 60
HOLDING_MODES = (DevolutionMode.GRANTED, DevolutionMode.ENTRUSTED)


def _items(raw: Any) -> list[Any]:
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        return [x for x in raw.replace("，", ",").replace("\n", ",").split(",") if x.strip()]
    return list(raw) if isinstance(raw, list | tuple) else [raw]


# --- the catalogue side ------------------------------------------------------------------------------


def published_matters(county_id: int) -> Any:
    """Matters of the current published catalogue version (the ones a record may name)."""
    version = latest_published(county_id)
    if version is None:
        return Matter.objects.none()
    return Matter.objects.filter(entries__version=version).order_by("code")


def holders(county_id: int, matters: Iterable[Matter], on: date | None = None) -> list[dict[str, Any]]:
    """Per matter, the townships by devolution mode in the current published version (on ``on``)."""
    version = latest_published(county_id)
    ids = [m.pk for m in matters]
    if version is None or not ids:
        return []
    day = on or timezone.localdate()
    rows = (
        Devolution.objects.filter(version=version, matter_id__in=ids)
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=day))
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .select_related("township")
        .order_by("township__code")
    )
    by_matter: dict[int, dict[str, list[Unit]]] = {pk: {} for pk in ids}
    for d in rows:
        by_matter[d.matter_id].setdefault(d.mode, []).append(d.township)
    out = []
    for m in matters:
        modes = by_matter.get(m.pk, {})
        out.append(
            {
                "matter": m,
                "modes": [(DevolutionMode(mode).label, modes.get(mode, [])) for mode in DevolutionMode],
            }
        )
    return out


def _field_departments(county_id: int, matters: list[Matter]) -> list[Unit]:
    version = latest_published(county_id)
    fields = {m.field for m in matters}
    if version is None or not fields:
        return []
    ids = (
        VersionMatter.objects.filter(version=version, field__in=fields, department__kind=UnitKind.DEPARTMENT)
        .values_list("department_id", flat=True)
        .distinct()
    )
    return list(Unit.objects.filter(pk__in=list(ids), active=True).order_by("code"))


def _group_units(r: SharedRecord, group: str, matters: list[Matter]) -> list[Unit]:
    county = r.county_id
    if group == "holders":
        found: dict[int, Unit] = {}
        for row in holders(county, matters):
            for label, towns in row["modes"]:
                if label != DevolutionMode.RETAINED.label:
                    found.update({t.pk: t for t in towns if t.active})
        return list(found.values())
    if group == "field_departments":
        return _field_departments(county, matters)
    kinds = {
        "all_townships": UnitKind.TOWNSHIP,
        "command_centre": UnitKind.COMMAND_CENTRE,
        "justice_bureau": UnitKind.JUSTICE_BUREAU,
    }
    return list(Unit.objects.filter(county_id=county, kind=kinds[group], active=True).order_by("code"))


def resolve_recipients(r: SharedRecord) -> dict[int, tuple[Unit, str]]:
    """unit id → (unit, why): the category's policy groups, then subscriptions. The sender is left out."""
    matters = list(r.matters.all())
    chosen: dict[int, tuple[Unit, str]] = {}

    def add(unit: Unit, why: str) -> None:
        if unit.pk != r.sender_id and unit.pk not in chosen:
            chosen[unit.pk] = (unit, why)

    for group in rules.default_groups(r.category):
        for unit in _group_units(r, group, matters):
            add(unit, f"县级默认：{rules.GROUPS[group]}")
    fields = {m.field for m in matters}
    subs = (
        ShareSubscription.objects.filter(unit__county_id=r.county_id, unit__active=True)
        .filter(
            Q(kind="category", category=r.category)
            | Q(kind="field", field__in=fields)
            | Q(kind="matter", matter_id__in=[m.pk for m in matters])
        )
        .select_related("unit", "matter")
        .order_by("unit__code", "id")
    )
    for s in subs:
        add(s.unit, f"订阅（{s.describe}）")
    return chosen


# --- forming a record --------------------------------------------------------------------------------


def _clean(actor: Actor, data: Mapping[str, Any]) -> dict[str, Any]:
    assert actor.unit is not None
    county_id = actor.unit.county_id
    c = Cleaner(data, creating=True)
    c.choice("category", "共享类别", rules.CATEGORY_CHOICES, required=True)
    c.text("title", "标题", max_length=200, required=True)
    c.text("content", "内容", max_length=20000, required=True)
    c.moment("formed_at", "信息形成时间", required=True)
    if "formed_at" in c.cleaned and c.cleaned["formed_at"] > timezone.now():
        c.error("formed_at", "信息形成时间不能晚于当前时间")
    cat = rules.CATEGORIES.get(int(c.cleaned["category"])) if "category" in c.cleaned else None
    if cat is not None and cat.senders and actor.unit.kind not in cat.senders:
        who = "、".join({"township": "乡镇（街道）", "department": "县级部门"}.get(k, k) for k in cat.senders)
        c.error("category", f"“{cat.short}”类信息由{who}共享（R-SH-01）")
    matters: list[Matter] = []
    allowed = published_matters(county_id)
    for raw in _items(data.get("matters")):
        text = str(getattr(raw, "pk", raw)).strip()
        found = allowed.filter(pk=int(text)).first() if text.isdigit() else allowed.filter(code=text).first()
        if found is None:
            c.error("matters", f"事项“{text}”不在现行公布的事项目录中")
        elif found not in matters:
            matters.append(found)
    if len(matters) > MAX_MATTERS:
        c.error("matters", f"所涉事项最多{MAX_MATTERS}项")
    if cat is not None and cat.needs_matters and not matters and "matters" not in c.errors:
        c.error("matters", f"“{cat.short}”类信息须选择所涉及的事项（从现行公布的事项目录中选择，R-SH-01）")
    extra: list[Unit] = []
    for raw in _items(data.get("recipients")):
        sub = Cleaner({"unit": raw}, creating=True)
        sub.unit("unit", "接收单位", county_id, required=True)
        for msg in sub.errors.get("unit", []):
            c.error("recipients", msg)
        unit = sub.cleaned.get("unit")
        if unit is not None and unit.pk == actor.unit_id:
            c.error("recipients", "接收单位不能是本单位")
        elif unit is not None and unit not in extra:
            extra.append(unit)
    if len(extra) > MAX_RECIPIENTS:
        c.error("recipients", f"指定接收单位最多{MAX_RECIPIENTS}个")
    c.raise_if_errors()
    return {
        "category": int(c.cleaned["category"]),
        "title": c.cleaned["title"],
        "content": c.cleaned["content"],
        "formed_at": c.cleaned["formed_at"],
        "matters": matters,
        "recipients": extra,
    }


def _obligations(r: SharedRecord) -> list[Obligation]:
    return list(
        Obligation.objects.filter(
            subject_type=ContentType.objects.get_for_model(SharedRecord),
            subject_id=str(r.pk),
            rule_id=rules.SHARE_RULE,
            status__in=ACTIVE,
        )
    )


def form_record(
    actor: Actor,
    data: Mapping[str, Any],
    attachments: Iterable[tuple[str, bytes]] = (),
    *,
    share_now: bool = False,
) -> SharedRecord:
    """登记: the sender's R-SH-02 clock starts at the time the information was formed."""
    access.require_business(actor)
    access.require_own_unit(actor, data.get("sender"))
    if not access.can_form(actor):
        raise PermissionDenied(
            "只有乡镇（街道）、县级部门、指挥中心或司法局的承办人、联络员、负责人可以共享信息"
        )
    clean = _clean(actor, data)
    attachments = list(attachments)
    for name, content in attachments:
        ATTACHMENTS.check(name, content)  # every file is checked before any is stored
    stored = [(name, ATTACHMENTS.store(name, content)) for name, content in attachments]
    assert actor.unit is not None
    with transaction.atomic():
        r = SharedRecord.objects.create(
            county_id=actor.unit.county_id,
            sender=actor.unit,
            category=clean["category"],
            title=clean["title"],
            content=clean["content"],
            formed_at=clean["formed_at"],
            created_by=actor.person,
            created_by_name=actor_name(actor),
        )
        r.matters.set(clean["matters"])
        for unit in clean["recipients"]:
            ShareRecipient.objects.create(record=r, unit=unit, reason="发送单位指定")
        for name, s in stored:
            SharedAttachment.objects.create(
                record=r,
                name=name[:200],
                sha256=s.sha256,
                size=s.size,
                content_type=s.content_type,
                path=s.path,
            )
        add_event(r.events, "formed", f"{actor.unit.name}登记{r.category_label}信息", actor, note=r.title)
        audit(
            actor,
            "sharing.formed",
            r,
            after={
                "category": r.category,
                "formed_at": r.formed_at.isoformat(),
                "matters": [m.code for m in clean["matters"]],
                "recipients": [u.name for u in clean["recipients"]],
                "attachments": [s.sha256 for _, s in stored],
            },
        )
        deadlines.open_obligation(
            rule_id=rules.SHARE_RULE,
            unit=actor.unit,
            subject=r,
            start=r.formed_at,
            actor=actor,
            label=f"共享信息：{r.title}"[:200],
            note="信息形成之日起1个工作日内共享（R-SH-02）",
        )
        if share_now:
            share(actor, r)
    return r


def add_attachment(actor: Actor, r: SharedRecord, name: str, content: bytes) -> SharedAttachment:
    access.require_sender(actor, r)
    if r.status != "draft":
        raise Conflict("信息已共享，附件不能再变更；如有更新请另行共享")
    s = ATTACHMENTS.store(name, content)
    with transaction.atomic():
        att = SharedAttachment.objects.create(
            record=r, name=name[:200], sha256=s.sha256, size=s.size, content_type=s.content_type, path=s.path
        )
        add_event(r.events, "attached", f"添加附件：{att.name}", actor, note=f"SHA-256 {s.sha256}")
        audit(actor, "sharing.attached", r, after={"name": att.name, "sha256": s.sha256, "size": s.size})
    return att


# --- sharing, extension, reading ---------------------------------------------------------------------


def share(actor: Actor, r: SharedRecord) -> SharedRecord:
    """共享: recipients are fixed, notified, and the sender's R-SH-02 duty is met."""
    access.require_sender(actor, r)
    if r.status != "draft":
        raise Conflict("该信息已共享，无需重复共享", details={"status": r.status})
    chosen = resolve_recipients(r)
    named = set(r.recipients.values_list("unit_id", flat=True))  # type: ignore[attr-defined]
    if not chosen and not named:
        raise ValidationFailed.field(
            "recipients", "没有接收单位：该类别无默认接收单位且无订阅，请指定接收单位"
        )
    now = timezone.now()
    with transaction.atomic():
        if not SharedRecord.objects.filter(pk=r.pk, status="draft").update(status="shared", shared_at=now):
            raise Conflict("该信息已共享，请刷新后查看")
        r.status, r.shared_at = "shared", now
        for pk, (unit, why) in chosen.items():
            if pk not in named:
                ShareRecipient.objects.create(record=r, unit=unit, reason=why[:300])
        units = list(r.recipients.select_related("unit").order_by("unit__code"))  # type: ignore[attr-defined]
        names = "、".join(x.unit.name for x in units)
        add_event(r.events, "shared", f"共享至{len(units)}个单位", actor, note=names)
        audit(
            actor,
            "sharing.shared",
            r,
            before={"status": "draft"},
            after={"status": "shared", "recipients": [x.unit.name for x in units]},
        )
        late = any(now > ob.due_at for ob in _obligations(r))
        deadlines.settle(r, actor, rule_id=rules.SHARE_RULE, met_at=now, note="已共享")
        for x in units:
            notify(
                title=f"收到共享信息（{r.category_label}）：{r.title}"[:200],
                body=f"{r.sender.name}共享：{r.title}。请阅读后在平台确认签收。",
                dedupe_key=f"sharing:{r.pk}:shared:u{x.unit_id}",
                unit=x.unit,
                url=r.get_absolute_url(),
                kind="sharing",
            )
        if late:
            add_event(
                r.events, "late", "超过共享时限后共享", actor, note="R-SH-02：信息形成之日起1个工作日内共享"
            )
    return r


def extend(actor: Actor, r: SharedRecord, data: Mapping[str, Any]) -> SharedRecord:
    """延期共享: collation needs more time; the reason is recorded and the obligation extended (R-SH-02)."""
    if not access.is_sender(actor, r):
        raise PermissionDenied("只有发送单位可以申请延期共享")
    if r.status != "draft":
        raise Conflict("该信息已共享，无需延期")
    reason = str(data.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed.field("reason", "延期共享须说明理由（如收集、整理需要，R-SH-02）")
    if len(reason) > 1000:
        raise ValidationFailed.field("reason", "延期理由不能超过1000个字")
    period = str(data.get("period") or "1WD").strip()
    obs = _obligations(r)
    if not obs:
        raise Conflict("该信息没有进行中的共享时限")
    with transaction.atomic():
        ob = deadlines.extend(actor, obs[0], period, reason)
        text = f"{r.extension_reason}\n{reason}".strip() if r.extension_reason else reason
        SharedRecord.objects.filter(pk=r.pk).update(extension_reason=text)
        r.extension_reason = text
        add_event(
            r.events,
            "extended",
            f"延期共享（{period}），截止{timezone.localtime(ob.due_at):%Y-%m-%d %H:%M}",
            actor,
            note=reason,
        )
        audit(
            actor,
            "sharing.extended",
            r,
            after={"period": period, "due_at": ob.due_at.isoformat()},
            reason=reason,
        )
    return r


def mark_read(actor: Actor, r: SharedRecord) -> ShareRecipient:
    """签收: the actor's unit confirms it has read the record."""
    if not access.can_read(actor, r):
        raise PermissionDenied("只有接收单位可以确认签收")
    now = timezone.now()
    with transaction.atomic():
        rows = ShareRecipient.objects.filter(
            record=r, unit_id=access.unit_pk(actor), read_at__isnull=True
        ).update(read_at=now, read_by=actor.person, read_by_name=actor_name(actor))
        if not rows:
            raise Conflict("本单位已签收该信息")
        rec = ShareRecipient.objects.select_related("unit").get(record=r, unit_id=access.unit_pk(actor))
        add_event(r.events, "read", f"{rec.unit.name}已签收", actor)
        audit(actor, "sharing.read", r, after={"unit": rec.unit.name})
    return rec


def allowed_actions(actor: Actor, r: SharedRecord) -> list[str]:
    out: list[str] = []
    if r.status == "draft" and access.can_share(actor, r):
        out += ["share", "attach"]
    if (
        r.status == "draft"
        and access.is_sender(actor, r)
        and any(ob.status == "open" and can_approve_change(actor, ob) for ob in _obligations(r))
    ):
        out.append("extend")
    if (
        r.status == "shared"
        and r.recipients.filter(unit_id=access.unit_pk(actor), read_at__isnull=True).exists()
    ):  # type: ignore[attr-defined]
        out.append("read")
    return out


# --- subscriptions -----------------------------------------------------------------------------------


def subscribe(actor: Actor, data: Mapping[str, Any]) -> ShareSubscription:
    access.require_business(actor)
    access.require_own_unit(actor, data.get("unit"))
    if not access.can_form(actor):
        raise PermissionDenied("只有承办人、联络员或负责人可以管理本单位的信息订阅")
    assert actor.unit is not None
    kind = str(data.get("kind") or "").strip()
    values: dict[str, Any] = {"kind": kind}
    if kind == "category":
        try:
            values["category"] = rules.category(str(data.get("category") or "")).number
        except KeyError as exc:
            raise ValidationFailed.field("category", str(exc.args[0])) from None
    elif kind == "field":
        field = str(data.get("field") or "").strip()
        if not Matter.objects.filter(county_id=actor.unit.county_id, field=field).exists():
            raise ValidationFailed.field("field", f"执法领域“{field}”不存在" if field else "请选择执法领域")
        values["field"] = field
    elif kind == "matter":
        raw = str(data.get("matter") or "").strip()
        allowed = published_matters(actor.unit.county_id)
        m = allowed.filter(pk=int(raw)).first() if raw.isdigit() else allowed.filter(code=raw).first()
        if m is None:
            raise ValidationFailed.field(
                "matter", f"事项“{raw}”不在现行公布的事项目录中" if raw else "请选择事项"
            )
        values["matter"] = m
    else:
        raise ValidationFailed.field("kind", "订阅方式应为：按类别、按执法领域或按事项")
    if ShareSubscription.objects.filter(unit=actor.unit, **values).exists():
        raise Conflict("本单位已有相同的订阅")
    with transaction.atomic():
        sub = ShareSubscription.objects.create(unit=actor.unit, created_by_name=actor_name(actor), **values)
        audit(actor, "sharing.subscribed", sub, after={"unit": actor.unit.name, "subscription": sub.describe})
    return sub


def unsubscribe(actor: Actor, pk: int | str) -> None:
    access.require_business(actor)
    sub = ShareSubscription.objects.filter(
        pk=int(pk) if str(pk).isdigit() else 0, unit_id=access.unit_pk(actor)
    ).first()
    if sub is None:
        raise NotFound("订阅不存在或您无权访问")
    if not access.can_form(actor):
        raise PermissionDenied("只有承办人、联络员或负责人可以管理本单位的信息订阅")
    with transaction.atomic():
        audit(
            actor, "sharing.unsubscribed", sub, before={"unit": sub.unit.name, "subscription": sub.describe}
        )
        sub.delete()
