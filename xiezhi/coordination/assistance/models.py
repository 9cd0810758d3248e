"""Assistance requests (协助请求, R-CO-04/05) and hazard notices (隐患通报, R-CO-02)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from xiezhi.coordination.common.models import StatusEvent, document_link
from xiezhi.documents.models import IssuedDocument
from xiezhi.rulebook.assistance_flow import ASSISTANCE, HAZARD, HAZARD_CATEGORIES, KINDS
from xiezhi.units.models import County, Person, Unit

__all__ = ["AssistanceEvent", "AssistanceRequest", "HazardEvent", "HazardNotice"]


class Dispatch(models.Model):
    """Who went on site and when they arrived (R-CO-02, R-CO-05 urgent)."""

    officers = models.JSONField("到场人员", default=list, blank=True)
    dispatched_at = models.DateTimeField("派员时间", null=True, blank=True)
    arrived_at = models.DateTimeField("到场时间", null=True, blank=True)
    onsite_note = models.TextField("现场处置情况", blank=True)

    class Meta:
        abstract = True

    @property
    def officer_names(self) -> str:
        return "、".join(str(o.get("name", "")) for o in self.officers or [])


class AssistanceRequest(Dispatch):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    kind = models.CharField("协助类型", max_length=20, choices=list(KINDS.items()))
    requester = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assistance_sent", verbose_name="请求单位"
    )
    assisting = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="assistance_received", verbose_name="被请求单位"
    )
    subject = models.CharField("协助事项", max_length=300)
    case_reference = models.CharField("相关案件", max_length=100, blank=True)
    details = models.TextField("协助内容及要求")
    urgent = models.BooleanField("情况紧急或证据可能灭失", default=False)
    urgent_reason = models.TextField("紧急情况说明", blank=True)
    location = models.CharField("现场地点", max_length=300, blank=True)
    status = models.CharField("状态", max_length=20, choices=ASSISTANCE.choices(), default=ASSISTANCE.initial)
    requested_at = models.DateTimeField("请求时间")
    requested_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="请求人"
    )
    requested_by_name = models.CharField("请求人姓名", max_length=100, blank=True)
    expected_on = models.DateField("预计答复日期", null=True, blank=True)
    delay_reason = models.TextField("需较长时间的理由", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answer = models.TextField("答复内容", blank=True)
    reply = models.ForeignKey(
        IssuedDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="协助复函",
    )
    refusal_reason = models.TextField("拒绝理由", blank=True)
    dispute = models.ForeignKey(
        "coordination.Dispute",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="据此提起的争议",
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "协助请求"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["county", "status", "-id"], name="assist_county_status"),
            models.Index(fields=["requester", "-id"], name="assist_requester"),
            models.Index(fields=["assisting", "-id"], name="assist_assisting"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(requester=models.F("assisting")), name="assist_two_units"),
            models.CheckConstraint(
                condition=Q(status__in=list(ASSISTANCE.states)), name="assist_status_valid"
            ),
            models.CheckConstraint(condition=Q(kind__in=list(KINDS)), name="assist_kind_valid"),
            # A refusal without a reason cannot be stored, whatever path writes it (R-CO-04).
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""), name="assist_refusal_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"协助请求{self.pk}：{self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("assistance:detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        return ASSISTANCE.state_label(self.status)


class HazardNotice(Dispatch):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    category = models.CharField("隐患类别", max_length=20, choices=list(HAZARD_CATEGORIES.items()))
    township = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="hazards_notified", verbose_name="通报乡镇（街道）"
    )
    department = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards_received",
        verbose_name="主管部门",
    )
    government = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="县人民政府"
    )
    title = models.CharField("隐患名称", max_length=300)
    location = models.CharField("隐患地点", max_length=300)
    description = models.TextField("隐患情况")
    proposals = models.TextField("处置建议", blank=True)
    found_at = models.DateTimeField("发现时间")
    status = models.CharField("状态", max_length=20, choices=HAZARD.choices(), default=HAZARD.initial)
    notified_at = models.DateTimeField("通报时间")
    notified_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="通报人"
    )
    notified_by_name = models.CharField("通报人姓名", max_length=100, blank=True)
    refusal_reason = models.TextField("拒绝理由", blank=True)
    reported_at = models.DateTimeField("报县政府时间", null=True, blank=True)
    report_reason = models.CharField("报县政府原因", max_length=200, blank=True)
    closed_at = models.DateTimeField("处置完毕时间", null=True, blank=True)
    outcome = models.TextField("处置结果", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "隐患通报"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["county", "status", "-id"], name="hazard_county_status"),
            models.Index(fields=["township", "-id"], name="hazard_township"),
            models.Index(fields=["department", "-id"], name="hazard_department"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=list(HAZARD.states)), name="hazard_status_valid"),
            models.CheckConstraint(
                condition=Q(category__in=list(HAZARD_CATEGORIES)), name="hazard_category_valid"
            ),
            # R-CO-02: a refusal without a reason is impossible, even by a path that skips the service.
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""), name="hazard_refusal_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"隐患通报{self.pk}：{self.title}"

    def get_absolute_url(self) -> str:
        return reverse("hazards:detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        return HAZARD.state_label(self.status)


class AssistanceEvent(StatusEvent):
    request = models.ForeignKey(
        AssistanceRequest, on_delete=models.CASCADE, related_name="events", verbose_name="协助请求"
    )
    document = document_link()

    class Meta(StatusEvent.Meta):
        verbose_name = verbose_name_plural = "协助请求记录"


class HazardEvent(StatusEvent):
    notice = models.ForeignKey(
        HazardNotice, on_delete=models.CASCADE, related_name="events", verbose_name="隐患通报"
    )

    class Meta(StatusEvent.Meta):
        verbose_name = verbose_name_plural = "隐患通报记录"
