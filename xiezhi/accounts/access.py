"""Who may do what with accounts and tokens, and every lookup by id.

The system administrator manages accounts (create, deactivate, reactivate, reset the password or
the second factor, unlock); the security administrator grants and revokes administrator roles
(business roles are granted in `xiezhi.units`); both read the account list. The audit
administrator and business users see no one's account but their own. Nobody manages their own
account through these actions: they would otherwise lift their own lock or change their own role.
Lookups by id raise the same NotFound for "missing" and "not visible".
"""

from __future__ import annotations

from typing import Literal

from xiezhi.accounts.models import AdminRole, ApiToken, User
from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotAuthenticated, NotFound, PermissionDenied

Action = Literal[
    "view",
    "export",
    "create",
    "deactivate",
    "reactivate",
    "reset_password",
    "unlock",
    "reset_otp",
    "admin_role",
]

READERS = frozenset({AdminRole.SYSTEM.value, AdminRole.SECURITY.value})
_SYSTEM = frozenset({AdminRole.SYSTEM.value})
ACTION_ROLES: dict[str, frozenset[str]] = {
    "view": READERS,
    "export": READERS,
    "create": _SYSTEM,
    "deactivate": _SYSTEM,
    "reactivate": _SYSTEM,
    "reset_password": _SYSTEM,
    "unlock": _SYSTEM,
    "reset_otp": _SYSTEM,
    "admin_role": frozenset({AdminRole.SECURITY.value}),
}
DENIED_MESSAGES = {
    "admin_role": "管理员角色仅限安全管理员授予或撤销",
}
NOT_ON_ONESELF = frozenset(
    {"deactivate", "reactivate", "reset_password", "unlock", "reset_otp", "admin_role"}
)


def can_read_accounts(actor: Actor) -> bool:
    return actor.is_authenticated and actor.admin_role in READERS


def can(actor: Actor, action: Action) -> bool:
    return actor.is_authenticated and actor.admin_role in ACTION_ROLES[action]


def require(actor: Actor, action: Action) -> None:
    """For pages and endpoints that are not about one account (the list, the create form)."""
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not can(actor, action):
        raise PermissionDenied(DENIED_MESSAGES.get(action, "账号管理仅限系统管理员执行"))


def access_account(actor: Actor, pk: int, action: Action) -> User:
    if not actor.is_authenticated:
        raise NotAuthenticated()
    if not can_read_accounts(actor):
        raise NotFound()
    user = User.objects.select_related("person__unit").filter(pk=pk).first()
    if user is None:
        raise NotFound()
    require(actor, action)
    if action in NOT_ON_ONESELF and actor.user is not None and user.pk == actor.user.pk:
        raise PermissionDenied("不能对自己的账号执行此操作")
    return user


def access_token(actor: Actor, pk: int) -> ApiToken:
    """Tokens are personal: another user's token is as invisible as a missing one."""
    if not actor.is_authenticated or actor.user is None:
        raise NotAuthenticated()
    token = ApiToken.objects.filter(pk=pk, user_id=actor.user.pk).first()
    if token is None:
        raise NotFound()
    return token
