"""The one WebSocket endpoint, ``/ws/``: PROTOCOL.md sections 1 to 5 and 7.

Every frame to the client goes through one bounded queue drained by a writer
task, so frames leave in the order they were produced and a client that does
not read is closed (4503) instead of growing the server's memory.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from .. import clock
from . import auth, errors, presence, processor, registry
from .envelope import Command, control_frame, error_frame, parse_command, read_ref
from .limits import TokenBucket
from .streams import (
    STREAM_ID_RE,
    StreamPosition,
    event_frame,
    events_between,
    group_name,
    replay,
    stream_position,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Close codes of PROTOCOL.md section 4.
CLOSE_BAD_TOKEN = 4401
CLOSE_HEARTBEAT_TIMEOUT = 4408
CLOSE_RATE_ABUSE = 4429
CLOSE_SLOW_CONSUMER = 4503
CLOSE_TOO_BIG = 1009
CLOSE_RESTART = 1012


@dataclass
class Subscription:
    """What this connection has forwarded of one stream."""

    # The seq of the last event sent (or the snapshot's); later ones must follow it.
    seq: int
    epoch: str


@dataclass(frozen=True)
class SubscribeResult:
    position: StreamPosition
    # The replayed events' frames when recovered, else None and a snapshot.
    replayed: list[str] | None
    state: dict[str, Any] | None


def _encode(frame: dict[str, Any]) -> str:
    return json.dumps(frame, cls=DjangoJSONEncoder)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _decode(text: str) -> Any:
    """A client frame's JSON value; BadFrame for anything that is not JSON (RFC 8259).

    Deep nesting makes the parser raise RecursionError, not ValueError; NaN
    and Infinity are Python's extensions, and echoing one back (PONG's ``t``)
    would send the client a frame that is not JSON either.
    """
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise errors.BadFrame("A frame must be JSON.") from None


def _check_access(target: str, stream_id: str, user: Any) -> registry.StreamType:
    stream_type = registry.stream_type(target)
    assert stream_type is not None
    if not STREAM_ID_RE.match(stream_id) or (
        stream_type.exists is not None and not stream_type.exists(stream_id)
    ):
        raise errors.NotFound(f"No {target} {stream_id}.")
    if not stream_type.can_subscribe(stream_id, user):
        raise errors.Forbidden(f"You may not subscribe to {target} {stream_id}.")
    return stream_type


def _read_subscription(
    stream_type: registry.StreamType, stream_id: str, user: Any, since: int | None, epoch: str | None
) -> SubscribeResult:
    """Replay after ``since`` when the journal holds it all, else a snapshot; at one seq."""
    with transaction.atomic():
        position = stream_position(stream_type.target, stream_id)
        if since is not None:
            events = replay(stream_type.target, stream_id, position, since, epoch)
            if events is not None:
                return SubscribeResult(position, [_encode(event_frame(e)) for e in events], None)
        return SubscribeResult(position, None, stream_type.snapshot(stream_id, user))


class NodeStopping(Exception):
    """The node closed this socket (1012) while its command waited for the sync thread."""


def _as_user(shutdown: Any, credential: auth.Credential | None, fn: Callable[..., T], *args: Any) -> T:
    # The one sync thread may reach this long after it was queued. Once the
    # node stops, commands are dropped unrun, so that the thread gets to the
    # consumers' disconnects within the grace.
    if shutdown is not None and shutdown.started:
        raise NodeStopping()
    if credential is not None and not auth.credential_valid(credential):
        raise auth.CredentialRevoked()
    return fn(*args)


def _missing_events(target: str, stream_id: str, epoch: str, after: int, upto: int) -> list[str] | None:
    events = events_between(target, stream_id, epoch, after, upto)
    return None if events is None else [_encode(event_frame(e)) for e in events]


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    """One client: its subscriptions, its commands, its heartbeat and limits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What the connection holds; _release gives it all back, however the consumer ends.
        self.subscriptions: dict[tuple[str, str], Subscription] = {}
        self.tasks: list[asyncio.Task[None]] = []
        # Whether presence may hold a row for this socket.
        self.tracked = False
        # Whether we closed the socket, or saw it closed.
        self.ended = False
        self.released = False
        # The serving node's shutdown (server.Shutdown), set in connect under the pokerrt server.
        self.shutdown: Any = None

    @property
    def closed(self) -> bool:
        """No frame goes in or out any more: the socket closed, or the node closed it with 1012."""
        return self.ended or (self.shutdown is not None and self.shutdown.started)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        # A handler that raises ends the consumer without websocket.disconnect
        # (Daphne closes the socket 1011): release here, or the groups and the
        # presence row would outlive the socket.
        try:
            await super().__call__(scope, receive, send)
        finally:
            await self._release()

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch first hops to the one sync thread to close
        # stale database connections, for every message: under load each
        # event to each subscriber then waits behind every consumer's
        # database work. Our database work runs in database_sync_to_async,
        # which closes stale connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        # Channels' own hops to the sync thread once more after disconnect
        # (see dispatch): at shutdown every consumer's end waited for it.
        await self.disconnect(message["code"])
        raise StopConsumer()

    async def connect(self) -> None:
        if self.scope.get("auth_error"):
            # Before accept, so Daphne refuses the handshake with HTTP 403.
            await self.close(code=CLOSE_BAD_TOKEN)
            return
        conf = settings.POKERRT_REALTIME
        self.user = self.scope.get("user") or AnonymousUser()
        # Checked again before each command: it may be revoked while the socket is open.
        self.credential = auth.credential_of(self.scope)
        self.bucket = TokenBucket(conf["RATE_PER_SECOND"], conf["RATE_BURST"], clock=clock.monotonic)
        self.outgoing: deque[str] = deque()
        self.outgoing_ready = asyncio.Event()
        # True while the writer task holds a frame it took from the queue.
        self.writing = False
        self.last_frame_at = clock.monotonic()
        # Backpressure and the node's shutdown, from the pokerrt server
        # (server.py); plain Daphne has neither.
        self.flow = self.scope.get("extensions", {}).get("pokerrt.flow")
        self.shutdown = self.scope.get("extensions", {}).get("pokerrt.shutdown")
        # Every connection, anonymous too, waits for the node's start (its
        # previous run's rows cleared, its heartbeat going): after a restart
        # the first one may well be a watcher.
        await presence.ensure_node_started(self.scope.get("server"))
        if self.user.is_authenticated:
            # Before the write: if connect fails after it, _release still deletes the row.
            self.tracked = True
            await database_sync_to_async(presence.connection_opened)(self.user, self.channel_name)
        await self.accept()
        self.tasks = [
            asyncio.ensure_future(self._write_loop()),
            asyncio.ensure_future(self._heartbeat_loop()),
        ]

    async def disconnect(self, code: int) -> None:
        await self._release()

    async def _release(self) -> None:
        """Cancel the tasks, leave the groups, drop the presence row: once, each step whatever the one before did."""
        if self.released:
            return
        self.released = self.ended = True
        for task in self.tasks:
            task.cancel()
        try:
            for target, stream_id in list(self.subscriptions):
                await self.channel_layer.group_discard(group_name(target, stream_id), self.channel_name)
        finally:
            # Past the shutdown grace the process is about to exit: the row
            # is left to the node's next run or to its expiry.
            if self.tracked and not (self.shutdown is not None and self.shutdown.grace_over):
                self.tracked = False
                await database_sync_to_async(presence.connection_closed)(self.user, self.channel_name)

    async def close_with(self, code: int) -> None:
        """Close once; the frames still queued are dropped."""
        if self.closed:
            return
        self.ended = True
        logger.info("closing %s (user %s) with %d", self.channel_name, self.user.pk, code)
        self.outgoing.clear()
        await self.close(code=code)

    # --- Incoming frames -------------------------------------------------------------

    async def websocket_receive(self, message: dict[str, Any]) -> None:
        if self.closed:
            return
        self.last_frame_at = clock.monotonic()
        limit = settings.POKERRT_REALTIME["MAX_FRAME_BYTES"]
        text = message.get("text")
        size = len(message.get("bytes") or b"") if text is None else len(text)
        # A UTF-8 character is at most 4 bytes: encode only frames that may be too big.
        if size > limit or (text is not None and size * 4 > limit and len(text.encode("utf-8")) > limit):
            await self.close_with(CLOSE_TOO_BIG)
            return
        content: Any = None
        problem: errors.ProtocolError | None = None
        if text is None:
            problem = errors.BadFrame("Binary frames are not accepted.")
        else:
            try:
                content = _decode(text)
            except errors.BadFrame as bad:
                problem = bad
        await self.receive_json(content, problem=problem)

    async def receive_json(
        self, content: Any, problem: errors.ProtocolError | None = None, **kwargs: Any
    ) -> None:
        ref = read_ref(content)
        # Answers to our pings are not commands: never rate limited.
        if isinstance(content, dict) and content.get("type") == "PONG":
            return
        if not self.bucket.take():
            if self.bucket.excess > settings.POKERRT_REALTIME["RATE_ABUSE_LIMIT"]:
                await self.close_with(CLOSE_RATE_ABUSE)
                return
            await self.command_failed(errors.RateLimited(), ref, content)
            return
        if problem is not None:
            await self.command_failed(problem, None, None)
            return
        try:
            command = parse_command(content)
            await self.run(command)
        except auth.CredentialRevoked:
            await self.close_with(CLOSE_BAD_TOKEN)
        except NodeStopping:
            return  # the client has its 1012 and resubscribes elsewhere
        except errors.ProtocolError as error:
            await self.command_failed(error, ref, content)
        except Exception:
            logger.exception("command failed: %r", content.get("type") if isinstance(content, dict) else None)
            await self.command_failed(errors.Internal(), ref, content)

    async def run(self, command: Command) -> None:
        if command.type == "PING":
            data: dict[str, Any] = {"t": command.data.get("t")}
            if command.ref is not None:
                data["ref"] = command.ref
            self.send_frame(control_frame("PONG", data))
        elif command.type == "SUBSCRIBE":
            await self.subscribe(command)
        elif command.type == "UNSUBSCRIBE":
            await self.unsubscribe(command)
        elif command.type in processor.SERVER_TYPES:
            raise errors.UnknownType(f"{command.type} is sent by the server only.")
        else:
            result = await self.as_user(processor.process, command, self.user)
            if command.ref is not None:
                ack: dict[str, Any] = {"ref": command.ref}
                if result is not None:
                    ack["result"] = result
                self.send_frame(control_frame("ACK", ack, command.target, command.id))

    async def as_user(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the sync thread, once the socket's credential proved still valid there.

        In the same thread hop as the command, so the check costs one query
        and no extra wait behind other consumers' database work.
        """
        return await database_sync_to_async(_as_user)(self.shutdown, self.credential, fn, *args)

    async def command_failed(self, error: errors.ProtocolError, ref: str | None, content: Any) -> None:
        target = id_ = None
        if isinstance(content, dict):
            target = content.get("target") if isinstance(content.get("target"), str) else None
            raw_id = content.get("id")
            id_ = str(raw_id) if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) else None
        self.send_frame(error_frame(error.code, error.message, ref, error.details, target, id_))

    # --- Subscriptions ---------------------------------------------------------------------

    def _stream_of(self, command: Command) -> tuple[registry.StreamType, str]:
        if command.target is None or command.id is None:
            missing = {name: ["Required."] for name in ("target", "id") if getattr(command, name) is None}
            raise errors.Validation("Which stream?", details=missing)
        stream_type = registry.stream_type(command.target)
        if stream_type is None:
            raise errors.Validation(
                f"No stream type {command.target}.",
                details={"target": [f"One of {', '.join(registry.registered_targets())}."]},
            )
        return stream_type, command.id

    async def subscribe(self, command: Command) -> None:
        stream_type, stream_id = self._stream_of(command)
        since = command.data.get("since")
        epoch = command.data.get("epoch")
        problems = {}
        if since is not None and (not isinstance(since, int) or isinstance(since, bool) or since < 0):
            problems["since"] = ["A whole number, 0 or more."]
        if epoch is not None and not isinstance(epoch, str):
            problems["epoch"] = ["A string."]
        if problems:
            raise errors.Validation(details=problems)
        await self.as_user(_check_access, stream_type.target, stream_id, self.user)
        # Join first: what is emitted while the snapshot is read waits in the
        # channel, and event_send drops what the snapshot already holds.
        group = group_name(stream_type.target, stream_id)
        await self.channel_layer.group_add(group, self.channel_name)
        try:
            await self._send_subscribed(stream_type, stream_id, since, epoch, command.ref)
        except BaseException:
            if (stream_type.target, stream_id) not in self.subscriptions:
                await self.channel_layer.group_discard(group, self.channel_name)
            raise

    async def _send_subscribed(
        self,
        stream_type: registry.StreamType,
        stream_id: str,
        since: int | None,
        epoch: str | None,
        ref: str | None,
    ) -> None:
        result = await database_sync_to_async(_read_subscription)(
            stream_type, stream_id, self.user, since, epoch
        )
        position = result.position
        self.subscriptions[(stream_type.target, stream_id)] = Subscription(position.seq, position.epoch)
        data: dict[str, Any] = {"seq": position.seq, "epoch": position.epoch, "recovered": False}
        if result.replayed is not None:
            data.update(seq=since, recovered=True)
        else:
            data["state"] = result.state
        if ref is not None:
            data["ref"] = ref
        self.send_frame(control_frame("SUBSCRIBED", data, stream_type.target, stream_id))
        for text in result.replayed or ():
            self.send_text(text)

    async def unsubscribe(self, command: Command) -> None:
        if command.target is None or command.id is None:
            raise errors.Validation(
                "Which stream?",
                details={name: ["Required."] for name in ("target", "id") if getattr(command, name) is None},
            )
        if self.subscriptions.pop((command.target, command.id), None) is not None:
            await self.channel_layer.group_discard(group_name(command.target, command.id), self.channel_name)
        if command.ref is not None:
            self.send_frame(control_frame("ACK", {"ref": command.ref}, command.target, command.id))

    async def event_send(self, message: dict[str, Any]) -> None:
        """A committed event of a stream this connection joined."""
        key = (message["target"], message["id"])
        subscription = self.subscriptions.get(key)
        if subscription is None or self.closed:
            return
        seq = message["seq"]
        if message["epoch"] != subscription.epoch:
            await self._resync(key)
            return
        if seq <= subscription.seq:
            return
        if seq > subscription.seq + 1:
            # Events from other nodes may arrive out of order; the journal
            # already holds the ones in between (seq is taken under a lock).
            missing = await database_sync_to_async(_missing_events)(
                key[0], key[1], subscription.epoch, subscription.seq, seq
            )
            if missing is None:
                await self._resync(key)
                return
            for text in missing:
                self.send_text(text)
        subscription.seq = seq
        if self.user.is_authenticated and message.get("awaited_user") == str(self.user.pk):
            # Before the frame leaves, so the answer it asks for finds its token.
            self.bucket.credit()
        await self.forward(message["text"])

    async def _resync(self, key: tuple[str, str]) -> None:
        stream_type = registry.stream_type(key[0])
        if stream_type is None:
            return
        await self._send_subscribed(stream_type, key[1], None, None, None)

    # --- Outgoing queue, heartbeat ----------------------------------------------------------

    def send_frame(self, frame: dict[str, Any]) -> None:
        self.send_text(_encode(frame))

    def send_text(self, text: str) -> None:
        if self.closed:
            return
        if len(self.outgoing) >= settings.POKERRT_REALTIME["OUTGOING_QUEUE_LIMIT"]:
            self.closing = asyncio.ensure_future(self.close_with(CLOSE_SLOW_CONSUMER))
            return
        self.outgoing.append(text)
        self.outgoing_ready.set()

    async def forward(self, text: str) -> None:
        """Send at once when nothing waits and the socket has room, else queue."""
        if (
            not self.outgoing
            and not self.writing
            and not self.closed
            and (self.flow is None or self.flow.has_room())
        ):
            await self.send(text_data=text)
        else:
            self.send_text(text)

    async def _write_loop(self) -> None:
        while not self.closed:
            await self.outgoing_ready.wait()
            self.outgoing_ready.clear()
            while self.outgoing and not self.closed:
                if self.flow is not None:
                    await self.flow.writable()
                    if self.closed:
                        return
                self.writing = True
                try:
                    await self.send(text_data=self.outgoing.popleft())
                finally:
                    self.writing = False

    async def _heartbeat_loop(self) -> None:
        conf = settings.POKERRT_REALTIME
        interval, timeout = conf["HEARTBEAT_INTERVAL"], conf["HEARTBEAT_TIMEOUT"]
        next_ping = clock.monotonic() + interval
        while not self.closed:
            now = clock.monotonic()
            if now - self.last_frame_at >= timeout:
                await self.close_with(CLOSE_HEARTBEAT_TIMEOUT)
                return
            if now >= next_ping:
                self.send_frame(control_frame("PING", {"t": int(clock.now().timestamp() * 1000)}))
                next_ping = now + interval
            await clock.sleep(max(0.01, min(next_ping, self.last_frame_at + timeout) - now))

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        return _encode(content)
