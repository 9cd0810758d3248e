"""Writes on obligations: open, settle, extend, suspend, resume, waive.

Other apps call `open_obligation` when a duty starts and `settle` when it is done, inside their
own service transaction. Every transition is a conditional UPDATE on (status, due_version):
zero rows means someone else changed the obligation first → `Conflict`, nothing written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiezhi.deadlines import computing
from xiezhi.deadlines.access import access_obligation, can_approve_change, can_waive
from xiezhi.deadlines.models import EventKind, Obligation, ObligationEvent
from xiezhi.deadlines.selectors import ACTIVE_STATUSES
from xiezhi.rulebook.periods import Period, get_limit, parse_period
from xiezhi.rulebook.workdays import WorkCalendar
from xiezhi.rulebook.workflows import OBLIGATION, TransitionNotAllowed
from xiezhi.rulebook.zh import format_datetime_zh
from xiezhi.units.models import Unit

REASON_MAX = 1000
# A met time a little in the future is clock skew between servers, not an error.
CLOCK_SKEW = timedelta(minutes=5)


def actor_name(actor: Actor | None) -> str:
    return (str(actor) if actor is not None and actor.user is not None else "系统")[:100]


def snapshot(ob: Obligation) -> dict[str, Any]:
    return {
        "rule_id": ob.rule_id,
        "unit": ob.unit.name,
        "subject": ob.subject_label,
        "status": ob.status,
        "period": ob.period,
        "due_at": ob.due_at.isoformat() if ob.due_at else None,
        "provisional": ob.provisional,
        "met_at": ob.met_at.isoformat() if ob.met_at else None,
    }


def new_event(
    ob: Obligation,
    kind: str,
    actor: Actor | None,
    *,
    at: datetime | None = None,
    reason: str = "",
    old_due: datetime | None = None,
    new_due: datetime | None = None,
    period: str = "",
    note: str = "",
) -> ObligationEvent:
    return ObligationEvent(
        obligation=ob,
        kind=kind,
        at=at or timezone.now(),
        actor_user=actor.user if actor is not None and actor.user is not None else None,
        actor_name=actor_name(actor),
        reason=reason,
        old_due=old_due,
        new_due=new_due,
        period=period,
        note=note[:500],
    )


def _period(value: Period | str | None, rule_id: str) -> Period:
    if isinstance(value, Period):
        return value
    if value is None or value == "":
        try:
            return get_limit(rule_id).period
        except KeyError:
            raise ValidationFailed.field(
                "period", f"规则“{rule_id}”没有登记时限，请指定时限（如 3WD）"
            ) from None
    try:
        return parse_period(str(value))
    except ValueError as exc:
        raise ValidationFailed.field("period", str(exc)) from None


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed.field("reason", "请填写理由")
    if len(text) > REASON_MAX:
        raise ValidationFailed.field("reason", f"理由不能超过{REASON_MAX}个字")
    return text


def _aware(value: datetime | None, field: str, label: str) -> datetime:
    if not isinstance(value, datetime):
        raise ValidationFailed.field(field, f"{label}必须是日期时间")
    if timezone.is_naive(value):
        raise ValidationFailed.field(field, f"{label}必须带时区（例如 2024-09-27T10:00:00+08:00）")
    return value


def _next_state(ob: Obligation, action: str) -> str:
    try:
        return OBLIGATION.next_state(ob.status, action)
    except TransitionNotAllowed as exc:
        raise Conflict(exc.message) from None


def _compute(ob: Obligation, calendar: WorkCalendar, **kwargs: Any) -> Any:
    try:
        return computing.compute(ob, calendar, **kwargs)
    except ValueError as exc:
        raise ValidationFailed(str(exc), details={"period": [str(exc)]}) from None


def subject_key(subject: models.Model) -> tuple[ContentType, str]:
    if not isinstance(subject, models.Model) or subject.pk is None:
        raise ValidationFailed.field("subject", "时限义务必须关联一个已保存的业务对象")
    return ContentType.objects.get_for_model(subject), str(subject.pk)


def _subject_url(subject: models.Model) -> str:
    get_url = getattr(subject, "get_absolute_url", None)
    return str(get_url())[:300] if callable(get_url) else ""


def open_obligation(
    *,
    rule_id: str,
    unit: Unit,
    subject: models.Model,
    start: datetime,
    period: Period | str | None = None,
    actor: Actor,
    note: str = "",
    label: str | None = None,
    url: str | None = None,
) -> Obligation:
    """Start the clock for ``unit``'s duty under ``rule_id`` about ``subject`` from ``start``.

    ``period`` defaults to the rulebook's limit for ``rule_id`` (`periods.get_limit`). The due
    time uses the unit's office close (17:30 by default) and the current calendar. Idempotent:
    while the same unit's duty under the same rule about the same subject is still open, that
    obligation is returned instead of a second one.
    """
    if not rule_id or len(rule_id) > 40:
        raise ValidationFailed.field("rule_id", "规则编号不能为空，且不超过40个字符")
    if not isinstance(unit, Unit) or unit.pk is None:
        raise ValidationFailed.field("unit", "请指定责任单位")
    start = _aware(start, "start", "起算时间")
    chosen = _period(period, rule_id)
    link = (url if url is not None else _subject_url(subject))[:300]
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValidationFailed.field("url", "对象链接必须是本站内以“/”开头的路径")
    subject_type, subject_id = subject_key(subject)
    existing = (
        Obligation.objects.select_related("unit")
        .filter(
            subject_type=subject_type,
            subject_id=subject_id,
            rule_id=rule_id,
            unit=unit,
            status__in=ACTIVE_STATUSES,
        )
        .first()
    )
    if existing is not None:
        return existing
    calendar = WorkCalendar.default()
    ob = Obligation(
        rule_id=rule_id,
        unit=unit,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_label=(label if label is not None else str(subject))[:200],
        subject_url=link,
        opened_at=start,
        period=chosen.code,
    )
    deadline = _compute(ob, calendar, history=[])
    now = timezone.now()
    markers = computing.markers_for(deadline, calendar, now)
    ob.due_at, ob.provisional, ob.explanation = deadline.at, deadline.provisional, deadline.explanation
    ob.remind_at, ob.reminders_sent, ob.escalate_at = (
        markers.remind_at,
        markers.reminders_sent,
        markers.escalate_at,
    )
    with transaction.atomic():
        ob.save(force_insert=True)
        new_event(ob, EventKind.OPENED, actor, at=now, new_due=ob.due_at, note=note or ob.explanation).save()
        record(actor, "obligation.opened", ob, after=snapshot(ob), reason=note)
    return ob


def _meet(ob: Obligation, actor: Actor, met_at: datetime, note: str) -> Obligation:
    calendar: WorkCalendar | None = None
    if ob.status == "suspended":
        # Done while the clock was stopped: restart it (closing the suspension in the history),
        # then settle; both are transitions of the table.
        calendar = WorkCalendar.default()
        ob = _resume(actor, ob, "义务已履行，恢复计时并办结", calendar)
    new_status = _next_state(ob, "meet")
    before = snapshot(ob)
    on_time = met_at <= ob.due_at
    with transaction.atomic():
        changed = Obligation.objects.filter(pk=ob.pk, status=ob.status, due_version=ob.due_version).update(
            status=new_status, met_at=met_at, remind_at=None, escalate_at=None
        )
        if not changed:
            raise Conflict()
        ob.refresh_from_db()
        text = note or ("按时完成" if on_time else f"超过截止时间{format_datetime_zh(ob.due_at)}后完成")
        new_event(ob, EventKind.MET, actor, at=met_at, note=text).save()
        record(actor, "obligation.met", ob, before=before, after=snapshot(ob), reason=note)
    return ob


def settle(
    target: Obligation | models.Model,
    actor: Actor,
    *,
    rule_id: str | None = None,
    met_at: datetime | None = None,
    note: str = "",
) -> list[Obligation]:
    """Mark a duty met (at ``met_at``, default now).

    ``target`` is an `Obligation` (it must be open, overdue or suspended, else `Conflict`), or the
    business object the duties concern: then every still-active obligation about it (only those
    of ``rule_id`` when given) is settled, and none being active is not an error. Returns the
    settled obligations. The caller's service has already checked its own authority.
    """
    when = timezone.now() if met_at is None else _aware(met_at, "met_at", "完成时间")
    if when > timezone.now() + CLOCK_SKEW:
        raise ValidationFailed.field("met_at", "完成时间不能晚于当前时间")
    if isinstance(target, Obligation):
        obs = [Obligation.objects.select_related("unit").get(pk=target.pk)]
        if obs[0].status not in ACTIVE_STATUSES:
            raise Conflict(f"该时限义务已{OBLIGATION.state_label(obs[0].status)}，不能再办结")
    else:
        subject_type, subject_id = subject_key(target)
        qs = Obligation.objects.select_related("unit").filter(
            subject_type=subject_type, subject_id=subject_id, status__in=ACTIVE_STATUSES
        )
        obs = list(qs.filter(rule_id=rule_id) if rule_id else qs)
    done: list[Obligation] = []
    with transaction.atomic():
        for ob in obs:
            if when < ob.opened_at:
                raise ValidationFailed.field("met_at", "完成时间不能早于起算时间")
            done.append(_meet(ob, actor, when, note))
    return done


def _locate(actor: Actor, ob: Obligation | int) -> Obligation:
    return access_obligation(actor, ob.pk if isinstance(ob, Obligation) else ob)


def extend(actor: Actor, ob: Obligation | int, period: Period | str, reason: str) -> Obligation:
    """延期: add ``period`` (same unit as the duty's period) to the time limit. Approved by a leader
    of the responsible unit or a supervisor (justice office for its township, justice bureau,
    command centre); a reason is required."""
    ob = _locate(actor, ob)
    if not can_approve_change(actor, ob):
        raise PermissionDenied("延长时限须由责任单位负责人或监督单位（司法所、司法局、指挥中心）批准")
    text = _reason(reason)
    new_status = _next_state(ob, "extend")
    added = _period(period, ob.rule_id) if period not in (None, "") else None
    if added is None or added.n <= 0:
        raise ValidationFailed.field("period", "请填写延长的时限（如 2WD），且须大于0")
    calendar = WorkCalendar.default()
    event = new_event(ob, EventKind.EXTENDED, actor, reason=text, period=added.code, old_due=ob.due_at)
    deadline = _compute(ob, calendar, extra_events=[event])
    return _move_due(actor, ob, new_status, deadline, calendar, event, "obligation.extended", text)


def _move_due(
    actor: Actor,
    ob: Obligation,
    new_status: str,
    deadline: Any,
    calendar: WorkCalendar,
    event: ObligationEvent,
    action: str,
    reason: str,
    **extra: Any,
) -> Obligation:
    now = timezone.now()
    markers = computing.markers_for(deadline, calendar, now)
    before = snapshot(ob)
    with transaction.atomic():
        changed = Obligation.objects.filter(pk=ob.pk, status=ob.status, due_version=ob.due_version).update(
            status=new_status,
            due_at=deadline.at,
            provisional=deadline.provisional,
            explanation=deadline.explanation,
            remind_at=markers.remind_at,
            reminders_sent=markers.reminders_sent,
            escalate_at=markers.escalate_at,
            escalation_level=0,
            due_version=ob.due_version + 1,
            **extra,
        )
        if not changed:
            raise Conflict()
        ob.refresh_from_db()
        event.new_due = ob.due_at
        event.save()
        record(actor, action, ob, before=before, after=snapshot(ob), reason=reason)
    return ob


def suspend(actor: Actor, ob: Obligation | int, reason: str) -> Obligation:
    """中止: stop the clock (e.g. while a jurisdiction dispute is decided). Same authority as an
    extension; a reason is required. The days until `resume` do not count."""
    ob = _locate(actor, ob)
    if not can_approve_change(actor, ob):
        raise PermissionDenied("中止计时须由责任单位负责人或监督单位（司法所、司法局、指挥中心）批准")
    text = _reason(reason)
    new_status = _next_state(ob, "suspend")
    before = snapshot(ob)
    now = timezone.now()
    with transaction.atomic():
        changed = Obligation.objects.filter(pk=ob.pk, status=ob.status, due_version=ob.due_version).update(
            status=new_status, suspended_at=now, remind_at=None, escalate_at=None
        )
        if not changed:
            raise Conflict()
        ob.refresh_from_db()
        new_event(ob, EventKind.SUSPENDED, actor, at=now, reason=text, old_due=ob.due_at).save()
        record(actor, "obligation.suspended", ob, before=before, after=snapshot(ob), reason=text)
    return ob


def _resume(actor: Actor, ob: Obligation, reason: str, calendar: WorkCalendar) -> Obligation:
    new_status = _next_state(ob, "resume")
    event = new_event(ob, EventKind.RESUMED, actor, reason=reason, old_due=ob.due_at)
    deadline = _compute(ob, calendar, extra_events=[event])
    return _move_due(
        actor, ob, new_status, deadline, calendar, event, "obligation.resumed", reason, suspended_at=None
    )


def resume(actor: Actor, ob: Obligation | int, reason: str) -> Obligation:
    """恢复计时: the clock runs again; the suspended days (suspension day to resumption day, both
    inclusive) are added back. Same authority as an extension; a reason is required."""
    ob = _locate(actor, ob)
    if not can_approve_change(actor, ob):
        raise PermissionDenied("恢复计时须由责任单位负责人或监督单位（司法所、司法局、指挥中心）批准")
    text = _reason(reason)
    _next_state(ob, "resume")
    return _resume(actor, ob, text, WorkCalendar.default())


def waive(actor: Actor, ob: Obligation | int, reason: str, *, by_process: bool = False) -> Obligation:
    """免除: the duty no longer exists (e.g. the transfer was withdrawn). A supervisor decides, with
    a reason; ``by_process=True`` is for the app whose own process ended the duty (it has
    checked its own authority), and skips the visibility and authority checks."""
    if by_process:
        ob = Obligation.objects.select_related("unit").get(pk=ob.pk if isinstance(ob, Obligation) else ob)
    else:
        ob = _locate(actor, ob)
        if not can_waive(actor, ob):
            raise PermissionDenied("免除时限义务须由监督单位（司法所、司法局、指挥中心）决定")
    text = _reason(reason)
    new_status = _next_state(ob, "waive")
    before = snapshot(ob)
    now = timezone.now()
    with transaction.atomic():
        changed = Obligation.objects.filter(pk=ob.pk, status=ob.status, due_version=ob.due_version).update(
            status=new_status, remind_at=None, escalate_at=None
        )
        if not changed:
            raise Conflict()
        ob.refresh_from_db()
        new_event(ob, EventKind.WAIVED, actor, at=now, reason=text).save()
        record(actor, "obligation.waived", ob, before=before, after=snapshot(ob), reason=text)
    return ob
