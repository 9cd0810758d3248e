"""Units, their internal sections, people, business roles and enforcement certificates."""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q

from xiezhi.core.models import TimeStamped


class County(TimeStamped):
    """One county (县/市/区). A deployment usually serves one; nothing forbids several."""

    code = models.CharField("行政区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)

    class Meta:
        verbose_name = verbose_name_plural = "县（市、区）"

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    COUNTY_GOVERNMENT = "county_government", "县政府"
    COMMAND_CENTRE = "command_centre", "综合行政执法指挥中心"
    DEPARTMENT = "department", "县级部门"
    TOWNSHIP = "township", "乡镇/街道"
    JUSTICE_BUREAU = "justice_bureau", "司法局"
    JUSTICE_OFFICE = "justice_office", "司法所"
    POLICE = "police", "公安机关"
    PROCURATORATE = "procuratorate", "检察院"
    COURT = "court", "法院"


class Unit(TimeStamped):
    """A body that can act in its own name. Internal sections are a separate table (`Section`),
    so a section can never be the sender, receiver or issuer of anything (R-TR-01)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="units", verbose_name="所属县")
    code = models.CharField("单位编码", max_length=40, unique=True)
    name = models.CharField("单位名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("单位类型", max_length=30, choices=UnitKind.choices, db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级单位")
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    credit_code_override_reason = models.CharField("信用代码校验未通过的说明", max_length=200, blank=True)
    is_enforcement_subject = models.BooleanField("具有执法主体资格", default=False)
    subject_legal_basis = models.CharField("主体资格依据", max_length=300, blank=True)
    subject_review_date = models.DateField("主体资格审核日期", null=True, blank=True)
    office_close = models.TimeField("下班时间", null=True, blank=True, help_text="为空时按17:30计算工作日时限")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "单位"
        ordering = ["kind", "code"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="unit_name_unique_in_county")]

    def __str__(self) -> str:
        return self.name


class Section(TimeStamped):
    """An internal section (科室/中队/站所) of a unit: it belongs to the unit and never acts in its own name."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="sections", verbose_name="所属单位")
    name = models.CharField("内设机构名称", max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = "内设机构"
        constraints = [models.UniqueConstraint(fields=["unit", "name"], name="section_name_unique_in_unit")]

    def __str__(self) -> str:
        return f"{self.unit.name}{self.name}"


class Person(TimeStamped):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="people", verbose_name="所属单位")
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="people", verbose_name="内设机构")
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    active = models.BooleanField("在岗", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "人员"
        ordering = ["unit_id", "name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    LEADER = "leader", "负责人"
    HANDLER = "handler", "承办人"
    LIAISON = "liaison", "联络员"
    SUPERVISOR = "supervisor", "监督员"
    DISPATCHER = "dispatcher", "指挥调度员"
    LEGAL_REVIEWER = "legal_reviewer", "法制审核人员"
    OBSERVER = "observer", "只读查看"


class RoleAssignment(TimeStamped):
    """A business role a person holds in their unit; a person may hold several."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles", verbose_name="人员")
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = verbose_name_plural = "业务角色"
        constraints = [models.UniqueConstraint(fields=["person", "role"], name="role_once_per_person")]

    def __str__(self) -> str:
        return f"{self.person.name}：{self.get_role_display()}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", "有效"
    SUSPENDED = "suspended", "暂扣"
    CANCELLED = "cancelled", "注销"


class Certificate(TimeStamped):
    """执法证. People without a valid certificate are assistants (协管/辅助人员) and never enforce (R-CASE-01)."""

    number = models.CharField("证件编号", max_length=40, unique=True)
    holder = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certificates", verbose_name="持证人")
    issuing_authority = models.CharField("发证机关", max_length=100)
    fields = models.CharField("执法领域", max_length=200)
    valid_from = models.DateField("有效期起")
    valid_to = models.DateField("有效期止")
    status = models.CharField("状态", max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.VALID)
    last_review_date = models.DateField("最近年审日期", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "执法证"
        ordering = ["valid_to"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="certificate_period_ordered"),
        ]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, on_date: date) -> bool:
        return self.status == CertificateStatus.VALID and self.valid_from <= on_date <= self.valid_to
