"""The tables' rows in the lobby's directory (``lobby.directory``), registered in TablesConfig.ready().

A row changes when a seat is taken or freed, a player sits out or in, a
hand ends, or staff create, change or close the table; the table actions
call :func:`mark` for each, and the lobby sends the row whole.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, Max, Q

from lobby.directory import mark_changed

from .models import Hand, HandStatus, Seat, SeatStatus, Table, TableStatus

HOUR = dt.timedelta(hours=1)


def mark(table: Table) -> None:
    """The table's lobby row changed: it goes out with the lobby's next LOBBY_UPDATE."""
    mark_changed(table.lobby_id, "tables", str(table.pk))


def rows_of_lobby(lobby_id: int) -> list[dict[str, Any]]:
    tables = list(Table.objects.filter(lobby_id=lobby_id).exclude(status=TableStatus.CLOSED))
    counts = _seat_counts([table.pk for table in tables])
    return [_row(table, *counts.get(table.pk, (0, 0))) for table in tables]


def row_of_item(table_id: str) -> tuple[int | None, dict[str, Any] | None]:
    table = Table.objects.filter(pk=int(table_id)).first()
    if table is None:
        return None, None
    if table.status == TableStatus.CLOSED:
        return table.lobby_id, None
    return table.lobby_id, _row(table, *_seat_counts([table.pk]).get(table.pk, (0, 0)))


def _seat_counts(table_ids: list[int]) -> dict[int, tuple[int, int]]:
    """table id -> (players seated, players sitting out)."""
    found = (
        Seat.objects.filter(table_id__in=table_ids, user__isnull=False)
        .values("table_id")
        .annotate(players=Count("id"), waiting=Count("id", filter=Q(status=SeatStatus.SITTING_OUT)))
    )
    return {entry["table_id"]: (entry["players"], entry["waiting"]) for entry in found}


def _hour_of_play(table: Table) -> tuple[int, int]:
    """(hands, average pot) of the hour up to the table's last hand end.

    Anchored at the last hand rather than now, so the figures change only
    when a hand ends, which marks the row: the lobby never shows a figure
    that time alone made stale. An idle table keeps its last hour's figures.
    """
    ended = Hand.objects.filter(table=table, status=HandStatus.ENDED)
    last = ended.aggregate(last=Max("ended_at"))["last"]
    if last is None:
        return 0, 0
    hour = ended.filter(ended_at__gt=last - HOUR).aggregate(hands=Count("id"), pot=Avg("pot"))
    return hour["hands"], round(hour["pot"] or 0)


def _row(table: Table, players: int, waiting: int) -> dict[str, Any]:
    hands, average_pot = _hour_of_play(table)
    return {
        "id": str(table.pk), "name": table.name, "kind": table.kind, "max_seats": table.max_seats,
        "players": players, "small_blind": table.small_blind, "big_blind": table.big_blind,
        "ante": table.ante, "min_buy_in": table.min_buy_in, "max_buy_in": table.max_buy_in,
        "status": table.status, "waiting": waiting, "hands_per_hour": hands, "average_pot": average_pot,
    }
