"""Criminal referrals (行刑衔接, R-CR-01..03): referrals to the police, the administrative penalties
recorded against the 以罚代刑 guard, and police support requests."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from xiezhi.catalogue.models import Matter
from xiezhi.coordination.common.models import StatusEvent, document_link
from xiezhi.documents.models import IssuedDocument
from xiezhi.rulebook.referral_flow import OBSTRUCTION_KINDS, OPEN_STATES, REFERRAL, SUPPORT_FLOW
from xiezhi.units.models import County, Person, Unit

__all__ = ["PenaltyDecision", "PoliceSupportRequest", "Referral", "ReferralEvent"]


class Referral(models.Model):
    """A suspected crime found in enforcement, from the case team's report to the police's outcome."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="referrals_made", verbose_name="移送机关"
    )
    police = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="referrals_received", verbose_name="公安机关"
    )
    matter = models.ForeignKey(
        Matter, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="执法事项"
    )
    party = models.CharField("当事人", max_length=200)
    offence = models.CharField("涉嫌罪名", max_length=200)
    facts = models.TextField("涉嫌犯罪事实")
    report = models.TextField("移送报告")
    team = models.ManyToManyField(Person, related_name="+", verbose_name="专案组成员")
    status = models.CharField("状态", max_length=20, choices=REFERRAL.choices(), default=REFERRAL.initial)
    reported_at = models.DateTimeField("报告时间")
    reported_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="报告人"
    )
    reported_by_name = models.CharField("报告人姓名", max_length=100, blank=True)
    decided_at = models.DateTimeField("负责人决定时间", null=True, blank=True)
    decided_by_name = models.CharField("决定负责人", max_length=100, blank=True)
    decision_note = models.TextField("负责人意见（不批准的理由）", blank=True)
    materials = models.JSONField("移送材料", default=dict, blank=True)
    letter = models.ForeignKey(
        IssuedDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="移送书",
    )
    transferred_at = models.DateTimeField("移送时间", null=True, blank=True)
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    received_by_name = models.CharField("签收人", max_length=100, blank=True)
    forwarded_to = models.CharField("转送机关", max_length=200, blank=True)
    police_decided_at = models.DateTimeField("公安机关决定时间", null=True, blank=True)
    police_case_number = models.CharField("立案文号", max_length=100, blank=True)
    police_reasons = models.TextField("公安机关决定理由", blank=True)
    reconsider_asked_at = models.DateTimeField("提请复议时间", null=True, blank=True)
    reconsider_reasons = models.TextField("提请复议理由", blank=True)
    reconsider_decided_at = models.DateTimeField("复议决定时间", null=True, blank=True)
    supervision_asked_at = models.DateTimeField("建议立案监督时间", null=True, blank=True)
    supervision_request = models.TextField("立案监督建议", blank=True)
    procuratorate = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="人民检察院"
    )
    supervision_result = models.TextField("立案监督结果", blank=True)
    handed_over_at = models.DateTimeField("移交时间", null=True, blank=True)
    handover_note = models.TextField("移交情况", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "涉嫌犯罪案件移送"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["county", "status", "-id"], name="referral_county_status"),
            models.Index(fields=["unit", "-id"], name="referral_unit"),
            models.Index(fields=["police", "-id"], name="referral_police"),
            models.Index(fields=["county", "party"], name="referral_party"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=list(REFERRAL.states)), name="referral_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"行刑移送{self.pk}：{self.party}涉嫌{self.offence}"

    def get_absolute_url(self) -> str:
        return reverse("referrals:detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        return REFERRAL.state_label(self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES


class ReferralEvent(StatusEvent):
    """The referral's timeline."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="events", verbose_name="移送"
    )
    document = document_link()

    class Meta(StatusEvent.Meta):
        verbose_name = verbose_name_plural = "行刑移送记录"


class PenaltyDecision(models.Model):
    """An administrative penalty decision, recorded here until a cases app exists: the one place the
    以罚代刑 guard (R-CR-01, 310号 art. 11) looks at. Recording is never blocked; a penalty on a
    party whose referral is pending, or never made after a suspicion was noted, carries an alert."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="处罚机关")
    matter = models.ForeignKey(
        Matter, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="执法事项"
    )
    party = models.CharField("当事人", max_length=200)
    decision_number = models.CharField("处罚决定书文号", max_length=100)
    amount = models.DecimalField("罚没金额（元）", max_digits=14, decimal_places=2)
    decided_on = models.DateField("决定日期")
    crime_suspected = models.BooleanField("办案中发现涉嫌犯罪", default=False)
    referral = models.ForeignKey(
        Referral,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="penalties",
        verbose_name="相关移送",
    )
    alert = models.BooleanField("以罚代刑预警", default=False)
    alert_reason = models.TextField("预警原因", blank=True)
    recorded_by_name = models.CharField("登记人", max_length=100, blank=True)
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = verbose_name_plural = "行政处罚决定"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "decision_number"], name="penalty_number_unique_in_unit"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="penalty_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} {self.party}"

    def get_absolute_url(self) -> str:
        return reverse("referrals:penalties")


class PoliceSupportRequest(models.Model):
    """R-CR-03: enforcement obstructed by violence or threat is handed to the police at once."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="请求单位")
    police = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="公安机关")
    kind = models.CharField("阻碍方式", max_length=20, choices=list(OBSTRUCTION_KINDS.items()))
    occurred_at = models.DateTimeField("发生时间")
    location = models.CharField("地点", max_length=300)
    description = models.TextField("情况说明")
    officers_on_scene = models.CharField("现场执法人员", max_length=300)
    status = models.CharField(
        "状态", max_length=20, choices=SUPPORT_FLOW.choices(), default=SUPPORT_FLOW.initial
    )
    requested_at = models.DateTimeField("请求时间")
    requested_by_name = models.CharField("请求人", max_length=100, blank=True)
    responded_at = models.DateTimeField("出警时间", null=True, blank=True)
    responder_name = models.CharField("处置民警", max_length=100, blank=True)
    response = models.TextField("处置情况", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公安协助请求"
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=list(SUPPORT_FLOW.states)), name="police_support_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=list(OBSTRUCTION_KINDS)), name="police_support_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"公安协助{self.pk}：{self.location}"

    def get_absolute_url(self) -> str:
        return reverse("referrals:support_detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        return SUPPORT_FLOW.state_label(self.status)
