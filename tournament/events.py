"""The shape of the TOURNAMENT stream's events and snapshot (PROTOCOL.md section 6, Tournament).

Nothing emits them yet: they are the protocol's contract, declared where the
tournament's actions will emit them and checked by the same tests when they
do. Some go to other streams too: a table broken up hears TABLE_MERGE, an
eliminated player hears PLAYER_ELIMINATION on their PLAYER stream.
"""

# No ``from __future__ import annotations``: the classes are read at run time.
from typing import Any, NotRequired, TypedDict

from pokerrt.realtime.events import UserRef


class TournamentCreate(TypedDict):
    tournament: dict[str, Any]


class TournamentUpdate(TypedDict):
    tournament: dict[str, Any]


class TournamentRegister(TypedDict):
    user: UserRef
    # Players registered after the change.
    registered: int
    prize_pool: int


class TournamentUnregister(TypedDict):
    user: UserRef
    registered: int
    prize_pool: int


class StartingTable(TypedDict):
    table_id: str
    players: list[Any]


class TournamentStart(TypedDict):
    tables: list[StartingTable]
    level: int


class LevelUp(TypedDict):
    level: int
    small_blind: int
    big_blind: int
    ante: int
    # RFC 3339; null for the last level, which never ends.
    ends_at: str | None


class BreakStart(TypedDict):
    ends_at: str


class BreakEnd(TypedDict):
    # The level play resumes at.
    level: int


class PlayerElimination(TypedDict):
    user: UserRef
    # Finishing place, 1 the winner.
    position: int
    prize: int
    hand_id: str


class Move(TypedDict):
    user: UserRef
    from_table: str
    to_table: str
    seat: int


class TableMerge(TypedDict):
    """A table broken up: ``from_table``'s players move, to ``to_table`` and others."""

    from_table: str
    to_table: str
    moves: list[Move]


class TableBalance(TypedDict):
    moves: list[Move]


class Result(TypedDict):
    user: UserRef
    position: int
    prize: int


class TournamentEnd(TypedDict):
    results: list[Result]


class PlayerDisconnect(TypedDict):
    user: UserRef
    # The table the player sits at, when seated.
    table_id: NotRequired[str]


class PlayerReconnect(TypedDict):
    user: UserRef
    table_id: NotRequired[str]


class TournamentPlayer(TypedDict):
    user: UserRef
    status: str
    chips: int
    # Null before seating and after elimination.
    table_id: str | None
    # Finishing place once eliminated.
    position: int | None


class TournamentSnapshot(TypedDict):
    tournament: dict[str, Any]
    structure: list[dict[str, Any]]
    level: int
    next_level_at: str | None
    on_break: bool
    players: list[TournamentPlayer]
    tables: list[dict[str, Any]]
    payouts: list[Any]


EVENTS: dict[tuple[str, str], type] = {
    ("TOURNAMENT", "TOURNAMENT_CREATE"): TournamentCreate,
    ("TOURNAMENT", "TOURNAMENT_UPDATE"): TournamentUpdate,
    ("TOURNAMENT", "TOURNAMENT_REGISTER"): TournamentRegister,
    ("TOURNAMENT", "TOURNAMENT_UNREGISTER"): TournamentUnregister,
    ("TOURNAMENT", "TOURNAMENT_START"): TournamentStart,
    ("TOURNAMENT", "LEVEL_UP"): LevelUp,
    ("TOURNAMENT", "BREAK_START"): BreakStart,
    ("TOURNAMENT", "BREAK_END"): BreakEnd,
    ("TOURNAMENT", "PLAYER_ELIMINATION"): PlayerElimination,
    ("PLAYER", "PLAYER_ELIMINATION"): PlayerElimination,
    ("TOURNAMENT", "TABLE_MERGE"): TableMerge,
    ("TABLE", "TABLE_MERGE"): TableMerge,
    ("TOURNAMENT", "TABLE_BALANCE"): TableBalance,
    ("TOURNAMENT", "TOURNAMENT_END"): TournamentEnd,
    ("TOURNAMENT", "PLAYER_DISCONNECT"): PlayerDisconnect,
    ("TOURNAMENT", "PLAYER_RECONNECT"): PlayerReconnect,
}

SNAPSHOTS: dict[str, type] = {"TOURNAMENT": TournamentSnapshot}
