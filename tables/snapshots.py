"""The public state of TABLE streams, and the private seats of a PLAYER stream.

Everything returned for a TABLE stream is the same for every subscriber: no
hole card is ever read here except in :func:`player_seats`, which serves the
owner's own PLAYER stream.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pokerrt.accounts.models import user_ref
from pokerrt.realtime.envelope import format_timestamp
from tables import engine

from . import live
from .models import Hand, HandStatus, Seat, SeatStatus, Table, TableStatus


def table_info(table: Table) -> dict[str, Any]:
    return {
        "id": str(table.pk), "name": table.name, "kind": table.kind, "lobby_id": str(table.lobby_id),
        "max_seats": table.max_seats, "small_blind": table.small_blind, "big_blind": table.big_blind,
        "ante": table.ante, "min_buy_in": table.min_buy_in, "max_buy_in": table.max_buy_in,
        "action_seconds": table.action_seconds, "time_bank_seconds": table.time_bank_seconds,
        "status": table.status,
    }


def seat_info(seat: Seat, hand: Hand | None, dealt: engine.Hand | None = None) -> dict[str, Any]:
    """One seat as every subscriber sees it; live stack and bet during a hand."""
    stack, bet, in_hand = seat.stack, 0, False
    if hand is not None and seat.user_id is not None and hand.players.get(str(seat.number)) == seat.user_id:
        dealt = dealt or live.engine_hand(hand)
        stack = dealt.stacks[seat.number]
        bet = dealt.bets[seat.number]
        in_hand = seat.number in dealt.active_seats
    return {
        "seat": seat.number,
        "user": user_ref(seat.user) if seat.user_id else None,
        "stack": stack,
        "status": seat.status if seat.user_id else SeatStatus.EMPTY,
        "bet": bet,
        "in_hand": in_hand,
        "disconnected": seat.disconnected_at is not None,
        "leaving": seat.leaving,
    }


def turn(dealt: engine.Hand) -> int:
    """The number of the decision the hand waits for: ``to_act.turn`` of PROTOCOL.md.

    Decisions taken are the hand's action log, so the number survives a
    restart and a rebuilt cache; blinds and antes are not decisions.
    """
    return len(dealt.actions) + 1


def to_act(dealt: engine.Hand, hand: Hand, deadline: dt.datetime | None) -> dict[str, Any] | None:
    """``to_act`` of PROTOCOL.md: who acts, their bounds, the actions open to them, their deadline."""
    info = dealt.to_act_info()
    if info is None:
        return None
    return {
        "seat": info.seat,
        "user": live.player_refs(hand)[info.seat],
        "to_call": info.to_call,
        "min_raise_to": info.min_raise_to,
        "max_raise_to": info.max_raise_to,
        # Tells a client whether its raise is a "bet" or a "raise" (the big
        # blind's option preflop: nothing to call, yet a bet stands).
        "legal": dealt.legal_actions(),
        "deadline": format_timestamp(deadline) if deadline else None,
        "turn": turn(dealt),
    }


# The events of a batch (an action, then a street dealt) that can carry
# ``to_act``; only the batch's last one does.
CARRY_TO_ACT = ("PLAYER_ACTION", "DEAL_CARDS", "FLOP", "TURN", "RIVER")


def awaited_user(event_type: str, data: dict[str, Any]) -> str | None:
    """The user a TABLE event asks for a decision (the realtime core's rate-limit hook).

    Each decision is asked for once, by the last event of its batch:
    ``HAND_START`` shows the first decision before its batch asks for it, and
    the time bank's ``TABLE_UPDATE`` re-announces one already asked for.
    """
    to_act = data.get("to_act") if event_type in CARRY_TO_ACT else None
    return to_act["user"]["id"] if to_act else None


def hand_info(hand: Hand, dealt: engine.Hand) -> dict[str, Any]:
    return {
        "hand_id": str(hand.pk),
        "hand_no": hand.number,
        "button": hand.button,
        "street": str(dealt.street),
        "board": dealt.board,
        "pots": [p.to_dict() for p in dealt.pots],
        "to_act": to_act(dealt, hand, hand.action_deadline),
        "deck_commitment": hand.commitment,
    }


def table_snapshot(table_id: str, user: Any = None) -> dict[str, Any]:
    """The whole public state of a table (PROTOCOL.md section 6, Table)."""
    table = Table.objects.get(pk=int(table_id))
    hand = Hand.objects.filter(table=table, status=HandStatus.LIVE).first()
    dealt = live.engine_hand(hand) if hand is not None else None
    seats = Seat.objects.filter(table=table).select_related("user").order_by("number")
    return {
        "table": table_info(table),
        "seats": [seat_info(seat, hand, dealt) for seat in seats],
        "hand": hand_info(hand, dealt) if hand is not None and dealt is not None else None,
    }


def table_exists(table_id: str) -> bool:
    return table_id.isdigit() and Table.objects.filter(pk=int(table_id)).exclude(status=TableStatus.CLOSED).exists()


def player_seats(user: Any) -> list[dict[str, Any]]:
    """The user's seats for their own PLAYER stream, with their cards in the hand in play.

    Stacks and seat status live on the TABLE streams; this section holds what
    only the owner may see, kept current by the owner's PLAYER events
    (TABLE_JOIN, TABLE_LEAVE, DEAL_CARDS, HAND_END).
    """
    result = []
    for seat in Seat.objects.filter(user=user).order_by("table_id"):
        hand = Hand.objects.filter(table_id=seat.table_id, status=HandStatus.LIVE).first()
        entry: dict[str, Any] = {"table_id": str(seat.table_id), "seat": seat.number, "hand_id": None, "cards": []}
        if hand is not None and hand.players.get(str(seat.number)) == user.pk:
            entry["hand_id"] = str(hand.pk)
            entry["cards"] = live.engine_hand(hand).hole_cards(seat.number)
        result.append(entry)
    return result
