"""Who may read an issued document: the same NotFound for missing and not visible.

- the issuing unit's members;
- business users of a county-wide unit (county government, command centre, justice bureau) for
  documents issued in their county;
- anyone the subject's app says may see the subject: each app registers a visibility function
  for its model (`register_visibility(Transfer, can_see_transfer)`), typically from its
  AppConfig.ready(); a function that raises NotFound/PermissionDenied counts as "no".

Administrators (三员) never read business documents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from xiezhi.core.actor import Actor
from xiezhi.core.errors import NotAuthenticated, NotFound, XiezhiError
from xiezhi.documents.models import IssuedDocument

Visibility = Callable[[Actor, Any], bool]

_VISIBILITY: dict[str, Visibility] = {}


def _key(model: type[models.Model]) -> str:
    return model._meta.label_lower


def register_visibility(model: type[models.Model], fn: Visibility) -> None:
    """Let `fn(actor, subject)` grant access to documents whose subject is a `model` instance.
    Registering again for the same model replaces the function (module reloads in development)."""
    _VISIBILITY[_key(model)] = fn


def subject_visible(actor: Actor, doc: IssuedDocument) -> bool:
    fn = _VISIBILITY.get(f"{doc.subject_type.app_label}.{doc.subject_type.model}")
    if fn is None:
        return False
    subject = doc.subject
    if subject is None:
        return False
    try:
        return bool(fn(actor, subject))
    except XiezhiError:
        return False


def can_read(actor: Actor, doc: IssuedDocument) -> bool:
    if not actor.can_act_in_business:
        return False
    if actor.unit_id == doc.unit_id:
        return True
    if actor.is_county_wide and actor.county_id == doc.unit.county_id:
        return True
    return subject_visible(actor, doc)


def access_document(actor: Actor, pk: int) -> IssuedDocument:
    if not actor.is_authenticated:
        raise NotAuthenticated()
    doc = IssuedDocument.objects.select_related("unit", "subject_type").filter(pk=pk).first()
    if doc is None or not can_read(actor, doc):
        raise NotFound("文书不存在或您无权访问")
    return doc
