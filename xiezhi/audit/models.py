"""The audit trail: append-only, hash-chained events (DESIGN.md §4, LAW.md §G)."""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    """One state change or security event. `seq` orders the chain; `hash` covers the event and
    `prev_hash`, so any edit, deletion or insertion breaks the chain from that point on.

    Rows are never updated or deleted: database triggers refuse both (migration 0002)."""

    seq = models.BigIntegerField("序号", unique=True)
    created_at = models.DateTimeField("时间", db_index=True)
    actor_user_id = models.BigIntegerField("操作账号ID", null=True, blank=True, db_index=True)
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    unit_id = models.BigIntegerField("单位ID", null=True, blank=True, db_index=True)
    unit_name = models.CharField("单位", max_length=100, blank=True)
    ip = models.CharField("IP", max_length=45, blank=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    target_type = models.CharField("对象类型", max_length=60, blank=True, db_index=True)
    target_id = models.CharField("对象ID", max_length=64, blank=True, db_index=True)
    target_repr = models.CharField("对象", max_length=200, blank=True)
    success = models.BooleanField("成功", default=True)
    reason = models.TextField("原因", blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    algorithm = models.CharField("摘要算法", max_length=10, default="sha256")
    prev_hash = models.CharField("前一事件摘要", max_length=64)
    hash = models.CharField("摘要", max_length=64, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "审计事件"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"审计事件 #{self.seq} {self.action}"


class AuditChainHead(models.Model):
    """The single row (id=1) that writers lock so concurrent writers extend one chain: the first
    statement of `record` locks this row until the enclosing transaction ends. It also lets the
    verifier notice events cut off the end of the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"审计链头 #{self.last_seq}"
