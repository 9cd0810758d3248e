"""The in-process snapshot cache: reused while nothing is published, rebuilt after a publication,
self-healing for townships created since it was built."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from xiezhi.catalogue import services, snapshot, versions
from xiezhi.catalogue.tests.helpers import Cat, future
from xiezhi.testing.factories import make_unit
from xiezhi.units.models import UnitKind

pytestmark = pytest.mark.django_db


def test_snapshot_is_reused_until_a_version_is_published(cat: Cat) -> None:
    first = snapshot.cached_snapshot(cat.p.county.pk)
    services.resolve(cat.city, "城关镇", date(2025, 6, 1))
    assert snapshot.cached_snapshot(cat.p.county.pk) is first
    draft = versions.create_draft(cat.actor("manager"), cat.p.county.pk, {"effective_from": future()})
    assert snapshot.cached_snapshot(cat.p.county.pk) is first  # a draft does not change what is in force
    versions.publish(cat.actor("gov_leader"), draft)
    rebuilt = snapshot.cached_snapshot(cat.p.county.pk)
    assert rebuilt is not first and len(rebuilt.published_versions()) == 2


def test_township_given_by_name_uses_the_cache_and_a_new_township_is_found(cat: Cat) -> None:
    services.resolve(cat.city, cat.town, date(2025, 6, 1))
    assert snapshot.cached_township("河西镇") == (cat.p.county.pk, "T02")
    assert snapshot.cached_township("T01", cat.p.county.pk) == (cat.p.county.pk, "T01")
    new = make_unit("新设街道", UnitKind.TOWNSHIP, cat.p.county, parent=cat.p.government, code="T03")
    r = services.resolve(cat.city, "新设街道", date(2025, 6, 1))
    assert (
        r.township.code == new.code and r.mode == "retained" and "没有将该事项下放给新设街道" in r.explanation
    )


def test_stamp_ttl_skips_the_check_and_a_local_publication_still_invalidates(
    cat: Cat, settings: Any, django_assert_num_queries: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.XIEZHI_CATALOGUE_STAMP_TTL = 60
    first = snapshot.cached_snapshot(cat.p.county.pk)
    with django_assert_num_queries(0):
        assert snapshot.cached_snapshot(cat.p.county.pk) is first
    draft = versions.create_draft(cat.actor("manager"), cat.p.county.pk, {"effective_from": future()})
    with django_capture_on_commit_callbacks(execute=True):
        versions.publish(cat.actor("gov_leader"), draft)
    assert len(snapshot.cached_snapshot(cat.p.county.pk).published_versions()) == 2
