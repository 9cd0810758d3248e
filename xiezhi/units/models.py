"""Units, their internal sections, people, business roles and enforcement certificates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Self, TypeVar

from django.db import models
from django.db.models import Q

from xiezhi.core.models import TimeStamped

if TYPE_CHECKING:
    from xiezhi.core.actor import Actor

# Administrators who read the whole directory: the system administrator manages it, the security
# administrator needs it to grant roles. The audit administrator reads the audit trail only.
DIRECTORY_ADMIN_ROLES = frozenset({"sysadmin", "secadmin"})


def directory_scope(actor: Actor, county_field: str) -> Q | None:
    """The filter that limits a directory query to what `actor` may see; None means everything.

    Business users see their own county (units and people are the county's directory);
    an actor with neither a unit nor a directory administrator role sees nothing."""
    if actor.admin_role in DIRECTORY_ADMIN_ROLES:
        return None
    if actor.can_act_in_business and actor.county_id is not None:
        return Q(**{county_field: actor.county_id})
    return Q(pk__in=[])


_M = TypeVar("_M", bound=models.Model)


class _ScopedQuerySet(models.QuerySet[_M]):
    county_field = "county_id"

    def visible_to(self, actor: Actor) -> Self:
        scope = directory_scope(actor, self.county_field)
        return self if scope is None else self.filter(scope)


class UnitQuerySet(_ScopedQuerySet["Unit"]):
    county_field = "county_id"


class PersonQuerySet(_ScopedQuerySet["Person"]):
    county_field = "unit__county_id"


class CertificateQuerySet(_ScopedQuerySet["Certificate"]):
    county_field = "holder__unit__county_id"


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


# Each township and department names a liaison officer (R-CO-06).
LIAISON_REQUIRED_KINDS = frozenset({UnitKind.TOWNSHIP, UnitKind.DEPARTMENT})
# Units whose staff do administrative enforcement: there, anyone without a valid certificate is an
# assistant (协管/辅助人员) and is labelled so (R-CASE-01). Staff of the other units (government,
# command centre, justice, police, procuratorate, court) do not enforce in this platform's sense.
ENFORCING_KINDS = frozenset({UnitKind.TOWNSHIP, UnitKind.DEPARTMENT})


class Unit(TimeStamped):
    """A body that can act in its own name. Internal sections are a separate table (`Section`),
    so a section can never be the sender, receiver or issuer of anything (R-TR-01)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="units", verbose_name="所属县")
    code = models.CharField("单位编码", max_length=40, unique=True)
    name = models.CharField("单位名称", max_length=100)
    short_name = models.CharField("简称", max_length=30, blank=True)
    kind = models.CharField("单位类型", max_length=30, choices=UnitKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级单位",
    )
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    credit_code_override_reason = models.CharField("信用代码校验未通过的说明", max_length=200, blank=True)
    is_enforcement_subject = models.BooleanField("具有执法主体资格", default=False)
    subject_legal_basis = models.CharField("主体资格依据", max_length=300, blank=True)
    subject_review_date = models.DateField("主体资格审核日期", null=True, blank=True)
    office_close = models.TimeField(
        "下班时间", null=True, blank=True, help_text="为空时按17:30计算工作日时限"
    )
    active = models.BooleanField("启用", default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "单位"
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="unit_name_unique_in_county"),
            # An enforcement subject without a legal basis is unlawful (R-CAT-07): refused by the database too.
            models.CheckConstraint(
                condition=Q(is_enforcement_subject=False) | ~Q(subject_legal_basis=""),
                name="unit_subject_has_legal_basis",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def needs_liaison(self) -> bool:
        return self.kind in LIAISON_REQUIRED_KINDS


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
    section = models.ForeignKey(
        Section,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        verbose_name="内设机构",
    )
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    active = models.BooleanField("在岗", default=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "人员"
        ordering = ["unit_id", "name"]
        indexes = [models.Index(fields=["unit", "active"], name="person_unit_active")]

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


# Certificates ending within this many days are flagged in lists and on the certificate page.
EXPIRY_WARNING_DAYS = 30


class Certificate(TimeStamped):
    """执法证. People without a valid certificate are assistants (协管/辅助人员) and never enforce (R-CASE-01)."""

    number = models.CharField("证件编号", max_length=40, unique=True)
    holder = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="certificates", verbose_name="持证人"
    )
    issuing_authority = models.CharField("发证机关", max_length=100)
    fields = models.CharField("执法领域", max_length=200)
    valid_from = models.DateField("有效期起")
    valid_to = models.DateField("有效期止")
    status = models.CharField(
        "状态", max_length=20, choices=CertificateStatus.choices, default=CertificateStatus.VALID
    )
    last_review_date = models.DateField("最近年审日期", null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "执法证"
        ordering = ["valid_to"]
        indexes = [models.Index(fields=["holder", "status", "valid_to"], name="certificate_holder_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")), name="certificate_period_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, on_date: date) -> bool:
        return self.status == CertificateStatus.VALID and self.valid_from <= on_date <= self.valid_to

    def is_expired_on(self, on_date: date) -> bool:
        return self.valid_to < on_date

    def expires_soon(self, on_date: date, days: int = EXPIRY_WARNING_DAYS) -> bool:
        """Valid today but ending within `days` days: flagged so the holder renews in time."""
        return self.status == CertificateStatus.VALID and on_date <= self.valid_to <= on_date + timedelta(
            days=days
        )
