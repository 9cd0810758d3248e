"""Case transfers (案件移送), their materials, timeline and copy notices (抄告).

Sender and receiver are `units.Unit` rows: an internal `Section` has its own table, so no transfer
can be sent or received in a section's name (R-TR-01).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from xiezhi.catalogue.models import Matter
from xiezhi.documents.models import IssuedDocument
from xiezhi.rulebook.workflows import TRANSFER
from xiezhi.transfers import urgency
from xiezhi.units.models import County, Person, Unit


class Urgency(models.TextChoices):
    NORMAL = urgency.NORMAL, urgency.LEVELS[urgency.NORMAL]
    URGENT = urgency.URGENT, urgency.LEVELS[urgency.URGENT]
    IMMEDIATE = urgency.IMMEDIATE, urgency.LEVELS[urgency.IMMEDIATE]


class DeclineReason(models.TextChoices):
    NOT_COMPETENT = "not_competent", "不属于本单位管辖"
    FACTS_UNCLEAR = "facts_unclear", "事实不清"
    EVIDENCE_INSUFFICIENT = "evidence_insufficient", "证据不足"
    MATERIALS_INCOMPLETE = "materials_incomplete", "移送材料不全"
    OTHER = "other", "其他理由"


class OralMethod(models.TextChoices):
    PHONE = "phone", "电话"
    IN_PERSON = "in_person", "当面"
    OTHER = "other", "其他方式"


def violation_of(matter_name: str) -> str:
    text = matter_name.strip()
    for suffix in ("的行政处罚", "的处罚"):
        if text.endswith(suffix):
            text = text[: -len(suffix)]
            break
    if text.startswith("对") and len(text) > 1:
        text = text[1:]
    return text or matter_name


# Transfers the receiver sees: from the moment it is told (oral transfer, sent) on.
RECEIVER_STATES = ("oral_recorded", "sent", "accepted", "declined", "withdrawn")
# Transfers whose receiver may still be waiting for the written transfer or the reply.
OPEN_STATES = ("draft", "pending_approval", "oral_recorded", "sent")


class Transfer(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    sender = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="transfers_sent", verbose_name="移送单位"
    )
    receiver = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="transfers_received", verbose_name="接收单位"
    )
    # Whose matter it is now: the sender's until the receiver accepts (R-TR-08).
    responsible_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="当前责任单位"
    )
    township = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="发生地乡镇（街道）"
    )
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="+", verbose_name="执法事项")
    # The intake report this came from, once the intake app exists; until then its reference.
    source_reference = models.CharField("来源编号（举报、巡查等）", max_length=100, blank=True)
    party = models.CharField("当事人", max_length=200)
    location = models.CharField("发现地点", max_length=300)
    facts = models.TextField("基本事实")
    legal_basis = models.TextField("移送依据")
    discovered_at = models.DateTimeField("发现时间")
    urgency = models.CharField("紧急程度", max_length=12, choices=Urgency.choices, default=Urgency.NORMAL)
    urgency_automatic = models.BooleanField("自动认定为立即移送", default=False)
    urgency_reason = models.CharField("时限依据", max_length=300, blank=True)
    major_risk = models.BooleanField("可能造成重大人身财产损失或重大社会影响", default=False)
    rule_id = models.CharField("移送时限规则", max_length=10)
    send_due_at = models.DateTimeField("移送截止时间")
    # R-TR-05: a violation still in progress.
    in_progress = models.BooleanField("违法行为正在进行", default=False)
    stop_ordered_at = models.DateTimeField("责令停止时间", null=True, blank=True)
    stop_order_note = models.TextField("责令停止情况", blank=True)
    evidence_fixed_note = models.TextField("证据固定情况", blank=True)
    receiver_told_at = models.DateTimeField("已告知接收单位时间", null=True, blank=True)
    # R-TR-09: historical legacy problems.
    is_legacy = models.BooleanField("历史遗留问题", default=False)
    consultation_on = models.DateField("事先会商日期", null=True, blank=True)
    consultation_note = models.TextField("事先会商记录", blank=True)
    competence_note = models.TextField("管辖提示", blank=True)
    status = models.CharField("状态", max_length=20, choices=TRANSFER.choices(), default=TRANSFER.initial)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="承办人"
    )
    created_by_name = models.CharField("承办人姓名", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    submitted_at = models.DateTimeField("提交审批时间", null=True, blank=True)
    approved_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="批准负责人"
    )
    approved_by_name = models.CharField("批准负责人姓名", max_length=100, blank=True)
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)
    sent_at = models.DateTimeField("移送时间", null=True, blank=True)
    reply_due_at = models.DateTimeField("答复截止时间", null=True, blank=True)
    # R-TR-07: oral transfer in a particular emergency.
    oral_at = models.DateTimeField("口头移送时间", null=True, blank=True)
    oral_method = models.CharField("口头移送方式", max_length=12, choices=OralMethod.choices, blank=True)
    oral_receiver_person = models.CharField("口头移送接收人", max_length=50, blank=True)
    oral_reason = models.TextField("情况特别紧急的理由", blank=True)
    written_due_at = models.DateTimeField("书面手续补办期限", null=True, blank=True)
    # R-TR-08: the receiver's written reply.
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="答复人"
    )
    replied_by_name = models.CharField("答复人姓名", max_length=100, blank=True)
    decline_reason = models.CharField(
        "不予受理理由类别", max_length=30, choices=DeclineReason.choices, blank=True
    )
    decline_detail = models.TextField("不予受理理由", blank=True)
    handling_note = models.TextField("后续处理安排", blank=True)
    letter = models.ForeignKey(
        IssuedDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="移送函",
    )
    reply_document = models.ForeignKey(
        IssuedDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="受理告知书",
    )
    oral_record = models.ForeignKey(
        IssuedDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="口头移送记录",
    )
    copy_to = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name="其他抄告单位")

    class Meta:
        verbose_name = verbose_name_plural = "案件移送"
        ordering = ["-id"]
        indexes = [
            # Lists, each newest first: a unit's sent and received boxes (whole, and by status), the
            # county view (whole, by status, by urgency, by discovery date).
            models.Index(fields=["sender", "-id"], name="transfer_sender_id"),
            models.Index(fields=["receiver", "-id"], name="transfer_receiver_id"),
            models.Index(fields=["sender", "status", "-id"], name="transfer_sender_status"),
            models.Index(fields=["receiver", "status", "-id"], name="transfer_receiver_status"),
            models.Index(fields=["county", "status", "-id"], name="transfer_county_status"),
            models.Index(fields=["county", "-id"], name="transfer_county_id"),
            models.Index(fields=["county", "urgency", "-id"], name="transfer_county_urgency"),
            models.Index(fields=["county", "discovered_at"], name="transfer_county_discovered"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(sender=models.F("receiver")), name="transfer_not_to_self"),
            models.CheckConstraint(
                condition=Q(status__in=list(TRANSFER.states)), name="transfer_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=list(urgency.LEVELS)), name="transfer_urgency_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"移送{self.pk}：{self.party}涉嫌{self.violation}"

    def get_absolute_url(self) -> str:
        return reverse("transfers:detail", args=[self.pk])

    @property
    def matter_name(self) -> str:
        return self.matter.name if self.matter_id else ""

    @property
    def violation(self) -> str:
        """The violation the matter is about: "对随地吐痰的处罚" → "随地吐痰", so that sentences
        read "王某涉嫌随地吐痰" rather than "涉嫌对…的处罚"."""
        return violation_of(self.matter_name)

    @property
    def status_label(self) -> str:
        return TRANSFER.state_label(self.status)


class MaterialKind(models.TextChoices):
    LETTER = "letter", "涉嫌违法案件移送函"
    INSPECTION = "inspection_record", "现场检查笔录"
    COMPLAINT = "complaint", "投诉举报材料"
    EVIDENCE = "evidence", "初步证据"
    OTHER = "other", "其他材料"


# R-TR-06: source material is a site inspection record or complaint material.
SOURCE_KINDS = (MaterialKind.INSPECTION, MaterialKind.COMPLAINT)
UPLOAD_KINDS = (MaterialKind.INSPECTION, MaterialKind.COMPLAINT, MaterialKind.EVIDENCE, MaterialKind.OTHER)


class TransferMaterial(models.Model):
    """One material of a transfer: an uploaded file (kept by SHA-256, never overwritten) or the
    generated transfer letter (a link to the issued document)."""

    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="materials", verbose_name="移送"
    )
    kind = models.CharField("材料类别", max_length=20, choices=MaterialKind.choices)
    title = models.CharField("材料名称", max_length=200)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("字节数", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    path = models.CharField("存储路径", max_length=200, blank=True)
    document = models.ForeignKey(
        IssuedDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="生成的文书",
    )
    uploaded_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="上传人"
    )
    uploaded_by_name = models.CharField("上传人姓名", max_length=100, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "移送材料"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"


class TransferEvent(models.Model):
    """The transfer's timeline: every step with who, when and what (the audit trail has the same)."""

    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="events", verbose_name="移送"
    )
    at = models.DateTimeField("时间")
    kind = models.CharField("事件", max_length=30)
    label = models.CharField("说明", max_length=100)
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    unit_name = models.CharField("操作单位", max_length=100, blank=True)
    status_from = models.CharField("原状态", max_length=20, blank=True)
    status_to = models.CharField("新状态", max_length=20, blank=True)
    note = models.TextField("备注", blank=True)
    document = models.ForeignKey(
        IssuedDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="文书"
    )

    class Meta:
        verbose_name = verbose_name_plural = "移送记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.label}"


class CopyNotice(models.Model):
    """抄告 (R-TR-10): one concerned unit's copy of a transfer, with its read receipt."""

    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="copy_notices", verbose_name="移送"
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="copy_notices", verbose_name="抄告单位"
    )
    document = models.ForeignKey(
        IssuedDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="抄告单",
    )
    sent_at = models.DateTimeField("抄告时间")
    read_at = models.DateTimeField("签收时间", null=True, blank=True)
    read_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="签收人"
    )
    read_by_name = models.CharField("签收人姓名", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "抄告"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["transfer", "unit"], name="copy_notice_once_per_unit")]
        indexes = [models.Index(fields=["unit", "read_at"], name="copy_notice_unit_read")]

    def __str__(self) -> str:
        return f"抄告{self.unit.name}：{self.transfer_id}"
