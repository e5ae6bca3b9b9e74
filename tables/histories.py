"""Hand histories of finished hands, built from the hand row by the engine."""

from __future__ import annotations

from tables.engine.history import HistoryInfo
from tables.engine.history import pokerstars_text as engine_pokerstars_text

from . import live
from .models import Hand
from .snapshots import users_by_id


def history_info(hand: Hand) -> HistoryInfo:
    users = users_by_id(hand.players.values())
    return HistoryInfo(
        hand_id=hand.pk,
        table_name=hand.table.name,
        names={int(seat): users[user_id].get_username() for seat, user_id in hand.players.items()},
        started_at=hand.started_at,
        max_seats=hand.table.max_seats,
    )


def pokerstars_text(hand: Hand, viewer_seat: int | None) -> str:
    """PokerStars text of ``hand`` as ``viewer_seat`` saw it (None: a spectator)."""
    return engine_pokerstars_text(live.engine_hand(hand), history_info(hand), viewer_seat)
