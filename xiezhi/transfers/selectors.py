"""Reads of transfers and copy notices, scoped to the actor.

A unit sees the transfers it sends (drafts too), those sent to it from the moment it is told
(oral transfer, or a pending one about a violation still in progress — R-TR-05), and those it is
copied on. A township's justice office sees its townships' transfers the same way; the county-wide
units (command centre, justice bureau, county government) see the whole county's.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connections
from django.db.models import F, Q, QuerySet

from xiezhi.catalogue.models import Matter
from xiezhi.core.actor import Actor
from xiezhi.core.errors import ValidationFailed
from xiezhi.core.pagination import Page, bounds, cached_count, remembered_count
from xiezhi.core.statements import Statements, fetch_dicts, fetch_rows, fetch_value, prepared_supported
from xiezhi.deadlines.hierarchy import townships_of
from xiezhi.rulebook.workflows import TRANSFER
from xiezhi.rulebook.zh import SHANGHAI
from xiezhi.transfers.models import RECEIVER_STATES, CopyNotice, Transfer, Urgency
from xiezhi.units.models import Unit, UnitKind

BOXES = {"all": "全部", "sent": "发出", "received": "收到", "copied": "抄告我单位"}


def _units_of(actor: Actor) -> list[int]:
    assert actor.unit is not None
    ids = [actor.unit.pk]
    if actor.unit.kind == UnitKind.JUSTICE_OFFICE:
        ids += townships_of(actor.unit)
    return ids


def _received(unit_ids: list[int]) -> Q:
    return Q(receiver_id__in=unit_ids) & (
        Q(status__in=RECEIVER_STATES)
        | Q(status="pending_approval", in_progress=True, receiver_told_at__isnull=False)
    )


def visible_to(actor: Actor) -> QuerySet[Transfer]:
    qs = Transfer.objects.all()
    if not actor.can_act_in_business or actor.unit is None:
        return qs.none()
    if actor.is_county_wide:
        return qs.filter(county_id=actor.unit.county_id)
    ids = _units_of(actor)
    # One id list from three index scans: an OR across sender, receiver and an EXISTS would make
    # the database read the whole table.
    sent = Transfer.objects.filter(sender_id__in=ids).values("pk")
    received = Transfer.objects.filter(_received(ids)).values("pk")
    copied = CopyNotice.objects.filter(unit_id__in=ids).values("transfer_id")
    return qs.filter(Q(pk__in=sent) | Q(pk__in=received) | Q(pk__in=copied))


def in_box(actor: Actor, box: str) -> QuerySet[Transfer]:
    """One of the inbox tabs: sent, received, copied, or everything the actor sees. The three
    own-unit boxes are subsets of what the unit sees, so they are queried directly."""
    if box not in BOXES:
        raise ValidationFailed.field("box", f"box 只能是 {'、'.join(BOXES)} 之一")
    if box == "all" or not actor.can_act_in_business or actor.unit is None:
        return visible_to(actor)
    ids = [actor.unit.pk]
    if box == "sent":
        return Transfer.objects.filter(sender_id__in=ids)
    if box == "received":
        return Transfer.objects.filter(_received(ids))
    return Transfer.objects.filter(pk__in=CopyNotice.objects.filter(unit_id__in=ids).values("transfer_id"))


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time(0), tzinfo=SHANGHAI)


def filtered(
    qs: QuerySet[Transfer],
    *,
    status: str = "",
    urgency: str = "",
    unit: int | None = None,
    matter: int | None = None,
    q: str = "",
    discovered_from: date | None = None,
    discovered_to: date | None = None,
) -> QuerySet[Transfer]:
    errors: dict[str, list[str]] = {}
    if status and status != "open" and status not in TRANSFER.states:
        errors["status"] = [f"状态“{status}”无效"]
    if urgency and urgency not in Urgency.values:
        errors["urgency"] = [f"紧急程度“{urgency}”无效"]
    if discovered_from and discovered_to and discovered_from > discovered_to:
        errors["discovered_to"] = ["结束日期不能早于开始日期"]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], details=errors)
    if status == "open":
        qs = qs.filter(status__in=("draft", "pending_approval", "oral_recorded", "sent"))
    elif status:
        qs = qs.filter(status=status)
    if urgency:
        qs = qs.filter(urgency=urgency)
    if unit is not None:
        qs = qs.filter(Q(sender_id=unit) | Q(receiver_id=unit))
    if matter is not None:
        qs = qs.filter(matter_id=matter)
    if discovered_from:
        qs = qs.filter(discovered_at__gte=_day_start(discovered_from))
    if discovered_to:
        qs = qs.filter(discovered_at__lt=_day_start(discovered_to + timedelta(days=1)))
    text = q.strip()
    if text:
        cond = Q(party__icontains=text) | Q(location__icontains=text) | Q(source_reference__icontains=text)
        if text.isdigit():
            cond |= Q(pk=int(text))
        qs = qs.filter(cond)
    return qs


def for_list(qs: QuerySet[Transfer]) -> QuerySet[Transfer]:
    """Only what a list row shows, in one query with its units and matter."""
    return qs.select_related("sender", "receiver", "township", "matter").only(
        "id",
        "status",
        "urgency",
        "party",
        "location",
        "discovered_at",
        "send_due_at",
        "reply_due_at",
        "written_due_at",
        "sent_at",
        "replied_at",
        "in_progress",
        "is_legacy",
        "created_at",
        "competence_note",
        "sender__id",
        "sender__name",
        "receiver__id",
        "receiver__name",
        "township__id",
        "township__name",
        "matter__id",
        "matter__code",
        "matter__name",
    )


# A list row's own columns; the names of its units and matter are looked up by id afterwards
# (`_names`), so the row query reads one table: joining four lookups made PostgreSQL spend longer
# choosing a join order than running the query.
ROW_COLUMNS = (
    "id",
    "status",
    "urgency",
    "party",
    "location",
    "discovered_at",
    "send_due_at",
    "sent_at",
    "reply_due_at",
    "replied_at",
    "in_progress",
    "is_legacy",
    "competence_note",
    "sender_id",
    "receiver_id",
    "township_id",
    "matter_id",
)
_UNIT_TABLE = Unit._meta.db_table
_MATTER_TABLE = Matter._meta.db_table
_NAMES_BY_ARRAY = (
    f"SELECT 0, id, name, '' FROM {_UNIT_TABLE} WHERE id = ANY(%s::bigint[]) "
    f"UNION ALL SELECT 1, id, name, code FROM {_MATTER_TABLE} WHERE id = ANY(%s::bigint[])"
)


# A text search matching at most this many transfers reads its page from the trigram indexes
# and sorts the matches (a few milliseconds at this size); see `list_page`.
SORTED_SEARCH_LIMIT = 3000


@dataclass(frozen=True)
class _ListSQL:
    count: tuple[str, tuple[Any, ...]]
    rows: tuple[str, tuple[Any, ...]]
    # For a text search, the same rows ordered by an expression of the id: PostgreSQL can no
    # longer walk the primary key for the order, so it collects the matches from an index and
    # sorts them.
    rows_sorting_matches: tuple[str, tuple[Any, ...]] | None


_list_sql: Statements[_ListSQL] = Statements()


def list_page(actor: Actor, box: str, page: Any, page_size: Any, **filters: Any) -> Page[dict[str, Any]]:
    """The API list: `in_box` narrowed by `filtered`, one page of rows, newest first.

    The cache keys are what decides the query: the actor's visibility (per unit, or county-wide),
    the box, the filters (and for the rows the page). On PostgreSQL the compiled SQL is kept
    (`core.statements`) and run as prepared statements, so a list served again with the same
    inputs costs neither Django's compiler nor PostgreSQL's planner; the rows are always read
    afresh. The total is `remembered_count` (see `cached_count`)."""
    number, size = bounds(page, page_size)
    scope = (actor.can_act_in_business, actor.is_county_wide, actor.unit.pk if actor.unit else None)
    count_key = ("transfers", scope, box, tuple(sorted(filters.items())))
    alias = Transfer.objects.db
    if not prepared_supported(alias):
        return page_rows(filtered(in_box(actor, box), **filters), number, size, count_key=count_key)

    def compile_sql() -> _ListSQL:
        qs = filtered(in_box(actor, box), **filters)  # validates the filters, too
        start = (number - 1) * size

        def rows(*order: Any) -> tuple[str, tuple[Any, ...]]:
            sql, params = (
                qs.order_by(*order).values(*ROW_COLUMNS)[start : start + size].query.sql_with_params()
            )
            return sql, tuple(params)

        ids_sql, ids_params = qs.order_by().values("id").query.sql_with_params()
        return _ListSQL(
            count=(f"SELECT COUNT(*) FROM ({ids_sql}) AS listed", tuple(ids_params)),
            rows=rows("-id"),
            rows_sorting_matches=rows((F("id") + 0).desc()) if searching else None,
        )

    searching = bool(str(filters.get("q") or "").strip())  # a text search is planned per value
    compiled = _list_sql.get((count_key, number, size), compile_sql)
    total = remembered_count(
        alias, count_key, lambda: int(fetch_value(alias, *compiled.count, prepare=not searching))
    )
    # PostgreSQL guesses how many rows a `LIKE '%…%'` matches from its statistics, often tenfold
    # too many; it then walks the primary key newest first expecting to fill the page soon, and a
    # term matching a hundred transfers cost 85–160 ms instead of 1 ms through the trigram
    # indexes. The total, counted already, says which plan is right: few matches are collected
    # and sorted, many are found soonest by the walk (the planner's choice then).
    sorted_rows = compiled.rows_sorting_matches
    rows_sql = sorted_rows if sorted_rows is not None and total <= SORTED_SEARCH_LIMIT else compiled.rows
    items = fetch_dicts(alias, *rows_sql, json_times=True, prepare=not searching)  # straight into JSON
    _add_names(items)
    return Page(items=items, total=total, page=number, page_size=size)


def page_rows(
    qs: QuerySet[Transfer], page: Any, page_size: Any, *, count_key: Hashable = None
) -> Page[dict[str, Any]]:
    """One page of plain rows, newest first: the rows (PostgreSQL walks the primary key backwards
    and stops after the page), then their unit and matter names in one more query; read as
    dicts — building model instances would cost more than the queries. The total is
    `cached_count` (`count_key` spares it compiling the count's SQL)."""
    number, size = bounds(page, page_size)
    total = cached_count(qs, key=count_key)
    start = (number - 1) * size
    items = list(qs.order_by("-id").values(*ROW_COLUMNS)[start : start + size])
    _add_names(items)
    return Page(items=items, total=total, page=number, page_size=size)


def _add_names(items: list[dict[str, Any]]) -> None:
    units, matters = _names(items)
    for row in items:
        row["sender__name"] = units.get(row["sender_id"], "")
        row["receiver__name"] = units.get(row["receiver_id"], "")
        row["township__name"] = units.get(row["township_id"], "")
        row["matter__code"], row["matter__name"] = matters.get(row["matter_id"], ("", ""))


def _names(rows: list[dict[str, Any]]) -> tuple[dict[int, str], dict[int, tuple[str, str]]]:
    """{unit id: name} and {matter id: (code, name)} for the rows, in one query of fixed SQL."""
    unit_ids = sorted(
        {r[k] for r in rows for k in ("sender_id", "receiver_id", "township_id") if r[k] is not None}
    )
    matter_ids = sorted({r["matter_id"] for r in rows if r["matter_id"] is not None})
    if not unit_ids and not matter_ids:
        return {}, {}
    alias = Transfer.objects.db
    if prepared_supported(alias):  # one statement text whatever the ids: prepared once
        rows_found = fetch_rows(alias, _NAMES_BY_ARRAY, [unit_ids, matter_ids])
    else:
        marks = ", ".join
        sql = (
            f"SELECT 0, id, name, '' FROM {_UNIT_TABLE} WHERE id IN ({marks(['%s'] * len(unit_ids)) or 'NULL'}) "
            f"UNION ALL SELECT 1, id, name, code FROM {_MATTER_TABLE} "
            f"WHERE id IN ({marks(['%s'] * len(matter_ids)) or 'NULL'})"
        )
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, [*unit_ids, *matter_ids])
            rows_found = cursor.fetchall()
    units: dict[int, str] = {}
    matters: dict[int, tuple[str, str]] = {}
    for kind, pk, name, code in rows_found:
        if kind == 0:
            units[pk] = name
        else:
            matters[pk] = (code, name)
    return units, matters


def parse_date(raw: Any, name: str) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValidationFailed.field(name, "日期格式有误，应为“2025-10-08”这样的日期") from None


def copy_notices_for(actor: Actor) -> QuerySet[CopyNotice]:
    """The copy notices addressed to the actor's unit, unread first."""
    if not actor.can_act_in_business or actor.unit is None:
        return CopyNotice.objects.none()
    return (
        CopyNotice.objects.filter(unit_id=actor.unit.pk)
        .select_related("unit")
        .order_by("read_at", "-sent_at")
    )


def copy_notices_page(actor: Actor) -> QuerySet[CopyNotice]:
    """`copy_notices_for` with what the copy-notice page shows of each transfer and document.
    Only those columns: Django spent about 5 ms compiling the select of every column of the
    four joined tables, for a page of twenty rows."""
    return (
        copy_notices_for(actor)
        .select_related("transfer__sender", "transfer__matter", "document")
        .only(
            "id",
            "transfer_id",
            "document_id",
            "sent_at",
            "read_at",
            "read_by_name",
            "unit__id",
            "unit__name",
            "transfer__party",
            "transfer__sender__name",
            "transfer__matter__name",
            "document__number",
        )
    )


def unread_copy_count(actor: Actor) -> int:
    if not actor.can_act_in_business or actor.unit is None:
        return 0
    return CopyNotice.objects.filter(unit_id=actor.unit.pk, read_at__isnull=True).count()
