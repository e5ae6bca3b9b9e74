"""Live connections of logged-in users across nodes, and the hooks that watch them.

Tables emit PLAYER_DISCONNECT / PLAYER_RECONNECT from these hooks: a user's
first connection anywhere calls ``on_first_connect``, their last one closing
calls ``on_last_disconnect``. Hooks run in a sync thread, after the
connection row's transaction committed.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Connection

logger = logging.getLogger(__name__)

UserHook = Callable[[Any], None]


@dataclass(frozen=True)
class ConnectionHook:
    on_first_connect: UserHook | None
    on_last_disconnect: UserHook | None


_hooks: list[ConnectionHook] = []


def register_connection_hook(
    on_first_connect: UserHook | None = None, on_last_disconnect: UserHook | None = None
) -> ConnectionHook:
    hook = ConnectionHook(on_first_connect, on_last_disconnect)
    _hooks.append(hook)
    return hook


def unregister_connection_hook(hook: ConnectionHook) -> None:
    if hook in _hooks:
        _hooks.remove(hook)


def node_name() -> str:
    """This server process's name: POKERRT_NODE_NAME, else host and a per-process id."""
    return os.environ.get("POKERRT_NODE_NAME") or f"{socket.gethostname()}-{_PROCESS_ID}"


_PROCESS_ID = uuid.uuid4().hex[:8]


def _lock_user(user_id: int) -> Any:
    # One lock per user serialises the count across nodes.
    return get_user_model().objects.select_for_update().get(pk=user_id)


def connection_opened(user: Any, channel_name: str) -> None:
    """Record a connection; the user's first one runs the on_first_connect hooks."""
    with transaction.atomic():
        _lock_user(user.pk)
        Connection.objects.create(channel_name=channel_name, user_id=user.pk, node=node_name())
        first = Connection.objects.filter(user_id=user.pk).count() == 1
    if first:
        _run("on_first_connect", user)


def connection_closed(user: Any, channel_name: str) -> None:
    """Forget a connection; the user's last one runs the on_last_disconnect hooks."""
    with transaction.atomic():
        _lock_user(user.pk)
        deleted, _ = Connection.objects.filter(channel_name=channel_name).delete()
        last = deleted and not Connection.objects.filter(user_id=user.pk).exists()
    if last:
        _run("on_last_disconnect", user)


def live_connections(user: Any) -> int:
    return Connection.objects.filter(user_id=user.pk).count()


def forget_node(node: str | None = None) -> None:
    """Drop a node's rows (it restarted: its sockets are gone), with their hooks."""
    node = node or node_name()
    users = set(Connection.objects.filter(node=node).values_list("user_id", flat=True))
    for user_id in users:
        with transaction.atomic():
            user = _lock_user(user_id)
            Connection.objects.filter(node=node, user_id=user_id).delete()
            last = not Connection.objects.filter(user_id=user_id).exists()
        if last:
            _run("on_last_disconnect", user)


def _run(name: str, user: Any) -> None:
    for hook in list(_hooks):
        fn = getattr(hook, name)
        if fn is None:
            continue
        try:
            fn(user)
        except Exception:
            logger.exception("connection hook %s failed for user %s", name, user.pk)
