"""Inbox scope (person vs unit), per-person read state, and that nobody outside can see or mark."""

from __future__ import annotations

import pytest

from xiezhi.core.errors import NotFound, PermissionDenied, XiezhiError
from xiezhi.notifications.models import Notification, NotificationRead
from xiezhi.notifications.selectors import inbox_for, unread_count
from xiezhi.notifications.services import mark_all_read, mark_read, notify
from xiezhi.testing.factories import Personas

pytestmark = pytest.mark.django_db


def _unit_and_personal(p: Personas) -> tuple[Notification, Notification]:
    unit_note = notify(title="本镇待办", body="", dedupe_key="unit-1", unit=p.township, channels=[])
    personal = notify(
        title="给张承办", body="", dedupe_key="person-1", person=p.township_handler, channels=[]
    )
    return unit_note, personal


def test_a_unit_notification_is_in_every_member_inbox_a_personal_one_only_in_its_owner(
    personas: Personas,
) -> None:
    unit_note, personal = _unit_and_personal(personas)
    handler = set(inbox_for(personas.actor("township_handler")).values_list("pk", flat=True))
    leader = set(inbox_for(personas.actor("township_leader")).values_list("pk", flat=True))
    other = set(inbox_for(personas.actor("other_township_handler")).values_list("pk", flat=True))
    assert handler == {unit_note.pk, personal.pk}
    assert leader == {unit_note.pk}
    assert other == set()


def test_read_state_is_per_person(personas: Personas) -> None:
    unit_note, _ = _unit_and_personal(personas)
    handler, leader = personas.actor("township_handler"), personas.actor("township_leader")
    assert (unread_count(handler), unread_count(leader)) == (2, 1)
    read = mark_read(handler, unit_note.pk)
    assert read.is_read and read.read_at is not None  # type: ignore[attr-defined]
    assert (unread_count(handler), unread_count(leader)) == (1, 1)
    first_read_at = NotificationRead.objects.get().read_at
    mark_read(handler, unit_note.pk)  # again: nothing changes, the first reading time stays
    assert NotificationRead.objects.get().read_at == first_read_at


def test_unread_first_then_newest(personas: Personas) -> None:
    older, newer = _unit_and_personal(personas)
    handler = personas.actor("township_handler")
    assert list(inbox_for(handler).values_list("pk", flat=True)) == [newer.pk, older.pk]
    mark_read(handler, newer.pk)
    assert list(inbox_for(handler).values_list("pk", flat=True)) == [older.pk, newer.pk]


def test_mark_all_read_counts_and_leaves_colleagues_unread(personas: Personas) -> None:
    _unit_and_personal(personas)
    handler, leader = personas.actor("township_handler"), personas.actor("township_leader")
    assert mark_all_read(handler) == 2
    assert mark_all_read(handler) == 0
    assert (unread_count(handler), unread_count(leader)) == (0, 1)


@pytest.mark.parametrize(
    "who",
    ["other_township_handler", "department_liaison", "dispatcher", "justice_office_supervisor", "outsider"],
)
def test_others_cannot_see_or_mark_and_get_the_same_not_found_as_for_a_missing_one(
    personas: Personas, who: str
) -> None:
    unit_note, personal = _unit_and_personal(personas)
    actor = personas.actor(who)
    for pk in (unit_note.pk, personal.pk, 999_999):
        with pytest.raises(NotFound) as caught:
            mark_read(actor, pk)
        assert caught.value.message == "通知不存在或您无权查看"
    assert NotificationRead.objects.count() == 0


@pytest.mark.parametrize("who", ["sysadmin", "secadmin", "auditadmin"])
def test_administrators_have_no_business_inbox(personas: Personas, who: str) -> None:
    unit_note, _ = _unit_and_personal(personas)
    actor = personas.actor(who)
    assert unread_count(actor) == 0
    assert not inbox_for(actor).exists()
    with pytest.raises(PermissionDenied):
        mark_read(actor, unit_note.pk)
    with pytest.raises(PermissionDenied):
        mark_all_read(actor)


def test_a_person_no_longer_active_sees_no_inbox_at_all(personas: Personas) -> None:
    # A person who has left keeps no powers (accounts.actors.actor_for): not even their own inbox.
    _unit_note, personal = _unit_and_personal(personas)
    personas.township_handler.active = False
    personas.township_handler.save()
    handler = personas.actor("township_handler")
    assert not handler.is_authenticated
    assert not inbox_for(handler).exists()
    assert unread_count(handler) == 0
    with pytest.raises(XiezhiError):
        mark_read(handler, personal.pk)
