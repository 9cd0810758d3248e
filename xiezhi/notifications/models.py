"""Notifications (inbox rows), per-person read state, outbound deliveries and their attempt log."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from xiezhi.units.models import Person, Unit

# Labels for the kinds other apps use today; `notify` accepts any short slug so a new caller
# never has to edit this app, and an unknown kind is shown as its slug.
KIND_LABELS: dict[str, str] = {
    "info": "通知",
    "reminder": "到期提醒",
    "due": "已到期",
    "overdue": "超期",
    "escalation": "督办",
    "deadline_changed": "时限变更",
    "system": "系统",
    "sharing": "信息共享",
}


class Notification(models.Model):
    """One message to exactly one person or one unit. A unit's notification is in the inbox of
    every active person of that unit; each of them reads it separately (`NotificationRead`)."""

    recipient_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name="接收人",
    )
    recipient_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name="接收单位",
    )
    kind = models.CharField("类别", max_length=30, default="info", db_index=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("相关对象链接", max_length=500, blank=True)
    dedupe_key = models.CharField("去重键", max_length=200, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(recipient_person__isnull=False) & Q(recipient_unit__isnull=True))
                | (Q(recipient_person__isnull=True) & Q(recipient_unit__isnull=False)),
                name="notification_exactly_one_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient_person", "created_at"], name="notif_person_created"),
            models.Index(fields=["recipient_unit", "created_at"], name="notif_unit_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def scope(self) -> str:
        return "unit" if self.recipient_unit_id else "person"


class NotificationRead(models.Model):
    """Read state per person, so that one colleague reading a unit notification leaves it unread for the others."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="reads", verbose_name="通知"
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="notification_reads", verbose_name="人员"
    )
    read_at = models.DateTimeField("阅读时间")

    class Meta:
        verbose_name = verbose_name_plural = "通知阅读记录"
        constraints = [
            models.UniqueConstraint(fields=["notification", "person"], name="notification_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} 已读 {self.notification_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "失败待重试"
    DEAD = "dead", "已放弃"
    SKIPPED = "skipped", "未发送（无地址或未配置）"


class Delivery(models.Model):
    """One notification sent over one channel to one address. `idempotency_key` is derived from the
    notification's dedupe key, the channel and the address, and is also sent to the receiver."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name="通知"
    )
    channel = models.CharField("渠道", max_length=20, db_index=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="接收人"
    )
    recipient = models.CharField("接收地址", max_length=254)
    idempotency_key = models.CharField("幂等键", max_length=64, unique=True)
    status = models.CharField(
        "状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间", null=True, blank=True)
    lease_until = models.DateTimeField("占用截止", null=True, blank=True)
    claim_token = models.CharField("占用标记", max_length=32, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知投递"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.idempotency_key[:12]}"


class AttemptOutcome(models.TextChoices):
    STARTED = "started", "进行中"
    SENT = "sent", "成功"
    FAILED = "failed", "失败"
    ABANDONED = "abandoned", "中断"


class DeliveryAttempt(models.Model):
    """Every attempt, written when it starts (so a crashed sender still leaves a row) and completed when it ends."""

    delivery = models.ForeignKey(
        Delivery, on_delete=models.CASCADE, related_name="attempt_log", verbose_name="投递"
    )
    number = models.PositiveIntegerField("第几次")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    outcome = models.CharField(
        "结果", max_length=10, choices=AttemptOutcome.choices, default=AttemptOutcome.STARTED
    )
    response_code = models.IntegerField("响应码", null=True, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "投递尝试"
        ordering = ["delivery_id", "number", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id}#{self.number} {self.outcome}"
