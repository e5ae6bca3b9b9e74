"""Moving a seated player with their stack to another table (a tournament balancing its tables).

PROTOCOL.md has no event of its own for one player's move (the tournament
tells its stream with ``TABLE_BALANCE`` / ``TABLE_MERGE``): each table sees
the ``TABLE_LEAVE`` and ``TABLE_JOIN`` it would for a player leaving or
joining, and the player's own stream both, with ``to_table`` and
``from_table`` naming the other table.
"""

from __future__ import annotations

from typing import Any

from pokerrt import errors
from pokerrt.accounts.actions import account_for, do_transfer
from pokerrt.accounts.models import AccountKind, Reason, user_ref
from pokerrt.realtime.streams import emit
from pokerrt.timers import cancel
from tables import engine

from .. import lobby_rows
from ..models import Seat, SeatStatus, Table, TableStatus
from .base import dealt_in, grace_timer, live_hand, locked_tables, seat_of, sit_out_timer, table_pk
from .dealing import announce_seat, arm_grace, arm_sit_out_expiry, empty, maybe_schedule_hand
from .seats import free_seat


def do_move_player(user: Any, from_table_id: int | str, to_table_id: int | str,
                   seat_number: int | None = None) -> Seat:
    """Move ``user`` and their stack to seat ``seat_number`` (or the first free one) of another table.

    CONFLICT while they are dealt into the hand in play at their table (move
    them between hands), or when the other table is full or closed. What is
    the player's own goes with them: chips, time bank, sitting out, being
    disconnected, and the timers those run; owed blinds stay behind.
    """
    if table_pk(from_table_id) == table_pk(to_table_id):
        raise errors.Validation(details={"to_table": ["The player's own table."]})
    with locked_tables(from_table_id, to_table_id) as (source, destination):
        seat = _movable_seat(user, source, destination)
        target = free_seat(destination, seat_number)
        if seat.stack:
            do_transfer(account_for(AccountKind.TABLE, source.pk), account_for(AccountKind.TABLE, destination.pk),
                        seat.stack, Reason.TABLE_MOVE,
                        memo=f"table {source.pk} seat {seat.number} to table {destination.pk} seat {target.number}")
        _take_over(target, seat)
        number = seat.number
        empty(seat)
        cancel(sit_out_timer(source, number))
        cancel(grace_timer(source, number))
        _announce(user, source, number, destination, target)
        lobby_rows.mark(source)
        lobby_rows.mark(destination)
        if target.status == SeatStatus.SITTING_OUT:
            arm_sit_out_expiry(destination, target)
        arm_grace(destination, target)
        maybe_schedule_hand(source)
        maybe_schedule_hand(destination)
        return target


def _movable_seat(user: Any, source: Table, destination: Table) -> Seat:
    """The user's seat at ``source`` if they can move to ``destination`` now; CONFLICT otherwise."""
    for table in (source, destination):
        if table.status == TableStatus.CLOSED:
            raise errors.Conflict(f"Table {table.pk} is closed.")
    if source.kind != destination.kind:
        raise errors.Conflict("Players move only between tables of one kind.")
    seat = seat_of(source, user)
    if seat is None:
        raise errors.Conflict(f"The player has no seat at table {source.pk}.")
    hand = live_hand(source)
    if hand is not None and dealt_in(hand, seat):
        raise errors.Conflict(f"The player is in the hand in play at table {source.pk}; move them after it.")
    if seat_of(destination, user) is not None:
        raise errors.Conflict(f"The player already has a seat at table {destination.pk}.")
    return seat


def _take_over(target: Seat, seat: Seat) -> None:
    """``target`` as ``seat`` is now: the same player, stack and state, no blinds owed."""
    target.user = seat.user
    target.stack = seat.stack
    target.status = seat.status
    target.time_bank_left = seat.time_bank_left
    target.timeouts_in_row = seat.timeouts_in_row
    target.sat_out_at = seat.sat_out_at
    target.disconnected_at = seat.disconnected_at
    target.owes = engine.Post.NONE.value
    target.leaving = False
    target.save()


def _announce(user: Any, source: Table, number: int, destination: Table, target: Seat) -> None:
    stack, ref = target.stack, user_ref(user)
    emit("TABLE", source.pk, "TABLE_LEAVE", {"seat": number, "user": ref, "stack": stack,
                                             "to_table": str(destination.pk)})
    emit("PLAYER", user.pk, "TABLE_LEAVE", {"table_id": str(source.pk), "seat": number, "stack": stack,
                                            "to_table": str(destination.pk)})
    emit("TABLE", destination.pk, "TABLE_JOIN", {"seat": target.number, "user": ref, "stack": stack,
                                                 "from_table": str(source.pk)})
    emit("PLAYER", user.pk, "TABLE_JOIN", {"table_id": str(destination.pk), "seat": target.number,
                                           "stack": stack, "from_table": str(source.pk)})
    if target.status != SeatStatus.ACTIVE or target.disconnected_at is not None:
        # TABLE_JOIN seats a connected player in play: say what differs.
        announce_seat(destination, target, live_hand(destination))
