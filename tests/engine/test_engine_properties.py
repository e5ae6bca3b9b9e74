"""Random hands with random legal play: no crash, chips conserved, refusals inert."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from tables.engine import (
    ACTIONS,
    Hand,
    HandConfig,
    IllegalAction,
    NotYourTurn,
    Post,
    SeatEntry,
    commitment,
    verify_deck_proof,
)

from .helpers import ENGINE_SETTINGS, random_action, random_deck

HANDS_PER_EXAMPLE = 6
"""With the default 300 examples: 1800 random hands."""


@st.composite
def hand_configs(draw: st.DrawFn) -> HandConfig:
    """2-10 seats anywhere at the table, short and deep stacks, antes, posts."""
    numbers = sorted(draw(st.sets(st.integers(1, 10), min_size=2, max_size=10)))
    big = draw(st.sampled_from([2, 10, 100]))
    small = draw(st.sampled_from([big // 2, big]))
    stacks = st.one_of(st.integers(1, 3 * big), st.integers(1, 300 * big))
    button = draw(st.sampled_from(numbers))
    entries = []
    for seat in numbers:
        post = Post.NONE
        # out-of-position posts only where they are legal: not a blind, not heads-up
        if len(numbers) > 3 and 1 <= (numbers.index(seat) - numbers.index(button) - 3) \
                % len(numbers) < len(numbers) - 3:
            post = draw(st.sampled_from([Post.NONE, Post.NONE, Post.BIG_BLIND,
                                         Post.DEAD_SMALL_BLIND, Post.BOTH]))
        entries.append(SeatEntry(seat, draw(stacks), post))
    return HandConfig(seats=tuple(entries), button=button, small_blind=small, big_blind=big,
                      ante=draw(st.sampled_from([0, 0, 1, small])),
                      bb_ante=draw(st.booleans()),
                      muck_losing_hands=draw(st.booleans()))


def snapshot(hand: Hand) -> tuple[object, ...]:
    state = hand.state
    return (hand.to_act(), hand.stacks, hand.bets, len(hand.events), len(hand.actions),
            len(state.operations), tuple(state.stacks), tuple(state.bets),
            tuple(state.statuses), hand.legal_actions(), hand.min_raise_to())


def try_illegal(hand: Hand, rng: random.Random) -> None:
    """Throw a few random actions at the hand; every refused one changes nothing."""
    for _ in range(3):
        seat = rng.choice(list(hand.seats) + [11])
        action = rng.choice(ACTIONS + ('shove',))
        low = hand.min_raise_to() or 0
        high = hand.max_raise_to() or 0
        amount = rng.choice([None, -1, 0, low - 1, high + 1, rng.randint(0, 2 * high + 2)])
        if hand.can_act(seat, action, amount):
            continue
        before = snapshot(hand)
        try:
            hand.act(seat, action, amount)
        except (NotYourTurn, IllegalAction) as error:
            assert error.code in ('NOT_YOUR_TURN', 'ILLEGAL_ACTION')
        else:
            raise AssertionError(f'{seat} {action} {amount} was accepted')
        assert snapshot(hand) == before


def check_pots_match_pokerkit(hand: Hand) -> None:
    if hand.is_over:
        return
    ours = [(p.amount, p.seats) for p in hand.pots]
    theirs = [(p.amount, tuple(hand.seats[i] for i in p.player_indices))
              for p in hand.state.pots]
    assert ours == theirs


def check_finished(hand: Hand) -> None:
    config = hand.config
    start = {e.seat: e.stack for e in config.seats}
    assert sum(hand.stacks.values()) == sum(start.values())
    assert sum(hand.payoffs().values()) == 0
    won = {seat: 0 for seat in hand.seats}
    for w in hand.winnings():
        won[w.seat] += w.amount
    put = hand.contributions()
    assert sum(won.values()) == sum(put.values())
    for seat in hand.seats:
        assert hand.stacks[seat] == start[seat] - put[seat] + won[seat] >= 0
    end = hand.events[-1]
    assert end.type == 'HAND_END'
    assert sum(w['amount'] for w in end.data['winners']) == sum(put.values())
    for event in hand.events:
        if event.type == 'PLAYER_ACTION':
            assert event.data['stack'] >= 0 and event.data['amount'] >= 0
    # the proof opens the board and shown hands, never a mucked or unseen card
    proof = hand.deck_proof()
    assert verify_deck_proof(commitment(hand.deck), proof)
    revealed = {r['card'] for r in proof['reveals']}
    visible = set(hand.board) | {c for cards in hand.shown_cards().values() for c in cards}
    assert revealed == visible
    for seat in hand.mucked:
        assert revealed.isdisjoint(hand.hole_cards(seat))
    # deterministic replay from the compact form
    again = Hand.from_bytes(hand.to_bytes())
    assert again.events == hand.events


@ENGINE_SETTINGS
@given(configs=st.lists(hand_configs(), min_size=HANDS_PER_EXAMPLE,
                        max_size=HANDS_PER_EXAMPLE),
       seed=st.integers(0, 2 ** 32))
def test_random_hands_never_raise_conserve_chips_and_refuse_illegal_actions(
        configs: list[HandConfig], seed: int) -> None:
    rng = random.Random(seed)
    for config in configs:
        hand, _ = Hand.start(config, random_deck(rng))
        weights = rng.choice([None, {'fold': 0.2}, {'all_in': 3.0}, {'fold': 3.0}])
        while not hand.is_over:
            check_pots_match_pokerkit(hand)
            if rng.random() < 0.3:
                try_illegal(hand, rng)
            seat, action, amount = random_action(hand, rng, weights)
            assert hand.can_act(seat, action, amount)
            hand.act(seat, action, amount)
        check_finished(hand)


@ENGINE_SETTINGS
@given(config=hand_configs(), seed=st.integers(0, 2 ** 32))
def test_legal_actions_agree_with_pokerkit(config: HandConfig, seed: int) -> None:
    rng = random.Random(seed)
    hand, _ = Hand.start(config, random_deck(rng))
    while not hand.is_over:
        state = hand.state
        legal = hand.legal_actions()
        seat = hand.to_act()
        assert seat is not None
        assert ('fold' in legal) == (hand.to_call(seat) > 0)
        assert ('check' in legal or 'call' in legal) == state.can_check_or_call()
        raising = state.can_complete_bet_or_raise_to()
        assert ('bet' in legal or 'raise' in legal) == raising
        if raising:
            assert hand.can_act(seat, 'raise' if 'raise' in legal else 'bet',
                                hand.min_raise_to())
        hand.act(*random_action(hand, rng))
