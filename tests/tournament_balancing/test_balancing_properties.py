"""Whole random tournaments, played down to one table with a plan after every round of hands.

Each round every table plays a hand (the blinds move by the dead-button
rule and players bust, never a whole table), some tables are caught in their
next hand, and the tournament plans. Then those hands end and it plans again.
After every plan: nobody is lost, added or seated twice, no seat is used
twice, nobody leaves a table in a hand; once nothing is held, the tables are
within one player of each other and no fewer tables would do.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tournament.balancing import (
    FinalTable,
    Merge,
    Plan,
    TableState,
    check_tables,
    is_balanced,
    next_positions,
    plan,
    tables_to_break,
)

from .helpers import after_plan, moves_of


def start(players: int, max_seats: int, rng: random.Random) -> list[TableState]:
    """Random seats over the fewest tables, within one player of each other."""
    tables = -(-players // max_seats)
    share, extra = divmod(players, tables)
    ids = list(range(1, players + 1))
    rng.shuffle(ids)
    seated = []
    for number in range(tables):
        count = share + (number < extra)
        seats = sorted(rng.sample(range(1, max_seats + 1), count))
        seated.append(TableState(number + 1, max_seats, {seat: ids.pop() for seat in seats}))
    return seated


def play_a_hand(table: TableState, rng: random.Random, bust_rate: float) -> TableState:
    """The blinds move on; some players bust, never all of them."""
    if table.players < 2:
        return table
    positions = next_positions(table.positions, table.seats)
    seats = dict(table.seats)
    for seat in list(seats):
        if len(seats) > 1 and rng.random() < bust_rate:
            del seats[seat]
    return TableState(table.table_id, table.max_seats, seats, positions)


def deal_next_hand(table: TableState) -> TableState:
    positions = next_positions(table.positions, table.seats) if table.players > 1 else table.positions
    return TableState(table.table_id, table.max_seats, table.seats, positions, in_hand=True)


def end_hand(table: TableState) -> TableState:
    return TableState(table.table_id, table.max_seats, table.seats, table.positions)


def players_of(tables: list[TableState]) -> set[int]:
    return {player for table in tables for player in table.seats.values()}


def planned(tables: list[TableState], rng: random.Random) -> tuple[Plan, list[TableState]]:
    """A plan, checked move by move, and the tables once it is made."""
    result = plan(tables, rng)
    in_hand = {table.table_id for table in tables if table.in_hand}
    assert result.held <= in_hand
    for decision in result.decisions:
        if isinstance(decision, FinalTable):
            assert len(decision.merges) == len(tables) - 1
        merges = decision.merges if isinstance(decision, FinalTable) else (
            [decision] if isinstance(decision, Merge) else [])
        for merge in merges:
            leaving = next(t for t in tables if t.table_id == merge.from_table)
            assert sorted(m.player for m in merge.moves) == sorted(leaving.seats.values())
    for move in moves_of(result):
        assert move.from_table not in in_hand
    after = after_plan(tables, result)  # apply refuses a taken seat or a player not at the table
    check_tables(after)
    assert players_of(after) == players_of(tables)
    if not result.held:
        assert is_balanced(after)
        assert tables_to_break(after) == []
    return result, after


@settings(deadline=None, max_examples=60)
@given(players=st.integers(2, 150), max_seats=st.integers(2, 10), seed=st.integers(0, 2**32 - 1),
       bust_rate=st.sampled_from([0.02, 0.1, 0.3]))
def test_a_random_tournament_keeps_its_invariants_down_to_one_table(players, max_seats, seed, bust_rate):
    rng = random.Random(seed)
    tables = start(players, max_seats, rng)
    for _round in range(2000):
        if sum(table.players for table in tables) == 1:
            break
        tables = [play_a_hand(table, rng, bust_rate) for table in tables]
        tables = [deal_next_hand(t) if rng.random() < 0.3 else t for t in tables]
        _, tables = planned(tables, rng)
        tables = [end_hand(table) for table in tables]
        second, tables = planned(tables, rng)
        assert not second.held
    else:
        raise AssertionError("the tournament did not end")
    assert len(tables) == 1
