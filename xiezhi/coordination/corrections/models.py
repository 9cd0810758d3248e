"""Correction opinions (R-CO-08), feedback between enforcement and supervision (R-CO-09), and
evidence citations (证据互认, R-CO-07)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from xiezhi.coordination.common.models import StatusEvent
from xiezhi.rulebook.corrections_flow import CORRECTION, FEEDBACK, FEEDBACK_DIRECTIONS
from xiezhi.units.models import County, Person, Unit

__all__ = [
    "CorrectionEvent",
    "CorrectionOpinion",
    "EvidenceCitation",
    "Feedback",
    "FeedbackEvent",
]


class CorrectionOpinion(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    department = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="corrections_issued", verbose_name="提出纠错意见的部门"
    )
    township = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="corrections_received", verbose_name="被纠错乡镇（街道）"
    )
    justice_bureau = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="抄送司法局"
    )
    subject = models.CharField("纠错事项", max_length=300)
    case_reference = models.CharField("相关案件", max_length=100, blank=True)
    findings = models.TextField("存在的问题")
    legal_basis = models.TextField("依据", blank=True)
    requirements = models.TextField("整改要求")
    due_on = models.DateField("整改答复期限")
    status = models.CharField("状态", max_length=20, choices=CORRECTION.choices(), default=CORRECTION.initial)
    issued_at = models.DateTimeField("提出时间")
    issued_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="提出人"
    )
    issued_by_name = models.CharField("提出人姓名", max_length=100, blank=True)
    rectification = models.TextField("整改情况", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "纠错意见"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["county", "status", "-id"], name="correction_county_status"),
            models.Index(fields=["township", "-id"], name="correction_township"),
            models.Index(fields=["department", "-id"], name="correction_department"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=list(CORRECTION.states)), name="correction_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"纠错意见{self.pk}：{self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("corrections:detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        return CORRECTION.state_label(self.status)


class Feedback(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    direction = models.CharField("类型", max_length=10, choices=list(FEEDBACK_DIRECTIONS.items()))
    sender = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="feedback_sent", verbose_name="发送单位"
    )
    recipient = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="feedback_received", verbose_name="接收单位"
    )
    subject = models.CharField("事项", max_length=300)
    case_reference = models.CharField("相关案件或许可", max_length=100, blank=True)
    content = models.TextField("内容")
    loophole = models.TextField("发现的监管漏洞", blank=True)
    status = models.CharField("状态", max_length=20, choices=FEEDBACK.choices(), default=FEEDBACK.initial)
    sent_at = models.DateTimeField("发送时间")
    sent_by_name = models.CharField("发送人", max_length=100, blank=True)
    reply = models.TextField("答复（处理结果）", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "监管执法反馈"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["county", "status", "-id"], name="feedback_county_status"),
            models.Index(fields=["recipient", "-id"], name="feedback_recipient"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(sender=models.F("recipient")), name="feedback_two_units"),
            models.CheckConstraint(
                condition=Q(status__in=list(FEEDBACK.states)), name="feedback_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"反馈{self.pk}：{self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("corrections:feedback_detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        return FEEDBACK.state_label(self.status)


class CorrectionEvent(StatusEvent):
    opinion = models.ForeignKey(
        CorrectionOpinion, on_delete=models.CASCADE, related_name="events", verbose_name="纠错意见"
    )

    class Meta(StatusEvent.Meta):
        verbose_name = verbose_name_plural = "纠错意见记录"


class FeedbackEvent(StatusEvent):
    feedback = models.ForeignKey(
        Feedback, on_delete=models.CASCADE, related_name="events", verbose_name="反馈"
    )

    class Meta(StatusEvent.Meta):
        verbose_name = verbose_name_plural = "反馈记录"


class EvidenceCitation(models.Model):
    """One use of another unit's file, named by its SHA-256 and its origin, with no copy made (R-CO-07).

    The origin is generic (``origin_kind`` + ``origin_id``) so any package can register a source
    (`corrections.evidence.register_source`): transfer materials, intake attachments, joint-operation
    findings. The chain of custody of a file is its origin plus every citation of its hash.
    """

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    origin_kind = models.CharField("来源类型", max_length=40)
    origin_id = models.CharField("来源编号", max_length=40)
    origin_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="来源单位")
    origin_label = models.CharField("来源对象", max_length=300)
    title = models.CharField("证据名称", max_length=300)
    citing_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="evidence_citations", verbose_name="引用单位"
    )
    cited_in = models.CharField("用于（案件、文书）", max_length=300)
    purpose = models.TextField("引用说明", blank=True)
    cited_at = models.DateTimeField("引用时间")
    cited_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="引用人"
    )
    cited_by_name = models.CharField("引用人姓名", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "证据互认引用"
        ordering = ["cited_at", "id"]
        indexes = [models.Index(fields=["county", "-cited_at"], name="evidence_county_cited")]
        constraints = [
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="evidence_sha256_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.sha256[:12]}…）"

    def get_absolute_url(self) -> str:
        return reverse("corrections:evidence_chain", args=[self.sha256])
