"""Hazard notices (隐患通报, R-CO-02).

A township that finds a major public-order or safety hazard notifies the competent department, or
reports straight to the county government with its proposals. The department owes officers on site
within the county's "at once" limit (an obligation under R-CO-02). It may refuse only with a
reason (the service and a database constraint both insist); a refusal, or a dispatch duty gone
overdue (`report_overdue`, run by `xiezhi hazard_sweep` after the deadline sweep), is reported to
the county government automatically with the township's proposals.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.coordination.assistance import access
from xiezhi.coordination.assistance.common import (
    clean_dispatch,
    government_of,
    own_unit,
    settle_rule,
    tell,
    waive_all,
)
from xiezhi.coordination.assistance.models import HazardNotice
from xiezhi.core.actor import Actor
from xiezhi.core.errors import PermissionDenied
from xiezhi.core.inputs import text_field
from xiezhi.core.timeline import actor_name, add_event
from xiezhi.core.transitions import StatusFlow
from xiezhi.deadlines import services as deadlines
from xiezhi.deadlines.models import Obligation
from xiezhi.deadlines.selectors import active_obligations
from xiezhi.rulebook import assistance_flow as flow
from xiezhi.units.cleaning import Cleaner
from xiezhi.units.models import UnitKind

STATE = StatusFlow(HazardNotice, flow.HAZARD, "该隐患通报")


def _check(actor: Actor, h: HazardNotice, action: str) -> str:
    access.require_business(actor)
    if not access.may_hazard(actor, h, action):
        raise PermissionDenied(access.HAZARD_MESSAGES[action])
    return STATE.next_state(h, action)


def _report_to_government(actor: Actor | None, h: HazardNotice, why: str, at: datetime) -> None:
    """The report to the county government, carrying the township's proposals (R-CO-02)."""
    proposals = h.proposals or "（乡镇未提出建议）"
    add_event(
        h.events, "reported", f"已报告{h.government.name}：{why}", actor, at=at, note=f"乡镇建议：{proposals}"
    )
    record(actor, "hazard.reported", h, after={"reason": why, "government": h.government.name}, reason=why)
    tell(h.government, h, "hazard", f"reported:{why}", f"重大隐患报告：{h.township.name}“{h.title}”（{why}）",
         f"地点：{h.location}\n情况：{h.description}\n乡镇建议：{proposals}", kind="hazard")  # fmt: skip


# --- notifying ----------------------------------------------------------------------------------------


def notify_hazard(actor: Actor, data: Mapping[str, Any]) -> HazardNotice:
    """通报隐患: to the competent department (its dispatch clock starts), or to the government."""
    access.require_business(actor)
    if not access.can_notify_hazard(actor):
        raise PermissionDenied("只有乡镇（街道）的承办人、联络员或负责人可以通报重大隐患（R-CO-02）")
    township = own_unit(actor, data, "township")
    c = Cleaner(data, creating=True)
    c.choice("category", "隐患类别", flow.HAZARD_CATEGORIES.items(), required=True)
    c.text("title", "隐患名称", max_length=300, required=True)
    c.text("location", "隐患地点", max_length=300, required=True)
    c.text("description", "隐患情况", max_length=5000, required=True)
    c.text("proposals", "处置建议", max_length=5000)
    c.moment("found_at", "发现时间", required=True)
    c.boolean("to_government", "直接报告县政府")
    to_government = bool(c.cleaned.get("to_government"))
    department = None
    if to_government:
        if not c.cleaned.get("proposals"):
            c.error("proposals", "直接报告县政府的，请提出处置建议（R-CO-02）")
    else:
        c.unit("department", "主管部门", township.county_id, required=True)
        department = c.cleaned.get("department")
        if department is not None and department.kind != UnitKind.DEPARTMENT:
            c.error("department", f"“{department.name}”不是县级主管部门")
    c.raise_if_errors()
    government = government_of(township.county_id)
    now = timezone.now()
    with transaction.atomic():
        h = HazardNotice.objects.create(
            county_id=township.county_id,
            category=c.cleaned["category"],
            township=township,
            department=department,
            government=government,
            title=c.cleaned["title"],
            location=c.cleaned["location"],
            description=c.cleaned["description"],
            proposals=c.cleaned.get("proposals") or "",
            found_at=c.cleaned["found_at"],
            status="reported" if to_government else "notified",
            notified_at=now,
            notified_by=actor.person,
            notified_by_name=actor_name(actor),
            reported_at=now if to_government else None,
            report_reason="乡镇直接报告" if to_government else "",
        )
        target = department or government
        add_event(h.events, "notified", f"{township.name}向{target.name}通报{h.get_category_display()}", actor,
               status_to=h.status, at=now, note=h.description)  # fmt: skip
        record(actor, "hazard.notified", h, after={"category": h.category, "to": target.name})
        if department is None:
            _report_to_government(actor, h, "乡镇直接报告", now)
            return h
        deadlines.open_obligation(
            rule_id=flow.DISPATCH_RULE, unit=department, subject=h, start=now, actor=actor,
            period=flow.dispatch_period(), label=f"立即派员处置隐患：{h.title}"[:200],
            note="乡镇通报重大隐患，主管部门立即派员处置（R-CO-02）",
        )  # fmt: skip
        tell(department, h, "hazard", "notified", f"【重大隐患】{township.name}通报：{h.title}",
             f"地点：{h.location}\n请立即派员到场处置（R-CO-02）。", kind="hazard")  # fmt: skip
    return h


# --- the department ----------------------------------------------------------------------------------


def dispatch(actor: Actor, h: HazardNotice, data: Mapping[str, Any]) -> HazardNotice:
    new = _check(actor, h, "dispatch")
    clean = clean_dispatch(actor, data, h.notified_at)
    with transaction.atomic():
        old = STATE.move(h, "dispatch", new, **clean)
        names = h.officer_names
        add_event(h.events, "dispatched", f"{actor.unit.name if actor.unit else ''}派{names}到场", actor,
               at=clean["arrived_at"], note=clean["onsite_note"], status_from=old, status_to=new)  # fmt: skip
        record(actor, "hazard.dispatched", h, before={"status": old},
               after={"status": new, "officers": names, "arrived_at": clean["arrived_at"].isoformat()})  # fmt: skip
        settle_rule(actor, h, flow.DISPATCH_RULE, clean["arrived_at"], f"{names}已到场")
        tell(
            h.township,
            h,
            "hazard",
            "dispatched",
            f"主管部门已派员到场：{h.title}",
            f"到场人员：{names}",
            kind="hazard",
        )
    return h


def refuse(actor: Actor, h: HazardNotice, data: Mapping[str, Any]) -> HazardNotice:
    """拒绝派员 — only with a reason; reported to the county government at once (R-CO-02)."""
    new = _check(actor, h, "refuse")
    reason = text_field(data, "reason", "拒绝理由", max_length=2000)
    now = timezone.now()
    with transaction.atomic():
        old = STATE.move(
            h, "refuse", new, refusal_reason=reason, reported_at=now, report_reason="主管部门拒绝派员"
        )
        add_event(h.events, "refused", f"{h.department.name if h.department else ''}拒绝派员", actor, note=reason,
               status_from=old, status_to=new, at=now)  # fmt: skip
        record(actor, "hazard.refused", h, before={"status": old}, after={"status": new}, reason=reason)
        waive_all(actor, h, (flow.DISPATCH_RULE,), f"主管部门拒绝派员：{reason}")
        _report_to_government(actor, h, "主管部门拒绝派员", now)
        tell(
            h.township,
            h,
            "hazard",
            "refused",
            f"主管部门拒绝派员：{h.title}（已自动报告县政府）",
            reason,
            kind="hazard",
        )
    return h


def close(actor: Actor, h: HazardNotice, data: Mapping[str, Any]) -> HazardNotice:
    new = _check(actor, h, "close")
    outcome = text_field(data, "outcome", "处置结果")
    now = timezone.now()
    with transaction.atomic():
        old = STATE.move(h, "close", new, outcome=outcome, closed_at=now)
        add_event(
            h.events, "closed", "隐患处置完毕", actor, note=outcome, status_from=old, status_to=new, at=now
        )
        record(actor, "hazard.closed", h, before={"status": old}, after={"status": new}, reason=outcome)
        for unit in {h.township, h.department or h.government}:
            if unit.pk != actor.unit_id:
                tell(unit, h, "hazard", "closed", f"隐患处置完毕：{h.title}", outcome, kind="hazard")
    return h


def report_overdue(now: datetime | None = None) -> int:
    """Report every notice whose department let the dispatch duty go overdue (R-CO-02). Idempotent:
    ``reported_at`` is claimed by a conditional UPDATE, so a notice is reported once."""
    at = now or timezone.now()
    overdue = Obligation.objects.filter(
        rule_id=flow.DISPATCH_RULE, status="overdue", subject_type__app_label="coordination",
        subject_type__model="hazardnotice",
    ).values_list("subject_id", flat=True)  # fmt: skip
    count = 0
    for h in HazardNotice.objects.filter(
        pk__in=[int(i) for i in overdue], status="notified", reported_at__isnull=True
    ).select_related("township", "department", "government"):
        with transaction.atomic():
            if not HazardNotice.objects.filter(pk=h.pk, reported_at__isnull=True, status="notified").update(
                reported_at=at, report_reason="主管部门超时未派员"
            ):
                continue
            h.reported_at, h.report_reason = at, "主管部门超时未派员"
            _report_to_government(None, h, "主管部门超时未派员", at)
            count += 1
    return count


def allowed_actions(actor: Actor, h: HazardNotice) -> list[str]:
    return [a for a in flow.HAZARD.allowed_actions(h.status) if access.may_hazard(actor, h, a)]


def open_duties(h: HazardNotice) -> list[Obligation]:
    return active_obligations(h, (flow.DISPATCH_RULE,))
