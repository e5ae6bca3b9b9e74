"""Hands dealt from a deck the test lays out, so their outcome is exact.

The table shuffles with ``tables.engine.shuffled_deck``; :func:`deal_next` replaces
it for one test with a deck built from the hole cards each seat should get and
the board, in the dealing order of PROTOCOL.md section 8 (hole cards one at a
time clockwise from the first seat after the button, twice round; then burn,
flop, burn, turn, burn, river).
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from tables import engine
from tables.engine import CARDS, Deck

SALTS = tuple(bytes([i]) * 16 for i in range(52))


def cards_of(text: str) -> list[str]:
    """``"AsKd"`` -> ``["As", "Kd"]``."""
    return [text[i:i + 2] for i in range(0, len(text), 2)]


def dealing_order(seats: Iterable[int], button: int) -> list[int]:
    """The dealt seats clockwise from the first one after the button."""
    return sorted(seats, key=lambda seat: (seat <= button, seat))


def laid_out_deck(holes: dict[int, str], board: str, button: int) -> Deck:
    """A deck dealing ``holes`` (seat -> "AsAh") and ``board`` ("2c7d9h4s3d") at a table."""
    order = dealing_order(holes, button)
    hole_rounds = [cards_of(holes[seat])[round_] for round_ in (0, 1) for seat in order]
    flop, turn, river = cards_of(board)[:3], cards_of(board)[3:4], cards_of(board)[4:5]
    named = set(hole_rounds + flop + turn + river)
    assert len(named) == len(hole_rounds) + len(flop) + len(turn) + len(river), "a card is laid out twice"
    spare = iter(card for card in CARDS if card not in named)
    head = [*hole_rounds, next(spare), *flop, next(spare), *turn, next(spare), *river]
    return Deck(tuple(head + list(spare)), SALTS)


def deal_next(monkeypatch: pytest.MonkeyPatch, holes: dict[int, str], board: str, button: int) -> Deck:
    """Make every hand dealt from now on use this deck; returns it."""
    deck = laid_out_deck(holes, board, button)
    monkeypatch.setattr(engine, "shuffled_deck", lambda: deck)
    return deck
