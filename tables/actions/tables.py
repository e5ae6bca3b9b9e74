"""Staff changes to tables: create, update (resize included), delete."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from lobby.actions import lock_live_lobby
from lobby.models import Lobby
from pokerrt import errors
from pokerrt.realtime.streams import emit
from pokerrt.timers import cancel

from .. import lobby_rows, snapshots
from ..models import Seat, Table, TableStatus
from .base import live_hand, locked_table, next_hand_timer
from .dealing import maybe_schedule_hand, stand_up

TABLE_FIELDS = ("name", "max_seats", "small_blind", "big_blind", "ante", "min_buy_in",
                "max_buy_in", "action_seconds", "time_bank_seconds")


def do_create_table(lobby: Lobby, name: str, **fields: Any) -> Table:
    """A new cash table in ``lobby``, with its empty seats; NOT_FOUND once the lobby is deleted."""
    with transaction.atomic():
        # Locked, so a lobby being deleted cannot gain a table meanwhile.
        lobby = lock_live_lobby(lobby.pk)
        table = Table(lobby=lobby, name=name, **fields)
        check_table(table)
        table.save()
        Seat.objects.bulk_create(Seat(table=table, number=n) for n in range(1, table.max_seats + 1))
        lobby_rows.mark(table)
        emit("TABLE", table.pk, "TABLE_CREATE", {"table": snapshots.table_info(table)})
        return table


def do_update_table(table_id: int | str, **fields: Any) -> Table:
    """Change a table's settings. Seats can be added, or removed while empty."""
    with locked_table(table_id) as table:
        if table.status == TableStatus.CLOSED:
            raise errors.Conflict("The table is closed.")
        for name, value in fields.items():
            if name not in TABLE_FIELDS:
                raise errors.Validation(details={name: ["Not a table setting."]})
            setattr(table, name, value)
        check_table(table)
        if "max_seats" in fields:
            _resize(table)
        table.save()
        lobby_rows.mark(table)
        emit("TABLE", table.pk, "TABLE_UPDATE", {"table": snapshots.table_info(table)})
        return table


def check_table(table: Table) -> None:
    """The table as it would be saved, settings merged with what is stored.

    VALIDATION naming the fields for settings that do not fit (the model's
    ranges, constraints and ``clean``); CONFLICT naming ``max_seats`` when
    seats to remove are taken, which depends on who sits there now.
    """
    try:
        table.full_clean()
    except DjangoValidationError as error:
        raise errors.Validation(details=error.message_dict) from None
    if table.pk is not None and Seat.objects.filter(
        table=table, number__gt=table.max_seats, user__isnull=False
    ).exists():
        raise errors.Conflict("A seat that would be removed is taken.",
                              details={"max_seats": ["Players sit in seats above it."]})


def _resize(table: Table) -> None:
    existing = Seat.objects.filter(table=table)
    existing.filter(number__gt=table.max_seats).delete()
    have = set(existing.values_list("number", flat=True))
    Seat.objects.bulk_create(
        Seat(table=table, number=n) for n in range(1, table.max_seats + 1) if n not in have
    )


def do_request_hand(table_id: int | str) -> None:
    """Ask for the table's next hand if it may deal one now: its policy stopped holding it (a break ended)."""
    with locked_table(table_id) as table:
        maybe_schedule_hand(table)


def do_delete_table(table_id: int | str) -> None:
    """Close a table: everyone is stood up (cash: cashed out). Refused while a hand is in play."""
    with locked_table(table_id) as table:
        if table.status == TableStatus.CLOSED:
            raise errors.NotFound(f"No table {table_id}.")
        if live_hand(table) is not None:
            raise errors.Conflict("A hand is in play; delete the table between hands.")
        for seat in Seat.objects.filter(table=table, user__isnull=False):
            stand_up(table, seat)
        table.status = TableStatus.CLOSED
        table.save(update_fields=["status"])
        lobby_rows.mark(table)
        cancel(next_hand_timer(table))
        emit("TABLE", table.pk, "TABLE_DELETE", {"table": snapshots.table_info(table)})
