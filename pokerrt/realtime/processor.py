"""The command processor: every client command type, its validator, permission and handler.

Apps register their commands in their ``commands.py``; a handler calls an
``actions.py`` function and returns what the ``ACK`` should carry (or None).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

from pokerrt import errors, retry

from .envelope import Command

logger = logging.getLogger(__name__)

# (user, stream id) -> may this user send this command to this stream?
Permission = Callable[[Any, str | None], bool]
# (user, stream id, validated data) -> the ACK's result (JSON-ready) or None;
# a ``per_socket`` command's handler also takes the socket's channel name.
Handler = Callable[..., object]
# data -> what the serializer would validate it to, when the data is plainly
# valid; None sends it through the serializer (which then words any error).
Shortcut = Callable[[dict[str, Any]], "dict[str, Any] | None"]

# Types the consumer itself answers; no app may register them.
CONTROL_TYPES = frozenset({"SUBSCRIBE", "UNSUBSCRIBE", "PING", "PONG"})
# Types only the server sends: a client sending one gets UNKNOWN_TYPE.
SERVER_TYPES = frozenset({"SUBSCRIBED", "SYNC", "ACK", "ERROR"})


@dataclass(frozen=True)
class CommandType:
    """One (type, target) a client may send."""

    type: str
    target: str
    serializer: type[serializers.Serializer] | None
    permission: Permission | None
    handler: Handler
    needs_auth: bool = True
    # The handler acts for the sending socket, not only its user (lobby
    # presence): it gets the socket's channel name as a fourth argument.
    per_socket: bool = False
    # Success leaves the socket subscribed to the command's stream, as a
    # SUBSCRIBE without ``since`` would (LOBBY_JOIN).
    subscribes: bool = False
    shortcut: Shortcut | None = None


_commands: dict[tuple[str, str], CommandType] = {}
# The registered types (type_label), built on first use after each change.
_types: frozenset[str] | None = None


def register_command(
    type: str,
    target: str,
    *,
    handler: Handler,
    serializer: type[serializers.Serializer] | None = None,
    permission: Permission | None = None,
    needs_auth: bool = True,
    per_socket: bool = False,
    subscribes: bool = False,
    shortcut: Shortcut | None = None,
) -> CommandType:
    """Let clients send ``type`` to ``target`` streams; registering it again replaces it."""
    if type in CONTROL_TYPES or type in SERVER_TYPES:
        raise ValueError(f"{type} is a control type of the protocol")
    command = CommandType(type, target.upper(), serializer, permission, handler, needs_auth,
                          per_socket=per_socket, subscribes=subscribes, shortcut=shortcut)
    _commands[(command.type, command.target)] = command
    _forget_types()
    return command


def unregister_command(type: str, target: str) -> None:
    _commands.pop((type, target.upper()), None)
    _forget_types()


def _forget_types() -> None:
    global _types
    _types = None


def lookup(command: Command) -> CommandType:
    """The registration for a command, or the protocol error that refuses it."""
    found = _commands.get((command.type, command.target))
    if found is not None:
        return found  # every command the clients send asks, twice: the registrations are not scanned
    targets = [target for (type_, target) in _commands if type_ == command.type]
    if not targets:
        raise errors.UnknownType(f"{command.type} is not a command clients may send.")
    if command.target is None:
        raise errors.Validation("This command needs a target.", details={"target": ["Required."]})
    raise errors.Validation(
        f"{command.type} goes to {', '.join(sorted(targets))}.",
        details={"target": [f"One of {', '.join(sorted(targets))}."]},
    )


def type_label(type: object) -> str:
    """A command type fit for a metric label: a type the protocol knows, else OTHER.

    Clients choose the type they send; only known ones become label values,
    so that no client can grow the number of series.
    """
    if isinstance(type, str) and (type in CONTROL_TYPES or type in SERVER_TYPES or type in _command_types()):
        return type
    return "OTHER"


def _command_types() -> frozenset[str]:
    # Every command's metric asks: the set is built again only after (un)registering.
    global _types
    if _types is None:
        _types = frozenset(type for type, _ in _commands)
    return _types


def process(command: Command, user: Any, socket: str | None = None) -> object:
    """Run one command in the calling (sync) thread; returns the handler's result.

    ``socket`` is the sending connection's channel name, which ``per_socket``
    commands need (outside a socket, such a command is ``VALIDATION``).

    Raises a ``pokerrt.errors`` error for everything the client should be
    told: the handler's own pass through whatever app raised them, since each
    carries its code; a serializer's ValidationError becomes VALIDATION.
    """
    registration = lookup(command)
    if registration.needs_auth and not user.is_authenticated:
        raise errors.Unauthenticated()
    data: dict[str, Any] = command.data
    shortcut = registration.shortcut(data) if registration.shortcut is not None else None
    if shortcut is not None:
        data = shortcut
    elif registration.serializer is not None:
        serializer = registration.serializer(data=command.data)
        if not serializer.is_valid():
            raise errors.Validation(details=errors.field_details(serializer.errors))
        data = dict(serializer.validated_data)
    if registration.permission is not None and not registration.permission(user, command.id):
        raise errors.Forbidden()
    if registration.per_socket and socket is None:
        raise errors.Validation(f"{command.type} is sent over a WebSocket.")
    try:
        # The handler is the action, one transaction: a deadlock's loser runs
        # it again whole. Inside a caller's transaction (the bus consumer's)
        # it runs once, and that caller retries.
        return retry.call(_handle, registration, user, command.id, data, socket, what=f"command {command.type}")
    except serializers.ValidationError as exc:
        raise errors.Validation(details=errors.field_details(exc.detail)) from exc


def _handle(registration: CommandType, user: Any, stream_id: str | None, data: dict[str, Any],
            socket: str | None) -> object:
    # A fresh copy of the data for each try: a handler may take from it
    # (``data.pop``), and a retry must find it whole.
    if registration.per_socket:
        return registration.handler(user, stream_id, dict(data), socket)
    return registration.handler(user, stream_id, dict(data))
