"""The list search: substring of party, location or source reference; trigram-indexed on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xiezhi.transfers import selectors
from xiezhi.transfers.tests.helpers import World, make_draft

pytestmark = pytest.mark.django_db


def test_search_finds_substrings_in_any_of_the_three_columns(world: World) -> None:
    a = make_draft(world, materials=False, party="城关镇某商贸有限公司", source_reference="XC-2025-118")
    b = make_draft(world, materials=False, party="李某", location="河西镇滨江路工地")
    actor = world.actor("township_handler")
    found = lambda q: set(selectors.filtered(selectors.visible_to(actor), q=q).values_list("pk", flat=True))  # noqa: E731
    assert found("商贸有限") == {a.pk}
    assert found("滨江路") == {b.pk}
    assert found("xc-2025") == {a.pk}
    assert found(str(b.pk)) >= {b.pk}
    assert found("不存在的名字") == set()


@pytest.mark.postgres
def test_trigram_indexes_exist_on_postgresql(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'transfers_transfer' AND indexname LIKE '%%_trgm'"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert names == {"transfer_party_trgm", "transfer_location_trgm", "transfer_source_reference_trgm"}


@pytest.mark.postgres
@pytest.mark.parametrize("limit", [0, selectors.SORTED_SEARCH_LIMIT])
def test_a_search_page_is_newest_first_whichever_plan_reads_it(
    world: World, limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Few matches are read through the trigram indexes and sorted (`ORDER BY id + 0`), many by
    walking the primary key; either way the page holds the same rows in the same order."""
    monkeypatch.setattr(selectors, "SORTED_SEARCH_LIMIT", limit)
    made = [make_draft(world, materials=False, party=f"滨江物流{i}号仓") for i in range(5)]
    make_draft(world, materials=False, party="另一家公司")
    actor = world.actor("township_handler")
    with CaptureQueriesContext(connection) as queries:
        page = selectors.list_page(actor, "all", 1, 3, q="滨江物流")
    assert [row["id"] for row in page.items] == sorted((t.pk for t in made), reverse=True)[:3]
    assert page.total == 5
    rows_sql = [q["sql"] for q in queries.captured_queries if "LIMIT" in q["sql"]]
    assert len(rows_sql) == 1
    assert ('ORDER BY ("transfers_transfer"."id" +' in rows_sql[0]) is (limit > 0)
