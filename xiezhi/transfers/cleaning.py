"""Turning a submitted transfer (page form or API JSON) into typed values, every error at once.

The rules checked here are the ones about the input itself: the receiver is a unit of the county
and never an internal section (R-TR-01), not the sender; the discovery time is not in the future;
urgency follows R-TR-02/03/04. What a transfer still lacks before it may be sent (materials, the
stop order of R-TR-05, the consultation of R-TR-09) is `services.missing_for_sending`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from xiezhi.catalogue.models import Matter
from xiezhi.transfers import urgency as urgency_rules
from xiezhi.transfers.models import Transfer
from xiezhi.units.cleaning import Cleaner, final
from xiezhi.units.models import Unit, UnitKind

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


class TransferCleaner(Cleaner):
    """The generic cleaner plus the checks that belong to a transfer alone."""

    def matter(self, county_id: int) -> None:
        if self._missing("matter", "执法事项", True):
            return
        raw = self.data["matter"]
        if isinstance(raw, Matter):
            found = raw if raw.county_id == county_id else None
        elif (isinstance(raw, int) and not isinstance(raw, bool)) or (
            isinstance(raw, str) and raw.strip().isdigit()
        ):
            found = Matter.objects.filter(county_id=county_id, pk=int(raw)).first()
        else:
            found = Matter.objects.filter(county_id=county_id, code=str(raw).strip()).first()
        if found is None:
            self.error("matter", f"执法事项不存在：{raw}")
        else:
            self.cleaned["matter"] = found

    def copy_to(self, county_id: int) -> None:
        if "copy_to" not in self.data:
            return
        raw = self.data["copy_to"]
        items = [] if raw in (None, "") else raw if isinstance(raw, list | tuple) else [raw]
        units: list[Unit] = []
        for item in items:
            sub = Cleaner({"copy_to": item}, creating=True)
            sub.unit("copy_to", "抄告单位", county_id, required=True)
            for msg in sub.errors.get("copy_to", []):
                self.error("copy_to", msg)
            if "copy_to" in sub.cleaned and sub.cleaned["copy_to"] not in units:
                units.append(sub.cleaned["copy_to"])
        if len(units) > 30:
            self.error("copy_to", "抄告单位最多30个")
        self.cleaned["copy_to"] = units

    def relations(self, sender: Unit, transfer: Transfer | None) -> None:
        """Checks across fields, on the values the transfer will have after the change."""
        receiver: Unit | None = final(self.cleaned, transfer, "receiver")
        if "receiver" in self.cleaned and receiver is not None:
            if receiver.pk == sender.pk:
                self.error("receiver", "不能向本单位移送案件，请选择其他接收单位")
            elif receiver.kind not in PARTY_UNIT_KINDS:
                self.error("receiver", f"“{receiver.name}”不是乡镇（街道）或县级部门，不能接收案件移送")
        township: Unit | None = final(self.cleaned, transfer, "township")
        if township is None and "township" not in self.errors:
            township = sender if sender.kind == UnitKind.TOWNSHIP else receiver
            if township is not None and township.kind == UnitKind.TOWNSHIP:
                self.cleaned["township"] = township
            elif self.creating:
                self.error("township", "请选择违法行为发生地所在的乡镇（街道）")
        elif township is not None and township.kind != UnitKind.TOWNSHIP:
            self.error("township", f"“{township.name}”不是乡镇（街道）")
        if "copy_to" in self.cleaned:
            self.cleaned["copy_to"] = [
                u for u in self.cleaned["copy_to"] if u.pk not in (sender.pk, getattr(receiver, "pk", None))
            ]
        discovered: datetime | None = final(self.cleaned, transfer, "discovered_at")
        stopped: datetime | None = final(self.cleaned, transfer, "stop_ordered_at")
        if (
            stopped is not None
            and discovered is not None
            and stopped < discovered
            and "stop_ordered_at" not in self.errors
        ):
            self.error("stop_ordered_at", "责令停止时间不能早于发现时间")
        consulted: date | None = final(self.cleaned, transfer, "consultation_on")
        if consulted is not None and consulted > timezone.localdate():
            self.error("consultation_on", "事先会商日期不能晚于今天")
        matter: Matter | None = final(self.cleaned, transfer, "matter")
        if matter is not None and "urgency" not in self.errors:
            try:
                decided = urgency_rules.decide(
                    final(self.cleaned, transfer, "urgency", urgency_rules.NORMAL) or urgency_rules.NORMAL,
                    matter.major_category,
                    bool(final(self.cleaned, transfer, "major_risk", False)),
                )
            except urgency_rules.UrgencyError as exc:
                self.error("urgency", exc.message)
            else:
                self.cleaned["urgency"] = decided.level
                self.cleaned["urgency_automatic"] = decided.automatic
                self.cleaned["urgency_reason"] = decided.reason
                self.cleaned["rule_id"] = decided.rule_id
            if not final(self.cleaned, transfer, "legal_basis", ""):
                basis = matter.legal_basis_violation or matter.legal_basis_penalty
                if basis:
                    self.cleaned["legal_basis"] = basis
                elif self.creating:
                    self.error("legal_basis", "请填写移送依据")


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
    c.matter(county_id)
    c.copy_to(county_id)
    if transfer is not None and transfer.status == "oral_recorded":
        for name in LOCKED_AFTER_ORAL:
            if name in c.cleaned and c.cleaned[name] != getattr(transfer, name):
                c.error(name, "已口头移送的案件不能再更改接收单位、事项、发现时间和紧急程度")
    c.relations(sender, transfer)
    c.raise_if_errors()
    return c.cleaned
