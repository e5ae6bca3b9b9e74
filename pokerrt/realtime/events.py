"""What the real-time core sends (PROTOCOL.md sections 5-7): a user, ERROR, the control frames, the PLAYER snapshot.

Apps declare their own events in their ``events.py``; these are the shapes
every app shares. Checked by :mod:`pokerrt.realtime.schemas`.
"""

# No ``from __future__ import annotations``: the classes are read at run time.
from typing import Any, Literal, NotRequired, TypedDict

from .schemas import allow_extra_keys


class UserRef(TypedDict):
    """A user as every event names one: ``{id, username}``, the id a string."""

    id: str
    username: str


ErrorCode = Literal[
    "BAD_FRAME", "UNKNOWN_TYPE", "VALIDATION", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT",
    "NOT_YOUR_TURN", "ILLEGAL_ACTION", "INSUFFICIENT_FUNDS", "RATE_LIMITED", "INTERNAL",
]


class Error(TypedDict):
    """``ERROR``: the only event of the System group, a control frame (section 5)."""

    code: ErrorCode
    message: str
    ref: NotRequired[str]
    # Field name -> what is wrong with it.
    details: NotRequired[dict[str, Any]]


class Subscribed(TypedDict):
    """``SUBSCRIBED``: ``state`` only when not recovered (section 3).

    ``digest`` (a version-1 addition, docs/realtime.md): the state's digest,
    with the state, when the SUBSCRIBE asked for it and the target has one.
    """

    seq: int
    epoch: str
    recovered: bool
    state: NotRequired[dict[str, Any]]
    digest: NotRequired[str]
    ref: NotRequired[str]


class Sync(TypedDict):
    """``SYNC`` (a version-1 addition): the stream's digest as of ``seq``, for clients that asked for it."""

    seq: int
    epoch: str
    digest: str


class Ping(TypedDict):
    """``PING`` from the server: its clock in milliseconds."""

    t: int


class Pong(TypedDict):
    """``PONG``: the ``t`` the client sent, whatever it was."""

    t: Any
    ref: NotRequired[str]


class Ack(TypedDict):
    """``ACK``: what the command's handler returned, if anything."""

    ref: str
    result: NotRequired[Any]


# Control frames by type: they go to one connection, whatever the target.
CONTROL: dict[str, type] = {
    "ERROR": Error,
    "SUBSCRIBED": Subscribed,
    "SYNC": Sync,
    "PING": Ping,
    "PONG": Pong,
    "ACK": Ack,
}


@allow_extra_keys
class PlayerSnapshot(TypedDict):
    """A PLAYER stream's snapshot: the owner, their balance, then the sections apps fill.

    Each section is a list whose items the app that registered it declares
    (``tables.events.PLAYER_SECTIONS``); no app fills ``registrations`` yet.
    Open: an app may register a section of its own.
    """

    user: UserRef
    balance: int
    seats: list[dict[str, Any]]
    registrations: list[dict[str, Any]]


SNAPSHOTS: dict[str, type] = {"PLAYER": PlayerSnapshot}
