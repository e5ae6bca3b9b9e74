"""Tables for the balancing tests, written as seat lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tournament.balancing import Move, Plan, Positions, TableState, apply


def table(table_id: int, seats: Iterable[int], positions: tuple[int, int, int] | None = None,
          in_hand: bool = False, max_seats: int = 9) -> TableState:
    """Table ``table_id`` with a player in each of ``seats``; player ``100 * table_id + seat``."""
    return TableState(table_id, max_seats, {seat: 100 * table_id + seat for seat in seats},
                      Positions(*positions) if positions else None, in_hand)


def full(table_id: int, players: int, positions: tuple[int, int, int] | None = (1, 2, 3),
         in_hand: bool = False) -> TableState:
    """A 9-max table with its first ``players`` seats taken."""
    return table(table_id, range(1, players + 1), positions, in_hand)


def moves_of(plan: Plan) -> list[Move]:
    return [move for decision in plan.decisions for move in decision.moves]


def after_plan(tables: Sequence[TableState], plan: Plan) -> list[TableState]:
    """The tables once every move of ``plan`` is made, one move at a time, the empty ones closed."""
    for move in moves_of(plan):
        tables = [apply(t, [move]) for t in tables]
    return [t for t in tables if t.seats]


def counts(tables: Sequence[TableState]) -> dict[int, int]:
    return {t.table_id: t.players for t in tables}
