"""The shape of the TOURNAMENT stream's events and snapshot (PROTOCOL.md section 6, Tournament).

Declared once here, next to the actions that emit them (tournament/actions/),
and checked by the tests against every event they produce. Registration,
creation, updates and cancellation emit today; the start, the clock,
eliminations and balancing (part two of issue 12) will emit the rest. Some go
to other streams too: a table broken up hears TABLE_MERGE, an eliminated
player hears PLAYER_ELIMINATION on their PLAYER stream, and a player's
registrations change on their PLAYER stream.
"""

# No ``from __future__ import annotations``: the classes are read at run time.
from typing import Literal, NotRequired, TypedDict

from pokerrt.realtime.events import UserRef

# --- Parts ---------------------------------------------------------------------------------------


class TournamentInfo(TypedDict):
    """A tournament's settings and standing, as TOURNAMENT_CREATE/UPDATE and the snapshot carry them."""

    id: str
    name: str
    lobby_id: str
    # "sng": starts when full; "mtt": starts at starts_at.
    kind: Literal["sng", "mtt"]
    status: Literal["registering", "running", "paused", "finished", "cancelled"]
    buy_in: int
    fee: int
    starting_stack: int
    table_size: int
    min_players: int
    max_players: int
    starts_at: str | None
    late_registration_levels: int
    # The blind structure's name ("turbo", "regular").
    structure: str
    payout_structure: str
    # Fixed shares by place replacing the payout table; empty when the table decides.
    payout_percentages: list[int]
    registered: int
    prize_pool: int
    level: int
    on_break: bool
    started_at: str | None
    finished_at: str | None


class LevelInfo(TypedDict):
    level: int
    small_blind: int
    big_blind: int
    ante: int
    # The ante is the whole table's, posted by the big blind alone.
    big_blind_ante: bool
    minutes: int
    # A break of this many minutes once the level ends (0: none).
    break_minutes: int


class Payout(TypedDict):
    """What a finishing place wins with the field as it stands."""

    position: int
    prize: int


class TournamentPlayer(TypedDict):
    user: UserRef
    status: Literal["registered", "playing", "eliminated", "cancelled"]
    chips: int
    # Null before seating and after elimination.
    table_id: str | None
    # Finishing place once eliminated.
    position: int | None


class Registration(TypedDict):
    """An item of the PLAYER snapshot's ``registrations``: a tournament the owner is in."""

    tournament_id: str
    status: Literal["registered", "playing"]
    table_id: str | None


# --- TOURNAMENT stream events --------------------------------------------------------------------


class TournamentCreate(TypedDict):
    tournament: TournamentInfo
    structure: list[LevelInfo]
    payouts: list[Payout]
    # When the level or break in play ends; null unless the clock runs.
    next_level_at: NotRequired[str | None]


class TournamentUpdate(TypedDict):
    tournament: TournamentInfo
    structure: list[LevelInfo]
    payouts: list[Payout]
    # When the level or break in play ends; null unless the clock runs.
    next_level_at: NotRequired[str | None]
    # After hands end: the standings rows whose chips changed, each whole
    # (they replace the snapshot's rows of the same user).
    players: NotRequired[list[TournamentPlayer]]


class TournamentRegister(TypedDict):
    user: UserRef
    # Players registered after the change.
    registered: int
    prize_pool: int
    # The payouts for the field after the change.
    payouts: list[Payout]
    # The new entry, as the snapshot's ``players`` lists it.
    player: TournamentPlayer


class TournamentUnregister(TypedDict):
    user: UserRef
    registered: int
    prize_pool: int
    payouts: list[Payout]


class SeatedPlayer(TypedDict):
    user: UserRef
    seat: int
    chips: int


class StartingTable(TypedDict):
    table_id: str
    players: list[SeatedPlayer]


class TableCount(TypedDict):
    """An item of the snapshot's ``tables``: a table in play and the players seated there."""

    table_id: str
    players: int


class TournamentStart(TypedDict):
    tables: list[StartingTable]
    level: int
    # The tournament as this event leaves it, and when its level or break ends.
    tournament: NotRequired[TournamentInfo]
    next_level_at: NotRequired[str | None]


class LevelUp(TypedDict):
    level: int
    small_blind: int
    big_blind: int
    ante: int
    # RFC 3339; null for the last level, which never ends.
    ends_at: str | None
    # The tournament as this event leaves it, and when its level or break ends.
    tournament: NotRequired[TournamentInfo]
    next_level_at: NotRequired[str | None]


class BreakStart(TypedDict):
    ends_at: str
    # The tournament as this event leaves it, and when its level or break ends.
    tournament: NotRequired[TournamentInfo]
    next_level_at: NotRequired[str | None]


class BreakEnd(TypedDict):
    # The level play resumes at.
    level: int
    # The tournament as this event leaves it, and when its level or break ends.
    tournament: NotRequired[TournamentInfo]
    next_level_at: NotRequired[str | None]


class PlayerElimination(TypedDict):
    user: UserRef
    # Finishing place, 1 the winner.
    position: int
    prize: int
    hand_id: str


class OwnElimination(PlayerElimination):
    """PLAYER_ELIMINATION on the eliminated player's PLAYER stream: their registrations section after it."""

    tournament_id: str
    registrations: list[Registration]


class OwnEnd(TypedDict):
    """TOURNAMENT_END on the winner's PLAYER stream (the others heard PLAYER_ELIMINATION)."""

    tournament_id: str
    position: int
    prize: int
    registrations: list[Registration]


class OwnMove(TypedDict):
    """TABLE_BALANCE / TABLE_MERGE on a moved player's PLAYER stream: where they went, their registrations after it."""

    tournament_id: str
    from_table: str
    to_table: str
    seat: int
    registrations: list[Registration]


class OwnStart(TypedDict):
    """TOURNAMENT_START on each seated player's PLAYER stream: their registrations section after it."""

    tournament_id: str
    table_id: str
    seat: int
    registrations: list[Registration]


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
    # Cancelled before the start: no results, everyone refunded. Cancelled in
    # play: the places of the players out, and ``players`` (the standings as
    # they end) shows the others' shares of the pool as ``cancelled`` rows.
    cancelled: NotRequired[bool]
    players: NotRequired[list[TournamentPlayer]]
    tournament: NotRequired[TournamentInfo]
    structure: NotRequired[list[LevelInfo]]
    payouts: NotRequired[list[Payout]]
    # When the level or break in play ends; null unless the clock runs.
    next_level_at: NotRequired[str | None]


class PlayerDisconnect(TypedDict):
    user: UserRef
    # The table the player sits at, when seated.
    table_id: NotRequired[str]


class PlayerReconnect(TypedDict):
    user: UserRef
    table_id: NotRequired[str]


# --- PLAYER stream events (the owner's own) ---------------------------------------------------


class PlayerRegistration(TypedDict):
    """TOURNAMENT_REGISTER / TOURNAMENT_UNREGISTER on the owner's PLAYER stream.

    ``registrations`` is the section whole; ``balance`` the wallet after the
    buy-in and fee (``change`` negative) or their refund (positive).
    """

    tournament_id: str
    registrations: list[Registration]
    balance: int
    change: int
    # Present when the refund came from the tournament being cancelled.
    reason: NotRequired[Literal["cancelled"]]


# --- Snapshot -----------------------------------------------------------------------------------


class TournamentSnapshot(TypedDict):
    tournament: TournamentInfo
    structure: list[LevelInfo]
    level: int
    # When the level (or break) in play ends; null unless the clock runs.
    next_level_at: str | None
    on_break: bool
    players: list[TournamentPlayer]
    tables: list[TableCount]
    payouts: list[Payout]


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
    ("PLAYER", "PLAYER_ELIMINATION"): OwnElimination,
    ("PLAYER", "TOURNAMENT_START"): OwnStart,
    ("PLAYER", "TABLE_BALANCE"): OwnMove,
    ("PLAYER", "TABLE_MERGE"): OwnMove,
    ("PLAYER", "TOURNAMENT_END"): OwnEnd,
    ("TOURNAMENT", "TABLE_MERGE"): TableMerge,
    ("TABLE", "TABLE_MERGE"): TableMerge,
    ("TOURNAMENT", "TABLE_BALANCE"): TableBalance,
    ("TOURNAMENT", "TOURNAMENT_END"): TournamentEnd,
    ("TOURNAMENT", "PLAYER_DISCONNECT"): PlayerDisconnect,
    ("TOURNAMENT", "PLAYER_RECONNECT"): PlayerReconnect,
    ("PLAYER", "TOURNAMENT_REGISTER"): PlayerRegistration,
    ("PLAYER", "TOURNAMENT_UNREGISTER"): PlayerRegistration,
}

SNAPSHOTS: dict[str, type] = {"TOURNAMENT": TournamentSnapshot}

# The PLAYER snapshot sections the tournament fills: section -> each item's shape.
PLAYER_SECTIONS: dict[str, type] = {"registrations": Registration}
