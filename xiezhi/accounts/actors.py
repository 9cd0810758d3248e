"""Building the Actor for a signed-in account."""

from __future__ import annotations

from typing import Any

from xiezhi.core.actor import ANONYMOUS, Actor


def client_ip(request: Any) -> str:
    return str(request.META.get("REMOTE_ADDR", "") or "")


def actor_for(user: Any, ip: str | None = None) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Actor(user=None, ip=ip) if ip else ANONYMOUS
    person = user.person
    if person is not None and not person.active:
        # A person who has left (在岗 = no) keeps no powers, whatever the account's state.
        return Actor(user=None, ip=ip) if ip else ANONYMOUS
    unit = person.unit if person else None
    roles: frozenset[str] = frozenset()
    if person is not None and not user.admin_role:
        roles = frozenset(person.roles.values_list("role", flat=True))
    return Actor(
        user=user,
        person=person,
        unit=unit,
        roles=roles,
        admin_role=user.admin_role or None,
        county_id=unit.county_id if unit else None,
        ip=ip,
    )
