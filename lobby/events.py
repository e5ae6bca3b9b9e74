"""The shape of the LOBBY stream's events and snapshot (PROTOCOL.md section 6, Lobby).

``lobby/actions.py`` emits them; the directory rows come from the sections
the tables and tournaments register (``lobby.directory``), and their shapes
are declared here, where every client reads them. docs/lobby.md.
"""

# No ``from __future__ import annotations``: the classes are read at run time.
from typing import NotRequired, TypedDict

from pokerrt.realtime.events import UserRef
from pokerrt.realtime.schemas import allow_extra_keys


@allow_extra_keys
class LobbyInfo(TypedDict):
    """A lobby's own fields: ``{id, name, ...}``."""

    id: str
    name: str


@allow_extra_keys
class TableRow(TypedDict):
    """A table as the lobby lists it (``tables/lobby_rows.py``)."""

    id: str
    name: str
    # "cash" or "tournament"
    kind: str
    max_seats: int
    # Players seated, sitting out or not.
    players: int
    small_blind: int
    big_blind: int
    ante: int
    min_buy_in: int
    max_buy_in: int
    # "open" or "paused"; a closed table leaves the lobby (removed_tables).
    status: str
    # Seated players sitting out, waiting to be dealt in again.
    waiting: int
    # Hands that ended in the hour up to the table's last hand end, and their
    # average pot; both change only when a hand ends (docs/lobby.md).
    hands_per_hour: int
    average_pot: int


@allow_extra_keys
class TournamentRow(TypedDict):
    """A tournament as the lobby lists it (``tournament/lobby_rows.py``)."""

    id: str
    name: str
    # "sng" or "mtt"
    kind: str
    # "registering" or "running"; a finished or cancelled one leaves the lobby.
    status: str
    registered: int
    max_players: int
    buy_in: int
    fee: int
    prize_pool: int
    # RFC 3339, null for a sit and go (it starts when full).
    starts_at: str | None
    # The level in play, null before the start.
    level: int | None


class LobbyCreate(TypedDict):
    lobby: LobbyInfo


class LobbyUpdate(TypedDict):
    """Whichever changed; rows replace the rows with the same ``id``, whole."""

    lobby: NotRequired[LobbyInfo]
    # Changed rows, each whole: it replaces the client's row with the same id (or is new).
    tables: NotRequired[list[TableRow]]
    tournaments: NotRequired[list[TournamentRow]]
    # Items that left the lobby (closed, finished, cancelled, deleted).
    removed_tables: NotRequired[list[str]]
    removed_tournaments: NotRequired[list[str]]


class LobbyDelete(TypedDict):
    lobby: LobbyInfo


class LobbyJoin(TypedDict):
    user: UserRef
    # Members present after the change.
    members: int


class LobbyLeave(TypedDict):
    user: UserRef
    members: int


class LobbySnapshot(TypedDict):
    lobby: LobbyInfo
    # By id.
    tables: list[TableRow]
    tournaments: list[TournamentRow]
    # The users present (each once, however many of their sockets joined), by id.
    members: list[UserRef]


EVENTS: dict[tuple[str, str], type] = {
    ("LOBBY", "LOBBY_CREATE"): LobbyCreate,
    ("LOBBY", "LOBBY_UPDATE"): LobbyUpdate,
    ("LOBBY", "LOBBY_DELETE"): LobbyDelete,
    ("LOBBY", "LOBBY_JOIN"): LobbyJoin,
    ("LOBBY", "LOBBY_LEAVE"): LobbyLeave,
}

SNAPSHOTS: dict[str, type] = {"LOBBY": LobbySnapshot}
