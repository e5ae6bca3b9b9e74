"""The tables' rows in the lobby's directory (``lobby.directory``), registered in TablesConfig.ready().

A row changes when a seat is taken or freed, a player sits out or in, a
hand ends, or staff create, change or close the table; the table actions
call :func:`mark` for each, and the lobby sends the row whole.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count, Q

from lobby.directory import mark_changed
from pokerrt.hotpath import HotQuery

from .models import Hand, HandStatus, Seat, SeatStatus, Table, TableStatus

HOUR = dt.timedelta(hours=1)


def mark(table: Table) -> None:
    """The table's lobby row changed: it goes out with the lobby's next LOBBY_UPDATE."""
    mark_changed(table.lobby_id, "tables", str(table.pk))


def rows_of_lobby(lobby_id: int) -> list[dict[str, Any]]:
    """Every open table's row: a new subscriber's snapshot, and the reconciler's check of each lobby."""
    tables = list(Table.objects.filter(lobby_id=lobby_id).exclude(status=TableStatus.CLOSED))
    counts = _seat_counts([table.pk for table in tables])
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        return [_row(table, *counts.get(table.pk, (0, 0)), _hour_of_play(db, cursor, table.pk)) for table in tables]


def row_of_item(table_id: str) -> tuple[int | None, dict[str, Any] | None]:
    """One table's row: what every hand's end sends the lobby (its send holds the database's write lock meanwhile).

    The same figures as :func:`rows_of_lobby`'s, read by SQL written once per
    process (``pokerrt.hotpath``; ``_counts_sql``) instead of four queries the
    ORM compiles at every send.
    """
    table = _table.first(int(table_id))
    if table is None:
        return None, None
    if table.status == TableStatus.CLOSED:
        return table.lobby_id, None
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(_counts_sql(db, "seats"), [SeatStatus.SITTING_OUT.value, table.pk])
        players, waiting = cursor.fetchone()
        hour = _hour_of_play(db, cursor, table.pk)
    return table.lobby_id, _row(table, players or 0, waiting or 0, hour)


_table = HotQuery(lambda pk: Table.objects.filter(pk=pk).order_by()[:1])
# The hour of play is anchored at the last hand's end (_hour_of_play).
_last_hand_end = HotQuery(lambda table_pk, ended: Hand.objects.filter(table_id=table_pk).filter(status=ended)
                          .filter(ended_at__isnull=False).only("id", "ended_at").order_by("-ended_at")[:1])
# (what, vendor) -> SQL
_counts: dict[tuple[str, str], str] = {}


def _counts_sql(db: Any, what: str) -> str:
    """The seats' (players, sitting out) or the hour's (hands, average pot): :func:`_seat_counts` and :func:`_hour_of_play` as one SELECT each."""
    sql = _counts.get((what, db.vendor))
    if sql is None:
        q = db.ops.quote_name
        if what == "seats":
            seat = Seat._meta
            status, table_id, user_id = (q(seat.get_field(name).column) for name in ("status", "table", "user"))
            sql = (f"SELECT COUNT(*), SUM(CASE WHEN {status} = %s THEN 1 ELSE 0 END) FROM {q(seat.db_table)} "
                   f"WHERE {table_id} = %s AND {user_id} IS NOT NULL")
        else:
            hand = Hand._meta
            table_id, status, ended_at, pot = (q(hand.get_field(name).column)
                                               for name in ("table", "status", "ended_at", "pot"))
            sql = (f"SELECT COUNT(*), AVG({pot}) FROM {q(hand.db_table)} "
                   f"WHERE {table_id} = %s AND {status} = %s AND {ended_at} > %s")
        _counts[(what, db.vendor)] = sql
    return sql


def _seat_counts(table_ids: list[int]) -> dict[int, tuple[int, int]]:
    """table id -> (players seated, players sitting out)."""
    found = (
        Seat.objects.filter(table_id__in=table_ids, user__isnull=False)
        .values("table_id")
        .annotate(players=Count("id"), waiting=Count("id", filter=Q(status=SeatStatus.SITTING_OUT)))
    )
    return {entry["table_id"]: (entry["players"], entry["waiting"]) for entry in found}


def _hour_of_play(db: Any, cursor: Any, table_pk: int) -> tuple[int, int]:
    """(hands, average pot) of the hour up to the table's last hand end.

    Anchored at the last hand rather than now, so the figures change only
    when a hand ends, which marks the row: the lobby never shows a figure
    that time alone made stale. An idle table keeps its last hour's figures.
    Two statements of SQL written once: a lobby of 200 tables asks 200 times.
    """
    last = _last_hand_end.first(table_pk, HandStatus.ENDED.value)
    if last is None:
        return 0, 0
    since = Hand._meta.get_field("ended_at").get_db_prep_value(last.ended_at - HOUR, db)
    cursor.execute(_counts_sql(db, "hour"), [table_pk, HandStatus.ENDED.value, since])
    hands, pot = cursor.fetchone()
    return hands, round(float(pot or 0))  # as the ORM's Avg gives it (a float)


def _row(table: Table, players: int, waiting: int, hour: tuple[int, int]) -> dict[str, Any]:
    hands, average_pot = hour
    return {
        "id": str(table.pk), "name": table.name, "kind": table.kind, "max_seats": table.max_seats,
        "players": players, "small_blind": table.small_blind, "big_blind": table.big_blind,
        "ante": table.ante, "min_buy_in": table.min_buy_in, "max_buy_in": table.max_buy_in,
        "status": table.status, "waiting": waiting, "hands_per_hour": hands, "average_pot": average_pot,
    }
