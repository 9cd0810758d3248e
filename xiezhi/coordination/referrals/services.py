"""Criminal referrals (行刑衔接, R-CR-01..03; 国务院令第310号 arts. 5–12).

A case team of at least two certified officers reports a suspected crime to the principal head;
the head approves (transfer within 24 hours, with the art. 6 materials and the 移送书) or records
why not; the police sign receipt, forward (not competent, 24 hours) or review (3 days) and file or
decline; a decline may be contested (reconsideration, then filing supervision by the
procuratorate, 3 days each); after filing the items are handed over within 3 days. Every step is
an obligation of the party that owes it (`rulebook.referral_flow.STEP_ON_ENTRY`). Transitions are
conditional UPDATEs (zero rows → 409, nothing written).

Also here: `record_penalty_decision` with the 以罚代刑 guard (R-CR-01, art. 11) and police support
requests (R-CR-03).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from xiezhi.audit.services import record
from xiezhi.catalogue.models import Matter
from xiezhi.coordination.models import PenaltyDecision, PoliceSupportRequest, Referral
from xiezhi.coordination.referrals import access
from xiezhi.core.actor import Actor
from xiezhi.core.errors import Conflict, PermissionDenied, ValidationFailed
from xiezhi.core.inputs import text_field
from xiezhi.core.timeline import actor_name, add_event
from xiezhi.core.transitions import StatusFlow
from xiezhi.deadlines import services as deadlines
from xiezhi.deadlines.models import Obligation
from xiezhi.deadlines.selectors import active_obligations
from xiezhi.documents.models import IssuedDocument
from xiezhi.documents.services import issue_document
from xiezhi.notifications.services import notify
from xiezhi.rulebook import referral_flow as flow
from xiezhi.rulebook.workflows import TransitionNotAllowed
from xiezhi.units.cleaning import Cleaner
from xiezhi.units.models import Person, Unit, UnitKind
from xiezhi.units.selectors import has_valid_certificate

STEP_RULES = tuple(s.limit_id for s in flow.STEPS.values())
STATE = StatusFlow(Referral, flow.REFERRAL, "该移送案件")
TRUE = ("1", "true", "on", "yes", "是")


def _flag(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name)
    return value is True or str(value or "").strip().lower() in TRUE


def _own_unit(actor: Actor, data: Mapping[str, Any]) -> Unit:
    """The actor's unit; naming another unit is refused (act only in your own unit's name)."""
    assert actor.unit is not None
    raw = data.get("unit")
    if raw not in (None, "") and str(getattr(raw, "pk", raw)) != str(actor.unit.pk):
        raise PermissionDenied("只能以本单位的名义办理，不能代其他单位登记或移送")
    return actor.unit


def _county_unit(county_id: int, kind: str) -> Unit | None:
    return Unit.objects.filter(county_id=county_id, kind=kind, active=True).order_by("code").first()


def _tell(
    unit: Unit | None, obj: models.Model, key: str, title: str, body: str = "", kind: str = "referral"
) -> None:
    if unit is None:
        return
    url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
    notify(
        title=title[:200],
        body=body or title,
        dedupe_key=f"{obj._meta.model_name}:{obj.pk}:{key}:u{unit.pk}",
        unit=unit,
        url=url,
        kind=kind,
    )


def _matter(c: Cleaner, county_id: int) -> None:
    raw = c.data.get("matter")
    if raw in (None, ""):
        c.cleaned["matter"] = None
        return
    found = Matter.objects.filter(county_id=county_id, pk=raw).first() if str(raw).isdigit() else None
    if found is None:
        c.error("matter", f"执法事项不存在：{raw}")
    else:
        c.cleaned["matter"] = found


# --- referrals: reporting the suspicion --------------------------------------------------------


def _team(c: Cleaner, unit: Unit) -> list[Person]:
    """At least two active officers of the unit holding a certificate valid today (310号 art. 5,
    R-CASE-01); assistants never count."""
    raw = c.data.get("team")
    items = raw.split(",") if isinstance(raw, str) else list(raw or [])
    ids = sorted({int(x) for x in (str(i).strip() for i in items) if x.isdigit()})
    people = list(Person.objects.filter(pk__in=ids, unit=unit, active=True).order_by("pk"))
    message = f"专案组须由至少{flow.MIN_TEAM}名持有效执法证的本单位执法人员组成（310号第五条，R-CASE-01）"
    if len(people) != len(ids):
        c.error("team", "专案组成员须为本单位在岗人员")
    today = timezone.localdate()
    uncertified = [p.name for p in people if not has_valid_certificate(p, today)]
    if uncertified:
        c.error("team", f"{'、'.join(uncertified)}未持有有效执法证，不能作为专案组成员（R-CASE-01）")
    if len(people) - len(uncertified) < flow.MIN_TEAM:
        c.error("team", message)
    return people


def _police(c: Cleaner, county_id: int) -> None:
    if c.data.get("police") in (None, ""):
        found = _county_unit(county_id, UnitKind.POLICE)
        if found is None:
            c.error("police", "本县尚未登记公安机关，无法移送")
        else:
            c.cleaned["police"] = found
        return
    c.unit("police", "公安机关", county_id, required=True)
    police = c.cleaned.get("police")
    if police is not None and police.kind != UnitKind.POLICE:
        c.error("police", f"“{police.name}”不是公安机关，涉嫌犯罪案件应移送同级公安机关（310号第三条）")
        c.cleaned.pop("police")


def report_suspicion(actor: Actor, data: Mapping[str, Any]) -> Referral:
    """The case team's written report of a suspected crime to the principal head (310号 art. 5)."""
    access.require_business(actor)
    if not access.is_enforcer(actor):
        raise PermissionDenied("只有乡镇（街道）或县级执法部门的承办人或负责人可以报告涉嫌犯罪案件")
    unit = _own_unit(actor, data)
    c = Cleaner(data, creating=True)
    c.text("party", "当事人", max_length=200, required=True)
    c.text("offence", "涉嫌罪名", max_length=200, required=True)
    c.text("facts", "涉嫌犯罪事实", max_length=5000, required=True)
    c.text("report", "移送报告（报正职负责人）", max_length=5000, required=True)
    _matter(c, unit.county_id)
    _police(c, unit.county_id)
    team = _team(c, unit)
    c.raise_if_errors()
    now = timezone.now()
    with transaction.atomic():
        r = Referral.objects.create(
            county_id=unit.county_id,
            unit=unit,
            reported_at=now,
            reported_by=actor.person,
            reported_by_name=actor_name(actor),
            **c.cleaned,
        )
        r.team.set(team)
        add_event(
            r.events,
            "reported",
            f"专案组报告涉嫌犯罪案件：{r.party}涉嫌{r.offence}",
            actor,
            status_to=r.status,
            at=now,
            note=f"专案组：{'、'.join(p.name for p in team)}\n{r.report}",
        )
        record(
            actor,
            "referral.reported",
            r,
            after={
                "party": r.party,
                "offence": r.offence,
                "police": r.police.name,
                "team": [p.pk for p in team],
            },
        )
        _clock(actor, r, flow.HEAD_DECISION, now)
        _tell(
            unit,
            r,
            "reported",
            f"涉嫌犯罪案件移送报告待负责人审批：{r.party}涉嫌{r.offence}",
            "请正职负责人自接到报告之日起3日内作出是否批准移送的决定（310号第五条）。",
        )
    return r


# --- referrals: the steps ------------------------------------------------------------------------


def _owner(r: Referral, step: flow.Step) -> Unit:
    return r.police if step.owner == "police" else r.unit


def _clock(actor: Actor, r: Referral, step: flow.Step, start: datetime) -> Obligation:
    return deadlines.open_obligation(
        rule_id=step.limit_id,
        unit=_owner(r, step),
        subject=r,
        start=start,
        actor=actor,
        label=f"{step.label}：{r.party}涉嫌{r.offence}"[:200],
        note=step.description,
    )


def _step(
    actor: Actor,
    r: Referral,
    action: str,
    *,
    label: str,
    note: str = "",
    columns: dict[str, Any] | None = None,
    document: Callable[[], IssuedDocument] | None = None,
    inside: Callable[[datetime], None] | None = None,
    tell: Iterable[Unit | None] = (),
    waive: bool = False,
    stamp: tuple[str, ...] = (),
) -> Referral:
    """One transition: permission, table, conditional UPDATE, document, timeline, audit; the clock of
    the step left is met (or waived when the process ended it), the clock of the step entered opens."""
    access.require(actor, r, flow.ACTORS[action])
    new = STATE.next_state(r, action)
    now = timezone.now()
    cols = dict(columns or {})
    cols.update({name: now for name in stamp})  # the moment recorded is the moment the clocks use
    if new in flow.CLOSED_STATES:
        cols["closed_at"] = now
    with transaction.atomic():
        old = STATE.move(r, action, new, **cols)
        doc = document() if document else None
        if doc is not None:
            Referral.objects.filter(pk=r.pk).update(letter=doc)
            r.letter = doc
        add_event(
            r.events, action, label, actor, status_from=old, status_to=new, at=now, note=note, document=doc
        )
        after: dict[str, Any] = {
            "status": new,
            **{k: v for k, v in cols.items() if isinstance(v, str | int | dict)},
        }
        if doc is not None:
            after["document"] = doc.number
        record(actor, f"referral.{action}", r, before={"status": old}, after=after, reason=note)
        if inside is not None:
            inside(now)
        for ob in active_obligations(r, STEP_RULES):
            if waive:
                deadlines.waive(actor, ob, f"{label}：{note}"[:500], by_process=True)
            else:
                deadlines.settle(ob, actor, met_at=now, note=label)
        step = flow.STEP_ON_ENTRY.get(new)
        if step is not None:
            _clock(actor, r, step, now)
        for unit in tell:
            _tell(unit, r, action, f"{label}：{r.party}涉嫌{r.offence}", note or label)
    return r


def _court(r: Referral) -> Unit | None:
    return _county_unit(r.county_id, UnitKind.COURT)


def _procuratorate(r: Referral) -> Unit | None:
    return _county_unit(r.county_id, UnitKind.PROCURATORATE)


def decide(actor: Actor, r: Referral, data: Mapping[str, Any]) -> Referral:
    """The principal head approves the transfer (24-hour clock) or records why not (310号 art. 5)."""
    access.require(actor, r, "unit_head")
    approve = _flag(data, "approve")
    note = text_field(data, "note", "不批准移送的理由", required=not approve)
    cols = {"decided_by_name": actor_name(actor), "decision_note": note}
    if approve:
        return _step(
            actor, r, "approve", label="负责人批准移送", note=note, columns=cols, stamp=("decided_at",)
        )
    return _step(
        actor,
        r,
        "reject",
        label="负责人不批准移送",
        note=note,
        columns=cols,
        tell=[_procuratorate(r)],
        stamp=("decided_at",),
    )


def _materials(data: Mapping[str, Any]) -> dict[str, str]:
    raw = data.get("materials")
    given: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    out = {
        k: str(given.get(k) or data.get(f"material_{k}") or "").strip()[:500] for k in flow.SUPPLIED_MATERIALS
    }
    missing = flow.missing_materials(out)
    if missing:
        raise ValidationFailed(
            f"缺少移送材料：{'、'.join(missing)}（310号第六条）",
            details={"materials": [f"请提供{m}" for m in missing], "missing": missing},
        )
    return out


def transfer(actor: Actor, r: Referral, data: Mapping[str, Any]) -> Referral:
    """Transfer to the police with the art. 6 materials; the 移送书 is issued in the unit's name."""
    access.require(actor, r, "unit")
    if r.status != "approved":
        raise STATE.conflict(r, "transfer")
    materials = _materials(data)
    contact = text_field(data, "contact_phone", "联系电话", required=False, max_length=30)
    team = [p.name for p in r.team.order_by("pk")]

    def letter() -> IssuedDocument:
        return issue_document(
            actor,
            doc_type="criminal_referral",
            unit=r.unit,
            subject=r,
            data={
                "receiver": r.police.name,
                "party": r.party,
                "offence": r.offence,
                "facts": r.facts,
                "team": team,
                "approved_by": r.decided_by_name,
                "materials": [f"{flow.MATERIALS[k]}（{v}）" for k, v in materials.items()],
                "contact_person": actor_name(actor),
                "contact_phone": contact,
            },
        )

    return _step(
        actor,
        r,
        "transfer",
        label=f"移送{r.police.name}",
        note="；".join(f"{flow.MATERIALS[k]}：{v}" for k, v in materials.items()),
        columns={"materials": materials},
        stamp=("transferred_at",),
        document=letter,
        tell=[r.police],
    )


def receive(actor: Actor, r: Referral, data: Mapping[str, Any]) -> Referral:
    """The police sign the receipt (310号 art. 7); the 3-day review starts."""
    return _step(
        actor,
        r,
        "receive",
        label=f"{r.police.name}签收",
        note=text_field(data, "note", "签收说明", required=False),
        columns={"received_by_name": actor_name(actor)},
        stamp=("received_at",),
        tell=[r.unit],
    )


def forward(actor: Actor, r: Referral, data: Mapping[str, Any]) -> Referral:
    """Not competent: forwarded to the competent organ, the transferring body told in writing
    (310号 art. 7). The 24-hour duty is measured from the receipt."""
    access.require(actor, r, "police")
    organ = text_field(data, "forwarded_to", "有管辖权的机关", max_length=200)
    notice = text_field(data, "note", "书面告知内容")
    received = r.received_at or timezone.now()

    def measured(now: datetime) -> None:
        ob = _clock(actor, r, flow.POLICE_FORWARD, received)
        deadlines.settle(ob, actor, met_at=now, note=f"已转送{organ}并书面告知移送机关")

    return _step(
        actor,
        r,
        "forward",
        label=f"不属本机关管辖，转送{organ}",
        note=notice,
        columns={"forwarded_to": organ, "police_reasons": notice},
        stamp=("police_decided_at",),
        inside=measured,
        tell=[r.unit],
        waive=True,
    )


def police_decide(actor: Actor, r: Referral, data: Mapping[str, Any]) -> Referral:
    """File (立案) or decline in writing with reasons (310号 art. 8); also the reconsideration
    decision (art. 9) when the referral is being reconsidered."""
    access.require(actor, r, "police")
    file = _flag(data, "file")
    reconsidering = r.status == "reconsidering"
    action = (
        ("reconsider_file" if file else "reconsider_uphold")
        if reconsidering
        else ("file" if file else "decline")
    )
    number = text_field(data, "case_number", "立案决定书文号", required=file, max_length=100)
    reasons = text_field(data, "reasons", "不予立案的理由", required=not file)
    cols: dict[str, Any] = {"police_reasons": reasons}
    if file:
        cols["police_case_number"] = number
    label = {
        "file": "公安机关决定立案",
        "decline": "公安机关决定不予立案",
        "reconsider_file": "复议后公安机关决定立案",
        "reconsider_uphold": "复议维持不予立案决定",
    }[action]
    tell = [r.unit, _court(r), _procuratorate(r)] if file else [r.unit]
    stamp = ("police_decided_at", "reconsider_decided_at") if reconsidering else ("police_decided_at",)
    return _step(
        actor,
        r,
        action,
        label=label,
        note=f"{number} {reasons}".strip(),
        columns=cols,
        tell=tell,
        stamp=stamp,
    )


def accept_decline(actor: Actor, r: Referral, data: Mapping[str, Any]) -> Referral:
    """The transferring body accepts the refusal; the administrative case continues (310号 art. 10)."""
    return _step(
        actor,
        r,
        "accept_decline",
        label="接受不予立案决定，依法继续行政处理",
        note=text_field(data, "note", "说明", required=False),
        tell=[_court(r), _procuratorate(r)],
    )


def reconsider(actor: Actor, r: Referral, data: Mapping[str, Any]) -> Referral:
    reasons = text_field(data, "reasons", "提请复议的理由")
    return _step(
        actor,
        r,
        "reconsider",
        label="提请公安机关复议",
        note=reasons,
        columns={"reconsider_reasons": reasons},
        stamp=("reconsider_asked_at",),
        tell=[r.police],
    )


def supervise(actor: Actor, r: Referral, data: Mapping[str, Any]) -> Referral:
    """Still disagreeing after reconsideration: ask the procuratorate for filing supervision."""
    access.require(actor, r, "unit")
    proc = _procuratorate(r)
    if proc is None:
        raise ValidationFailed.field("procuratorate", "本县尚未登记人民检察院，无法建议立案监督")
    request = text_field(data, "request", "立案监督建议")
    return _step(
        actor,
        r,
        "supervise",
        label=f"建议{proc.name}进行立案监督",
        note=request,
        columns={"supervision_request": request, "procuratorate": proc},
        stamp=("supervision_asked_at",),
        tell=[proc, r.police],
    )


def supervision_result(actor: Actor, r: Referral, data: Mapping[str, Any]) -> Referral:
    """The procuratorate's filing supervision: the police are told to file, or the refusal stands."""
    file = _flag(data, "file")
    result = text_field(data, "result", "立案监督结果")
    if file:
        return _step(
            actor,
            r,
            "supervision_file",
            label="检察院通知公安机关立案",
            note=result,
            columns={"supervision_result": result},
            tell=[r.unit, r.police, _court(r)],
        )
    return _step(
        actor,
        r,
        "supervision_close",
        label="检察院认为不立案理由成立",
        note=result,
        columns={"supervision_result": result},
        tell=[r.unit, r.police, _court(r)],
    )


def hand_over(actor: Actor, r: Referral, data: Mapping[str, Any]) -> Referral:
    """Items and materials handed over to the police within 3 days of the filing notice (art. 12)."""
    note = text_field(data, "note", "移交的涉案物品及材料")
    return _step(
        actor,
        r,
        "hand_over",
        label=f"向{r.police.name}移交涉案物品及材料",
        note=note,
        columns={"handover_note": note},
        stamp=("handed_over_at",),
        tell=[r.police],
    )


ACTIONS: dict[str, Callable[[Actor, Referral, Mapping[str, Any]], Referral]] = {
    "approve": lambda a, r, d: decide(a, r, {**d, "approve": True}),
    "reject": lambda a, r, d: decide(a, r, {**d, "approve": False}),
    "transfer": transfer,
    "receive": receive,
    "forward": forward,
    "file": lambda a, r, d: police_decide(a, r, {**d, "file": True}),
    "decline": lambda a, r, d: police_decide(a, r, {**d, "file": False}),
    "reconsider_file": lambda a, r, d: police_decide(a, r, {**d, "file": True}),
    "reconsider_uphold": lambda a, r, d: police_decide(a, r, {**d, "file": False}),
    "accept_decline": accept_decline,
    "reconsider": reconsider,
    "supervise": supervise,
    "supervision_file": lambda a, r, d: supervision_result(a, r, {**d, "file": True}),
    "supervision_close": lambda a, r, d: supervision_result(a, r, {**d, "file": False}),
    "hand_over": hand_over,
}


def allowed_actions(actor: Actor, r: Referral) -> list[str]:
    return [a for a in flow.REFERRAL.allowed_actions(r.status) if access.can_act(actor, r, flow.ACTORS[a])]


# --- 以罚代刑 guard (R-CR-01, 310号 art. 11) ----------------------------------------------------


def _alert_for(
    county_id: int, party: str, matter: Matter | None, suspected: bool
) -> tuple[Referral | None, str]:
    """(the referral concerned, the reason) when recording this penalty is a possible 以罚代刑."""
    qs = Referral.objects.filter(county_id=county_id, party=party)
    if matter is not None:
        qs = qs.filter(Q(matter=matter) | Q(matter__isnull=True))
    pending = qs.filter(status__in=flow.PENDING_STATES).order_by("-id").first()
    if pending is not None:
        return pending, (
            f"该当事人涉嫌{pending.offence}的移送（第{pending.pk}号）尚未办结（{pending.status_label}），"
            "不得以行政处罚代替移送（310号第十一条）"
        )
    never = qs.filter(status__in=flow.NEVER_REFERRED_STATES).order_by("-id").first()
    if never is not None:
        return (
            never,
            f"该当事人涉嫌{never.offence}，负责人决定不移送公安机关（第{never.pk}号），请核查是否以罚代刑",
        )
    if suspected and not qs.exists():
        return None, "办案中发现涉嫌犯罪，但未向公安机关移送，请核查是否以罚代刑（310号第十一条）"
    return None, ""


def record_penalty_decision(actor: Actor, data: Mapping[str, Any]) -> PenaltyDecision:
    """Record an administrative penalty. Never blocked: a possible 以罚代刑 is recorded with the
    decision and raised to the justice bureau and the procuratorate (notification + audit). A case
    the police declined goes on as an administrative case without an alert (310号 art. 10)."""
    access.require_business(actor)
    if not access.is_enforcer(actor):
        raise PermissionDenied("只有乡镇（街道）或县级执法部门的承办人或负责人可以登记行政处罚决定")
    unit = _own_unit(actor, data)
    c = Cleaner(data, creating=True)
    c.text("party", "当事人", max_length=200, required=True)
    c.text("decision_number", "处罚决定书文号", max_length=100, required=True)
    c.date("decided_on", "决定日期", required=True)
    c.boolean("crime_suspected", "办案中发现涉嫌犯罪")
    _matter(c, unit.county_id)
    try:
        amount = Decimal(str(data.get("amount") if data.get("amount") not in (None, "") else "0")).quantize(
            Decimal("0.01")
        )
        if amount < 0 or amount >= Decimal("1e12"):
            c.error("amount", "罚没金额应为0至1万亿元之间的数字")
    except (InvalidOperation, ValueError):
        c.error("amount", "罚没金额格式有误，应为数字（单位：元）")
        amount = Decimal(0)
    decided_on = c.cleaned.get("decided_on")
    if decided_on is not None and decided_on > timezone.localdate():
        c.error("decided_on", "决定日期不能晚于今天")
    number = c.cleaned.get("decision_number")
    if number and PenaltyDecision.objects.filter(unit=unit, decision_number=number).exists():
        c.error("decision_number", f"本单位已登记文号为“{number}”的处罚决定")
    c.raise_if_errors()
    suspected = bool(c.cleaned.pop("crime_suspected", False))
    referral, reason = _alert_for(unit.county_id, c.cleaned["party"], c.cleaned.get("matter"), suspected)
    with transaction.atomic():
        p = PenaltyDecision.objects.create(
            county_id=unit.county_id,
            unit=unit,
            amount=amount,
            crime_suspected=suspected,
            referral=referral,
            alert=bool(reason),
            alert_reason=reason,
            recorded_by_name=actor_name(actor),
            recorded_at=timezone.now(),
            **c.cleaned,
        )
        record(
            actor,
            "penalty.recorded",
            p,
            after={
                "party": p.party,
                "decision_number": p.decision_number,
                "amount": str(p.amount),
                "alert": p.alert,
            },
        )
        if reason:
            record(
                actor,
                "penalty.substitution_alert",
                p,
                after={"referral_id": referral.pk if referral else None},
                reason=reason,
            )
            title = f"以罚代刑预警：{unit.name}对{p.party}作出处罚（{p.decision_number}）"
            for kind in (UnitKind.JUSTICE_BUREAU, UnitKind.PROCURATORATE):
                target = _county_unit(unit.county_id, kind)
                _tell(target, p, "alert", title, reason, kind="referral_alert")
    return p


# --- police support (R-CR-03) --------------------------------------------------------------------


def request_support(actor: Actor, data: Mapping[str, Any]) -> PoliceSupportRequest:
    """Enforcement obstructed by violence or threat: handed to the police, who respond at once."""
    access.require_business(actor)
    if not access.is_enforcer(actor):
        raise PermissionDenied("只有乡镇（街道）或县级执法部门的承办人或负责人可以请求公安机关支援")
    unit = _own_unit(actor, data)
    c = Cleaner(data, creating=True)
    c.choice("kind", "阻碍方式", flow.OBSTRUCTION_KINDS.items(), required=True)
    c.moment("occurred_at", "发生时间", required=True)
    c.text("location", "地点", max_length=300, required=True)
    c.text("description", "情况说明", max_length=5000, required=True)
    c.text("officers_on_scene", "现场执法人员", max_length=300, required=True)
    _police(c, unit.county_id)
    c.raise_if_errors()
    now = timezone.now()
    with transaction.atomic():
        s = PoliceSupportRequest.objects.create(
            county_id=unit.county_id,
            unit=unit,
            requested_at=now,
            requested_by_name=actor_name(actor),
            **c.cleaned,
        )
        record(
            actor,
            "police_support.requested",
            s,
            after={"kind": s.kind, "police": s.police.name, "location": s.location},
        )
        deadlines.open_obligation(
            rule_id=flow.SUPPORT.limit_id,
            unit=s.police,
            subject=s,
            start=now,
            actor=actor,
            label=f"{flow.SUPPORT.label}：{s.location}"[:200],
            note=flow.SUPPORT.description,
        )
        _tell(
            s.police,
            s,
            "requested",
            f"【即时】{unit.name}执法遇{s.get_kind_display()}，请求出警：{s.location}",
            s.description,
            kind="police_support",
        )
    return s


def respond_support(actor: Actor, s: PoliceSupportRequest, data: Mapping[str, Any]) -> PoliceSupportRequest:
    if not access.can_respond(actor, s):
        raise PermissionDenied("只有被请求的公安机关可以记录出警处置情况")
    try:
        new = flow.SUPPORT_FLOW.next_state(s.status, "respond")
    except TransitionNotAllowed as exc:
        raise Conflict(exc.message) from None
    response = text_field(data, "response", "处置情况")
    now = timezone.now()
    with transaction.atomic():
        if not PoliceSupportRequest.objects.filter(pk=s.pk, status=s.status).update(
            status=new, responded_at=now, responder_name=actor_name(actor), response=response
        ):
            raise Conflict("该协助请求已处置，请刷新后查看")
        s.status, s.responded_at, s.responder_name, s.response = new, now, actor_name(actor), response
        record(
            actor,
            "police_support.responded",
            s,
            before={"status": "requested"},
            after={"status": new},
            reason=response,
        )
        deadlines.settle(s, actor, rule_id=flow.SUPPORT.limit_id, met_at=now, note="公安机关已出警处置")
        _tell(
            s.unit,
            s,
            "responded",
            f"{s.police.name}已出警处置：{s.location}",
            response,
            kind="police_support",
        )
    return s
