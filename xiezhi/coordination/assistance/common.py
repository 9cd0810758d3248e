"""Pieces the assistance and hazard services share: the dispatch record, clocks, notices."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from xiezhi.core.actor import Actor
from xiezhi.core.errors import PermissionDenied, ValidationFailed
from xiezhi.deadlines import services as deadlines
from xiezhi.deadlines.selectors import active_obligations
from xiezhi.notifications.services import notify
from xiezhi.units.cleaning import Cleaner
from xiezhi.units.models import Person, Unit, UnitKind


def own_unit(actor: Actor, data: Mapping[str, Any], field: str) -> Unit:
    """Acting for another unit is refused: a payload naming a unit must name the actor's own."""
    assert actor.unit is not None
    raw = data.get(field)
    if raw not in (None, "") and str(getattr(raw, "pk", raw)) != str(actor.unit.pk):
        raise PermissionDenied("只能以本单位名义办理，不能代其他单位提交")
    return actor.unit


def waive_all(actor: Actor, subject: models.Model, rules: tuple[str, ...], reason: str) -> None:
    for ob in active_obligations(subject, rules):
        deadlines.waive(actor, ob, reason, by_process=True)


def settle_rule(actor: Actor, subject: models.Model, rule: str, at: datetime, note: str) -> None:
    for ob in active_obligations(subject, (rule,)):
        deadlines.settle(ob, actor, met_at=max(at, ob.opened_at), note=note)


def county_unit(county_id: int, kind: str, label: str) -> Unit:
    unit = Unit.objects.filter(county_id=county_id, kind=kind, active=True).order_by("code").first()
    if unit is None:
        raise ValidationFailed.field("county", f"本县尚未登记{label}")
    return unit


def government_of(county_id: int) -> Unit:
    return county_unit(county_id, UnitKind.COUNTY_GOVERNMENT, "县人民政府")


def justice_bureau_of(county_id: int) -> Unit:
    return county_unit(county_id, UnitKind.JUSTICE_BUREAU, "司法局")


def tell(
    unit: Unit, subject: Any, prefix: str, key: str, title: str, body: str = "", kind: str = "coordination"
) -> None:
    notify(
        title=title[:200],
        body=body or title,
        dedupe_key=f"{prefix}:{subject.pk}:{key}:u{unit.pk}",
        unit=unit,
        url=subject.get_absolute_url(),
        kind=kind,
    )


def clean_dispatch(actor: Actor, data: Mapping[str, Any], since: datetime) -> dict[str, Any]:
    """派员到场: at least one officer of the actor's own unit, when they left and when they arrived
    (both after the request, not in the future, arrival not before departure)."""
    assert actor.unit is not None
    c = Cleaner(data, creating=True)
    c.moment("dispatched_at", "派员时间", required=True)
    c.moment("arrived_at", "到场时间", required=True)
    c.text("onsite_note", "现场处置情况", max_length=5000)
    raw = data.get("officers")
    items = raw.split(",") if isinstance(raw, str) else list(raw or [])
    ids = [str(x).strip() for x in items if str(x).strip()]
    people: list[Person] = []
    if not ids:
        c.error("officers", "请选择到场人员（至少一人）")
    elif not all(i.isdigit() for i in ids):
        c.error("officers", "到场人员格式有误")
    else:
        found = {p.pk: p for p in Person.objects.filter(pk__in=[int(i) for i in ids], unit_id=actor.unit.pk)}
        missing = [i for i in ids if int(i) not in found]
        if missing:
            c.error("officers", "到场人员须为本单位在册人员")
        people = [found[int(i)] for i in dict.fromkeys(ids) if int(i) in found]
    left, arrived = c.cleaned.get("dispatched_at"), c.cleaned.get("arrived_at")
    # Forms give minutes only: a dispatch in the same minute as the request is not "before" it.
    if left is not None and left < since.replace(second=0, microsecond=0):
        c.error("dispatched_at", "派员时间不能早于请求（通报）时间")
    if left is not None and arrived is not None and arrived < left:
        c.error("arrived_at", "到场时间不能早于派员时间")
    c.raise_if_errors()
    return {
        "officers": [{"id": p.pk, "name": p.name} for p in people],
        "dispatched_at": left,
        "arrived_at": arrived,
        "onsite_note": c.cleaned.get("onsite_note") or "",
    }


def now() -> datetime:
    return timezone.now()
