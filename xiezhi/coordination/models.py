"""Coordination between units. For now: enforcement disputes (执法争议, R-DIS-01..03).

Later issues add assistance requests, hazard notices, consultations and joint operations here.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from xiezhi.catalogue.models import Matter
from xiezhi.coordination.common.models import StatusEvent, document_link
from xiezhi.documents.models import IssuedDocument
from xiezhi.rulebook.dispute_flow import DISPUTE, KINDS
from xiezhi.transfers.models import Transfer
from xiezhi.units.models import County, Person, Unit


class DisputeKind(models.TextChoices):
    LEGAL_BASIS = "legal_basis", KINDS["legal_basis"]
    DUTIES = "duties", KINDS["duties"]
    JOINT_ENFORCEMENT = "joint_enforcement", KINDS["joint_enforcement"]
    ASSISTANCE = "assistance", KINDS["assistance"]
    TRANSFER = "transfer", KINDS["transfer"]


class Dispute(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    kind = models.CharField("争议类型", max_length=20, choices=DisputeKind.choices)
    applicant = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="disputes_opened", verbose_name="提起单位"
    )
    counterpart = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="disputes_against", verbose_name="对方单位"
    )
    transfer = models.ForeignKey(
        Transfer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
        verbose_name="相关移送",
    )
    matter = models.ForeignKey(
        Matter, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="执法事项"
    )
    township = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="发生地乡镇（街道）",
    )
    subject = models.CharField("争议事项", max_length=300)
    facts = models.TextField("争议经过")
    applicant_position = models.TextField("提起单位意见")
    counterpart_position = models.TextField("对方单位意见", blank=True)
    # R-DIS-03: who keeps the statutory duty while the dispute is open.
    provisional_handler = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="disputes_handled", verbose_name="临时承办单位"
    )
    provisional_basis = models.TextField("指定临时承办单位的理由", blank=True)
    provisional_ack_at = models.DateTimeField("临时承办单位确认时间", null=True, blank=True)
    provisional_ack_note = models.TextField("临时处置情况", blank=True)
    status = models.CharField("状态", max_length=20, choices=DISPUTE.choices(), default=DISPUTE.initial)
    opened_at = models.DateTimeField("提起时间")
    opened_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="提起人"
    )
    opened_by_name = models.CharField("提起人姓名", max_length=100, blank=True)
    applied_at = models.DateTimeField("申请协调时间", null=True, blank=True)
    applied_by_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="申请协调单位"
    )
    application = models.ForeignKey(
        IssuedDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="争议协调申请书",
    )
    proposed_at = models.DateTimeField("报请决定时间", null=True, blank=True)
    proposal = models.TextField("司法局处理建议", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    outcome = models.TextField("处理结果", blank=True)
    referred_to = models.CharField("移送的有权机关", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法争议"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["county", "status", "-id"], name="dispute_county_status"),
            models.Index(fields=["applicant", "-id"], name="dispute_applicant"),
            models.Index(fields=["counterpart", "-id"], name="dispute_counterpart"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(applicant=models.F("counterpart")), name="dispute_two_parties"
            ),
            models.CheckConstraint(condition=Q(status__in=list(DISPUTE.states)), name="dispute_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=list(KINDS)), name="dispute_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"争议{self.pk}：{self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("disputes:detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        return DISPUTE.state_label(self.status)

    @property
    def is_open(self) -> bool:
        return self.status in ("negotiating", "coordinating", "proposed")


class DisputeEvent(StatusEvent):
    """The dispute's timeline: negotiations with their minutes, applications, proposals, decisions."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events", verbose_name="争议")
    document = document_link()

    class Meta(StatusEvent.Meta):
        verbose_name = verbose_name_plural = "争议处理记录"


from .assistance.models import *  # noqa: E402, F403
from .corrections.models import *  # noqa: E402, F403
from .meetings.models import ActionItem, Meeting, MeetingEvent, MeetingSeries  # noqa: E402,F401
from .operations.models import JointOperation, OfficerRole, OperationEvent, OperationFinding, OperationOfficer  # noqa: E402,F401
from .referrals.models import PenaltyDecision, PoliceSupportRequest, Referral, ReferralEvent  # noqa: E402,F401
from .sharing.models import *  # noqa: E402,F403
