"""Consultation meetings (会商/联席会议, R-CO-01, R-CO-03): schedules of regular joint meetings,
meetings with their invitees, minutes and decisions, and the action items the decisions become."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse

from xiezhi.coordination.common.models import TimelineEvent, document_link
from xiezhi.documents.models import IssuedDocument
from xiezhi.intake.models import Report
from xiezhi.rulebook.linkage_flow import ACTION_ITEM, CADENCES, MEETING, MEETING_KINDS
from xiezhi.units.models import County, Person, Unit


class MeetingSeries(models.Model):
    """A regular joint meeting (定期联席会议): the convener owes the next meeting by ``next_date``."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    convener = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="meeting_series", verbose_name="召集单位"
    )
    title = models.CharField("会议名称", max_length=100)
    every_months = models.PositiveSmallIntegerField(
        "召开周期（月）", choices=sorted(CADENCES.items()), default=3
    )
    next_date = models.DateField("下次召开日期")
    invited_units = models.ManyToManyField(Unit, related_name="+", verbose_name="参会单位")
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by_name = models.CharField("创建人", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "定期联席会议"
        ordering = ["next_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(every_months__in=list(CADENCES)), name="series_cadence_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:list") + f"?series={self.pk}"

    @property
    def cadence_label(self) -> str:
        return CADENCES.get(self.every_months, f"每{self.every_months}个月")


class Meeting(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    convener = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="meetings", verbose_name="召集单位"
    )
    series = models.ForeignKey(
        MeetingSeries,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name="定期联席会议",
    )
    kind = models.CharField("会议类型", max_length=10, choices=list(MEETING_KINDS.items()))
    title = models.CharField("会议名称", max_length=100)
    agenda = models.TextField("会议议题")
    scheduled_at = models.DateTimeField("会议时间")
    place = models.CharField("会议地点", max_length=200)
    chair = models.CharField("主持人", max_length=100, blank=True)
    clue = models.TextField("重大案件线索", blank=True)
    clue_report = models.ForeignKey(
        Report,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="线索来源（群众反映）",
    )
    invited_units = models.ManyToManyField(Unit, related_name="meetings_invited", verbose_name="参会单位")
    invited_people = models.ManyToManyField(Person, related_name="+", blank=True, verbose_name="参会人员")
    status = models.CharField("状态", max_length=20, choices=MEETING.choices(), default=MEETING.initial)
    held_at = models.DateTimeField("实际召开时间", null=True, blank=True)
    attendees = models.TextField("出席单位及人员", blank=True)
    discussion = models.TextField("会议情况", blank=True)
    minutes = models.ForeignKey(
        IssuedDocument,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="会商纪要",
    )
    cancel_reason = models.TextField("取消理由", blank=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="召集人"
    )
    created_by_name = models.CharField("召集人姓名", max_length=100, blank=True)
    created_at = models.DateTimeField("通知时间")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "会商会议"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["county", "status", "-id"], name="meeting_county_status"),
            models.Index(fields=["convener", "-id"], name="meeting_convener"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=list(MEETING.states)), name="meeting_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=list(MEETING_KINDS)), name="meeting_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"会商{self.pk}：{self.title}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def status_label(self) -> str:
        return MEETING.state_label(self.status)


class ActionItem(models.Model):
    """A decision of a meeting: owed by the responsible unit by the due date (R-CO-01)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", verbose_name="会商会议"
    )
    number = models.PositiveSmallIntegerField("序号")
    decision = models.TextField("议定事项")
    responsible = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="meeting_items", verbose_name="责任单位"
    )
    due_date = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=10, choices=ACTION_ITEM.choices(), default=ACTION_ITEM.initial
    )
    done_at = models.DateTimeField("落实时间", null=True, blank=True)
    done_note = models.TextField("落实情况", blank=True)
    done_by_name = models.CharField("报告人", max_length=100, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "会商议定事项"
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="action_item_number_unique"),
            models.CheckConstraint(
                condition=Q(status__in=list(ACTION_ITEM.states)), name="action_item_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"议定事项{self.number}：{self.decision[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.meeting_id]) + f"#item-{self.number}"

    @property
    def status_label(self) -> str:
        return ACTION_ITEM.state_label(self.status)


class MeetingEvent(TimelineEvent):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="events", verbose_name="会商会议"
    )
    document = document_link()

    class Meta(TimelineEvent.Meta):
        verbose_name = verbose_name_plural = "会商记录"
