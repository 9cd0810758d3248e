"""Information sharing (信息共享, R-SH-01, R-SH-02): shared records, their recipients with read
receipts, the timeline, attachments kept by SHA-256, and units' subscriptions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from xiezhi.catalogue.models import Matter
from xiezhi.coordination.common.models import TimelineEvent
from xiezhi.rulebook import sharing as rules
from xiezhi.units.models import County, Person, Unit

__all__ = ["ShareRecipient", "ShareSubscription", "SharedAttachment", "SharedEvent", "SharedRecord"]

CATEGORY_NUMBERS = list(rules.CATEGORIES)


class SharedRecord(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    category = models.PositiveSmallIntegerField(
        "共享类别", choices=[(n, c.short) for n, c in rules.CATEGORIES.items()]
    )
    sender = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="shared_records", verbose_name="共享单位"
    )
    title = models.CharField("标题", max_length=200)
    content = models.TextField("内容")
    formed_at = models.DateTimeField("信息形成时间")
    matters = models.ManyToManyField(Matter, blank=True, related_name="+", verbose_name="所涉事项")
    status = models.CharField(
        "状态", max_length=10, choices=list(rules.STATES.items()), default="draft", db_index=True
    )
    shared_at = models.DateTimeField("共享时间", null=True, blank=True)
    extension_reason = models.TextField("延期共享理由", blank=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="登记人"
    )
    created_by_name = models.CharField("登记人姓名", max_length=100, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "共享信息"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["sender", "-id"], name="shared_sender"),
            models.Index(fields=["county", "category", "-id"], name="shared_county_category"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=CATEGORY_NUMBERS), name="shared_category_valid"),
            models.CheckConstraint(condition=Q(status__in=list(rules.STATES)), name="shared_status_valid"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(shared_at__isnull=False), name="shared_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"共享信息{self.pk}：{self.title}"

    def get_absolute_url(self) -> str:
        return reverse("sharing:detail", args=[self.pk])

    @property
    def category_label(self) -> str:
        return rules.CATEGORIES[self.category].short

    @property
    def category_full(self) -> str:
        return rules.CATEGORIES[self.category].label

    @property
    def status_label(self) -> str:
        return rules.STATES.get(self.status, self.status)


class ShareRecipient(models.Model):
    """One receiving unit, why it receives (policy group, subscription or the sender's choice) and
    its read receipt (R-SH-01: recipients confirm reading)."""

    record = models.ForeignKey(
        SharedRecord, on_delete=models.CASCADE, related_name="recipients", verbose_name="共享信息"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="接收单位")
    reason = models.CharField("接收依据", max_length=300)
    read_at = models.DateTimeField("签收时间", null=True, blank=True)
    read_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="签收人"
    )
    read_by_name = models.CharField("签收人姓名", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "共享接收单位"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["record", "unit"], name="share_recipient_once")]
        indexes = [models.Index(fields=["unit", "read_at"], name="share_recipient_unit")]

    def __str__(self) -> str:
        return f"{self.record_id}→{self.unit_id}"


class SharedAttachment(models.Model):
    """A file kept by its SHA-256 (content-addressed, never overwritten)."""

    record = models.ForeignKey(
        SharedRecord, on_delete=models.CASCADE, related_name="attachments", verbose_name="共享信息"
    )
    name = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("字节数")
    content_type = models.CharField("文件类型", max_length=100)
    path = models.CharField("存储路径", max_length=200)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "共享附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class SharedEvent(TimelineEvent):
    record = models.ForeignKey(
        SharedRecord, on_delete=models.CASCADE, related_name="events", verbose_name="共享信息"
    )
    kind = models.CharField("事件", max_length=20)  # narrower than the others' since the first migration

    class Meta(TimelineEvent.Meta):
        verbose_name = verbose_name_plural = "共享记录"


class ShareSubscription(models.Model):
    """A unit asks to receive a category, a field (领域) or one catalogue matter."""

    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="share_subscriptions", verbose_name="订阅单位"
    )
    kind = models.CharField("订阅方式", max_length=10, choices=list(rules.SUBSCRIPTION_KINDS.items()))
    category = models.PositiveSmallIntegerField("类别", null=True, blank=True)
    field = models.CharField("执法领域", max_length=60, blank=True)
    matter = models.ForeignKey(
        Matter, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name="事项"
    )
    created_by_name = models.CharField("订阅人", max_length=100, blank=True)
    created_at = models.DateTimeField("订阅时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "信息共享订阅"
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="category", category__in=CATEGORY_NUMBERS, matter__isnull=True, field="")
                | Q(kind="field", category__isnull=True, matter__isnull=True) & ~Q(field="")
                | Q(kind="matter", category__isnull=True, matter__isnull=False, field=""),
                name="share_subscription_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}:{self.describe}"

    @property
    def describe(self) -> str:
        if self.kind == "category" and self.category:
            return f"类别：{rules.CATEGORIES[self.category].short}"
        if self.kind == "field":
            return f"领域：{self.field}"
        return f"事项：{self.matter}" if self.matter_id else "事项"
