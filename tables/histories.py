"""Hand histories of finished hands, built from the hand row by the engine."""

from __future__ import annotations

from tables.engine.history import HistoryInfo
from tables.engine.history import pokerstars_text as engine_pokerstars_text

from . import live
from .models import Hand


def history_info(hand: Hand) -> HistoryInfo:
    return HistoryInfo(
        hand_id=hand.pk,
        table_name=hand.table.name,
        names={seat: ref["username"] for seat, ref in live.player_refs(hand).items()},
        started_at=hand.started_at,
        max_seats=hand.table.max_seats,
    )


def pokerstars_text(hand: Hand, viewer_seat: int | None) -> str:
    """PokerStars text of ``hand`` as ``viewer_seat`` saw it (None: a spectator)."""
    return engine_pokerstars_text(live.engine_hand(hand), history_info(hand), viewer_seat)
