"""Rules of a hand, one test per rule, on hands dealt from stacked decks."""

from __future__ import annotations

import pytest

from tables.engine import Hand, HandConfig, IllegalAction, NotYourTurn, Post, SeatEntry

from .helpers import config, deck_for


def events_of(events: list, kind: str) -> list[dict]:  # type: ignore[type-arg]
    return [e.data for e in events if e.type == kind]


def test_heads_up_button_posts_small_blind_acts_first_preflop_and_last_after() -> None:
    # given seats 3 and 8, button on 8
    cfg = HandConfig(seats=(SeatEntry(3, 100), SeatEntry(8, 100)), button=8,
                     small_blind=1, big_blind=2)
    # when
    hand, events = Hand.start(cfg, deck_for(['AhKh', 'QsQd']))
    # then the button posts the small blind and acts first before the flop
    posts = [(d['seat'], d['action'], d['amount']) for d in events_of(events, 'PLAYER_ACTION')]
    assert posts == [(8, 'post_small_blind', 1), (3, 'post_big_blind', 2)]
    assert hand.to_act() == 8
    assert hand.to_call(8) == 1
    hand.act(8, 'call')
    assert hand.to_act() == 3
    hand.act(3, 'check')
    # and the big blind acts first after the flop
    assert hand.street == 'flop'
    assert hand.to_act() == 3
    hand.act(3, 'check')
    assert hand.to_act() == 8
    # hole cards went one at a time from the big blind (index 0)
    assert hand.hole_cards(3) == ['Ah', 'Kh'] and hand.hole_cards(8) == ['Qs', 'Qd']


def test_short_all_in_does_not_reopen_betting() -> None:
    # given A bets, B goes all in for less than a full raise, C calls
    hand, _ = Hand.start(config([1000, 1000, 130, 1000], button=4),
                         deck_for(['2c3d', '4h5s', '7c8d', '9hTs']))
    hand.act(3, 'call')
    hand.act(4, 'call')
    hand.act(1, 'call')
    hand.act(2, 'check')
    assert hand.street == 'flop'
    hand.act(1, 'bet', 100)          # seat 1 bets 100
    hand.act(2, 'call')
    hand.act(3, 'all_in')            # seat 3: 128 behind, a raise of 28 < 100
    assert hand.bets[3] == 128
    hand.act(4, 'call')
    # when the betting comes back to seat 1, who already acted
    assert hand.to_act() == 1
    # then seat 1 may call or fold but not raise
    assert hand.legal_actions() == ['fold', 'call']
    assert hand.min_raise_to() is None
    with pytest.raises(IllegalAction):
        hand.act(1, 'raise', 400)
    with pytest.raises(IllegalAction):
        hand.act(1, 'all_in')
    hand.act(1, 'call')
    hand.act(2, 'call')
    assert hand.street == 'turn'


def test_full_all_in_raise_reopens_betting() -> None:
    hand, _ = Hand.start(config([1000, 1000, 300, 1000], button=4),
                         deck_for(['2c3d', '4h5s', '7c8d', '9hTs']))
    hand.act(3, 'call')
    hand.act(4, 'call')
    hand.act(1, 'call')
    hand.act(2, 'check')
    hand.act(1, 'bet', 100)
    hand.act(2, 'call')
    hand.act(3, 'all_in')            # 298: a full raise of 198
    hand.act(4, 'call')
    assert 'raise' in hand.legal_actions()
    assert hand.min_raise_to() == 298 + 198


def test_three_all_ins_of_different_sizes_make_side_pots() -> None:
    # given stacks 50, 100, 200 and a deep fourth player; best hands from short to deep
    cfg = config([50, 100, 200, 1000], button=4)
    hand, _ = Hand.start(cfg, deck_for(['AsAd', 'KsKd', 'QsQd', '7h2c'], '3c4d8h9sJc'))
    # when all three go all in and the big stack calls
    hand.act(3, 'all_in')
    hand.act(4, 'call')
    hand.act(1, 'all_in')
    events = hand.act(2, 'all_in')
    # then: main pot 4 x 50, side 3 x 50, side 2 x 100
    assert hand.is_over
    end = events_of(events, 'HAND_END')[0]
    winners = sorted((w['pot'], w['seat'], w['amount']) for w in end['winners'])
    assert winners == [(0, 1, 200), (1, 2, 150), (2, 3, 200)]
    river = events_of(events, 'RIVER')[0]
    assert river['pots'] == [{'amount': 200, 'seats': [1, 2, 3, 4]},
                             {'amount': 150, 'seats': [2, 3, 4]},
                             {'amount': 200, 'seats': [3, 4]}]
    assert end['stacks'] == {'1': 200, '2': 150, '3': 200, '4': 800}
    # and every all-in hand is shown
    shown = events_of(events, 'SHOWDOWN')[0]
    assert sorted(h['seat'] for h in shown['hands']) == [1, 2, 3, 4]


def test_split_pot_odd_chip_goes_to_first_seat_left_of_button() -> None:
    # given a board that plays, an odd pot (ante 1 x 3 + 2 + 2 + 2 = 9)
    cfg = config([100, 100, 100], button=3, ante=1)
    hand, _ = Hand.start(cfg, deck_for(['2c3d', '2d3c', '4h5h'], 'AsKsQsJsTs'))
    hand.act(3, 'fold')
    hand.act(1, 'call')
    events = hand.act(2, 'check')
    for _ in range(3):
        hand.act(1, 'check')
        events = hand.act(2, 'check')
    # then the 6-chip pot splits 3/3 and an odd pot would favour seat 1
    end = events_of(events, 'HAND_END')[0]
    assert sorted((w['seat'], w['amount']) for w in end['winners']) == [(1, 4), (2, 3)]
    assert hand.payoffs() == {1: 1, 2: 0, 3: -1}


def test_uncalled_bet_is_returned() -> None:
    hand, _ = Hand.start(config([100, 100, 100]), deck_for(['2c3d', '4h5s', '7c8d']))
    hand.act(3, 'raise', 30)
    hand.act(1, 'fold')
    events = hand.act(2, 'call')
    hand.act(2, 'check')
    events = hand.act(3, 'all_in')
    events = hand.act(2, 'fold')
    uncalled = events_of(events, 'UNCALLED_BET')
    assert uncalled == [{'seat': 3, 'amount': 70, 'stack': 70}]
    end = events_of(events, 'HAND_END')[0]
    assert end['winners'] == [{'seat': 3, 'amount': 61, 'pot': 0}]
    assert hand.stacks == {1: 99, 2: 70, 3: 131}


def test_uncalled_part_of_an_all_in_is_returned_before_showdown() -> None:
    # given the button shoves 100 into a big blind of 40
    hand, _ = Hand.start(config([40, 100]), deck_for(['2c3d', '4h5s']))
    hand.act(2, 'all_in')
    # then the big blind cannot shove over it, only call
    assert hand.legal_actions() == ['fold', 'call', 'all_in']
    events = hand.act(1, 'call')
    assert events_of(events, 'UNCALLED_BET') == [{'seat': 2, 'amount': 60, 'stack': 60}]
    assert sum(hand.stacks.values()) == 140


def test_all_in_over_everyone_all_in_is_refused() -> None:
    hand, _ = Hand.start(config([100, 40]), deck_for(['2c3d', '4h5s']))
    hand.act(2, 'all_in')
    assert hand.legal_actions() == ['fold', 'call']
    with pytest.raises(IllegalAction, match='call instead'):
        hand.act(1, 'all_in')


def test_big_blind_ante() -> None:
    # given a big-blind ante of 2 at 1/2
    cfg = config([100, 100, 100, 100], button=4, ante=2, bb_ante=True)
    hand, events = Hand.start(cfg, deck_for(['2c3d', '4h5s', '7c8d', '9hTs']))
    # then only the big blind posts it, before the blind, as dead money
    posts = [(d['seat'], d['action'], d['amount']) for d in events_of(events, 'PLAYER_ACTION')]
    assert posts == [(2, 'post_ante', 2), (1, 'post_small_blind', 1), (2, 'post_big_blind', 2)]
    assert hand.stacks[2] == 96
    assert hand.to_call(3) == 2
    assert hand.min_raise_to() == 4
    assert hand.pot_total == 5


def test_big_blind_ante_short_stack_pays_blind_first() -> None:
    cfg = config([100, 3, 100], button=3, ante=2, bb_ante=True)
    hand, events = Hand.start(cfg, deck_for(['2c3d', '4h5s', '7c8d']))
    posts = [(d['seat'], d['action'], d['amount']) for d in events_of(events, 'PLAYER_ACTION')]
    assert posts == [(2, 'post_ante', 1), (1, 'post_small_blind', 1), (2, 'post_big_blind', 2)]


def test_everyone_folds_to_the_big_blind() -> None:
    hand, _ = Hand.start(config([100, 100, 100, 100], button=4),
                         deck_for(['2c3d', '4h5s', '7c8d', '9hTs']))
    hand.act(3, 'fold')
    hand.act(4, 'fold')
    events = hand.act(1, 'fold')
    assert hand.is_over
    assert [e.type for e in events] == ['PLAYER_ACTION', 'UNCALLED_BET', 'HAND_END']
    assert events_of(events, 'UNCALLED_BET') == [{'seat': 2, 'amount': 1, 'stack': 99}]
    assert events_of(events, 'HAND_END')[0]['winners'] == [{'seat': 2, 'amount': 2, 'pot': 0}]
    assert hand.stacks == {1: 99, 2: 101, 3: 100, 4: 100}
    assert hand.shown_cards() == {} and hand.board == []
    assert hand.deck_proof()['reveals'] == []


def test_last_aggressor_shows_first_and_losing_hands_are_mucked() -> None:
    # given seat 2 bets the river and seats 3 and 1 call; seat 3 has the best hand
    cfg = config([100, 100, 100], button=3)
    hand, _ = Hand.start(cfg, deck_for(['7h2c', 'KhKd', 'AsAd'], '3c4d8h9sJc'))
    hand.act(3, 'call')
    hand.act(1, 'call')
    hand.act(2, 'check')
    for _ in range(2):
        hand.act(1, 'check')
        hand.act(2, 'check')
        hand.act(3, 'check')
    hand.act(1, 'check')
    hand.act(2, 'bet', 10)
    hand.act(3, 'call')
    events = hand.act(1, 'call')
    # then seat 2 shows first, seat 3 shows a winner, seat 1 mucks
    showdown = events_of(events, 'SHOWDOWN')[0]
    assert [h['seat'] for h in showdown['hands']] == [2, 3]
    assert showdown['mucked'] == [1]
    assert showdown['hands'][1]['rank'] == 'a pair of Aces'
    # and the mucked cards never appear in the proof
    revealed = {r['card'] for r in hand.deck_proof()['reveals']}
    assert {'7h', '2c'}.isdisjoint(revealed)
    assert {'Kh', 'Kd', 'As', 'Ad'} <= revealed


def test_without_a_river_bet_first_seat_left_of_button_shows_first() -> None:
    cfg = config([100, 100, 100], button=3, muck_losing_hands=False)
    hand, _ = Hand.start(cfg, deck_for(['7h2c', 'KhKd', 'AsAd'], '3c4d8h9sJc'))
    hand.act(3, 'call')
    hand.act(1, 'call')
    hand.act(2, 'check')
    events: list = []  # type: ignore[type-arg]
    for _ in range(3):
        hand.act(1, 'check')
        hand.act(2, 'check')
        events = hand.act(3, 'check')
    showdown = events_of(events, 'SHOWDOWN')[0]
    # the policy flag shows losing hands too
    assert [h['seat'] for h in showdown['hands']] == [1, 2, 3]
    assert showdown['mucked'] == []


def test_illegal_actions_are_refused_without_changing_the_hand() -> None:
    hand, _ = Hand.start(config([100, 100, 100]), deck_for(['2c3d', '4h5s', '7c8d']))
    before = hand.to_bytes()
    with pytest.raises(NotYourTurn):
        hand.act(1, 'call')
    with pytest.raises(IllegalAction, match='check'):
        hand.act(3, 'check')
    with pytest.raises(IllegalAction, match='below the minimum'):
        hand.act(3, 'raise', 3)
    with pytest.raises(IllegalAction, match='above the maximum'):
        hand.act(3, 'raise', 101)
    with pytest.raises(IllegalAction, match='raise instead'):
        hand.act(3, 'bet', 10)
    with pytest.raises(IllegalAction):
        hand.act(3, 'raise')
    with pytest.raises(IllegalAction, match='unknown'):
        hand.act(3, 'shove')
    assert hand.to_bytes() == before
    assert hand.events[-1].type == 'DEAL_CARDS'
    hand.act(3, 'call')
    hand.act(1, 'call')
    with pytest.raises(IllegalAction, match='folding'):
        hand.act(2, 'fold')
    hand.act(2, 'check')
    with pytest.raises(IllegalAction, match='bet instead'):
        hand.act(1, 'raise', 10)
    with pytest.raises(IllegalAction, match='no bet to call'):
        hand.act(1, 'call')


def test_to_act_reports_bounds() -> None:
    hand, _ = Hand.start(config([100, 100, 50]), deck_for(['2c3d', '4h5s', '7c8d']))
    info = hand.to_act_info()
    assert info is not None
    assert info.to_dict() == {'seat': 3, 'to_call': 2, 'min_raise_to': 4, 'max_raise_to': 50}


def test_missed_blinds_are_made_up_live_and_dead() -> None:
    # given seat 4 returns owing both blinds, seat 5 owes the small blind
    seats = (SeatEntry(1, 100), SeatEntry(2, 100), SeatEntry(3, 100),
             SeatEntry(4, 100, Post.BOTH), SeatEntry(5, 100, Post.DEAD_SMALL_BLIND),
             SeatEntry(6, 100))
    cfg = HandConfig(seats=seats, button=6, small_blind=1, big_blind=2)
    hand, events = Hand.start(cfg, deck_for(['2c3d', '4h5s', '7c8d', '9hTs', 'JcQd', 'KcAd']))
    posts = [(d['seat'], d['action'], d['amount'], d.get('dead', False))
             for d in events_of(events, 'PLAYER_ACTION')]
    assert posts == [(4, 'post_small_blind', 1, True), (5, 'post_small_blind', 1, True),
                     (1, 'post_small_blind', 1, False), (2, 'post_big_blind', 2, False),
                     (4, 'post_big_blind', 2, False)]
    # the live post counts: seat 3 acts first, seat 4 can check its option
    assert hand.to_act() == 3
    hand.act(3, 'call')
    assert hand.to_act() == 4 and hand.to_call(4) == 0
    hand.act(4, 'check')
    assert hand.to_call(5) == 2
    assert hand.pot_total == 1 + 1 + 1 + 2 + 2 + 2  # two dead, blinds, post, call


def test_dead_small_blind_hand_has_big_blind_first() -> None:
    cfg = HandConfig(seats=(SeatEntry(3, 100), SeatEntry(5, 100), SeatEntry(7, 100)),
                     button=2, small_blind=1, big_blind=2, dead_small_blind=True)
    hand, events = Hand.start(cfg, deck_for(['2c3d', '4h5s', '7c8d']))
    posts = [(d['seat'], d['action']) for d in events_of(events, 'PLAYER_ACTION')]
    assert posts == [(3, 'post_big_blind')]
    assert hand.to_act() == 5
    hand.act(5, 'call')
    hand.act(7, 'call')
    hand.act(3, 'check')
    assert hand.to_act() == 3  # first after the (dead) button on the flop


def test_blind_all_in_for_less_than_the_blind() -> None:
    # PokerKit's rule: the others call the short blind; a raise is a full blind more
    hand, events = Hand.start(config([100, 1, 100]), deck_for(['2c3d', '4h5s', '7c8d']))
    assert [d['amount'] for d in events_of(events, 'PLAYER_ACTION')] == [1, 1]
    assert hand.to_call(3) == 1 and hand.min_raise_to() == 3
    hand.act(3, 'call')
    events = hand.act(1, 'check')
    assert hand.street == 'flop'
    assert hand.to_act() == 1
