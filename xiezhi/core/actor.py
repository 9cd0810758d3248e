"""The Actor: who is acting, for which unit, with which roles. Built once per request, passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from xiezhi.core.errors import PermissionDenied

if TYPE_CHECKING:
    from xiezhi.accounts.models import User
    from xiezhi.units.models import Person, Unit

# Unit kinds whose members see everything in their county (DESIGN.md §4).
COUNTY_WIDE_KINDS = frozenset({"county_government", "command_centre", "justice_bureau"})


@dataclass(frozen=True)
class Actor:
    user: User | None
    person: Person | None = None
    unit: Unit | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    admin_role: str | None = None
    county_id: int | None = None
    ip: str | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def unit_id(self) -> int | None:
        return self.unit.pk if self.unit else None

    @property
    def is_county_wide(self) -> bool:
        return self.unit is not None and self.unit.kind in COUNTY_WIDE_KINDS and self.admin_role is None

    @property
    def can_act_in_business(self) -> bool:
        """Administrators (三员) never perform business actions (LAW.md rule 70)."""
        return self.admin_role is None and self.unit is not None

    def has_role(self, *roles: str) -> bool:
        return self.admin_role is None and bool(self.roles.intersection(roles))

    def require_role(self, *roles: str, message: str | None = None) -> None:
        if not self.has_role(*roles):
            raise PermissionDenied(message or "您没有执行此操作的权限")

    def require_admin(self, *admin_roles: str) -> None:
        if self.admin_role not in admin_roles:
            raise PermissionDenied("该操作仅限相应管理员执行")

    def __str__(self) -> str:
        if self.user is None:
            return "匿名"
        name = self.person.name if self.person else self.user.get_username()
        return f"{name}（{self.unit.name}）" if self.unit else name


ANONYMOUS = Actor(user=None)
SYSTEM = Actor(user=None, admin_role=None)
