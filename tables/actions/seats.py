"""Players taking and leaving seats: join, leave, sit out, sit in, and sitting out too long."""

from __future__ import annotations

from typing import Any

from pokerrt import errors
from pokerrt.accounts.models import user_ref
from pokerrt.realtime.streams import emit
from pokerrt.timers import cancel
from tables import engine

from .. import lobby_rows
from ..models import Hand, Seat, SeatStatus, Table, TableStatus
from ..policies import policy_for
from .base import dealt_in, held_seat, live_hand, locked_table, own_seat, seat_of, sit_out_timer
from .dealing import announce_seat, maybe_schedule_hand, sit_out, stand_up


def do_join_table(user: Any, table_id: int | str, buy_in: int, seat_number: int | None = None) -> Seat:
    """Sit ``user`` down with ``buy_in`` chips, brought in as the table's policy says (cash: the wallet)."""
    with locked_table(table_id) as table:
        policy = policy_for(table)
        if table.status != TableStatus.OPEN:
            raise errors.Conflict("The table is not open.")
        if seat_of(table, user) is not None:
            raise errors.Conflict("You already have a seat at this table.")
        policy.check_buy_in(table, buy_in)
        seat = free_seat(table, seat_number)
        wallet = policy.buy_in(table, seat, user, buy_in)
        seat.user = user
        seat.stack = buy_in
        seat.status = SeatStatus.ACTIVE
        seat.time_bank_left = table.time_bank_seconds
        seat.owes = engine.Post.NONE.value
        seat.timeouts_in_row = 0
        seat.leaving = False
        seat.sat_out_at = None
        seat.disconnected_at = None
        seat.save()
        lobby_rows.mark(table)
        emit("TABLE", table.pk, "TABLE_JOIN", {"seat": seat.number, "user": user_ref(user), "stack": buy_in})
        private = {"table_id": str(table.pk), "seat": seat.number, "stack": buy_in}
        if wallet is not None:
            private.update(balance=wallet.balance, change=wallet.change)
        emit("PLAYER", user.pk, "TABLE_JOIN", private)
        maybe_schedule_hand(table)
        return seat


def free_seat(table: Table, number: int | None) -> Seat:
    """Seat ``number``, or the first free one; VALIDATION or CONFLICT when there is none to take."""
    seats = Seat.objects.select_for_update().filter(table=table)
    if number is not None:
        if not 1 <= number <= table.max_seats:
            raise errors.Validation(details={"seat": [f"Seats are 1 to {table.max_seats}."]})
        seat = seats.filter(number=number).first()
        if seat is None or seat.user_id is not None:
            raise errors.Conflict(f"Seat {number} is taken.")
        return seat
    seat = seats.filter(user__isnull=True).order_by("number").first()
    if seat is None:
        raise errors.Conflict("The table is full.")
    return seat


def do_leave_table(user: Any, table_id: int | str) -> Seat:
    """Stand up now, or when the hand in play ends if the player is in it."""
    with locked_table(table_id) as table:
        seat = own_seat(table, user)
        policy_for(table).check_leave(table, seat)
        hand = live_hand(table)
        if hand is not None and dealt_in(hand, seat):
            _leave_after(hand, table, seat)
            return seat
        stand_up(table, seat)
        maybe_schedule_hand(table)
        return seat


def _leave_after(hand: Hand, table: Table, seat: Seat) -> None:
    """Stand the seat's player up when ``hand`` ends, and tell the table now."""
    seat.leaving = True
    seat.save(update_fields=["leaving"])
    announce_seat(table, seat, hand)


def do_sit_out(user: Any, table_id: int | str) -> Seat:
    """Keep the seat but be dealt no more hands (from the next one)."""
    with locked_table(table_id) as table:
        seat = own_seat(table, user)
        if seat.status != SeatStatus.SITTING_OUT:
            sit_out(table, seat)
        return seat


def do_sit_in(user: Any, table_id: int | str) -> Seat:
    """Be dealt in again from the next hand (missed blinds are made up then)."""
    with locked_table(table_id) as table:
        seat = own_seat(table, user)
        if seat.stack == 0:
            raise errors.Conflict("You have no chips; leave and buy in again.")
        if seat.status == SeatStatus.ACTIVE:
            return seat
        seat.status = SeatStatus.ACTIVE
        seat.sat_out_at = None
        seat.timeouts_in_row = 0
        seat.save(update_fields=["status", "sat_out_at", "timeouts_in_row"])
        lobby_rows.mark(table)
        cancel(sit_out_timer(table, seat.number))
        announce_seat(table, seat, live_hand(table))
        maybe_schedule_hand(table)
        return seat


def do_expire_sit_out(table_id: int, seat_number: int, user_id: int) -> None:
    """A player sat out as long as the table's policy allows: stand them up (after the hand, if in one)."""
    with locked_table(table_id) as table:
        seat = held_seat(table, seat_number, user_id)
        if seat is None or seat.status != SeatStatus.SITTING_OUT:
            return
        hand = live_hand(table)
        if hand is not None and dealt_in(hand, seat):
            _leave_after(hand, table, seat)
            return
        stand_up(table, seat)
