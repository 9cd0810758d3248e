"""Reports (投诉举报) from every channel, their timeline, attachments and the public rate limit."""

from __future__ import annotations

from django.db import models

from xiezhi.units.models import County, Unit


class Channel(models.TextChoices):
    WALK_IN = "walk_in", "来访"
    PHONE = "phone", "来电"
    HOTLINE = "hotline_12345", "12345热线"
    PORTAL = "portal", "网站/移动端"
    GRID = "grid", "网格巡查"
    REFERRAL = "referral", "部门转来"
    MEDIA = "media", "媒体反映"


class Status(models.TextChoices):
    RECEIVED = "received", "待受理"
    ACCEPTED = "accepted", "已受理核查"
    HANDLING = "handling", "立案办理中"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"
    MERGED = "merged", "已合并"


class Report(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    channel = models.CharField("来源渠道", max_length=20, choices=Channel.choices)
    text = models.TextField("反映内容")
    township = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="所在乡镇（街道）"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    observed_at = models.DateTimeField("发现时间", null=True, blank=True)
    anonymous = models.BooleanField("匿名", default=False)
    reporter_name = models.CharField("反映人姓名", max_length=50, blank=True)
    reporter_phone = models.CharField("联系电话", max_length=30, blank=True)
    reporter_id_number = models.CharField("身份证号码", max_length=18, blank=True)
    # R-IN-01: the unit that first received it; `current_unit` is the one that holds it now.
    first_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="首问单位")
    current_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name="当前办理单位"
    )
    involved_units = models.ManyToManyField(Unit, related_name="+", verbose_name="经手单位")
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    matter_code = models.CharField("事项编码", max_length=40, blank=True)
    matter_name = models.CharField("事项名称", max_length=200, blank=True)
    dispatch_count = models.PositiveIntegerField("派单次数", default=0)
    handling_note = models.TextField("立案办理记录", blank=True)
    reply = models.TextField("答复内容", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    tracking_code = models.CharField("查询码", max_length=16, unique=True)
    external_id = models.CharField("12345工单号", max_length=64, blank=True)
    # §4: flagged on registration when an open report looks the same; merged on a handler's decision.
    possible_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="疑似重复"
    )
    hotline_client = models.ForeignKey(
        "HotlineClient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="12345客户端",
    )
    # The draft transfer a township's hand-on produced (transfers app); an id, not a key, so intake's
    # schema does not depend on that app's migrations.
    transfer_id = models.PositiveIntegerField("移送编号", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged", verbose_name="合并至"
    )
    created_by_name = models.CharField("登记人", max_length=100, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "投诉举报"
        ordering = ["-id"]
        indexes = [models.Index(fields=["county", "status"], name="report_county_status")]

    def __str__(self) -> str:
        return f"投诉举报{self.pk}"

    def get_absolute_url(self) -> str:
        return f"/intake/{self.pk}/"


class ReportEvent(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    label = models.CharField(max_length=100)
    # What the public tracking page may show; notes and names stay internal.
    public_label = models.CharField(max_length=100, blank=True)
    note = models.TextField(blank=True)
    unit_name = models.CharField(max_length=100, blank=True)
    actor_name = models.CharField(max_length=100, blank=True)
    status_to = models.CharField(max_length=20, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.label


class Attachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="attachments")
    name = models.CharField("文件名", max_length=200)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveIntegerField("大小")
    sha256 = models.CharField(max_length=64)
    path = models.CharField(max_length=300)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class PublicSubmission(models.Model):
    """One row per public submission attempt, for the per-IP rate limit (kept in the database so
    every server worker sees the same count)."""

    ip = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.ip} {self.at}"


class HotlineClient(models.Model):
    """A 12345 hotline system allowed to post work orders; it signs every request with `secret`."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    key_id = models.CharField("客户端编号", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100)
    # HMAC needs the shared secret itself; only the system administrator can read this table.
    secret = models.CharField("签名密钥", max_length=128)
    callback_url = models.URLField("状态回调地址", blank=True)
    receiving_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="接收单位"
    )
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class HotlineNonce(models.Model):
    """A nonce seen within the signature window; a second use is a replay."""

    client = models.ForeignKey(HotlineClient, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "nonce"], name="hotline_nonce_once")]

    def __str__(self) -> str:
        return self.nonce


class IdempotentRequest(models.Model):
    """The answer given to an `Idempotency-Key`, replayed for the same body, refused (409) for another."""

    client = models.ForeignKey(HotlineClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    body_sha256 = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "key"], name="idempotency_key_once")]

    def __str__(self) -> str:
        return self.key


class CallbackStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已送达"
    FAILED = "failed", "发送失败"


class CallbackDelivery(models.Model):
    """One signed status callback to a hotline system, retried with back-off (§3)."""

    client = models.ForeignKey(HotlineClient, on_delete=models.CASCADE, related_name="callbacks")
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="callbacks")
    event = models.CharField("事件", max_length=20)
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=CallbackStatus.choices, default=CallbackStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.event} {self.report_id}"
