"""Credentials revoked while their sockets are open: pushed to those sockets, on every node.

A socket is authenticated once, at its handshake; what it holds afterwards is
its :class:`Standing`, which its commands read instead of asking the database
each time. A revocation reaches the standing two ways, both after the commit
that made it:

- on the node that committed it, at once, in the committing thread: the
  socket's next command, whenever it runs, finds it revoked;
- on every node (this one included), as a ``credential.revoked`` message to
  each of the user's sockets (their presence rows name them), on which the
  consumer closes 4401 without waiting for a command.

What revokes: a user's ``is_active`` written (saved or bulk-updated through
the ORM: every node then looks for connected users no longer active), a
token deleted, a session deleted (logout, ``flush()``, a new login's key
rotation, ``clearsessions``). What no Django process sees (an SQL console,
a session that merely expires) is caught by the standing's re-check, at most
``CREDENTIAL_RECHECK`` seconds after its last one.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model
from django.db import connections, transaction

from .auth import Credential, Standing
from .models import Connection

logger = logging.getLogger(__name__)

# The consumer's handler: RealtimeConsumer.credential_revoked.
MESSAGE_TYPE = "credential.revoked"

# This process's authenticated sockets: user id -> channel name -> standing.
_local: dict[int, dict[str, Standing]] = {}
_local_lock = threading.Lock()


def digest(key: str) -> str:
    """What a revocation message names a token or session by: never the secret itself."""
    return hashlib.sha256(key.encode()).hexdigest()


def watch(channel_name: str, standing: Standing) -> None:
    """Hold a socket's standing, so that a revocation committed in this process marks it at once."""
    with _local_lock:
        _local.setdefault(standing.credential.user_id, {})[channel_name] = standing


def unwatch(channel_name: str, standing: Standing) -> None:
    with _local_lock:
        sockets = _local.get(standing.credential.user_id)
        if sockets is not None and sockets.get(channel_name) is standing:
            del sockets[channel_name]
            if not sockets:
                del _local[standing.credential.user_id]


def matches(credential: Credential, message: dict[str, Any]) -> bool:
    """Whether a revocation message concerns a socket opened with ``credential``."""
    if message["user"] != credential.user_id:
        return False
    if message["token"] is not None:
        return credential.token is not None and digest(credential.token) == message["token"]
    if message["session"] is not None:
        return credential.session_key is not None and digest(credential.session_key) == message["session"]
    return True  # the user: every socket


def revoke(user_id: int, token: str | None = None, session_key: str | None = None) -> None:
    """After commit: the user's sockets opened with ``token``, ``session_key``, or (neither) all of them, are revoked."""
    message = {
        "type": MESSAGE_TYPE,
        "user": user_id,
        "token": digest(token) if token is not None else None,
        "session": digest(session_key) if session_key is not None else None,
    }
    with _local_lock:
        standings = list(_local.get(user_id, {}).values())
    for standing in standings:
        if matches(standing.credential, message):
            standing.revoked = True
    channels = list(Connection.objects.filter(user_id=user_id).values_list("channel_name", flat=True))
    _send(channels, message)


def revoke_inactive() -> None:
    """After a write of users' ``is_active``: revoke every connected user who is no longer active."""
    connected = Connection.objects.filter(user__is_active=False).values_list("user_id", flat=True)
    for user_id in set(connected):
        revoke(user_id)


def _send(channels: Iterable[str], message: dict[str, Any]) -> None:
    """Send ``message`` to each channel, on the server's loop when called from its sync thread."""
    channels = list(channels)
    layer = get_channel_layer()
    if layer is None or not channels:
        return
    from .streams import _server_loop

    loop = _server_loop()
    if loop is not None:
        loop.call_soon_threadsafe(lambda: loop.create_task(_send_all(layer, channels, message)))
        return
    try:
        async_to_sync(_send_all)(layer, channels, message)
    except Exception:
        # Each socket's re-check still catches it, within CREDENTIAL_RECHECK.
        logger.exception("revocation of user %s not pushed", message["user"])


async def _send_all(layer: Any, channels: list[str], message: dict[str, Any]) -> None:
    for channel in channels:
        try:
            await layer.send(channel, message)
        except Exception:
            logger.exception("revocation of user %s not pushed to %s", message["user"], channel)


# --- What revokes ----------------------------------------------------------------------------


def token_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    user_id, key = instance.user_id, instance.key
    # Robust: the deletion is committed; a failed push leaves it to the re-check.
    transaction.on_commit(lambda: revoke(user_id, token=key), robust=True)


def session_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    from django.contrib.auth import SESSION_KEY

    try:
        user_id = instance.get_decoded().get(SESSION_KEY)
    except Exception:
        return  # a session whose data cannot be read authenticated nobody
    if user_id is None:
        return
    key = instance.session_key
    transaction.on_commit(lambda: revoke(int(user_id), session_key=key), robust=True)


# vendor -> (the start of an UPDATE of the user table, its is_active column as SET writes it)
_user_update: dict[str, tuple[str, str]] = {}


def watch_user_writes(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
    """An execute wrapper on every connection: an UPDATE that writes users' ``is_active`` revokes on commit.

    ``QuerySet.update()`` sends no signal, and ``save()`` writes every field:
    the statement itself is the one place both pass. Other statements pay a
    string comparison.
    """
    result = execute(sql, params, many, context)
    db = context["connection"]
    shape = _user_update.get(db.vendor)
    if shape is None:
        user = get_user_model()
        q = db.ops.quote_name
        shape = _user_update[db.vendor] = (
            f"UPDATE {q(user._meta.db_table)} SET ",
            f"{q(user._meta.get_field('is_active').column)} = ",
        )
    if sql.startswith(shape[0]) and shape[1] in sql.partition(" WHERE ")[0]:
        transaction.on_commit(revoke_inactive, using=db.alias, robust=True)
    return result


def connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    if watch_user_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_user_writes)


def install() -> None:
    """Connect the receivers (RealtimeConfig.ready()); connections opened before get the wrapper too."""
    from django.db.backends.signals import connection_created as created
    from django.db.models.signals import post_delete
    from rest_framework.authtoken.models import Token

    from .auth import session_model

    post_delete.connect(token_deleted, sender=Token, dispatch_uid="pokerrt.revocation.token")
    try:
        sessions = session_model()
    except AttributeError:
        sessions = None  # an engine without rows (signed cookies): the re-check is all there is
    if sessions is not None:
        post_delete.connect(session_deleted, sender=sessions, dispatch_uid="pokerrt.revocation.session")
    created.connect(connection_created, dispatch_uid="pokerrt.revocation.connection")
    for connection in connections.all(initialized_only=True):
        connection_created(None, connection)

