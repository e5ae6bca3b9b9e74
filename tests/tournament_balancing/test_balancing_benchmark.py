"""One balancing decision for 112 nine-max tables: the issue's goal is under 1 ms.

A benchmark, skipped by default (pytest.ini passes ``--benchmark-skip``); run it with
``.venv/bin/python -m pytest tests/tournament_balancing --benchmark-only -p no:randomly``.
No timing is asserted: the numbers are read, not tested.
"""

from __future__ import annotations

import random

import pytest

from tournament.balancing import Balance, Merge, TableState, is_balanced, next_positions, plan

from .helpers import after_plan

TABLES = 112


def field_of(busts: dict[int, int], seed: int = 2026) -> list[TableState]:
    """112 full 9-max tables a few hands in (blinds anywhere), less ``busts[table]`` players each."""
    rng = random.Random(seed)
    tables = []
    for table_id in range(1, TABLES + 1):
        seats = dict.fromkeys(range(1, 10), 0)
        positions = None
        for _hand in range(rng.randrange(1, 9)):
            positions = next_positions(positions, seats)
        gone = rng.sample(range(1, 10), busts.get(table_id, 0))
        tables.append(TableState(table_id, 9, {seat: 9 * table_id + seat for seat in seats if seat not in gone},
                                 positions))
    return tables


# 1,000 players: three tables short by 3, 3 and 2; five players move
UNEVEN = field_of({5: 3, 40: 3, 77: 2})
# 993 players: one table fewer will do; the shortest (2 players) breaks, then four players move
BREAKING = field_of({5: 4, 40: 4, 90: 7})


@pytest.mark.benchmark(group="balancing")
def test_benchmark_a_balance_of_112_tables(benchmark):
    assert sum(t.players for t in UNEVEN) == 1000
    result = benchmark(plan, UNEVEN, random.Random(1))
    assert [type(d) for d in result.decisions] == [Balance]
    assert is_balanced(after_plan(UNEVEN, result))


@pytest.mark.benchmark(group="balancing")
def test_benchmark_a_break_and_balance_of_112_tables(benchmark):
    assert sum(t.players for t in BREAKING) == 993
    result = benchmark(plan, BREAKING, random.Random(1))
    assert [type(d) for d in result.decisions] == [Merge, Balance]
    assert len(result.decisions[1].moves) == 4
    after = after_plan(BREAKING, result)
    assert len(after) == 111 and is_balanced(after)
