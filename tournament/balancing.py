"""Which tournament tables break, and who moves where (TDA rules).

Pure and Django-free: it reads the tables' seat maps and decides; the
tournament's actions apply the decisions with ``do_move_player`` between
hands. docs/tournaments-balancing.md states the rules as implemented and
the TDA rules they follow. In short, :func:`plan` decides, in this order:

- the final table, as soon as every player fits at one table;
- breaks (``TABLE_MERGE``): the table with the fewest players (ties: the
  highest table id) breaks when the other tables have room for all its
  players, and so on while they do; its players are spread over the
  tables with the fewest players, into seats drawn at random (TDA: a
  broken table's players draw their seats);
- a balance (``TABLE_BALANCE``) when the largest table has two or more
  players more than the smallest: the player due to be big blind next
  moves from each table over its share, into the worst position of the
  table they join (:func:`worst_free_seat`).

Players leave a table only between its hands; a table with a hand in play
may receive players (they wait for its next hand). A table that must give
players while its hand is in play is *held*: the caller deals it no new
hand and plans again once that hand has ended.

::

    >>> tables = [TableState(1, 9, {1: 101, 2: 102}, Positions(1, 1, 2)),
    ...           TableState(2, 9, {s: 200 + s for s in range(1, 10)}, Positions(3, 4, 5)),
    ...           TableState(3, 9, {s: 300 + s for s in range(1, 10)}, Positions(3, 4, 5))]
    >>> balance = plan(tables, random.Random(7)).decisions[0]
    >>> [(m.player, m.from_table, m.to_table, m.seat) for m in balance.moves]
    [(206, 2, 1, 3), (207, 2, 1, 4), (306, 3, 1, 5), (307, 3, 1, 6)]
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

PlayerId = int
TableId = int


@dataclass(frozen=True)
class Positions:
    """The button and blinds of a table's last (or current) hand: seat numbers, maybe empty seats.

    The same three seats as ``tables.engine.rules.Positions`` and the
    table's ``positions`` field.
    """

    button: int
    small_blind: int
    big_blind: int


@dataclass(frozen=True)
class TableState:
    """One tournament table as balancing sees it."""

    table_id: TableId
    max_seats: int
    seats: Mapping[int, PlayerId]
    """Occupied seats: seat number (1..max_seats, clockwise) -> player."""
    positions: Positions | None = None
    """The hand in play, or else the last one; ``None`` before the first hand."""
    in_hand: bool = False
    """A hand is in play: nobody may leave the table until it ends."""

    def __post_init__(self) -> None:
        """A table state that exists is sound: seats on the table, each player in one of them."""
        if self.seats and not (min(self.seats) >= 1 and max(self.seats) <= self.max_seats):
            raise ValueError(f"table {self.table_id} has a seat outside 1..{self.max_seats}")
        if len(set(self.seats.values())) != len(self.seats):
            raise ValueError(f"a player at table {self.table_id} is seated twice")

    @property
    def players(self) -> int:
        return len(self.seats)

    def free_seats(self) -> list[int]:
        return [seat for seat in range(1, self.max_seats + 1) if seat not in self.seats]


@dataclass(frozen=True)
class Move:
    """One player to one seat of another table (``{user, from_table, to_table, seat}`` on the wire)."""

    player: PlayerId
    from_table: TableId
    to_table: TableId
    seat: int


@dataclass(frozen=True)
class Merge:
    """``TABLE_MERGE``: ``from_table`` breaks; every player at it moves."""

    from_table: TableId
    moves: tuple[Move, ...]


@dataclass(frozen=True)
class Balance:
    """``TABLE_BALANCE``: single players move so that tables differ by at most one player."""

    moves: tuple[Move, ...]


@dataclass(frozen=True)
class FinalTable:
    """Every other table breaks into ``table_id``: one ``Merge`` per broken table, each into it."""

    table_id: TableId
    merges: tuple[Merge, ...]

    @property
    def moves(self) -> tuple[Move, ...]:
        return tuple(move for merge in self.merges for move in merge.moves)


Decision = Merge | Balance | FinalTable


@dataclass(frozen=True)
class Plan:
    """What to do now, in order, and which tables wait for that."""

    decisions: tuple[Decision, ...]
    held: frozenset[TableId]
    """Tables in a hand that players are due to leave: deal them no new hand, plan again after it."""


# -- the dead-button rule, as tables/engine/rules.py moves the blinds ---------------------------


def _after(seat: int, ordered: Sequence[int]) -> int:
    """The first of ``ordered`` (ascending) clockwise after ``seat``, wrapping."""
    for candidate in ordered:
        if candidate > seat:
            return candidate
    return ordered[0]


def _before(seat: int, ordered: Sequence[int]) -> int:
    """The first of ``ordered`` (ascending) counter-clockwise before ``seat``, wrapping."""
    for candidate in reversed(ordered):
        if candidate < seat:
            return candidate
    return ordered[-1]


def next_positions(previous: Positions | None, seats: Iterable[int]) -> Positions:
    """The next hand's button and blinds over these occupied seats (two or more).

    The dead-button rule of ``tables.engine.rules.next_positions``, which
    this module may not import (it imports only the standard library); a
    test holds the two equal. In a tournament every seated player plays:
    disconnected players are blinded out, never sat out.
    """
    playing = sorted(seats)
    if len(playing) < 2:
        raise ValueError("two players are needed")
    big = _next_big_blind(previous, playing)
    if previous is None:
        button = playing[0]
        return Positions(button, button if len(playing) == 2 else _after(button, playing), big)
    if len(playing) == 2:
        other = _after(big, playing)
        return Positions(other, other, big)
    small, button = previous.big_blind, previous.small_blind
    if big in (small, button) or button == small:
        # the big blind wrapped past the old positions: they are seated afresh
        small = _before(big, playing)
        button = _before(small, playing)
    return Positions(button, small, big)


def _next_big_blind(previous: Positions | None, playing: Sequence[int]) -> int:
    """The big blind of :func:`next_positions` (``playing`` ascending), and only it: the hot path."""
    if previous is not None:
        return _after(previous.big_blind, playing)
    if len(playing) <= 2:
        return _after(playing[0], playing)
    return _after(_after(playing[0], playing), playing)


# -- who moves, and to which seat ------------------------------------------------------------------


def big_blind_next(table: TableState) -> PlayerId:
    """TDA: the player who moves out of a table is the one due to be big blind in its next hand."""
    return table.seats[_next_big_blind(table.positions, sorted(table.seats))]


def _seat_rank(table: TableState, seat: int) -> tuple[int, int]:
    """How soon a player put in free ``seat`` posts the big blind; lowest is the worst position.

    First the hands until their big blind (0: they post it next hand); of
    seats equal in that, the nearest clockwise after the last big blind
    (before the first hand: the lowest seat number).
    """
    size = table.max_seats
    big = _next_big_blind(table.positions, sorted([*table.seats, seat]))
    to_seat = (seat - big) % size
    hands_until_big_blind = sum(1 for other in table.seats if (other - big) % size < to_seat)
    last = table.positions.big_blind if table.positions is not None else 0
    return hands_until_big_blind, (seat - last - 1) % size


def worst_free_seat(table: TableState) -> int:
    """TDA: a balanced player takes the worst position, never the small blind.

    The free seat that posts the big blind soonest: the next big blind when
    a free seat lies between the last big blind and the player due next
    (the nearest such seat), otherwise the free seat nearest clockwise after
    the next big blind. The small blind and the seats between the button and
    the small blind (dealt in only once the button has passed) post the big
    blind last of all, so they are taken only when no other seat is free.
    """
    free = table.free_seats()
    if not free:
        raise ValueError(f"table {table.table_id} is full")
    if not table.seats:
        return free[0]
    return min(free, key=lambda seat: _seat_rank(table, seat))


# -- breaking tables ---------------------------------------------------------------------------


def break_order(table: TableState) -> tuple[int, int]:
    """Sort key: the first table breaks first (fewest players; ties: the highest table id)."""
    return len(table.seats), -table.table_id


def tables_to_break(tables: Sequence[TableState]) -> list[TableState]:
    """The tables the players left can do without, first in break order.

    One at a time this is TDA's rule (the table with the fewest players breaks
    when the others have room for them); taken together, no player is moved
    into a table that breaks in the same plan.
    """
    if not tables:
        return []
    needed = -(-sum(len(table.seats) for table in tables) // tables[0].max_seats)
    return heapq.nsmallest(len(tables) - needed, tables, key=break_order)


def _draw_seats(broken: TableState, counts: Mapping[TableId, int],
                tables: Mapping[TableId, TableState], rng: random.Random) -> Merge:
    """``counts[t]`` of the broken table's players to random free seats of each table ``t``.

    TDA's two-step draw: the players are shuffled over the seats taken
    from every table, each table's seats drawn at random among its free ones.
    """
    slots = [(table_id, seat)
             for table_id in sorted(counts)
             for seat in sorted(rng.sample(tables[table_id].free_seats(), counts[table_id]))]
    players = [broken.seats[seat] for seat in sorted(broken.seats)]
    rng.shuffle(players)
    return Merge(broken.table_id, tuple(Move(player, broken.table_id, table_id, seat)
                                        for player, (table_id, seat) in zip(players, slots, strict=True)))


def break_table(broken: TableState, others: Sequence[TableState], rng: random.Random) -> Merge:
    """Spread a broken table's players over the others, as evenly as their free seats allow.

    Each player goes to the table with the fewest players counting those
    already sent (ties: the lowest table id, so the highest ids stay short
    and break next).
    """
    by_id = {table.table_id: table for table in others}
    # (players, table id) of each table with a free seat: the smallest takes the next player
    open_tables = [(len(table.seats), table.table_id) for table in others if len(table.seats) < table.max_seats]
    heapq.heapify(open_tables)
    counts: dict[TableId, int] = {}
    for _ in range(len(broken.seats)):
        if not open_tables:
            raise ValueError(f"no room for the players of table {broken.table_id}")
        players, table_id = heapq.heappop(open_tables)
        counts[table_id] = counts.get(table_id, 0) + 1
        if players + 1 < by_id[table_id].max_seats:
            heapq.heappush(open_tables, (players + 1, table_id))
    return _draw_seats(broken, counts, by_id, rng)


def final_table(tables: Sequence[TableState], rng: random.Random) -> FinalTable:
    """The table with the most players stays (ties: the lowest id); the others break into it."""
    staying = max(tables, key=break_order)
    merges = []
    for broken in sorted((t for t in tables if t is not staying), key=break_order):
        merge = _draw_seats(broken, {staying.table_id: len(broken.seats)}, {staying.table_id: staying}, rng)
        merges.append(merge)
        staying = apply(staying, merge.moves)
    return FinalTable(staying.table_id, tuple(merges))


# -- balancing ---------------------------------------------------------------------------------


def is_balanced(tables: Sequence[TableState]) -> bool:
    """TDA: tables differ by at most one player."""
    counts = [len(table.seats) for table in tables]
    return not counts or max(counts) - min(counts) <= 1


def balance_targets(tables: Sequence[TableState]) -> dict[TableId, int]:
    """How many players each table seats once balanced, with the fewest moves.

    ``divmod`` shares out the players; the tables with the most players now
    (ties: the lowest ids, which break last) keep the larger shares. The
    tables come in that order: last to break first.
    """
    share, extra = divmod(sum(len(table.seats) for table in tables), len(tables))
    ordered = sorted((-len(table.seats), table.table_id) for table in tables)
    return {table_id: share + (rank < extra) for rank, (_, table_id) in enumerate(ordered)}


def balance(tables: Sequence[TableState]) -> tuple[Balance | None, frozenset[TableId]]:
    """The moves that balance the tables, and the tables that must give players after their hand.

    Each table over its share gives the player due to be big blind next,
    then the next one; each goes to the table furthest under its share
    (ties: the lowest id), into its worst free seat.
    """
    targets = balance_targets(tables)
    short: dict[TableId, int] = {}
    receiving: dict[TableId, TableState] = {}
    giving = []
    for table in tables:
        gap = targets[table.table_id] - len(table.seats)
        if gap > 0:
            short[table.table_id] = gap
            receiving[table.table_id] = table
        elif gap < 0:
            giving.append(table)
    held = set()
    moves = []
    for source in sorted(giving, key=break_order, reverse=True):
        if source.in_hand:
            held.add(source.table_id)
            continue
        for _ in range(len(source.seats) - targets[source.table_id]):
            destination_id = max(short, key=lambda t: (short[t], -t))
            player = big_blind_next(source)
            seat = worst_free_seat(receiving[destination_id])
            move = Move(player, source.table_id, destination_id, seat)
            moves.append(move)
            source = apply(source, [move])
            receiving[destination_id] = apply(receiving[destination_id], [move])
            short[destination_id] -= 1
            if not short[destination_id]:
                del short[destination_id]
    return (Balance(tuple(moves)) if moves else None), frozenset(held)


# -- applying and planning ---------------------------------------------------------------------


def apply(table: TableState, moves: Iterable[Move]) -> TableState:
    """``table`` after those of ``moves`` that leave or join it (positions stay: no hand is played)."""
    seats = dict(table.seats)
    for move in moves:
        if move.from_table == table.table_id:
            seat = next((s for s, player in seats.items() if player == move.player), None)
            if seat is None:
                raise ValueError(f"player {move.player} is not at table {table.table_id}")
            del seats[seat]
        if move.to_table == table.table_id:
            if move.seat in seats or not 1 <= move.seat <= table.max_seats:
                raise ValueError(f"seat {move.seat} of table {table.table_id} is not free")
            seats[move.seat] = move.player
    return TableState(table.table_id, table.max_seats, seats, table.positions, table.in_hand)


def _after_moves(tables: Sequence[TableState], moves: Sequence[Move]) -> list[TableState]:
    """``tables`` after ``moves``, rebuilding only the tables they touch."""
    touched = {move.to_table for move in moves} | {move.from_table for move in moves}
    return [apply(table, moves) if table.table_id in touched else table for table in tables]


def check_tables(tables: Sequence[TableState]) -> None:
    """ValueError unless the tables are one tournament's: one size, nobody at two tables.

    Each table has checked its own seats (``TableState.__post_init__``).
    """
    if len({table.table_id for table in tables}) != len(tables):
        raise ValueError("a table is listed twice")
    if len({table.max_seats for table in tables}) > 1:
        raise ValueError("a tournament's tables all have the same number of seats")
    players = [table.seats.values() for table in tables]
    if len(set(chain.from_iterable(players))) != sum(map(len, players)):
        raise ValueError("a player is seated twice")


def plan(tables: Sequence[TableState], rng: random.Random) -> Plan:
    """What the tournament does now: the final table, or breaks then a balance.

    Tables without players are ignored (the caller closes them). Tables due
    to break while their hand is in play are held, and no balance is decided
    until they have broken, since it would change then; the final table
    forms at once, when no table that breaks into it is in a hand.
    """
    check_tables(tables)
    live = [table for table in tables if table.seats]
    decisions: list[Decision] = []
    breaking = tables_to_break(live)
    if breaking:
        broken_ids = {table.table_id for table in breaking}
        staying = [table for table in live if table.table_id not in broken_ids]
        busy = frozenset(table.table_id for table in breaking if table.in_hand)
        if len(staying) == 1:
            return Plan((), busy) if busy else Plan((final_table(live, rng),), frozenset())
        for broken in breaking:
            if not broken.in_hand:
                merge = break_table(broken, staying, rng)
                decisions.append(merge)
                staying = _after_moves(staying, merge.moves)
        if busy:
            return Plan(tuple(decisions), busy)
        live = staying
    balanced, held = balance(live) if not is_balanced(live) else (None, frozenset())
    if balanced is not None:
        decisions.append(balanced)
    return Plan(tuple(decisions), held)


def hand_for_hand(players_left: int, places_paid: int, tables: int) -> bool:
    """Whether the tables play hand-for-hand: one player off the money, at more than one table.

    Each table plays one hand and waits for the others, so that two players
    busting at once are ranked by their stacks instead of by table speed.
    """
    return tables > 1 and players_left == places_paid + 1
