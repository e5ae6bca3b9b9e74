"""Hand histories: PokerStars text PokerKit reads back, and PHH."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from pokerkit import HandHistory

from tables.engine import Hand, HandConfig, SeatEntry
from tables.engine.history import HistoryInfo, TournamentInfo, phh, pokerstars_text

from .helpers import (
    NAMES,
    check_pokerstars_round_trip,
    config,
    deck_for,
    play_random,
    random_deck,
    round_trips,
)

INFO = HistoryInfo(hand_id=42, table_name='Alpha', names=NAMES,
                   started_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), max_seats=6)


def showdown_hand() -> Hand:
    hand, _ = Hand.start(config([100, 100, 100], button=3),
                         deck_for(['7h2c', 'KhKd', 'AsAd'], '3c4d8h9sJc'))
    for step in [(3, 'call'), (1, 'call'), (2, 'check')] + \
            [(1, 'check'), (2, 'check'), (3, 'check')] * 2 + \
            [(1, 'check'), (2, 'bet', 10), (3, 'call'), (1, 'call')]:
        hand.act(*step)  # type: ignore[arg-type]
    return hand


def test_pokerstars_text_for_one_viewer() -> None:
    text = pokerstars_text(showdown_hand(), INFO, viewer_seat=2)
    assert text.startswith("PokerStars Hand #42:  Hold'em No Limit (1/2) - "
                           "2026/01/02 03:04:05 UTC\nTable 'Alpha' 6-max Seat #3 is the button")
    assert 'Dealt to player2 [Kh Kd]' in text
    assert 'player2: shows [Kh Kd] (a pair of Kings)' in text
    assert 'player1: mucks hand' in text
    # the mucked hand never appears
    assert '7h' not in text and '2c' not in text
    assert 'Seat 3: player3 collected (36)' in text


def test_scripted_hand_reads_back_for_every_viewer() -> None:
    hand = showdown_hand()
    for viewer in (None, *hand.seats):
        check_pokerstars_round_trip(hand, viewer)
        check_pokerstars_round_trip(hand, viewer, tournament=True)


def test_observer_sees_no_hole_cards_but_the_shown_ones() -> None:
    text = pokerstars_text(showdown_hand(), INFO, viewer_seat=None)
    assert 'Dealt to' not in text
    assert 'As Ad' in text and '7h' not in text


def test_tournament_header() -> None:
    info = HistoryInfo(hand_id=42, table_name='3', names=NAMES,
                       started_at=datetime(2026, 1, 2, tzinfo=UTC), max_seats=9,
                       tournament=TournamentInfo(777, 4, '$10+$1 USD'))
    text = pokerstars_text(showdown_hand(), info, viewer_seat=1)
    assert text.startswith("PokerStars Hand #42: Tournament #777, $10+$1 USD Hold'em No Limit"
                           " - Level IV (1/2) - 2026/01/02 00:00:00 UTC\n"
                           "Table '777 3' 9-max Seat #3 is the button")


def test_unfinished_hand_has_no_history() -> None:
    hand, _ = Hand.start(config([100, 100]), deck_for(['AsAd', 'KsKd']))
    with pytest.raises(ValueError):
        pokerstars_text(hand, INFO)


def test_random_hands_read_back_through_pokerstars_parser() -> None:
    rng = random.Random(11)
    for k in range(120):
        n = rng.randint(2, 6)
        seats = tuple(SeatEntry(s, rng.choice([3, 40, 400]))
                      for s in sorted(rng.sample(range(1, 11), n)))
        # no antes: PokerKit 0.7.7's PokerStarsParser does not read them
        cfg = HandConfig(seats=seats, button=rng.choice(seats).seat, small_blind=1,
                         big_blind=2)
        hand, _ = Hand.start(cfg, random_deck(rng))
        play_random(hand, rng, rng.choice([None, {'fold': 0.2}, {'all_in': 2.0}]))
        assert round_trips(hand)
        viewer = rng.choice([None, *hand.seats])
        check_pokerstars_round_trip(hand, viewer, tournament=k % 2 == 1)


def test_phh_replays_to_the_same_stacks() -> None:
    rng = random.Random(5)
    for _ in range(60):
        cfg = config([rng.choice([3, 40, 400]) for _ in range(rng.randint(2, 7))],
                     button=1, ante=rng.choice([0, 1]))
        hand, _ = Hand.start(cfg, random_deck(rng))
        play_random(hand, rng)
        viewer = rng.choice([None, *hand.seats])
        text = phh(hand, INFO, viewer)
        history = HandHistory.loads(text)
        assert history.players == [NAMES[s] for s in hand.seats]
        final = list(history)[-1]
        assert list(final.stacks) == [hand.stacks[s] for s in hand.seats]
        hidden = {c for s in hand.seats if s != viewer and s not in hand.shown_cards()
                  for c in hand.hole_cards(s)}
        assert not any(c in text for c in hidden)
