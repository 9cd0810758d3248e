"""Three-administrator separation (三员分立, LAW.md rule 70): in the actor, the services and the database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, connections, transaction
from django.test import Client

from xiezhi.accounts import separation, services
from xiezhi.accounts.apps import _reinstall_triggers
from xiezhi.accounts.models import User
from xiezhi.audit.models import AuditEvent
from xiezhi.core.errors import ValidationFailed
from xiezhi.testing.factories import Personas, make_person, make_unit, make_user
from xiezhi.units.models import Person, RoleAssignment, UnitKind

ADMINS = ("sysadmin", "secadmin", "auditadmin")


def refused(write: Callable[[], object]) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def admin_with_person(personas: Personas) -> User:
    person = make_person(personas.government, "管理员甲", account=False)
    return make_user("adm_with_person", person=person, admin_role="sysadmin")


@pytest.mark.parametrize("who", ADMINS)
def test_administrators_hold_no_business_role_and_cannot_act(personas: Personas, who: str) -> None:
    actor = personas.actor(who)
    assert actor.admin_role == who
    assert not actor.can_act_in_business
    assert actor.roles == frozenset()
    for role in ("leader", "handler", "liaison", "supervisor", "dispatcher", "observer"):
        assert not actor.has_role(role)


def test_an_administrator_linked_to_a_person_still_cannot_act(personas: Personas) -> None:
    from xiezhi.accounts.actors import actor_for

    actor = actor_for(admin_with_person(personas), "127.0.0.1")
    assert actor.unit is not None and not actor.can_act_in_business and not actor.is_county_wide


def test_database_refuses_a_business_role_for_an_administrator(personas: Personas) -> None:
    person_id = admin_with_person(personas).person_id
    assert person_id is not None
    refused(lambda: RoleAssignment.objects.create(person_id=person_id, role="handler"))
    # Moving an existing assignment onto the administrator's person is refused too.
    assignment = RoleAssignment.objects.filter(person=personas.township_handler).get()
    refused(lambda: RoleAssignment.objects.filter(pk=assignment.pk).update(person_id=person_id))
    assert not RoleAssignment.objects.filter(person_id=person_id).exists()
    assert RoleAssignment.objects.get(pk=assignment.pk).person_id == personas.township_handler.pk


def test_database_refuses_an_administrator_role_for_a_person_with_business_roles(personas: Personas) -> None:
    account = personas.township_handler.account
    refused(lambda: User.objects.filter(pk=account.pk).update(admin_role="secadmin"))
    refused(lambda: make_user("second_account", person=personas.township_leader, admin_role="auditadmin"))
    # Nor may an administrator account be linked to such a person afterwards.
    refused(lambda: User.objects.filter(username="sysadmin").update(person=personas.dispatcher))
    account.refresh_from_db()
    assert account.admin_role == ""
    assert not User.objects.filter(username="second_account").exists()
    assert User.objects.get(username="sysadmin").person_id is None


def test_database_refuses_switching_or_inventing_administrator_roles(personas: Personas) -> None:
    refused(lambda: User.objects.filter(username="sysadmin").update(admin_role="secadmin"))
    refused(lambda: User.objects.filter(username="t_handler").update(admin_role="root"))
    assert User.objects.get(username="sysadmin").admin_role == "sysadmin"
    # Revoking first, then granting, is a different (and audited) pair of changes.
    User.objects.filter(username="sysadmin").update(admin_role="")
    User.objects.filter(username="sysadmin").update(admin_role="secadmin")


def test_the_trigger_message_names_the_rule(personas: Personas) -> None:
    person_id = admin_with_person(personas).person_id
    assert person_id is not None
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        RoleAssignment.objects.create(person_id=person_id, role="leader")
    assert separation.ADMIN_WITH_BUSINESS_ROLES in str(caught.value)


def test_service_refuses_with_a_clear_message_and_writes_nothing(personas: Personas) -> None:
    secadmin = personas.actor("secadmin")
    handler_account = personas.township_handler.account
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as business:
        services.grant_admin_role(secadmin, handler_account.pk, "auditadmin")
    assert business.value.details == {"admin_role": ["管理员账号不能同时持有业务角色"]}
    with pytest.raises(ValidationFailed) as second:
        services.grant_admin_role(secadmin, personas.sysadmin.pk, "auditadmin")
    assert second.value.details == {"admin_role": ["一个账号只能担任一种管理员角色"]}
    with pytest.raises(ValidationFailed) as role:
        services.check_may_hold_business_roles(admin_with_person(personas).person_id)  # type: ignore[arg-type]
    assert role.value.message == "管理员账号不能同时持有业务角色"
    assert AuditEvent.objects.count() == events
    handler_account.refresh_from_db()
    assert handler_account.admin_role == "" and User.objects.get(username="sysadmin").admin_role == "sysadmin"


def test_api_gives_422_with_the_message(client_for: Callable[..., Client], personas: Personas) -> None:
    client = client_for(personas.secadmin)
    response = client.put(
        f"/api/v1/accounts/{personas.sysadmin.pk}/admin-role",
        {"admin_role": "auditadmin"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["details"] == {"admin_role": ["一个账号只能担任一种管理员角色"]}
    assert User.objects.get(pk=personas.sysadmin.pk).admin_role == "sysadmin"


def test_triggers_come_back_after_migrate(personas: Personas) -> None:
    """SQLite drops a table's triggers when a migration rebuilds the table; post_migrate reinstalls them."""
    separation.remove(connection)
    User.objects.filter(username="sysadmin").update(admin_role="secadmin")  # unguarded for a moment
    User.objects.filter(username="sysadmin").update(admin_role="sysadmin")
    _reinstall_triggers(apps.get_app_config("accounts"), using="default")
    refused(lambda: User.objects.filter(username="sysadmin").update(admin_role="secadmin"))
    if connection.vendor == "sqlite":
        assert separation.installed_sqlite_triggers(connection) == set(separation.SQLITE_TRIGGERS)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_grants_cannot_both_win() -> None:
    """A business role and an administrator role granted to the same person in two concurrent
    transactions: the person-row lock in both triggers serialises them, so one is refused."""
    unit = make_unit("竞态测试镇", UnitKind.TOWNSHIP, code="RACE1")
    person = Person.objects.create(unit=unit, name="竞态人员")
    account = make_user("race_user", person=person)
    barrier = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def grant_role() -> None:
        try:
            with transaction.atomic():
                RoleAssignment.objects.create(person=person, role="handler")
                barrier.wait()
                time.sleep(0.5)  # the other transaction now runs into the lock
            outcome["role"] = "ok"
        except IntegrityError:
            outcome["role"] = "refused"
        finally:
            connections.close_all()

    def grant_admin() -> None:
        try:
            barrier.wait()
            time.sleep(0.1)
            with transaction.atomic():
                User.objects.filter(pk=account.pk).update(admin_role="auditadmin")
            outcome["admin"] = "ok"
        except IntegrityError:
            outcome["admin"] = "refused"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=grant_role), threading.Thread(target=grant_admin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert outcome == {"role": "ok", "admin": "refused"}
    assert User.objects.get(pk=account.pk).admin_role == ""
    assert RoleAssignment.objects.filter(person=person).count() == 1
