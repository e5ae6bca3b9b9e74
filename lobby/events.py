"""The shape of the LOBBY stream's events and snapshot (PROTOCOL.md section 6, Lobby).

Nothing emits them yet: they are the protocol's contract, declared where the
lobby's actions will emit them and checked by the same tests when they do.
"""

# No ``from __future__ import annotations``: the classes are read at run time.
from typing import Any, NotRequired, TypedDict

from pokerrt.realtime.events import UserRef
from pokerrt.realtime.schemas import allow_extra_keys


@allow_extra_keys
class LobbyInfo(TypedDict):
    """A lobby's own fields: ``{id, name, ...}``."""

    id: str
    name: str


class LobbyCreate(TypedDict):
    lobby: LobbyInfo


class LobbyUpdate(TypedDict):
    """Whichever changed; rows replace the rows with the same ``id``, whole."""

    lobby: NotRequired[LobbyInfo]
    # Table and tournament summaries: seats taken or players registered, status, blinds, buy-in.
    tables: NotRequired[list[dict[str, Any]]]
    tournaments: NotRequired[list[dict[str, Any]]]
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
    tables: list[dict[str, Any]]
    tournaments: list[dict[str, Any]]
    members: list[Any]


EVENTS: dict[tuple[str, str], type] = {
    ("LOBBY", "LOBBY_CREATE"): LobbyCreate,
    ("LOBBY", "LOBBY_UPDATE"): LobbyUpdate,
    ("LOBBY", "LOBBY_DELETE"): LobbyDelete,
    ("LOBBY", "LOBBY_JOIN"): LobbyJoin,
    ("LOBBY", "LOBBY_LEAVE"): LobbyLeave,
}

SNAPSHOTS: dict[str, type] = {"LOBBY": LobbySnapshot}
