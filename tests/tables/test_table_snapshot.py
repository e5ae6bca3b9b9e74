"""The TABLE snapshot and to_act, field by field (mutation testing found them loosely asserted)."""

from __future__ import annotations

import pytest

from pokerrt.realtime.envelope import format_timestamp
from tables import actions, live, snapshots
from tables.models import Hand, Seat, SeatStatus

from .helpers import current_hand, user_at

pytestmark = pytest.mark.django_db


def test_turn_numbers_the_decisions_of_a_hand_from_one(table, seated):
    hand = actions.do_start_hand(table.pk)
    dealt = live.engine_hand(hand)
    assert snapshots.turn(dealt) == 1
    first = snapshots.to_act(dealt, hand, None)
    assert first["turn"] == 1
    actions.do_player_action(user_at(hand, dealt.to_act()), table.pk, "call")
    assert snapshots.turn(live.engine_hand(current_hand(table))) == 2


def test_to_act_names_the_seat_its_bounds_and_the_deadline(table, seated):
    hand = actions.do_start_hand(table.pk)
    hand = Hand.objects.get(pk=hand.pk)
    dealt = live.engine_hand(hand)
    info = dealt.to_act_info()
    expected = {
        "seat": info.seat, "user": live.player_refs(hand)[info.seat], "to_call": info.to_call,
        "min_raise_to": info.min_raise_to, "max_raise_to": info.max_raise_to,
        "legal": dealt.legal_actions(), "deadline": format_timestamp(hand.action_deadline), "turn": 1,
    }
    assert snapshots.to_act(dealt, hand, hand.action_deadline) == expected
    assert snapshots.to_act(dealt, hand, None) == {**expected, "deadline": None}


def test_to_act_is_none_once_nobody_is_to_act(table, seated):
    hand = actions.do_start_hand(table.pk)
    dealt = live.engine_hand(hand)
    while dealt.to_act() is not None:
        dealt.act(dealt.to_act(), "fold" if "fold" in dealt.legal_actions() else "check", None)
    assert snapshots.to_act(dealt, hand, hand.action_deadline) is None


def test_the_snapshot_is_this_tables_state_during_a_hand(table, seated, lobby):
    # another table's hand in play must not show here
    other = actions.do_create_table(lobby, "Other", small_blind=5, big_blind=10, max_seats=6,
                                    min_buy_in=100, max_buy_in=2000)
    hand = actions.do_start_hand(table.pk)
    hand = Hand.objects.get(pk=hand.pk)
    dealt = live.engine_hand(hand)
    snapshot = snapshots.table_snapshot(str(table.pk))
    assert snapshot["table"] == snapshots.table_info(table)
    assert snapshot["table"]["id"] == str(table.pk) and snapshot["table"]["lobby_id"] == str(lobby.pk)
    assert snapshot["hand"] == snapshots.hand_info(hand, dealt)
    assert snapshot["hand"]["to_act"]["seat"] == dealt.to_act()
    seats = snapshot["seats"]
    assert [s["seat"] for s in seats] == list(range(1, 7))
    for seat in seats[:3]:
        # the live stack: the blinds are already out of the blinds' stacks
        assert seat["stack"] == dealt.stacks[seat["seat"]] and seat["bet"] == dealt.bets[seat["seat"]]
        assert seat["in_hand"] and seat["status"] == SeatStatus.ACTIVE
    assert sum(s["bet"] for s in seats) == 15
    for seat in seats[3:]:
        assert seat == {**seat, "user": None, "stack": 0, "status": SeatStatus.EMPTY, "bet": 0, "in_hand": False}
    assert snapshots.table_snapshot(str(other.pk))["hand"] is None


def test_an_empty_seat_shows_empty_whatever_its_row_says(table):
    seat = Seat.objects.get(table=table, number=2)
    seat.status = SeatStatus.SITTING_OUT  # a stale status on a seat nobody holds
    assert snapshots.seat_info(seat, None)["status"] == SeatStatus.EMPTY
