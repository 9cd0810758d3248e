"""The catalogue of enforcement matters (事项清单): matters, dated versions, devolutions, entrustments.

A `Matter` is the county's working definition of one matter (the owning department keeps its legal
basis and notes up to date, R-CAT-05). A `CatalogueVersion` freezes the matters it contains in
`VersionMatter` rows and says, in `Devolution` rows, how each matter is devolved to each township
(R-CAT-02). A published version never changes again (R-CAT-06); the next change is a new draft.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from xiezhi.core.models import TimeStamped
from xiezhi.rulebook.workflows import CATALOGUE_VERSION
from xiezhi.units.models import County, Person, Unit


class MajorCategory(models.TextChoices):
    """Drives the immediate-transfer rule for major violations (R-TR-04)."""

    WORK_SAFETY = "安全生产", "安全生产"
    FOOD_DRUG = "食品药品安全", "食品药品安全"
    ECOLOGY = "生态环境", "生态环境"
    NONE = "none", "无"


class DevolutionMode(models.TextChoices):
    GRANTED = "granted", "赋权"
    ENTRUSTED = "entrusted", "委托"
    RETAINED = "retained", "不下放"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", CATALOGUE_VERSION.state_label("draft")
    PUBLISHED = "published", CATALOGUE_VERSION.state_label("published")
    SUPERSEDED = "superseded", CATALOGUE_VERSION.state_label("superseded")
    DISCARDED = "discarded", CATALOGUE_VERSION.state_label("discarded")


# The name under which matters that the law gives to townships directly appear in the department
# column of the spreadsheet (matters.csv); such a matter belongs to the county government.
TOWNSHIP_STATUTORY_DEPARTMENT = "乡镇人民政府"


class MatterContent(models.Model):
    """The fields of a matter that a catalogue version freezes (and a version diff compares)."""

    name = models.CharField("事项名称", max_length=300)
    field = models.CharField("领域", max_length=60, db_index=True)
    department = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="主管部门")
    township_statutory = models.BooleanField(
        "乡镇法定职权", default=False, help_text="法律直接赋予乡镇人民政府的职权，无需下放"
    )
    legal_basis_violation = models.TextField("违法行为依据", blank=True)
    legal_basis_penalty = models.TextField("处罚依据", blank=True)
    penalty = models.TextField("处罚种类和幅度", blank=True)
    min_fine = models.PositiveBigIntegerField("最低罚款（元）", null=True, blank=True)
    max_fine = models.PositiveBigIntegerField("最高罚款（元）", null=True, blank=True)
    major_category = models.CharField(
        "重大违法类别", max_length=20, choices=MajorCategory.choices, default=MajorCategory.NONE
    )

    CONTENT_FIELDS = (
        "name",
        "field",
        "department_id",
        "township_statutory",
        "legal_basis_violation",
        "legal_basis_penalty",
        "penalty",
        "min_fine",
        "max_fine",
        "major_category",
    )

    class Meta:
        abstract = True

    def content(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.CONTENT_FIELDS}


class Matter(MatterContent, TimeStamped):
    """One enforcement matter of a county (行政执法事项), identified by its code."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="matters", verbose_name="所属县"
    )
    code = models.CharField("事项编码", max_length=40)
    related_inspection_powers = models.TextField("相关检查权", blank=True)
    related_coercive_powers = models.TextField("相关行政强制权", blank=True)
    discretion_benchmark = models.TextField("裁量基准文件", blank=True)
    procedure_notes = models.TextField("办理程序", blank=True)
    standard_notes = models.TextField("执法标准", blank=True)
    source = models.TextField("条文出处", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政执法事项"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "code"], name="matter_code_unique_in_county"),
            models.CheckConstraint(
                condition=Q(min_fine__isnull=True)
                | Q(max_fine__isnull=True)
                | Q(min_fine__lte=F("max_fine")),
                name="matter_fine_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CatalogueVersion(TimeStamped):
    """A dated version of a county's catalogue: draft → published (immutable) → superseded."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="catalogue_versions", verbose_name="所属县"
    )
    number = models.PositiveIntegerField("版本号")
    status = models.CharField(
        "状态", max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT, db_index=True
    )
    effective_from = models.DateField("施行日期")
    title = models.CharField("标题", max_length=200, blank=True)
    decision_document = models.CharField(
        "决定文件", max_length=300, blank=True, help_text="赋权事项须有省级人民政府的决定（文号与标题）"
    )
    notes = models.TextField("说明", blank=True)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="基于版本"
    )
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="起草人"
    )
    approved_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="批准人"
    )
    published_at = models.DateTimeField("公布时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项目录版本"
        ordering = ["county_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["county", "number"], name="catalogue_version_number_unique"),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in VersionStatus]),
                name="catalogue_version_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["county", "status", "effective_from"], name="catalogue_version_in_force")
        ]

    def __str__(self) -> str:
        return f"第{self.number}版事项目录"

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def is_in_force_kind(self) -> bool:
        return self.status in (VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED)


class VersionMatter(MatterContent):
    """A matter as it stands in one version. Drafts follow the working `Matter`; publication freezes it."""

    version = models.ForeignKey(
        CatalogueVersion, on_delete=models.CASCADE, related_name="entries", verbose_name="目录版本"
    )
    matter = models.ForeignKey(Matter, on_delete=models.PROTECT, related_name="entries", verbose_name="事项")

    class Meta:
        verbose_name = verbose_name_plural = "目录中的事项"
        ordering = ["matter__code"]
        constraints = [models.UniqueConstraint(fields=["version", "matter"], name="version_matter_once")]

    def __str__(self) -> str:
        return self.name


class Entrustment(TimeStamped):
    """行政执法委托书: the county department entrusts a township, in writing, with named matters (R-CAT-02)."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="entrustments", verbose_name="所属县"
    )
    number = models.CharField("委托书编号", max_length=60)
    department = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="entrustments_given", verbose_name="委托机关"
    )
    township = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="entrustments_received", verbose_name="受委托乡镇"
    )
    matters = models.ManyToManyField(Matter, related_name="entrustments", verbose_name="委托事项")
    authority = models.TextField("委托权限")
    valid_from = models.DateField("委托期限起")
    valid_to = models.DateField("委托期限止")
    responsibility = models.TextField("法律责任")
    signed_on = models.DateField("签署日期", null=True, blank=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="经办人"
    )

    class Meta:
        verbose_name = verbose_name_plural = "行政执法委托书"
        ordering = ["-valid_from", "number"]
        constraints = [
            models.UniqueConstraint(fields=["county", "number"], name="entrustment_number_unique"),
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")), name="entrustment_term_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"行政执法委托书{self.number}"


class Devolution(models.Model):
    """How one matter is devolved to one township inside a version, for all or part of its life."""

    version = models.ForeignKey(
        CatalogueVersion, on_delete=models.CASCADE, related_name="devolutions", verbose_name="目录版本"
    )
    matter = models.ForeignKey(
        Matter, on_delete=models.PROTECT, related_name="devolutions", verbose_name="事项"
    )
    township = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="devolutions", verbose_name="乡镇（街道）"
    )
    mode = models.CharField("下放方式", max_length=20, choices=DevolutionMode.choices)
    effective_from = models.DateField("起始日期", null=True, blank=True)
    effective_to = models.DateField("结束日期", null=True, blank=True)
    entrustment = models.ForeignKey(
        Entrustment,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="devolutions",
        verbose_name="委托书",
    )

    class Meta:
        verbose_name = verbose_name_plural = "下放安排"
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=[m.value for m in DevolutionMode]), name="devolution_mode_valid"
            ),
            models.CheckConstraint(
                condition=Q(effective_from__isnull=True)
                | Q(effective_to__isnull=True)
                | Q(effective_to__gte=F("effective_from")),
                name="devolution_period_ordered",
            ),
        ]
        indexes = [models.Index(fields=["version", "matter", "township"], name="devolution_lookup")]

    def __str__(self) -> str:
        return f"{self.matter_id}@{self.township_id}:{self.mode}"


class SubjectList(models.Model):
    """The yearly reviewed, published list of lawful enforcement subjects of a county (R-CAT-07)."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="subject_lists", verbose_name="所属县"
    )
    year = models.PositiveIntegerField("年度")
    published_at = models.DateTimeField("公布时间")
    published_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="公布人"
    )
    entries = models.JSONField("名单", default=list)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "行政执法主体名单"
        ordering = ["county_id", "-published_at"]

    def __str__(self) -> str:
        return f"{self.year}年度行政执法主体名单"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "导入中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "未导入"


class ImportJob(models.Model):
    """One spreadsheet import; the page polls its progress while a background thread works."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name="所属县")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    file_name = models.CharField("文件名", max_length=200)
    file_sha256 = models.CharField("文件SHA-256", max_length=64)
    payload = models.BinaryField("文件内容", editable=False)
    effective_from = models.DateField("草稿施行日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    phase = models.CharField("阶段", max_length=60, blank=True)
    done = models.PositiveIntegerField("已处理", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    errors = models.JSONField("错误", default=list)
    version = models.ForeignKey(
        CatalogueVersion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="导入到",
    )
    message = models.TextField("结果", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "事项清单导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED)
