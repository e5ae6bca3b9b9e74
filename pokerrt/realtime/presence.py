"""Live connections of logged-in users across nodes, and the hooks that watch them.

Tables emit PLAYER_DISCONNECT / PLAYER_RECONNECT from these hooks: a user's
first connection anywhere calls ``on_first_connect``, their last one closing
calls ``on_last_disconnect``. Hooks run in a sync thread, after the
connection row's transaction committed. The lobby's presence is per socket:
``on_close`` hears which sockets of a user go, inside the transaction that
deletes their rows.

A node that dies (``kill -9``, a lost machine) cannot delete its rows. So
each node has a name that survives its restarts (its next run's first
connection deletes what the previous run left) and a heartbeat: every
NODE_HEARTBEAT seconds it refreshes its ``Node.last_seen`` and clears the
rows of nodes not seen for NODE_EXPIRY, running the hooks as if those
sockets had closed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from .models import Connection, Node

logger = logging.getLogger(__name__)

T = TypeVar("T")

UserHook = Callable[[Any], None]
# (user, channel names of the user's sockets that are going)
SocketsHook = Callable[[Any, list[str]], None]


@dataclass(frozen=True)
class ConnectionHook:
    on_first_connect: UserHook | None
    on_last_disconnect: UserHook | None
    # Runs inside the transaction that deletes the rows, under the user's
    # lock, before they go: what hangs on a socket goes with it, atomically.
    on_close: SocketsHook | None = None


_hooks: list[ConnectionHook] = []


def register_connection_hook(
    on_first_connect: UserHook | None = None,
    on_last_disconnect: UserHook | None = None,
    on_close: SocketsHook | None = None,
) -> ConnectionHook:
    hook = ConnectionHook(on_first_connect, on_last_disconnect, on_close)
    _hooks.append(hook)
    return hook


def unregister_connection_hook(hook: ConnectionHook) -> None:
    if hook in _hooks:
        _hooks.remove(hook)


# --- Connections ------------------------------------------------------------------------

# This process's tracked sockets, channel name -> user: what the node writes
# back if other nodes took it for dead and cleared its rows.
_open: dict[str, Any] = {}


def _lock_user(user_id: int) -> Any:
    # One lock per user serialises the count across nodes.
    return get_user_model().objects.select_for_update().get(pk=user_id)


def connection_opened(user: Any, channel_name: str) -> None:
    """Record a connection; the user's first one runs the on_first_connect hooks."""
    _open[channel_name] = user
    if _record(user, channel_name):
        _run("on_first_connect", user)


def _record(user: Any, channel_name: str) -> bool:
    """Write an open socket's row unless it is there; whether it is the user's only one."""
    with transaction.atomic():
        _lock_user(user.pk)
        # Under the user's lock, which connection_closed takes too: a socket
        # that closed meanwhile is not written back.
        if channel_name not in _open:
            return False
        _, created = Connection.objects.get_or_create(
            channel_name=channel_name, defaults={"user_id": user.pk, "node": node_name()}
        )
        return created and Connection.objects.filter(user_id=user.pk).count() == 1


def connection_closed(user: Any, channel_name: str) -> None:
    """Forget a connection; the user's last one runs the on_last_disconnect hooks."""
    with transaction.atomic():
        _lock_user(user.pk)
        _open.pop(channel_name, None)
        rows = Connection.objects.filter(channel_name=channel_name)
        if rows.exists():
            _closing(user, [channel_name])
        deleted, _ = rows.delete()
        last = deleted and not Connection.objects.filter(user_id=user.pk).exists()
    if last:
        _run("on_last_disconnect", user)


def is_open(channel_name: str) -> bool:
    """Whether this process holds the socket ``channel_name`` open."""
    return channel_name in _open


def live_connections(user: Any) -> int:
    return Connection.objects.filter(user_id=user.pk).count()


def forget_node(node: str | None = None) -> None:
    """Drop a node's rows (it restarted or died: its sockets are gone), with their hooks."""
    node = node or node_name()
    users = set(Connection.objects.filter(node=node).values_list("user_id", flat=True))
    for user_id in users:
        with transaction.atomic():
            user = _lock_user(user_id)
            rows = Connection.objects.filter(node=node, user_id=user_id)
            _closing(user, list(rows.values_list("channel_name", flat=True)))
            rows.delete()
            last = not Connection.objects.filter(user_id=user_id).exists()
        if last:
            _run("on_last_disconnect", user)


def _closing(user: Any, channel_names: list[str]) -> None:
    for hook in list(_hooks):
        if hook.on_close is None:
            continue
        try:
            # A savepoint: a failing hook must not keep the rows of sockets that are gone.
            with transaction.atomic():
                hook.on_close(user, channel_names)
        except Exception:
            logger.exception("connection hook on_close failed for user %s", user.pk)


def _run(name: str, user: Any) -> None:
    for hook in list(_hooks):
        fn = getattr(hook, name)
        if fn is None:
            continue
        try:
            fn(user)
        except Exception:
            logger.exception("connection hook %s failed for user %s", name, user.pk)


# --- Nodes ----------------------------------------------------------------------------------

_PROCESS_ID = uuid.uuid4().hex[:8]
# Set from the address the process's first connection came to.
_served_name: str | None = None
# The node's start on the running loop (every connection waits for it), and its heartbeat.
_start: asyncio.Task[None] | None = None
_heartbeat: asyncio.Task[None] | None = None


def node_name() -> str:
    """This process's name: POKERRT_NODE_NAME, else ``host:port`` it serves, else host and a per-process id.

    ``host:port`` stays the same when a node restarts (``make run``), and no
    two running processes share one: the second could not bind the port.
    """
    return os.environ.get("POKERRT_NODE_NAME") or _served_name or f"{socket.gethostname()}-{_PROCESS_ID}"


def _name_after(server: Any) -> None:
    """Name the process after the ``scope["server"]`` (host, port) of its first connection."""
    global _served_name
    if _served_name is None and server and isinstance(server[1], int):
        _served_name = f"{socket.gethostname()}:{server[1]}"


async def ensure_node_started(server: Any) -> None:
    """Wait for this node's start; the process's first connection (or the first after a failed start) starts it."""
    global _start
    loop = asyncio.get_running_loop()
    if _start is None or _start.get_loop() is not loop or _failed(_start):
        _name_after(server)
        _start = loop.create_task(_start_node())
    # Shielded: a connection that goes away must not cancel the start the others wait for.
    await asyncio.shield(_start)


def _failed(task: asyncio.Task[None]) -> bool:
    return task.done() and (task.cancelled() or task.exception() is not None)


async def _start_node() -> None:
    global _heartbeat
    await _in_thread(start_node)
    _heartbeat = asyncio.get_running_loop().create_task(_beat_forever())


def start_node() -> None:
    """This run's start: drop what the previous run of the node left, say it is alive, clear dead nodes."""
    forget_node()
    _seen_now()
    expire_dead_nodes()


async def _beat_forever() -> None:
    while True:
        await asyncio.sleep(settings.POKERRT_REALTIME["NODE_HEARTBEAT"])
        try:
            await _in_thread(heartbeat)
        except Exception:
            logger.exception("presence heartbeat of %s failed", node_name())


async def _in_thread(fn: Callable[[], T]) -> T:
    # A thread of the loop's default pool, not the consumers' one sync
    # thread: the heartbeat must not wait behind their commands. Through
    # asgiref, so that the hooks' events are broadcast on the server's loop.
    return await sync_to_async(_closing_connection, thread_sensitive=False)(fn)


def _closing_connection(fn: Callable[[], T]) -> T:
    # Pool threads come and go: close the connection rather than leave it open.
    try:
        return fn()
    finally:
        connection.close()


def heartbeat() -> None:
    """Say this node is alive, write back its rows if it was taken for dead, clear dead nodes' rows."""
    if not Node.objects.filter(name=node_name()).update(last_seen=timezone.now()):
        _revive()
    expire_dead_nodes()


def _seen_now() -> None:
    Node.objects.update_or_create(name=node_name(), defaults={"last_seen": timezone.now()})


def _revive() -> None:
    # Not seen for NODE_EXPIRY (the database was out of reach, the process
    # stopped): other nodes cleared this node's rows and told the tables its
    # users left. They are still here.
    logger.warning("node %s was taken for dead: recording its %d connections again", node_name(), len(_open))
    _seen_now()
    for channel_name, user in list(_open.items()):
        if _record(user, channel_name):
            _run("on_first_connect", user)


def expire_dead_nodes() -> None:
    """Clear the rows of nodes not seen for NODE_EXPIRY seconds (or never seen), with their hooks."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.POKERRT_REALTIME["NODE_EXPIRY"])
    alive = Node.objects.filter(last_seen__gte=cutoff).values("name")
    dead = set(Connection.objects.exclude(node__in=alive).values_list("node", flat=True))
    # The node rows go first: whoever sees a dead node's PLAYER_DISCONNECT can
    # rely on the node being forgotten. Connections left by a failure below
    # still belong to no live node and are cleared by the next sweep.
    Node.objects.filter(last_seen__lt=cutoff).delete()
    for node in sorted(dead):
        logger.warning("node %s not seen for %ss: clearing its connections", node, settings.POKERRT_REALTIME["NODE_EXPIRY"])
        forget_node(node)
