"""Issued official documents (执法文书) and their per-unit, per-year number sequences.

A document is always issued in the name of a `units.Unit` — the foreign key cannot point at an
internal `Section` (R-TR-01). Its files live under MEDIA_ROOT at content-addressed paths and the row
keeps their SHA-256, so a file is never overwritten and tampering is detectable.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from xiezhi.units.models import Person, Unit


class DocumentType(models.TextChoices):
    TRANSFER_LETTER = "transfer_letter", "涉嫌违法案件移送函"
    ACCEPTANCE_REPLY = "acceptance_reply", "案件受理/不予受理告知书"
    COPY_NOTICE = "copy_notice", "抄告单"
    ORAL_TRANSFER_RECORD = "oral_transfer_record", "口头移送记录"
    DISPUTE_APPLICATION = "dispute_application", "争议协调申请书"
    MINUTES = "minutes", "协调会议纪要"
    ENTRUSTMENT = "entrustment", "行政执法委托书"
    CRIMINAL_REFERRAL = "criminal_referral", "涉嫌犯罪案件移送书"
    CONSULTATION_MINUTES = "consultation_minutes", "会商纪要"
    ASSISTANCE_REPLY = "assistance_reply", "协助复函"
    CORRECTION_OPINION = "correction_opinion", "纠错意见书"


class DocumentSequence(models.Model):
    """The last number used by one unit for one document type in one year; see numbering.py."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="发文单位")
    doc_type = models.CharField("文书类型", max_length=30, choices=DocumentType.choices)
    year = models.PositiveSmallIntegerField("年度")
    last_number = models.PositiveIntegerField("已用到的序号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "文书编号序列"
        constraints = [
            models.UniqueConstraint(fields=["unit", "doc_type", "year"], name="document_sequence_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.doc_type}/{self.year}: {self.last_number}"


class IssuedDocument(models.Model):
    doc_type = models.CharField("文书类型", max_length=30, choices=DocumentType.choices, db_index=True)
    number = models.CharField("文号", max_length=80)
    year = models.PositiveSmallIntegerField("年度")
    serial = models.PositiveIntegerField("序号")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="issued_documents", verbose_name="发文单位"
    )
    # The name printed on the document; kept because a unit may later be renamed.
    issuer_name = models.CharField("发文单位名称", max_length=100)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name="所属对象类型"
    )
    subject_id = models.CharField("所属对象编号", max_length=64)
    subject = GenericForeignKey("subject_type", "subject_id")
    title = models.CharField("标题", max_length=200)
    data = models.JSONField("生成数据", default=dict)
    docx_sha256 = models.CharField("DOCX SHA-256", max_length=64)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64)
    docx_path = models.CharField("DOCX 存储路径", max_length=200)
    pdf_path = models.CharField("PDF 存储路径", max_length=200)
    docx_size = models.PositiveIntegerField("DOCX 字节数")
    pdf_size = models.PositiveIntegerField("PDF 字节数")
    issued_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="签发人"
    )
    issued_by_name = models.CharField("签发人姓名", max_length=100, blank=True)
    issued_on = models.DateField("成文日期")
    issued_at = models.DateTimeField("签发时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法文书"
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="document_subject")]
        constraints = [
            # The numbering service already guarantees this; the database refuses a duplicate too.
            models.UniqueConstraint(
                fields=["unit", "doc_type", "year", "serial"], name="document_serial_unique"
            ),
            models.CheckConstraint(condition=Q(serial__gte=1), name="document_serial_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"
