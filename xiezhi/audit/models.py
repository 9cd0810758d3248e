"""The audit trail: append-only events, chained after commit (DESIGN.md §4, LAW.md §G,
docs/adr/0002-audit-chaining.md)."""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    """One state change or security event, written inside the business transaction by `record`.

    `content_hash` covers the event's own fields (hashing.HASHED_FIELDS) and is computed at
    insert. The event's place in the chain is its `AuditChainLink`, written by the chainer once the
    business transaction has committed; `id` is the event's number (allocated before commit, so it
    does not give the chain order).

    Rows are never updated or deleted: database triggers refuse both (migration 0003)."""

    created_at = models.DateTimeField("时间", db_index=True)
    actor_user_id = models.BigIntegerField("操作账号ID", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    unit_id = models.BigIntegerField("单位ID", null=True, blank=True, db_index=True)
    unit_name = models.CharField("单位", max_length=100, blank=True)
    ip = models.CharField("IP", max_length=45, blank=True)
    action = models.CharField("操作", max_length=80)
    target_type = models.CharField("对象类型", max_length=60, blank=True)
    target_id = models.CharField("对象ID", max_length=64, blank=True)
    target_repr = models.CharField("对象", max_length=200, blank=True)
    success = models.BooleanField("成功", default=True)
    reason = models.TextField("原因", blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    algorithm = models.CharField("摘要算法", max_length=10, default="sha256")
    content_hash = models.CharField("内容摘要", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "审计事件"
        ordering = ["id"]
        # Every append pays for every index, so only the auditor's filters have one (filters.py:
        # time, unit, action, object; the operator is matched by name, which no index serves):
        # the action is matched by prefix, an object's history by id (and type). CharField's
        # db_index would add a second, pattern-ops copy of each on PostgreSQL.
        indexes = [
            # pattern ops: a prefix LIKE uses it whatever the database's collation (PostgreSQL only;
            # other databases ignore opclasses).
            models.Index(fields=["action"], name="audit_event_action", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["target_id", "target_type"], name="audit_event_target"),
        ]

    def __str__(self) -> str:
        return f"审计事件 #{self.pk} {self.action}"

    @property
    def chain_link(self) -> AuditChainLink | None:
        """The event's link, or None while it waits for the chainer (a second or so after commit)."""
        try:
            return self.link
        except AuditChainLink.DoesNotExist:
            return None


class AuditChainLink(models.Model):
    """Position `seq` of the chain: `hash = H(prev_hash | seq | event_id | event.content_hash)`.

    Written once by the chainer, in the order it sees commits; never updated or deleted
    (triggers). The foreign key makes the database refuse to delete a chained event even with the
    append-only triggers switched off."""

    seq = models.BigIntegerField("链序号", primary_key=True)
    event = models.OneToOneField(AuditEvent, on_delete=models.DO_NOTHING, related_name="link")
    prev_hash = models.CharField("前一链接摘要", max_length=64)
    # Not unique in the database: two equal link hashes would be a SHA-256/SM3 collision, and the
    # index checking it cost every append a random insert (migration 0004).
    hash = models.CharField("链接摘要", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "审计链接"
        ordering = ["seq"]

    def __str__(self) -> str:
        return f"审计链接 #{self.seq} → 事件 #{self.event_id}"


class AuditPending(models.Model):
    """The chainer's work queue: one row per committed event not yet linked, inserted with the event
    (same statement on PostgreSQL) and deleted by the chainer in the transaction that links it.

    Not evidence: a row removed by someone leaves its event unchained, which `verify-audit`
    reports once the event is older than the grace period."""

    event_id = models.BigIntegerField(primary_key=True)

    class Meta:
        verbose_name = verbose_name_plural = "待入链审计事件"

    def __str__(self) -> str:
        return f"待入链审计事件 #{self.event_id}"


class AuditChainHead(models.Model):
    """The single row (id=1) with the last chain position and its hash, moved by the chainer in
    the transaction that appends links. Lets the verifier notice links cut off the end of the
    chain; business transactions never touch it."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = verbose_name_plural = "审计链头"

    def __str__(self) -> str:
        return f"审计链头 #{self.last_seq}"
