"""Obligations (时限义务), their history, and the administrators' calendar overrides."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from xiezhi.rulebook.workflows import OBLIGATION
from xiezhi.units.models import Unit


class OverrideKind(models.TextChoices):
    HOLIDAY = "holiday", "放假"
    WORKDAY = "workday", "调休上班"


class CalendarOverride(models.Model):
    """A date of a State Council notice entered by the system administrator. It replaces the bundled
    row of the same date; a year with any row counts as published (no longer provisional)."""

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=OverrideKind.choices)
    name = models.CharField("节日名称", max_length=50)
    source = models.CharField("通知文号/出处", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="录入人",
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作日历调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}"


class CalendarStamp(models.Model):
    """One row whose token changes (a fresh random value) with every override change, in the same
    transaction. Each process compares it with the token its cached calendar was built from: one
    primary-key read per `WorkCalendar.default()` call, and rolled-back changes never alias."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.token


ACTIVE = ("open", "suspended", "overdue")


class Obligation(models.Model):
    """A duty with a time limit: which rule, which unit, about what, since when, due when."""

    rule_id = models.CharField("规则编号", max_length=40)
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="obligations", verbose_name="责任单位", db_index=False
    )
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name="对象类型", db_index=False
    )
    subject_id = models.CharField("对象ID", max_length=64)
    subject_label = models.CharField("对象", max_length=200)
    subject_url = models.CharField("对象链接", max_length=300, blank=True)
    opened_at = models.DateTimeField("起算时间")
    period = models.CharField("时限", max_length=20)
    due_at = models.DateTimeField("截止时间")
    provisional = models.BooleanField("暂定", default=False)
    status = models.CharField("状态", max_length=12, choices=OBLIGATION.choices(), default=OBLIGATION.initial)
    met_at = models.DateTimeField("完成时间", null=True, blank=True)
    overdue_at = models.DateTimeField("标记超期时间", null=True, blank=True)
    suspended_at = models.DateTimeField("中止时间", null=True, blank=True)
    explanation = models.TextField("时限说明", blank=True)
    escalation_level = models.PositiveSmallIntegerField("督办级别", default=0)
    # Sweep markers: the next moment something is due to happen, so the sweep finds work by index.
    remind_at = models.DateTimeField("下次提醒时间", null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField("已过提醒节点数", default=0)
    escalate_at = models.DateTimeField("下次督办时间", null=True, blank=True)
    # Bumped whenever due_at moves, so reminders for the new due time get fresh dedupe keys.
    due_version = models.PositiveIntegerField("时限版本", default=1)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "时限义务"
        ordering = ["due_at", "pk"]
        # Every UPDATE that changes `status` writes a new entry in every index whose condition the
        # new row meets, so the sweep's indexes are partial: a row leaves them when it moves on.
        indexes = [
            # The sweep: what has just fallen due, what needs a reminder, what needs escalating.
            models.Index(fields=["due_at"], name="ob_open_due", condition=Q(status="open")),
            models.Index(
                fields=["remind_at"],
                name="ob_open_remind",
                condition=Q(status="open", remind_at__isnull=False),
            ),
            models.Index(
                fields=["escalate_at"],
                name="ob_overdue_escalate",
                condition=Q(status="overdue", escalate_at__isnull=False),
            ),
            # Lists: a unit's duties (any status, also the on-time rate), the county's active ones by due time.
            models.Index(fields=["unit", "status", "due_at"], name="ob_unit_status_due"),
            models.Index(fields=["due_at"], name="ob_active_due", condition=Q(status__in=ACTIVE)),
            models.Index(fields=["subject_type", "subject_id"], name="ob_subject"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=list(OBLIGATION.states)), name="ob_status_valid"),
            models.CheckConstraint(condition=Q(escalation_level__lte=2), name="ob_escalation_level_max"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.subject_label}"

    @property
    def is_active(self) -> bool:
        """Not yet settled: open, suspended or overdue."""
        return self.status in ACTIVE

    @property
    def met_on_time(self) -> bool | None:
        if self.status != "met" or self.met_at is None:
            return None
        return self.met_at <= self.due_at


class EventKind(models.TextChoices):
    OPENED = "opened", "开始计时"
    REMINDED = "reminded", "到期提醒"
    OVERDUE = "overdue", "超期"
    ESCALATED = "escalated", "督办"
    EXTENDED = "extended", "延长时限"
    SUSPENDED = "suspended", "中止计时"
    RESUMED = "resumed", "恢复计时"
    MET = "met", "完成"
    WAIVED = "waived", "免除"
    RECOMPUTED = "recomputed", "重新计算"


class ObligationEvent(models.Model):
    """The obligation's history. Extensions and suspensions are read back from here when the due
    time is recomputed, so the history is also the record the computation is based on."""

    obligation = models.ForeignKey(
        Obligation, on_delete=models.CASCADE, related_name="events", verbose_name="时限义务", db_index=False
    )
    kind = models.CharField("事件", max_length=12, choices=EventKind.choices)
    at = models.DateTimeField("时间")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作账号",
    )
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    reason = models.TextField("理由", blank=True)
    old_due = models.DateTimeField("原截止时间", null=True, blank=True)
    new_due = models.DateTimeField("新截止时间", null=True, blank=True)
    period = models.CharField("延长时限", max_length=20, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "时限义务记录"
        ordering = ["obligation_id", "at", "pk"]
        indexes = [models.Index(fields=["obligation", "at"], name="obevent_ob_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
