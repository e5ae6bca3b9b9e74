"""Table rules: the dead button, who posts, missed blinds, sitting out."""

from __future__ import annotations

import random

from tables.engine import Hand, Post, shuffled_deck
from tables.engine.rules import (
    Positions,
    TableSeat,
    blind_posters,
    next_button,
    next_positions,
    plan_hand,
)


def test_first_hand_button_then_blinds_clockwise() -> None:
    plan = plan_hand([TableSeat(2, 100), TableSeat(5, 100), TableSeat(9, 100)], None)
    assert plan is not None
    assert plan.positions == Positions(2, 5, 9)
    assert blind_posters(plan) == {'small_blind': 5, 'big_blind': 9}


def test_button_moves_one_seat_each_hand() -> None:
    seats = [TableSeat(s, 100) for s in (1, 2, 3, 4)]
    positions = Positions(1, 2, 3)
    assert next_positions(positions, [1, 2, 3, 4]) == Positions(2, 3, 4)
    assert next_button(Positions(2, 3, 4), [1, 2, 3, 4]) == 3
    plan = plan_hand(seats, Positions(3, 4, 1))
    assert plan is not None and plan.positions == Positions(4, 1, 2)


def test_dead_button_after_a_bust() -> None:
    # given button 1, small blind 3, big blind 5; the small blind (seat 3) busts
    previous = Positions(1, 3, 5)
    seats = [TableSeat(1, 100), TableSeat(5, 100), TableSeat(7, 100), TableSeat(9, 100)]
    # when the next hand is planned
    plan = plan_hand(seats, previous)
    # then the big blind moves on to 7, 5 posts the small blind, the button is dead on 3
    assert plan is not None
    assert plan.positions == Positions(3, 5, 7)
    assert plan.small_blind_seat == 5 and plan.big_blind_seat == 7
    config = plan.hand_config(seats, 1, 2)
    assert config.button == 3 and config.order() == (5, 7, 9, 1)
    hand, events = Hand.start(config, shuffled_deck())
    posts = [(e.data['seat'], e.data['action']) for e in events if e.type == 'PLAYER_ACTION']
    assert posts == [(5, 'post_small_blind'), (7, 'post_big_blind')]
    assert hand.to_act() == 9


def test_dead_small_blind_when_the_big_blind_busts() -> None:
    # given button 1, small blind 3, big blind 5; seat 5 (the big blind) busts
    previous = Positions(1, 3, 5)
    seats = [TableSeat(1, 100), TableSeat(3, 100), TableSeat(7, 100), TableSeat(9, 100)]
    plan = plan_hand(seats, previous)
    # then nobody skips the big blind: 7 posts it, the small blind (seat 5) is dead
    assert plan is not None
    assert plan.positions == Positions(3, 5, 7)
    assert plan.small_blind_seat is None
    config = plan.hand_config(seats, 1, 2)
    assert config.dead_small_blind
    hand, events = Hand.start(config, shuffled_deck())
    posts = [(e.data['seat'], e.data['action']) for e in events if e.type == 'PLAYER_ACTION']
    assert posts == [(7, 'post_big_blind')]
    assert hand.to_act() == 9


def test_heads_up_button_posts_small_blind_and_big_blind_alternates() -> None:
    seats = [TableSeat(2, 100), TableSeat(6, 100)]
    first = plan_hand(seats, None)
    assert first is not None
    assert first.positions == Positions(2, 2, 6)
    second = plan_hand(seats, first.positions)
    assert second is not None and second.positions == Positions(6, 6, 2)


def test_going_heads_up_nobody_posts_the_big_blind_twice() -> None:
    # seats 1, 4, 7; button 1, small blind 4, big blind 7; seat 1 busts
    plan = plan_hand([TableSeat(4, 100), TableSeat(7, 100)], Positions(1, 4, 7))
    assert plan is not None
    assert plan.big_blind_seat == 4 and plan.positions.button == 7


def test_sitting_out_players_are_skipped_and_miss_blinds() -> None:
    previous = Positions(1, 2, 3)
    seats = [TableSeat(1, 100), TableSeat(2, 100), TableSeat(3, 100),
             TableSeat(4, 100, sitting_out=True), TableSeat(5, 100), TableSeat(6, 100)]
    plan = plan_hand(seats, previous)
    assert plan is not None
    # the big blind skips seat 4, who now owes both blinds
    assert plan.positions == Positions(2, 3, 5)
    assert 4 not in plan.dealt_in
    assert plan.owes == {4: Post.BOTH}


def test_returning_player_posts_or_waits_for_the_big_blind() -> None:
    previous = Positions(2, 3, 4)
    back = [TableSeat(1, 100), TableSeat(2, 100), TableSeat(3, 100),
            TableSeat(4, 100), TableSeat(5, 100), TableSeat(6, 100, owes=Post.BOTH)]
    plan = plan_hand(back, previous)
    assert plan is not None
    assert plan.positions == Positions(3, 4, 5)
    assert plan.posts == {6: Post.BOTH} and 6 in plan.dealt_in and plan.owes == {}
    config = plan.hand_config(back, 1, 2)
    hand, events = Hand.start(config, shuffled_deck())
    posts = [(e.data['seat'], e.data['action']) for e in events if e.type == 'PLAYER_ACTION']
    assert (6, 'post_big_blind') in posts and (6, 'post_small_blind') in posts
    assert hand.to_act() == 6 and hand.to_call(6) == 0
    waiting = [s if s.seat != 6 else TableSeat(6, 100, owes=Post.BOTH,
                                                waits_for_big_blind=True) for s in back]
    plan = plan_hand(waiting, previous)
    assert plan is not None
    assert 6 not in plan.dealt_in and plan.owes == {6: Post.BOTH}


def test_returning_between_button_and_small_blind_waits() -> None:
    back = [TableSeat(s, 100) for s in (1, 2, 3, 5, 6)] + [TableSeat(4, 100, owes=Post.BOTH)]
    plan = plan_hand(back, Positions(2, 3, 5))
    assert plan is not None
    assert plan.positions == Positions(3, 5, 6)
    assert 4 not in plan.dealt_in and plan.owes == {4: Post.BOTH}


def test_missed_big_blind_cleared_by_taking_the_big_blind() -> None:
    seats = [TableSeat(1, 100), TableSeat(2, 100), TableSeat(3, 100),
             TableSeat(4, 100, owes=Post.BOTH, waits_for_big_blind=True)]
    plan = plan_hand(seats, Positions(1, 2, 3))
    assert plan is not None
    assert plan.big_blind_seat == 4 and 4 in plan.dealt_in and plan.posts == {}
    assert plan.owes == {}


def test_newcomer_between_button_and_small_blind_waits() -> None:
    seats = [TableSeat(1, 100), TableSeat(3, 100), TableSeat(5, 100), TableSeat(7, 100),
             TableSeat(4, 100)]
    plan = plan_hand(seats, Positions(1, 3, 5))
    assert plan is not None
    assert plan.positions == Positions(3, 5, 7)
    assert 4 not in plan.dealt_in


def test_not_enough_players() -> None:
    assert plan_hand([TableSeat(1, 100), TableSeat(2, 0)], None) is None
    assert plan_hand([TableSeat(1, 100), TableSeat(2, 100, sitting_out=True)], None) is None


def test_every_plan_is_a_hand_the_engine_can_deal() -> None:
    """Any mix of sitting out, busted, owing and waiting seats gives a dealable hand.

    Found by this test: a small blind who owed posted twice, and players
    waiting for the big blind could leave a heads-up hand with a dead button.
    """
    rng = random.Random(2026)
    debts = [Post.NONE] * 3 + [Post.BOTH, Post.DEAD_SMALL_BLIND, Post.BIG_BLIND]
    planned = 0
    for _ in range(5000):
        numbers = sorted(rng.sample(range(1, 10), rng.randint(2, 9)))
        seats = [TableSeat(n, rng.choice([0, 100, 100, 100]), sitting_out=rng.random() < 0.25,
                           owes=rng.choice(debts), waits_for_big_blind=rng.random() < 0.3)
                 for n in numbers]
        previous = Positions(*rng.sample(range(1, 10), 3)) if rng.random() < 0.8 else None
        plan = plan_hand(seats, previous)
        if plan is None:
            continue
        hand, _ = Hand.start(plan.hand_config(seats, 5, 10), shuffled_deck())
        assert hand.to_act() in plan.dealt_in
        planned += 1
    assert planned > 2000
