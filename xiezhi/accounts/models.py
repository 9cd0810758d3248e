"""Accounts: sign-in identities, the three administrator roles (三员分立) and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class AdminRole(models.TextChoices):
    SYSTEM = "sysadmin", "系统管理员"
    SECURITY = "secadmin", "安全管理员"
    AUDIT = "auditadmin", "审计管理员"


class User(AbstractUser):
    """A sign-in account. Business accounts belong to a `Person` (and through it to a unit);
    administrator accounts hold exactly one administrator role, kept in a single column so that
    holding two is impossible, and a database trigger refuses business roles for them (LAW.md rule 70)."""

    person = models.OneToOneField(
        "units.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
        verbose_name="人员",
    )
    admin_role = models.CharField(
        "管理员角色", max_length=20, choices=AdminRole.choices, blank=True, default=""
    )
    password_changed_at = models.DateTimeField("密码修改时间", default=timezone.now)
    must_change_password = models.BooleanField("须修改密码", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "账号"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(admin_role__in=["", *AdminRole.values]), name="user_admin_role_known"
            ),
        ]

    @property
    def display_name(self) -> str:
        return self.person.name if self.person_id and self.person else self.get_username()


class ApiTokenScope(models.TextChoices):
    READ = "read", "只读"
    WRITE = "write", "读写"


class ApiToken(models.Model):
    """A personal API token: shown once, stored as a SHA-256 hash, with expiry and scope, revocable."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="账号")
    name = models.CharField("名称", max_length=100)
    prefix = models.CharField("前缀", max_length=12, db_index=True)
    token_hash = models.CharField("摘要", max_length=64, unique=True)
    scope = models.CharField("范围", max_length=10, choices=ApiTokenScope.choices, default=ApiTokenScope.READ)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.display_prefix}）"

    @property
    def display_prefix(self) -> str:
        """What the owner sees to recognise a token; the secret part is never stored."""
        return f"xz_{self.prefix}_…"

    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "已撤销"
        if self.expires_at <= timezone.now():
            return "已过期"
        return "有效"
