"""Turning a submitted transfer (page form or API JSON) into typed values, every error at once.

The rules checked here are the ones about the input itself: the receiver is a unit of the county
and never an internal section (R-TR-01), not the sender; the discovery time is not in the future;
urgency follows R-TR-02/03/04. What a transfer still lacks before it may be sent (materials, the
stop order of R-TR-05, the consultation of R-TR-09) is `services.missing_for_sending`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from xiezhi.catalogue.models import Matter
from xiezhi.rulebook.zh import SHANGHAI
from xiezhi.transfers import urgency as urgency_rules
from xiezhi.transfers.models import Transfer
from xiezhi.units.cleaning import Cleaner
from xiezhi.units.models import Section, Unit, UnitKind

# A time a few minutes ahead is clock skew between a phone and the server, not the future.
CLOCK_SKEW = timedelta(minutes=5)
PARTY_UNIT_KINDS = (UnitKind.TOWNSHIP, UnitKind.DEPARTMENT)

TEXT_FIELDS: tuple[tuple[str, str, int, bool], ...] = (
    ("party", "当事人", 200, True),
    ("location", "发现地点", 300, True),
    ("facts", "基本事实", 5000, True),
    ("legal_basis", "移送依据", 2000, False),
    ("source_reference", "来源编号", 100, False),
    ("stop_order_note", "责令停止情况", 2000, False),
    ("evidence_fixed_note", "证据固定情况", 2000, False),
    ("consultation_note", "事先会商记录", 2000, False),
)
# Fixed once the receiver has been told orally (R-TR-07): the oral record already says them.
LOCKED_AFTER_ORAL = ("receiver", "township", "matter", "discovered_at", "urgency", "major_risk")


def parse_moment(raw: Any) -> datetime | None:
    """An ISO datetime (naive = Beijing time) or a datetime; None when unparseable."""
    if isinstance(raw, datetime):
        value = raw
    else:
        try:
            value = datetime.fromisoformat(str(raw).strip())
        except ValueError:
            return None
    return value.replace(tzinfo=SHANGHAI) if value.tzinfo is None else value


class TransferCleaner(Cleaner):
    def moment(self, name: str, label: str, *, required: bool = False, not_future: bool = True) -> None:
        if self._missing(name, label, required):
            return
        value = parse_moment(self.data[name])
        if value is None:
            self.error(name, f"{label}格式有误，应为“2025-10-08T09:30”这样的时间")
        elif not_future and value > timezone.now() + CLOCK_SKEW:
            self.error(name, f"{label}不能晚于当前时间")
        else:
            self.cleaned[name] = value

    def unit(self, name: str, label: str, county_id: int, *, required: bool = False) -> None:
        """A unit of the county by id, Unit, code or name; an internal section is refused (R-TR-01)."""
        if self._missing(name, label, required):
            return
        raw = self.data[name]
        if isinstance(raw, Section):
            self.error(name, section_message(raw, label))
            return
        if isinstance(raw, Unit):
            found: Unit | None = raw if raw.county_id == county_id else None
        elif (isinstance(raw, int) and not isinstance(raw, bool)) or (
            isinstance(raw, str) and raw.strip().isdigit()
        ):
            found = Unit.objects.filter(county_id=county_id, pk=int(raw)).first()
        else:
            text = str(raw).strip()
            found = Unit.objects.filter(Q(code=text) | Q(name=text), county_id=county_id).first()
            if found is None:
                section = find_section(text, county_id)
                if section is not None:
                    self.error(name, section_message(section, label))
                    return
        if found is None:
            self.error(name, f"{label}不存在：{raw}")
        elif not found.active:
            self.error(name, f"{label}“{found.name}”已停用")
        else:
            self.cleaned[name] = found


def find_section(text: str, county_id: int) -> Section | None:
    """A section named either "执法中队" or with its unit, "城关镇执法中队"."""
    for section in Section.objects.select_related("unit").filter(unit__county_id=county_id):
        if text in (section.name, f"{section.unit.name}{section.name}"):
            return section
    return None


def section_message(section: Section, label: str) -> str:
    return (
        f"“{section}”是{section.unit.name}的内设机构，不能作为{label}；"
        f"移送须以乡镇人民政府或县级部门的名义进行，请选择“{section.unit.name}”（R-TR-01）"
    )


def clean_transfer(
    data: Mapping[str, Any], *, sender: Unit, transfer: Transfer | None = None
) -> dict[str, Any]:
    """Cleaned values for `Transfer` fields (plus "copy_to": list of units). Raises
    ValidationFailed with every field error. `transfer` is the one being edited (partial data)."""
    creating = transfer is None
    aliases = {
        "receiver_id": "receiver",
        "township_id": "township",
        "matter_id": "matter",
        "copy_to_ids": "copy_to",
    }
    data = {aliases.get(k, k): v for k, v in data.items() if not (k in aliases and aliases[k] in data)}
    c = TransferCleaner(data, creating=creating)
    county_id = sender.county_id
    for name, label, max_length, required in TEXT_FIELDS:
        c.text(name, label, max_length=max_length, required=required)
    c.unit("receiver", "接收单位", county_id, required=True)
    c.unit("township", "发生地乡镇（街道）", county_id)
    c.moment("discovered_at", "发现时间", required=True)
    c.moment("stop_ordered_at", "责令停止时间")
    c.choice("urgency", "紧急程度", urgency_rules.LEVELS.items())
    c.boolean("major_risk", "存在重大风险")
    c.boolean("in_progress", "违法行为正在进行")
    c.boolean("is_legacy", "历史遗留问题")
    c.date("consultation_on", "事先会商日期")
    _matter(c, county_id)
    _copy_to(c, county_id)
    if transfer is not None and transfer.status == "oral_recorded":
        for name in LOCKED_AFTER_ORAL:
            if name in c.cleaned and c.cleaned[name] != getattr(transfer, name):
                c.error(name, "已口头移送的案件不能再更改接收单位、事项、发现时间和紧急程度")
    _relations(c, sender, transfer)
    c.raise_if_errors()
    return c.cleaned


def _matter(c: TransferCleaner, county_id: int) -> None:
    if c._missing("matter", "执法事项", True):
        return
    raw = c.data["matter"]
    if isinstance(raw, Matter):
        found = raw if raw.county_id == county_id else None
    elif (isinstance(raw, int) and not isinstance(raw, bool)) or (
        isinstance(raw, str) and raw.strip().isdigit()
    ):
        found = Matter.objects.filter(county_id=county_id, pk=int(raw)).first()
    else:
        found = Matter.objects.filter(county_id=county_id, code=str(raw).strip()).first()
    if found is None:
        c.error("matter", f"执法事项不存在：{raw}")
    else:
        c.cleaned["matter"] = found


def _copy_to(c: TransferCleaner, county_id: int) -> None:
    if "copy_to" not in c.data:
        return
    raw = c.data["copy_to"]
    items = [] if raw in (None, "") else raw if isinstance(raw, list | tuple) else [raw]
    units: list[Unit] = []
    for item in items:
        sub = TransferCleaner({"copy_to": item}, creating=True)
        sub.unit("copy_to", "抄告单位", county_id, required=True)
        for msg in sub.errors.get("copy_to", []):
            c.error("copy_to", msg)
        if "copy_to" in sub.cleaned and sub.cleaned["copy_to"] not in units:
            units.append(sub.cleaned["copy_to"])
    if len(units) > 30:
        c.error("copy_to", "抄告单位最多30个")
    c.cleaned["copy_to"] = units


def _final(c: TransferCleaner, transfer: Transfer | None, name: str, default: Any = None) -> Any:
    if name in c.cleaned:
        return c.cleaned[name]
    return getattr(transfer, name, default) if transfer is not None else default


def _relations(c: TransferCleaner, sender: Unit, transfer: Transfer | None) -> None:
    """Checks across fields, on the values the transfer will have after the change."""
    receiver: Unit | None = _final(c, transfer, "receiver")
    if "receiver" in c.cleaned and receiver is not None:
        if receiver.pk == sender.pk:
            c.error("receiver", "不能向本单位移送案件，请选择其他接收单位")
        elif receiver.kind not in PARTY_UNIT_KINDS:
            c.error("receiver", f"“{receiver.name}”不是乡镇（街道）或县级部门，不能接收案件移送")
    township: Unit | None = _final(c, transfer, "township")
    if township is None and "township" not in c.errors:
        township = sender if sender.kind == UnitKind.TOWNSHIP else receiver
        if township is not None and township.kind == UnitKind.TOWNSHIP:
            c.cleaned["township"] = township
        elif c.creating:
            c.error("township", "请选择违法行为发生地所在的乡镇（街道）")
    elif township is not None and township.kind != UnitKind.TOWNSHIP:
        c.error("township", f"“{township.name}”不是乡镇（街道）")
    if "copy_to" in c.cleaned:
        c.cleaned["copy_to"] = [
            u for u in c.cleaned["copy_to"] if u.pk not in (sender.pk, getattr(receiver, "pk", None))
        ]
    discovered: datetime | None = _final(c, transfer, "discovered_at")
    stopped: datetime | None = _final(c, transfer, "stop_ordered_at")
    if (
        stopped is not None
        and discovered is not None
        and stopped < discovered
        and "stop_ordered_at" not in c.errors
    ):
        c.error("stop_ordered_at", "责令停止时间不能早于发现时间")
    consulted: date | None = _final(c, transfer, "consultation_on")
    if consulted is not None and consulted > timezone.localdate():
        c.error("consultation_on", "事先会商日期不能晚于今天")
    matter: Matter | None = _final(c, transfer, "matter")
    if matter is not None and "urgency" not in c.errors:
        try:
            decided = urgency_rules.decide(
                _final(c, transfer, "urgency", urgency_rules.NORMAL) or urgency_rules.NORMAL,
                matter.major_category,
                bool(_final(c, transfer, "major_risk", False)),
            )
        except urgency_rules.UrgencyError as exc:
            c.error("urgency", exc.message)
        else:
            c.cleaned["urgency"] = decided.level
            c.cleaned["urgency_automatic"] = decided.automatic
            c.cleaned["urgency_reason"] = decided.reason
            c.cleaned["rule_id"] = decided.rule_id
        if not _final(c, transfer, "legal_basis", ""):
            basis = matter.legal_basis_violation or matter.legal_basis_penalty
            if basis:
                c.cleaned["legal_basis"] = basis
            elif c.creating:
                c.error("legal_basis", "请填写移送依据")
