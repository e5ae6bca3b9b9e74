"""What seats and hands both do to a table: ask for the next hand, sit a player out, stand one up.

Taking and leaving seats (``seats``, ``moves``) and playing hands (``hands``,
``settlement``) each need these; both import this module and neither imports
the other. What differs between cash and tournament tables is asked of the
table's seating policy (``tables.policies``).
"""

from __future__ import annotations

import datetime as dt

from pokerrt.accounts.models import user_ref
from pokerrt.hotpath import save_fields
from pokerrt.realtime.streams import emit, emit_many
from pokerrt.timers import cancel, schedule
from tables import engine

from .. import lobby_rows, snapshots
from ..models import Hand, Seat, SeatStatus, Table, TableStatus
from ..policies import policy_for
from .base import conf, grace_timer, live_hand, next_hand_timer, now, sit_out_timer


def maybe_schedule_hand(table: Table, delay: float | None = None, seats: list[Seat] | None = None) -> None:
    """Ask for the next hand if none is in play and two or more can be dealt in.

    ``seats``: the table's occupied seats as this transaction has left them,
    from a caller that just ended the hand (so none is in play) and holds
    them; otherwise both are read.
    """
    if table.status != TableStatus.OPEN:
        return
    policy = policy_for(table)
    if seats is None:
        if live_hand(table) is not None:
            return
        seats = dealable(table)
    sitting_out_too = policy.deals_in_sitting_out(table)
    if sum(1 for seat in seats if _dealable(seat, sitting_out_too)) < 2 or not policy.may_deal(table):
        return
    seconds = conf("HAND_INTERVAL_SECONDS") if delay is None else delay
    schedule(next_hand_timer(table), "tables.start_hand", now() + dt.timedelta(seconds=seconds),
             {"table_id": table.pk})


def dealable(table: Table) -> list[Seat]:
    statuses = [SeatStatus.ACTIVE]
    if policy_for(table).deals_in_sitting_out(table):
        statuses.append(SeatStatus.SITTING_OUT)
    return list(
        Seat.objects.filter(table=table, user__isnull=False, status__in=statuses,
                            stack__gt=0, leaving=False).order_by("number")
    )


def _dealable(seat: Seat, sitting_out_too: bool) -> bool:
    """What :func:`dealable` asks of a seat, asked of one in hand."""
    dealt_in = seat.status == SeatStatus.ACTIVE or (sitting_out_too and seat.status == SeatStatus.SITTING_OUT)
    return seat.user_id is not None and dealt_in and seat.stack > 0 and not seat.leaving


def announce_seat(table: Table, seat: Seat, hand: Hand | None) -> None:
    """Tell the table a seat's status, ``leaving`` or connection changed."""
    # ``table`` too: PROTOCOL.md names it in every TABLE_UPDATE.
    emit("TABLE", table.pk, "TABLE_UPDATE", {"table": snapshots.table_info(table),
                                             "seats": [snapshots.seat_info(seat, hand)]})


def sit_out(table: Table, seat: Seat) -> None:
    """Keep the seat out of the next hands; where the policy says so, only for a while."""
    seat.status = SeatStatus.SITTING_OUT
    seat.sat_out_at = now()
    seat.save(update_fields=["status", "sat_out_at"])
    lobby_rows.mark(table)
    arm_sit_out_expiry(table, seat)
    announce_seat(table, seat, live_hand(table))


def arm_sit_out_expiry(table: Table, seat: Seat) -> None:
    """Stand the seat's player up once they have sat out as long as the table's policy allows."""
    seconds = policy_for(table).sit_out_seconds(table)
    if seconds is None or seat.sat_out_at is None:
        return
    schedule(sit_out_timer(table, seat.number), "tables.sit_out_expired",
             seat.sat_out_at + dt.timedelta(seconds=seconds),
             {"table_id": table.pk, "seat": seat.number, "user_id": seat.user_id})


def arm_grace(table: Table, seat: Seat) -> None:
    """Sit the seat's player out unless they are back within the grace period."""
    if seat.disconnected_at is None:
        return
    schedule(grace_timer(table, seat.number), "tables.grace_expired",
             seat.disconnected_at + dt.timedelta(seconds=conf("DISCONNECT_GRACE_SECONDS")),
             {"table_id": table.pk, "seat": seat.number, "user_id": seat.user_id})


def empty(seat: Seat) -> None:
    """The seat as nobody sits in it (the row stays)."""
    seat.user = None
    seat.stack = 0
    seat.status = SeatStatus.EMPTY
    seat.leaving = False
    seat.sat_out_at = seat.disconnected_at = None
    seat.owes = engine.Post.NONE.value
    seat.timeouts_in_row = 0
    # What a bust at every other hand's end writes: only the fields above, SQL written once.
    save_fields(seat, "user", "stack", "status", "leaving", "sat_out_at", "disconnected_at", "owes", "timeouts_in_row")


def stand_up(table: Table, seat: Seat) -> None:
    """Take the seat's chips off the table as its policy says (cash: to the wallet) and empty it."""
    user, stack, number = seat.user, seat.stack, seat.number
    wallet = policy_for(table).stand_up(table, seat)
    empty(seat)
    lobby_rows.mark(table)
    cancel(sit_out_timer(table, number))
    private = {"table_id": str(table.pk), "seat": number, "stack": stack}
    if wallet is not None:
        private.update(balance=wallet.balance, change=wallet.change)
    emit_many([("TABLE", table.pk, "TABLE_LEAVE", {"seat": number, "user": user_ref(user), "stack": stack}),
               ("PLAYER", user.pk, "TABLE_LEAVE", private)])
