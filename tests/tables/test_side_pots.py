"""Side pots paid exactly: each winner, each pot, each stack, from a scripted deck.

Seats 1, 2 and 3 buy in for 100, 300 and 600; the first hand puts the button
on seat 1, the small blind on 2, the big blind on 3. Everyone goes all in (seat
3 can only call: nobody is left to raise against), so 100 from each makes the
main pot (300) and 200 more from seats 2 and 3 a side pot (400).
"""

import pytest

from pokerrt.accounts.actions import wallet_of
from tables import actions
from tables.models import Seat

from .helpers import play_out, table_events
from .scripted import deal_next

pytestmark = pytest.mark.django_db

BOARD = "2c7d9h4s3d"  # no straight, no flush: pairs decide


def shove(legal, dealt):
    return ("all_in", None) if "all_in" in legal else ("call", None)


def play_all_in(table, players):
    for player, stack in zip(players[:3], (100, 300, 600), strict=True):
        actions.do_join_table(player, table.pk, stack)
    hand = actions.do_start_hand(table.pk)
    assert (hand.button, hand.config["small_blind"], hand.config["big_blind"]) == (1, 5, 10)
    play_out(table, shove)
    return {e.type: e.data for e in table_events(table) if e.data.get("hand_id") == str(hand.pk)}


def winners(end):
    return sorted((w["seat"], w["amount"], w["pot"]) for w in end["winners"])


def pots(street):
    """(amount, seats) of each pot in order: main pot first."""
    return [(p["amount"], sorted(p["seats"])) for p in street["pots"]]


def stacks(end):
    return {s["seat"]: s["stack"] for s in end["stacks"]}


def test_pots_are_announced_main_then_side_with_their_seats(table, players, monkeypatch):
    deal_next(monkeypatch, {1: "AsAh", 2: "KsKh", 3: "QsQh"}, BOARD, button=1)
    by_type = play_all_in(table, players)
    for street in ("FLOP", "TURN", "RIVER"):
        assert pots(by_type[street]) == [(300, [1, 2, 3]), (400, [2, 3])]


def test_short_stack_wins_the_main_pot_and_the_middle_stack_the_side_pot(table, players, monkeypatch):
    deal_next(monkeypatch, {1: "AsAh", 2: "KsKh", 3: "QsQh"}, BOARD, button=1)
    by_type = play_all_in(table, players)
    end = by_type["HAND_END"]
    assert winners(end) == [(1, 300, 0), (2, 400, 1)]
    assert stacks(end) == {1: 300, 2: 400, 3: 300}
    assert end["uncalled"] == []
    assert {s.number: s.stack for s in Seat.objects.filter(table=table, user__isnull=False)} == {
        1: 300, 2: 400, 3: 300}


def test_a_tie_for_the_side_pot_splits_it_and_the_main_pot_stays_whole(table, players, monkeypatch):
    deal_next(monkeypatch, {1: "AsAh", 2: "KsKh", 3: "KdKc"}, BOARD, button=1)
    by_type = play_all_in(table, players)
    end = by_type["HAND_END"]
    assert winners(end) == [(1, 300, 0), (2, 200, 1), (3, 200, 1)]
    assert stacks(end) == {1: 300, 2: 200, 3: 500}


def test_a_three_way_tie_splits_every_pot_among_its_own_seats(table, players, monkeypatch):
    # the board is a straight nobody beats: each pot is shared by the seats in it
    deal_next(monkeypatch, {1: "2s2h", 2: "3s3h", 3: "4c4h"}, "TcJdQhKsAd", button=1)
    by_type = play_all_in(table, players)
    end = by_type["HAND_END"]
    assert winners(end) == [(1, 100, 0), (2, 100, 0), (2, 200, 1), (3, 100, 0), (3, 200, 1)]
    assert stacks(end) == {1: 100, 2: 300, 3: 600}


def test_the_big_stack_winning_both_pots_is_paid_per_pot(table, players, monkeypatch):
    deal_next(monkeypatch, {1: "QsQh", 2: "KsKh", 3: "AsAh"}, BOARD, button=1)
    by_type = play_all_in(table, players)
    assert winners(by_type["HAND_END"]) == [(3, 300, 0), (3, 400, 1)]


def test_the_big_stack_wins_everything_and_the_busted_players_are_stood_up(table, players, monkeypatch):
    deal_next(monkeypatch, {1: "QsQh", 2: "KsKh", 3: "AsAh"}, BOARD, button=1)
    by_type = play_all_in(table, players)
    end = by_type["HAND_END"]
    assert sum(w["amount"] for w in end["winners"] if w["seat"] == 3) == 700
    assert {w["seat"] for w in end["winners"]} == {3}
    assert stacks(end) == {1: 0, 2: 0, 3: 1000}
    # then: the two busted players leave the table with nothing; their wallets keep what they did not buy in
    left = [e.data for e in table_events(table) if e.type == "TABLE_LEAVE"]
    assert sorted((d["seat"], d["stack"]) for d in left) == [(1, 0), (2, 0)]
    assert [wallet_of(p).balance for p in players[:3]] == [9_900, 9_700, 9_400]
    assert Seat.objects.get(table=table, number=3).stack == 1000


def test_every_hand_is_shown_when_the_betting_is_all_in(table, players, monkeypatch):
    deal_next(monkeypatch, {1: "AsAh", 2: "KsKh", 3: "QsQh"}, BOARD, button=1)
    by_type = play_all_in(table, players)
    shown = {h["seat"]: h["cards"] for h in by_type["SHOWDOWN"]["hands"]}
    assert shown == {1: ["As", "Ah"], 2: ["Ks", "Kh"], 3: ["Qs", "Qh"]}
    assert by_type["SHOWDOWN"]["mucked"] == []
