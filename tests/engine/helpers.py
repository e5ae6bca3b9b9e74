"""Helpers shared by the engine tests: decks in a chosen order, random play."""

from __future__ import annotations

import os
import random
from collections.abc import Sequence

from hypothesis import HealthCheck, settings

from tables.engine import CARDS, Deck, Hand, HandConfig, SeatEntry

EXAMPLES = int(os.environ.get('ENGINE_EXAMPLES', '300'))
"""Hypothesis examples per property (each example plays several hands)."""
ENGINE_SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                           suppress_health_check=[HealthCheck.too_slow])

SALTS = tuple(bytes([i]) * 16 for i in range(52))


def stacked_deck(*cards: str) -> Deck:
    """A deck whose first positions are ``cards``, the rest in a fixed order."""
    head = [c for text in cards for c in (text[i:i + 2] for i in range(0, len(text), 2))]
    rest = [c for c in CARDS if c not in head]
    return Deck(tuple(head + rest), SALTS)


def random_deck(rng: random.Random) -> Deck:
    """A deck shuffled by ``rng`` (reproducible, unlike the real shuffle)."""
    cards = list(CARDS)
    rng.shuffle(cards)
    return Deck(tuple(cards), SALTS)


def config(stacks: Sequence[int], button: int | None = None, sb: int = 1, bb: int = 2,
           **kwargs: object) -> HandConfig:
    """Seats 1..n with ``stacks``; the button on the last seat by default."""
    seats = tuple(SeatEntry(i + 1, s) for i, s in enumerate(stacks))
    return HandConfig(seats=seats, button=button or len(stacks), small_blind=sb,
                      big_blind=bb, **kwargs)  # type: ignore[arg-type]


def random_action(hand: Hand, rng: random.Random,
                  weights: dict[str, float] | None = None) -> tuple[int, str, int | None]:
    """A legal action for the seat to act, chosen by ``rng``."""
    seat = hand.to_act()
    assert seat is not None
    legal = hand.legal_actions()
    w = weights or {}
    action = rng.choices(legal, [w.get(a, 1.0) for a in legal])[0]
    amount = None
    if action in ('bet', 'raise'):
        low, high = hand.min_raise_to(), hand.max_raise_to()
        assert low is not None and high is not None
        amount = rng.choice([low, high, rng.randint(low, high)])
    return seat, action, amount


def play_random(hand: Hand, rng: random.Random,
                weights: dict[str, float] | None = None) -> None:
    """Play ``hand`` to the end with random legal actions."""
    while not hand.is_over:
        hand.act(*random_action(hand, rng, weights))


def split(text: str) -> list[str]:
    """``'AhKd'`` -> ``['Ah', 'Kd']``."""
    return [text[i:i + 2] for i in range(0, len(text), 2)]


def deck_for(holes: Sequence[str], board: str = '') -> Deck:
    """A deck dealing ``holes[i]`` to PokerKit index ``i`` and then ``board``.

    Burn cards and the rest come from the cards not named, in a fixed order.
    """
    n = len(holes)
    named = [c for h in holes for c in split(h)] + split(board)
    spare = iter(c for c in CARDS if c not in named)
    order: list[str] = [''] * (2 * n)
    for i, hole in enumerate(holes):
        first, second = split(hole)
        order[i], order[i + n] = first, second
    flop, turn, river = split(board)[:3], split(board)[3:4], split(board)[4:5]
    for street in (flop, turn, river):
        order.append(next(spare))
        order.extend(street or [next(spare) for _ in range(3 if street is flop else 1)])
    order.extend(spare)
    return Deck(tuple(order), SALTS)


NAMES = {seat: f'player{seat}' for seat in range(1, 11)}


def expected_public_actions(hand: Hand) -> list[str]:
    """The hand's betting, board and shown cards in PHH notation."""
    from pokerkit import (
        BoardDealing,
        CheckingOrCalling,
        CompletionBettingOrRaisingTo,
        Folding,
        HoleCardsShowingOrMucking,
    )
    actions = []
    for op in hand.state.operations:
        if isinstance(op, BoardDealing):
            actions.append('d db ' + ''.join(repr(c) for c in op.cards))
        elif isinstance(op, Folding):
            actions.append(f'p{op.player_index + 1} f')
        elif isinstance(op, CheckingOrCalling):
            actions.append(f'p{op.player_index + 1} cc')
        elif isinstance(op, CompletionBettingOrRaisingTo):
            actions.append(f'p{op.player_index + 1} cbr {op.amount}')
        elif isinstance(op, HoleCardsShowingOrMucking) and op.hole_cards:
            actions.append(f'p{op.player_index + 1} sm '
                           + ''.join(repr(c) for c in op.hole_cards))
    return actions


def round_trips(hand: Hand) -> bool:
    """Whether PokerKit 0.7.7's parser can read this hand's text (see history.py).

    It reads no antes, no dead or out-of-position posts and no dead button.
    """
    cfg = hand.config
    return (cfg.ante == 0 and not cfg.dead_small_blind and all(e.post.value == 'none' for e in cfg.seats)
            and cfg.button in hand.seats)


def check_pokerstars_round_trip(hand: Hand, viewer: int | None,
                                tournament: bool = False) -> None:
    """PokerStarsParser reads back the same players, actions and winnings."""
    import warnings

    from pokerkit import PokerStarsParser

    from tables.engine.history import HistoryInfo, TournamentInfo, pokerstars_text
    info = HistoryInfo(hand_id=1234, table_name='Alpha', names=NAMES,
                       tournament=TournamentInfo(99, 3) if tournament else None)
    text = pokerstars_text(hand, info, viewer)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        parsed = list(PokerStarsParser()(text, error_status=True))
    assert len(parsed) == 1, text
    history = parsed[0]
    assert history.players == [NAMES[s] for s in hand.seats], text
    # a hand mucked unseen reads back as shown "????": no cards either way
    actions = [a for a in history.actions
               if not a.startswith('d dh') and not a.endswith(' sm ????')]
    assert actions == expected_public_actions(hand), text
    won = {seat: 0 for seat in hand.seats}
    for w in hand.winnings():
        won[w.seat] += w.amount
    assert history.winnings == [won[s] for s in hand.seats], text
    dealt = [a for a in history.actions if a.startswith('d dh')]
    for i, seat in enumerate(hand.seats):
        line = f'd dh p{i + 1} ' + (''.join(hand.hole_cards(seat)) if seat == viewer
                                    else '????')
        assert line in dealt, text
