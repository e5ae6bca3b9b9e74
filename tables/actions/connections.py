"""A seated player's connection: gone, back, gone past the grace period."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from pokerrt.accounts.models import user_ref
from pokerrt.realtime.streams import emit
from pokerrt.timers import cancel

from ..models import Seat, SeatStatus
from .base import grace_timer, held_seat, lock_table, locked_table, now, seat_of
from .dealing import arm_grace, sit_out


def do_player_disconnected(user: Any) -> None:
    """The user's last connection closed: tell each table they sit at."""
    with transaction.atomic():
        for table_id in Seat.objects.filter(user=user).values_list("table_id", flat=True).order_by("table_id"):
            table = lock_table(table_id)
            seat = seat_of(table, user)
            if seat is None or seat.disconnected_at is not None:
                continue
            seat.disconnected_at = now()
            seat.save(update_fields=["disconnected_at"])
            emit("TABLE", table.pk, "PLAYER_DISCONNECT", {"user": user_ref(user), "table_id": str(table.pk)})
            arm_grace(table, seat)


def do_player_reconnected(user: Any) -> None:
    """The user is back: tell each table where they were marked disconnected."""
    with transaction.atomic():
        for table_id in Seat.objects.filter(user=user, disconnected_at__isnull=False).values_list(
            "table_id", flat=True
        ).order_by("table_id"):
            table = lock_table(table_id)
            seat = seat_of(table, user)
            if seat is None or seat.disconnected_at is None:
                continue
            seat.disconnected_at = None
            seat.save(update_fields=["disconnected_at"])
            cancel(grace_timer(table, seat.number))
            emit("TABLE", table.pk, "PLAYER_RECONNECT", {"user": user_ref(user), "table_id": str(table.pk)})


def do_expire_grace(table_id: int, seat_number: int, user_id: int) -> None:
    """Gone longer than the grace period: sit the player out."""
    with locked_table(table_id) as table:
        seat = held_seat(table, seat_number, user_id)
        if seat is None or seat.disconnected_at is None or seat.status != SeatStatus.ACTIVE:
            return
        sit_out(table, seat)
