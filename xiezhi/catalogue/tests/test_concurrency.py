"""Two approvers publishing the same draft at once: exactly one succeeds, the other gets 409."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from xiezhi.catalogue import versions
from xiezhi.catalogue.models import CatalogueVersion, VersionStatus
from xiezhi.catalogue.tests.helpers import build_cat, future
from xiezhi.core.errors import Conflict
from xiezhi.testing.factories import make_personas


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_publication_of_one_draft() -> None:
    cat = build_cat(make_personas())
    draft = versions.create_draft(cat.actor("manager"), cat.p.county.pk, {"effective_from": future()})
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve() -> None:
        try:
            actor = cat.actor("gov_leader")
            mine = CatalogueVersion.objects.get(pk=draft.pk)
            barrier.wait()
            versions.publish(actor, mine)
            outcomes.append("published")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "published"]
    assert CatalogueVersion.objects.get(pk=draft.pk).status == VersionStatus.PUBLISHED
    assert CatalogueVersion.objects.filter(county=cat.p.county, status=VersionStatus.PUBLISHED).count() == 1
