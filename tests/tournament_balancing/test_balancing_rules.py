"""Balancing and breaking tables, one test per rule (docs/tournaments-balancing.md)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tables.engine import rules as engine_rules
from tournament.balancing import (
    Balance,
    FinalTable,
    Merge,
    Positions,
    TableState,
    big_blind_next,
    hand_for_hand,
    next_positions,
    plan,
    tables_to_break,
    worst_free_seat,
)

from .helpers import after_plan, counts, full, moves_of, table


def rng() -> random.Random:
    return random.Random(12)


# -- who moves -------------------------------------------------------------------------------


def test_the_player_due_to_be_big_blind_next_is_the_one_who_moves():
    # given a full table whose last big blind was seat 5
    nine = table(1, range(1, 10), positions=(3, 4, 5))
    # then seat 6 posts the big blind next hand
    assert big_blind_next(nine) == 106


def test_the_big_blind_skips_an_empty_seat_to_the_next_player():
    assert big_blind_next(table(1, [1, 2, 3, 4, 5, 7, 8, 9], positions=(3, 4, 5))) == 107


def test_before_the_first_hand_the_mover_is_the_first_big_blind():
    # the button starts on the lowest seat: 2 button, 4 small blind, 6 big blind
    assert big_blind_next(table(1, [2, 4, 6, 8])) == 106


def test_balancing_moves_the_big_blind_next_then_the_player_after_him():
    # given 9 and 5 players: the full table gives two
    tables = [table(1, range(1, 10), positions=(3, 4, 5)), table(2, range(1, 6), positions=(1, 2, 3))]
    # when
    result = plan(tables, rng())
    # then
    assert [move.player for move in moves_of(result)] == [106, 107]
    assert isinstance(result.decisions[0], Balance)


# -- where they sit ----------------------------------------------------------------------------


def test_a_moved_player_takes_the_big_blind_when_a_seat_before_it_is_free():
    # given the big blind was seat 3 and seat 5 is due next: seat 4 is free between them
    destination = table(2, [1, 2, 3, 5, 6, 7, 8], positions=(1, 2, 3))
    # then the mover posts the big blind in seat 4 next hand
    assert worst_free_seat(destination) == 4
    assert next_positions(destination.positions, [*destination.seats, 4]).big_blind == 4


def test_of_several_free_seats_before_the_big_blind_the_nearest_to_the_last_big_blind_is_taken():
    assert worst_free_seat(table(2, [1, 2, 3, 6, 7, 8, 9], positions=(1, 2, 3))) == 4


def test_free_seats_before_the_big_blind_are_counted_clockwise_round_the_table():
    # the last big blind was seat 8; seats 9, 1 and 2 are free before seat 3, due next
    assert worst_free_seat(table(2, [3, 4, 5, 6, 7, 8], positions=(6, 7, 8))) == 9


def test_without_a_free_seat_before_the_big_blind_the_worst_is_the_first_after_it():
    # seat 4 posts the big blind next hand; seat 5 posts it the hand after, seat 9 four hands later
    assert worst_free_seat(table(2, [1, 2, 3, 4, 6, 7, 8], positions=(1, 2, 3))) == 5


def test_the_worst_position_is_never_the_small_blind():
    # given the big blind of the last hand (seat 3) busted: a player put there posts the small blind
    destination = table(2, [1, 2, 4, 5, 6, 8, 9], positions=(1, 2, 3))
    assert next_positions(destination.positions, [*destination.seats, 3]).small_blind == 3
    # then seat 7 is taken, though its big blind is three hands away
    assert worst_free_seat(destination) == 7


def test_a_seat_between_the_button_and_the_small_blind_is_taken_only_when_no_other_is_free():
    # given a dead button: the next hand has the button on 1 and the small blind on 3
    destination = table(2, [1, 3, 4, 5, 6, 8, 9], positions=(9, 1, 3))
    following = next_positions(destination.positions, [*destination.seats, 2])
    assert (following.button, following.small_blind) == (1, 3)
    # then seat 7 rather than seat 2
    assert worst_free_seat(destination) == 7
    assert worst_free_seat(table(2, [1, 3, 4, 5, 6, 7, 8, 9], positions=(9, 1, 3))) == 2


def test_a_table_that_never_dealt_seats_the_mover_in_its_first_big_blind():
    # the first hand puts the button on the lowest seat and the blinds after it
    destination = table(2, [1, 5, 7])
    seat = worst_free_seat(destination)
    assert next_positions(None, [*destination.seats, seat]).big_blind == seat


def test_two_movers_to_one_table_take_the_big_blind_and_the_seat_after_it():
    # given 2, 9 and 9 players: the short table gets two from each full one
    tables = [table(1, [1, 2], positions=(1, 1, 2)), table(2, range(1, 10), positions=(3, 4, 5)),
              table(3, range(1, 10), positions=(3, 4, 5))]
    moves = moves_of(plan(tables, rng()))
    # then each takes the next seat clockwise after the one before: 3 posts the big blind next
    assert [(m.player, m.to_table, m.seat) for m in moves] == [(206, 1, 3), (207, 1, 4), (306, 1, 5), (307, 1, 6)]


@given(seats=st.sets(st.integers(1, 9), min_size=1, max_size=8),
       positions=st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(1, 9)))
def test_the_worst_seat_is_the_small_blind_only_when_no_other_seat_is_free(seats, positions):
    destination = table(2, seats, positions=positions)
    seat = worst_free_seat(destination)
    small_blind = next_positions(destination.positions, [*seats, seat]).small_blind
    others = [s for s in destination.free_seats() if s != seat]
    assert seat != small_blind or all(
        next_positions(destination.positions, [*seats, s]).small_blind == s for s in others)


# -- breaking tables ---------------------------------------------------------------------------


def test_the_table_with_the_fewest_players_breaks_when_the_others_have_room():
    # given 7, 7 and 3 players: the two others have four free seats
    tables = [full(1, 7), full(2, 7), full(3, 3)]
    # when
    result = plan(tables, rng())
    # then
    assert [type(d) for d in result.decisions] == [Merge]
    assert result.decisions[0].from_table == 3
    assert counts(after_plan(tables, result)) == {1: 9, 2: 8}


def test_no_table_breaks_while_the_others_lack_room_for_its_players():
    assert tables_to_break([full(1, 7), full(2, 8), full(3, 4)]) == []


def test_of_tables_equally_short_the_highest_id_breaks_first():
    tables = [full(1, 4), full(2, 4), full(3, 9), full(4, 9)]
    result = plan(tables, rng())
    assert [d.from_table for d in result.decisions if isinstance(d, Merge)] == [2]
    assert counts(after_plan(tables, result)) == {1: 8, 3: 9, 4: 9}


def test_a_broken_table_spreads_over_the_others_as_evenly_as_they_allow():
    # given 5, 5 and 4: the 4 break two and two, not four onto one table
    tables = [full(1, 5), full(2, 5), full(3, 4)]
    result = plan(tables, rng())
    assert counts(after_plan(tables, result)) == {1: 7, 2: 7}


def test_a_break_is_followed_by_the_balance_it_leaves_to_do():
    # given 9, 9, 4 and 2: the 2 break into the 4, then the 9s each give one to it
    tables = [full(1, 9), full(2, 9), full(3, 4), full(4, 2)]
    result = plan(tables, rng())
    assert [type(d) for d in result.decisions] == [Merge, Balance]
    assert counts(after_plan(tables, result)) == {1: 8, 2: 8, 3: 8}


def test_two_tables_break_in_one_plan_and_neither_receives_the_others_players():
    tables = [full(1, 5), full(2, 5), full(3, 2), full(4, 2)]
    result = plan(tables, rng())
    assert [d.from_table for d in result.decisions] == [4, 3]
    assert {m.to_table for m in moves_of(result)} == {1, 2}
    assert counts(after_plan(tables, result)) == {1: 7, 2: 7}


def test_a_short_table_that_does_not_break_receives_a_broken_tables_players():
    # 28 players need four 9-max tables: only table 4 breaks, into table 3, then 3 is balanced
    tables = [full(1, 8), full(2, 8), full(3, 2), full(4, 2), full(5, 8)]
    result = plan(tables, rng())
    assert [type(d) for d in result.decisions] == [Merge, Balance]
    assert {m.to_table for m in result.decisions[0].moves} == {3}
    assert counts(after_plan(tables, result)) == {1: 7, 2: 7, 3: 7, 5: 7}


def test_one_player_left_at_a_table_takes_the_only_free_seat_elsewhere():
    # given 9, 8 and 1: the 1 fits into the one seat left at table 2
    tables = [full(1, 9), full(2, 8), full(3, 1)]
    result = plan(tables, rng())
    (move,) = moves_of(result)
    assert (move.player, move.to_table, move.seat) == (301, 2, 9)


def test_broken_table_seats_are_drawn_with_the_injected_random():
    tables = [full(1, 5), full(2, 5), full(3, 4)]
    assert plan(tables, random.Random(1)) == plan(tables, random.Random(1))
    draws = {tuple(moves_of(plan(tables, random.Random(seed)))) for seed in range(20)}
    assert len(draws) > 1


# -- the final table -------------------------------------------------------------------------


def test_the_final_table_forms_as_soon_as_every_player_fits_at_one():
    tables = [full(1, 3), full(2, 3), full(3, 3)]
    result = plan(tables, rng())
    (final,) = result.decisions
    assert isinstance(final, FinalTable)
    # ties: the lowest id stays; the others break in break order, each into it
    assert final.table_id == 1
    assert [merge.from_table for merge in final.merges] == [3, 2]
    assert {move.to_table for move in final.moves} == {1}
    assert counts(after_plan(tables, result)) == {1: 9}


def test_the_final_table_keeps_the_table_with_the_most_players():
    tables = [full(1, 2), full(2, 5), full(3, 1)]
    (final,) = plan(tables, rng()).decisions
    assert final.table_id == 2


def test_a_final_table_with_one_seat_free():
    tables = [full(1, 5), full(2, 3)]
    result = plan(tables, rng())
    (final,) = result.decisions
    assert isinstance(final, FinalTable)
    (left,) = after_plan(tables, result)
    assert len(left.free_seats()) == 1


def test_ten_players_over_two_tables_are_no_final_table():
    assert plan([full(1, 5), full(2, 5)], rng()).decisions == ()


# -- balancing ---------------------------------------------------------------------------------


def test_three_tables_of_2_9_and_9_balance_to_7_7_6():
    tables = [full(1, 2, positions=(1, 1, 2)), full(2, 9), full(3, 9)]
    result = plan(tables, rng())
    assert [type(d) for d in result.decisions] == [Balance]
    assert counts(after_plan(tables, result)) == {1: 6, 2: 7, 3: 7}


def test_tables_within_one_player_of_each_other_are_left_alone():
    assert plan([full(1, 9), full(2, 8), full(3, 8)], rng()) == plan([], rng())


def test_balancing_moves_players_from_the_largest_tables_only():
    tables = [full(1, 9), full(2, 8), full(3, 6)]
    moves = moves_of(plan(tables, rng()))
    assert [(m.from_table, m.to_table) for m in moves] == [(1, 3)]


def test_the_largest_table_of_equals_with_the_lowest_id_keeps_the_extra_player():
    # 25 players over 3 tables are 9, 8, 8: table 1 keeps nine
    tables = [full(1, 9), full(2, 9), full(3, 7)]
    assert counts(after_plan(tables, plan(tables, rng()))) == {1: 9, 2: 8, 3: 8}


# -- hands in play ----------------------------------------------------------------------------


def test_a_table_in_a_hand_gives_no_player_and_is_held_until_it_ends():
    tables = [full(1, 2, positions=(1, 1, 2)), full(2, 9, in_hand=True), full(3, 9)]
    result = plan(tables, rng())
    assert {m.from_table for m in moves_of(result)} == {3}
    assert result.held == {2}


def test_a_table_in_a_hand_receives_players_for_its_next_hand():
    tables = [full(1, 2, positions=(1, 1, 2), in_hand=True), full(2, 9), full(3, 9)]
    result = plan(tables, rng())
    assert counts(after_plan(tables, result)) == {1: 6, 2: 7, 3: 7}
    assert result.held == frozenset()


def test_a_table_due_to_break_in_a_hand_is_held_and_nothing_else_moves():
    tables = [full(1, 9), full(2, 5), full(3, 3, in_hand=True)]
    result = plan(tables, rng())
    assert result.decisions == ()
    assert result.held == {3}


def test_the_final_table_waits_for_the_tables_that_break_into_it():
    busy = [full(1, 5, in_hand=True), full(2, 3, in_hand=True)]
    result = plan(busy, rng())
    assert (result.decisions, result.held) == ((), {2})


# -- hand-for-hand ---------------------------------------------------------------------------


def test_hand_for_hand_starts_one_player_off_the_money():
    assert hand_for_hand(players_left=19, places_paid=18, tables=3)
    assert not hand_for_hand(players_left=20, places_paid=18, tables=3)
    assert not hand_for_hand(players_left=18, places_paid=18, tables=2)


def test_hand_for_hand_needs_more_than_one_table():
    assert not hand_for_hand(players_left=10, places_paid=9, tables=1)


# -- bad input -------------------------------------------------------------------------------


def test_tables_of_different_sizes_are_refused():
    with pytest.raises(ValueError, match="same number of seats"):
        plan([full(1, 5), table(2, [1, 2], max_seats=6)], rng())


def test_a_player_seated_at_two_tables_is_refused():
    twice = TableState(2, 9, {1: 101, 2: 202}, None)
    with pytest.raises(ValueError, match="seated twice"):
        plan([full(1, 5), twice], rng())


def test_a_player_in_two_seats_of_a_table_is_refused():
    with pytest.raises(ValueError, match="seated twice"):
        TableState(1, 9, {1: 101, 2: 101})


def test_a_seat_outside_the_table_is_refused():
    with pytest.raises(ValueError, match="outside"):
        table(1, [0, 1, 2])
    with pytest.raises(ValueError, match="outside"):
        table(1, [1, 10])


def test_a_table_listed_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        plan([full(1, 5), full(1, 5)], rng())


def test_a_full_table_has_no_worst_seat():
    with pytest.raises(ValueError, match="full"):
        worst_free_seat(full(1, 9))


# -- the table engine's blinds -----------------------------------------------------------------


@given(seats=st.sets(st.integers(1, 10), min_size=2, max_size=10),
       previous=st.none() | st.tuples(st.integers(1, 10), st.integers(1, 10), st.integers(1, 10)))
def test_the_next_blinds_are_the_table_engines(seats, previous):
    ours = next_positions(Positions(*previous) if previous else None, seats)
    theirs = engine_rules.next_positions(engine_rules.Positions(*previous) if previous else None,
                                         sorted(seats))
    assert (ours.button, ours.small_blind, ours.big_blind) == (theirs.button, theirs.small_blind,
                                                              theirs.big_blind)
