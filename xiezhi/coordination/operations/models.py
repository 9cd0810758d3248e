"""Joint operations (联合执法, R-CO-03, R-CASE-01): the plan, the officers (certified enforcers and
auxiliaries), the findings, and the results with links to reports, transfers and cases."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from xiezhi.coordination.common.models import TimelineEvent, document_link
from xiezhi.coordination.meetings.models import Meeting
from xiezhi.intake.models import Report
from xiezhi.rulebook.linkage_flow import OPERATION
from xiezhi.transfers.models import Transfer
from xiezhi.units.models import Certificate, County, Person, Unit


class JointOperation(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    lead = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="operations_led", verbose_name="牵头单位"
    )
    participants = models.ManyToManyField(Unit, related_name="operations_joined", verbose_name="参与单位")
    meeting = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="operations",
        verbose_name="来源会商",
    )
    clue = models.TextField("重大案件线索", blank=True)
    clue_report = models.ForeignKey(
        Report,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="线索来源（群众反映）",
    )
    title = models.CharField("行动名称", max_length=100)
    plan = models.TextField("行动方案")
    place = models.CharField("行动地点", max_length=200)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    status = models.CharField("状态", max_length=20, choices=OPERATION.choices(), default=OPERATION.initial)
    summary = models.TextField("行动结果", blank=True)
    case_refs = models.TextField("立案情况（案件编号）", blank=True)
    reports = models.ManyToManyField(Report, related_name="+", blank=True, verbose_name="关联群众反映")
    transfers = models.ManyToManyField(Transfer, related_name="+", blank=True, verbose_name="关联案件移送")
    cancel_reason = models.TextField("取消理由", blank=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="部署人"
    )
    created_by_name = models.CharField("部署人姓名", max_length=100, blank=True)
    created_at = models.DateTimeField("部署时间")
    finished_at = models.DateTimeField("结果登记时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "联合执法行动"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["county", "status", "-id"], name="operation_county_status"),
            models.Index(fields=["lead", "-id"], name="operation_lead"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=list(OPERATION.states)), name="operation_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="operation_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"联合执法{self.pk}：{self.title}"

    def get_absolute_url(self) -> str:
        return reverse("operations:detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        return OPERATION.state_label(self.status)


class OfficerRole(models.TextChoices):
    ENFORCER = "enforcer", "执法人员"
    AUXILIARY = "auxiliary", "辅助人员"


class OperationOfficer(models.Model):
    """An officer assigned to the operation. An enforcer's certificate valid on the operation day is
    kept; an auxiliary (协管/辅助人员) can never be named as enforcer on a finding (R-CASE-01)."""

    operation = models.ForeignKey(
        JointOperation, on_delete=models.CASCADE, related_name="officers", verbose_name="联合执法行动"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name="人员")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="所在单位")
    role = models.CharField("身份", max_length=10, choices=OfficerRole.choices)
    certificate = models.ForeignKey(
        Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="执法证"
    )

    class Meta:
        verbose_name = verbose_name_plural = "联合执法人员"
        ordering = ["operation", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "person"], name="operation_officer_unique"),
            models.CheckConstraint(
                condition=Q(role="auxiliary") | Q(certificate__isnull=False),
                name="operation_enforcer_certified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.get_role_display()}）"


class OperationFinding(models.Model):
    operation = models.ForeignKey(
        JointOperation, on_delete=models.CASCADE, related_name="findings", verbose_name="联合执法行动"
    )
    party = models.CharField("当事人", max_length=200, blank=True)
    location = models.CharField("地点", max_length=200, blank=True)
    facts = models.TextField("检查发现")
    enforcers = models.ManyToManyField(Person, related_name="+", verbose_name="执法人员")
    recorded_at = models.DateTimeField("登记时间")
    recorded_by_name = models.CharField("登记人", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "联合执法检查发现"
        ordering = ["operation", "id"]

    def __str__(self) -> str:
        return self.facts[:60]


class OperationEvent(TimelineEvent):
    operation = models.ForeignKey(
        JointOperation, on_delete=models.CASCADE, related_name="events", verbose_name="联合执法行动"
    )
    document = document_link()

    class Meta(TimelineEvent.Meta):
        verbose_name = verbose_name_plural = "联合执法记录"
