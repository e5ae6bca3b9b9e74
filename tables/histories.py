"""Hand histories of finished hands, built from the hand row by the engine."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model



from . import live
from .models import Hand


def pokerstars_text(hand: Hand, viewer_seat: int | None) -> str:
    """PokerStars text of ``hand`` as ``viewer_seat`` saw it (None: a spectator)."""
    from tables.engine import history

    dealt = live.engine_hand(hand)
    users: dict[int, Any] = get_user_model().objects.in_bulk([int(u) for u in hand.players.values()])
    names = {int(seat): users[user_id].get_username() for seat, user_id in hand.players.items()}
    return history.pokerstars_text(
        dealt,
        names=names,
        viewer_seat=viewer_seat,
        hand_id=hand.pk,
        table_name=hand.table.name,
        max_seats=hand.table.max_seats,
        started_at=hand.started_at,
    )
