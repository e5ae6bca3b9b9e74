"""Django-free hand engine: PokerKit driven seat by seat, with a fair deck.

The table layer builds a :class:`HandConfig`, shuffles a :class:`Deck`
and calls :meth:`Hand.start`; then :meth:`Hand.act` for each betting
action, broadcasting the :class:`HandEvent` s it returns. Nothing here
imports Django. See docs/engine.md.
"""

from tables.engine.config import MAX_SEATS, HandConfig, Post, SeatEntry
from tables.engine.deck import (
    CARDS,
    Deck,
    commitment,
    deck_proof,
    shuffled_deck,
    verify_deck_proof,
)
from tables.engine.errors import EngineError, IllegalAction, NotYourTurn
from tables.engine.evaluator import PhevaluatorHighHand, describe
from tables.engine.hand import (
    ACTIONS,
    Action,
    Hand,
    HandEvent,
    Pot,
    Street,
    ToAct,
    Winning,
    deal_positions,
)
from tables.engine.history import HistoryInfo, TournamentInfo, phh, pokerstars_text
from tables.engine.rules import (
    BlindPlan,
    Positions,
    TableSeat,
    blind_posters,
    next_button,
    next_positions,
    plan_hand,
)

__all__ = [
    'ACTIONS', 'CARDS', 'MAX_SEATS', 'Action', 'BlindPlan', 'Deck', 'EngineError', 'Hand',
    'HandConfig', 'HandEvent', 'HistoryInfo', 'IllegalAction', 'NotYourTurn',
    'PhevaluatorHighHand', 'Positions', 'Post', 'Pot', 'SeatEntry', 'Street', 'TableSeat',
    'ToAct', 'TournamentInfo', 'Winning', 'blind_posters', 'commitment', 'deal_positions',
    'deck_proof', 'describe', 'next_button', 'next_positions', 'phh', 'plan_hand',
    'pokerstars_text', 'shuffled_deck', 'verify_deck_proof',
]
