"""The privacy rule of PROTOCOL.md, as a check over everything a viewer received.

A hole card may appear in what a viewer received about a hand only once the
rules showed it to the table (SHOWDOWN, then HAND_END's proof), and cards
that were folded or mucked never. The viewer's own cards are theirs to see.
Hole cards and board cards are different cards, so any mention of a hidden
hole card's name is a leak.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from tables import live
from tables.models import Hand


def hidden_cards(hand: Hand, viewer_seat: int | None) -> tuple[set[str], set[str]]:
    """(cards hidden until showdown, cards hidden for ever) of ``hand`` for a viewer."""
    dealt = live.engine_hand(hand)
    shown = {card for cards in dealt.shown_cards().values() for card in cards}
    until_showdown, forever = set(), set()
    for seat in dealt.seats:
        if seat == viewer_seat:
            continue
        for card in dealt.hole_cards(seat):
            (until_showdown if card in shown else forever).add(card)
    return until_showdown, forever


def mentioned(frame: Any, cards: Iterable[str]) -> set[str]:
    text = frame if isinstance(frame, str) else json.dumps(frame)
    return {card for card in cards if f'"{card}"' in text}


def assert_no_leak(hand: Hand, viewer_seat: int | None, frames: list[Any], label: str,
                   *, after_showdown: bool = False) -> None:
    """``frames``: what the viewer received about ``hand``, in order.

    ``after_showdown``: the frames describe the hand after its end (a history).
    """
    until_showdown, forever = hidden_cards(hand, viewer_seat)
    showdown_seen = after_showdown
    for frame in frames:
        leaked = mentioned(frame, forever)
        assert not leaked, f"{label}: folded or mucked cards {leaked} in {str(frame)[:300]}"
        frame_type = frame.get("type") if isinstance(frame, dict) else None
        if frame_type == "SHOWDOWN":
            showdown_seen = True
        if not showdown_seen:
            leaked = mentioned(frame, until_showdown)
            assert not leaked, f"{label}: cards {leaked} before the showdown in {str(frame)[:300]}"
