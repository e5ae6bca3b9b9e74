"""The one WebSocket endpoint, ``/ws/``: PROTOCOL.md sections 1 to 5 and 7.

The consumer is the connection's life: connect, frames in, commands, the
heartbeat, release. Its parts each have a module: ``frames`` (JSON both
ways), ``subscriptions`` (the read path's checks and reads), ``outbox``
(every frame to the client through one bounded queue drained by a writer
task, so frames leave in the order they were produced and a client that does
not read is closed with 4503 instead of growing the server's memory),
``heartbeat`` (the node's one timer that pings every socket and closes the
silent ones). An idle socket has no task of its own: its memory is most of
what a node with many idle sockets holds (loadtest/README.md).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from pokerrt import error_handlers, errors, metrics

from .. import clock
from . import (
    auth,
    digest_sync,
    local_delivery,
    presence,
    processor,
    pumps,
    readers,
    registry,
    revocation,
    tail,
)
from .digest import is_digested
from .envelope import Command, control_frame, error_frame, parse_command, read_ref
from .frames import decode, encode
from .heartbeat import Heartbeat, heartbeat
from .limits import TokenBucket
from .outbox import Outbox
from .streams import group_name
from .subscriptions import (
    Subscription,
    check_access,
    digest_options,
    missing_events,
    named_stream,
    read_replay,
    read_subscription,
    resume_point,
    stream_of,
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


class NodeStopping(Exception):
    """The node closed this socket (1012) while its command waited for the sync thread."""


def _as_user(shutdown: Any, standing: auth.Standing | None, fn: Callable[..., T], *args: Any) -> T:
    # The command's thread may reach this long after it was queued. Once the
    # node stops, commands are dropped unrun, so that the thread gets to the
    # consumers' disconnects within the grace.
    if shutdown is not None and shutdown.started:
        raise NodeStopping()
    if standing is not None:
        standing.check()
    return fn(*args)


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    """One client: its subscriptions, its commands, its heartbeat and limits."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What the connection holds; _release gives it all back, however the consumer ends.
        self.subscriptions: dict[tuple[str, str], Subscription] = {}
        # Its place in the node's heartbeat (heartbeat.py), once accepted.
        self.beat: list[Any] | None = None
        # The heartbeat's 4408 close, held so the task is not collected before it runs.
        self.closing: asyncio.Future[None] | None = None
        # Whether presence may hold a row for this socket.
        self.tracked = False
        # Whether we closed the socket, or saw it closed.
        self.ended = False
        self.released = False
        # The serving node's shutdown (server.Shutdown), set in connect under the pokerrt server.
        self.shutdown: Any = None
        # Whether this socket counts in pokerrt_connections (it was accepted).
        self.counted = False
        # The credential of a logged-in socket, set in connect: revoked by push
        # (revocation.py) or found gone by a re-check, it closes the socket 4401
        # at its next command.
        self.standing: auth.Standing | None = None
        # Held while a message is handled: Channels hands them over one at a
        # time, and the journal tail's deliveries (tail_send) wait their turn
        # among them, so a stream's frames are never interleaved.
        self.turn = asyncio.Lock()

    @property
    def closed(self) -> bool:
        """No frame goes in or out any more: the socket closed, or the node closed it with 1012."""
        return self.ended or (self.shutdown is not None and self.shutdown.started)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        # A handler that raises ends the consumer without websocket.disconnect
        # (Daphne closes the socket 1011): release here, or the groups and the
        # presence row would outlive the socket.
        try:
            await self._serve(scope, receive, send)
        finally:
            await self._release()

    async def _serve(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Channels' ``AsyncConsumer.__call__``, with a pump per source instead of a task per message (pumps.py)."""
        self.scope = scope
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        sources = [receive]
        if self.channel_layer is not None:
            self.channel_name = await self.channel_layer.new_channel()
            self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
            sources.append(self.channel_receive)
        self.base_send = send
        try:
            await pumps.dispatch_each(sources, self.dispatch)
        except StopConsumer:
            pass

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch first hops to the one sync thread to close
        # stale database connections, for every message: under load each
        # event to each subscriber then waits behind every consumer's
        # database work. Our database work runs in database_sync_to_async,
        # which closes stale connections itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        async with self.turn:
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
        credential = auth.credential_of(self.scope)
        self.standing = auth.Standing(credential) if credential is not None else None
        self.bucket = TokenBucket(conf["RATE_PER_SECOND"], conf["RATE_BURST"], clock=clock.monotonic)
        self.last_frame_at = clock.monotonic()
        # Backpressure and the node's shutdown, from the pokerrt server
        # (server.py); plain Daphne has neither.
        extensions = self.scope.get("extensions", {})
        self.shutdown = extensions.get("pokerrt.shutdown")
        self.socket_writer = extensions.get("pokerrt.writer")
        self.outbox = Outbox(
            self._send_text,
            extensions.get("pokerrt.flow"),
            lambda: self.closed,
            lambda: self.close_with(CLOSE_SLOW_CONSUMER),
            self._write_text if self.socket_writer is not None else None,
        )
        # From here until release, the channel layer may hand this
        # consumer a group's event directly (local_delivery.py).
        if self.channel_layer is not None:
            local_delivery.register(self.channel_name, self)
        # Every connection, anonymous too, waits for the node's start (its
        # previous run's rows cleared, its heartbeat going): after a restart
        # the first one may well be a watcher.
        await presence.ensure_node_started(self.scope.get("server"))
        if self.standing is not None:
            # Before the presence row, by which revocations on other nodes find the socket.
            revocation.watch(self.channel_name, self.standing)
        if self.user.is_authenticated:
            # Before the write: if connect fails after it, _release still deletes the row.
            self.tracked = True
            await database_sync_to_async(presence.connection_opened)(self.user, self.channel_name)
        await self.accept()
        self.counted = True
        metrics.CONNECTIONS.inc()
        self.beat = heartbeat().watch(self)

    async def disconnect(self, code: int) -> None:
        await self._release()

    async def _release(self) -> None:
        """Cancel the tasks, leave the groups, drop the presence row: once, each step whatever the one before did."""
        if self.released:
            return
        self.released = self.ended = True
        if self.counted:
            metrics.CONNECTIONS.dec()
        if self.beat is not None:
            Heartbeat.forget(self.beat)
        if hasattr(self, "outbox"):  # connect made none when it refused the handshake
            if self.channel_layer is not None:
                local_delivery.unregister(self.channel_name)
            self.outbox.stop()
        if self.standing is not None:
            revocation.unwatch(self.channel_name, self.standing)
        try:
            for target, stream_id in list(self.subscriptions):
                digest_sync.unwatch((target, stream_id), self.channel_name)
                tail.unfollow((target, stream_id), self)
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
        metrics.CLOSES.labels(str(code)).inc()
        logger.info("closing %s (user %s) with %d", self.channel_name, self.user.pk, code)
        self.outbox.clear()
        await self.close(code=code)

    # --- Incoming frames -------------------------------------------------------------

    async def websocket_receive(self, message: dict[str, Any]) -> None:
        if self.closed:
            return
        self.last_frame_at = clock.monotonic()
        limit = settings.POKERRT_REALTIME["MAX_FRAME_BYTES"]
        text = message.get("text")
        size = len(message.get("bytes") or b"") if text is None else len(text)
        metrics.FRAMES_IN.observe(size)
        # A UTF-8 character is at most 4 bytes: encode only frames that may be too big.
        if size > limit or (text is not None and size * 4 > limit and len(text.encode("utf-8")) > limit):
            await self.close_with(CLOSE_TOO_BIG)
            return
        content: Any = None
        problem: errors.PokerrtError | None = None
        if text is None:
            problem = errors.BadFrame("Binary frames are not accepted.")
        else:
            try:
                content = decode(text)
            except errors.BadFrame as bad:
                problem = bad
        await self.receive_json(content, problem=problem)

    async def receive_json(
        self, content: Any, problem: errors.PokerrtError | None = None, **kwargs: Any
    ) -> None:
        ref = read_ref(content)
        # Answers to our pings are not commands: never rate limited.
        if isinstance(content, dict) and content.get("type") == "PONG":
            self._pong(content)
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
        started = time.perf_counter()
        try:
            command = parse_command(content)
            await self.run(command)
            metrics.COMMANDS.labels(processor.type_label(command.type), "ok").inc()
            metrics.COMMAND_SECONDS.observe(time.perf_counter() - started)
        except auth.CredentialRevoked:
            await self.close_with(CLOSE_BAD_TOKEN)
        except NodeStopping:
            return  # the client has its 1012 and resubscribes elsewhere
        except Exception as error:
            # A refusal, or INTERNAL (logged with its traceback, staff told;
            # a transient fault past its retries: "busy"), as pokerrt.error_handlers says.
            await self.command_failed(error, ref, content)
            metrics.COMMAND_SECONDS.observe(time.perf_counter() - started)

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
            result = await self.as_user(processor.process, command, self.user, self.channel_name)
            if processor.lookup(command).subscribes:
                # After the change, so the snapshot already shows it; before
                # the ACK, so the client has the state when it reads the ACK.
                # A client that asked for the stream's digests keeps them.
                held = self.subscriptions.get((command.target, command.id))
                options = {"digest": True} if held is not None and held.digest else {}
                await self.subscribe(Command("SUBSCRIBE", command.target, command.id, options, None))
            if command.ref is not None:
                ack: dict[str, Any] = {"ref": command.ref}
                if result is not None:
                    ack["result"] = result
                self.send_frame(control_frame("ACK", ack, command.target, command.id))

    async def as_user(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on a command thread (readers.in_command_thread), once the socket's credential proved still standing there.

        In the same thread hop as the command: a revocation committed before
        the command runs is seen, whichever thread committed it.
        """
        return await readers.in_command_thread(_as_user)(self.shutdown, self.standing, fn, *args)

    async def credential_revoked(self, message: dict[str, Any]) -> None:
        """A revocation pushed from any node (revocation.py): the next command closes 4401, as a re-check would."""
        if self.standing is not None and revocation.matches(self.standing.credential, message):
            self.standing.revoked = True

    async def command_failed(self, error: Exception, ref: str | None, content: Any) -> None:
        target = id_ = None
        # The label, not what was sent: the type is the client's to choose, the log's size is not.
        label = processor.type_label(content.get("type") if isinstance(content, dict) else None)
        told = error_handlers.answer(error, error_handlers.SOCKET, f"command {label}")
        metrics.COMMANDS.labels(label, told.code).inc()
        metrics.ERRORS.labels(told.code).inc()
        if isinstance(content, dict):
            target = content.get("target") if isinstance(content.get("target"), str) else None
            raw_id = content.get("id")
            id_ = str(raw_id) if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) else None
        self.send_frame(error_frame(told.code, told.message, ref, told.details, target, id_))

    # --- Subscriptions ---------------------------------------------------------------------

    async def subscribe(self, command: Command) -> None:
        stream_type, stream_id = stream_of(command)
        since, epoch = resume_point(command)
        with_digest, mismatch = digest_options(command)
        # The check reads rows only: on a reader thread, not in the sync thread's queue.
        await readers.in_reader(_as_user)(self.shutdown, self.standing, check_access, stream_type.target,
                                          stream_id, self.user)
        if mismatch:
            metrics.DIGEST_MISMATCHES.labels(stream_type.target).inc()
        # Join first: what is emitted while the snapshot is read waits in the
        # channel, and event_send drops what the snapshot already holds.
        group = group_name(stream_type.target, stream_id)
        await self.channel_layer.group_add(group, self.channel_name)
        try:
            await self._send_subscribed(stream_type, stream_id, since, epoch, command.ref, with_digest)
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
        with_digest: bool = False,
        resync: bool = False,
    ) -> None:
        result = None
        if since is not None:
            # A reconnecting client's usual case, and a storm's: a replay, on a reader thread.
            result = await readers.in_reader(read_replay)(stream_type, stream_id, since, epoch)
        if result is None:
            result = await database_sync_to_async(read_subscription)(
                stream_type, stream_id, self.user, since, epoch, with_digest
            )
        position = result.position
        key = (stream_type.target, stream_id)
        self.subscriptions[key] = Subscription(position.seq, position.epoch, with_digest)
        tail.follow(key, self)
        tail.ensure_tail_loop()
        if with_digest and is_digested(stream_type.target):
            digest_sync.watch(key, self.channel_name)
            digest_sync.ensure_sync_loop()
        else:
            digest_sync.unwatch(key, self.channel_name)
        data: dict[str, Any] = {"seq": position.seq, "epoch": position.epoch, "recovered": False}
        if result.replayed is not None:
            data.update(seq=since, recovered=True)
            metrics.SUBSCRIPTIONS.labels("recovered").inc()
            metrics.REPLAYED_EVENTS.inc(len(result.replayed))
        else:
            data["state"] = result.state
            if result.digest is not None:
                data["digest"] = result.digest
            metrics.SUBSCRIPTIONS.labels("resync" if resync else "snapshot").inc()
        if ref is not None:
            data["ref"] = ref
        self.send_frame(control_frame("SUBSCRIBED", data, stream_type.target, stream_id))
        for text in result.replayed or ():
            self.outbox.put(text)

    async def unsubscribe(self, command: Command) -> None:
        target, stream_id = named_stream(command)
        if self.subscriptions.pop((target, stream_id), None) is not None:
            digest_sync.unwatch((target, stream_id), self.channel_name)
            tail.unfollow((target, stream_id), self)
            await self.channel_layer.group_discard(group_name(target, stream_id), self.channel_name)
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
            missing = await database_sync_to_async(missing_events)(
                key[0], key[1], subscription.epoch, subscription.seq, seq
            )
            if missing is None:
                await self._resync(key)
                return
            for number, text in enumerate(missing, start=subscription.seq + 1):
                self.outbox.put(text)
                sync = self._sync_due(key[0], subscription, number)
                if sync is not None:
                    self.outbox.put(sync)
        sync = self._advance(subscription, message)
        await self.forward(message["text"], message.get("timestamp"))
        if sync is not None:
            await self.forward(sync)

    def take_event(self, message: dict[str, Any]) -> bool:
        """``event_send`` done now, in the sender's turn, if it needs nothing awaited; whether it was.

        The channel layer offers a group's event here when nothing waits in
        this consumer's channel (local_delivery.py). Not while a message is
        being handled (``turn`` held: a subscription may be half made, and
        the event must wait behind it), nor for an event that needs the
        journal (a gap, a new epoch): those go through the channel as usual.
        The frame goes into the outbox, behind anything it holds.
        """
        if self.turn.locked() or message.get("type") != "event.send":
            return False
        subscription = self.subscriptions.get((message["target"], message["id"]))
        if subscription is None or self.closed:
            return True  # as event_send: not (or no longer) subscribed here
        seq = message["seq"]
        if message["epoch"] != subscription.epoch or seq > subscription.seq + 1:
            return False
        if seq <= subscription.seq:
            return True  # the snapshot or the journal already gave it
        sync = self._advance(subscription, message)
        self.outbox.push(message["text"], message.get("timestamp"))
        if sync is not None:
            self.outbox.push(sync)
        return True

    def _advance(self, subscription: Subscription, message: dict[str, Any]) -> str | None:
        """``message`` is the subscription's next event: take its seq and its rate token; the SYNC frame due after it."""
        subscription.seq = message["seq"]
        if self.user.is_authenticated and message.get("awaited_user") == str(self.user.pk):
            # Before the frame leaves, so the answer it asks for finds its token.
            self.bucket.credit()
        return self._sync_due(message["target"], subscription, subscription.seq)

    async def tail_send(self, message: dict[str, Any]) -> None:
        """An event the journal tail found this connection lacking: handled as its broadcast would have been.

        In its turn among the connection's messages; what the connection got
        meanwhile is dropped, and the gap before it is filled from the journal.
        """
        key = (message["target"], message["id"])
        async with self.turn:
            held = self.subscriptions.get(key)
            before = held.seq if held is not None and held.epoch == message["epoch"] else None
            await self.event_send(message)
            after = self.subscriptions.get(key)
            if before is not None and after is not None and after.epoch == message["epoch"]:
                metrics.TAIL_EVENTS.labels(key[0]).inc(max(0, after.seq - before))

    async def sync_send(self, message: dict[str, Any]) -> None:
        """A stream's SYNC (digest_sync): to the client right after the event whose seq it names.

        The digest was read at that seq, but the event itself may still be on
        its way (committed by another thread or node): the frame then waits
        for it. A client already past that seq gets nothing; the next pass
        checks it.
        """
        key = (message["target"], message["id"])
        subscription = self.subscriptions.get(key)
        if subscription is None or not subscription.digest or self.closed or message["epoch"] != subscription.epoch:
            return
        if message["seq"] == subscription.seq:
            metrics.SYNC_FRAMES.labels(key[0]).inc()
            await self.forward(message["text"])
        elif message["seq"] > subscription.seq:
            subscription.pending_sync = (message["seq"], message["text"])

    @staticmethod
    def _sync_due(target: str, subscription: Subscription, seq: int) -> str | None:
        """The waiting SYNC that names event ``seq``, taken (and counted as sent); one naming an earlier seq is dropped."""
        pending = subscription.pending_sync
        if pending is None or pending[0] > seq:
            return None
        subscription.pending_sync = None
        if pending[0] != seq:
            return None
        metrics.SYNC_FRAMES.labels(target).inc()
        return pending[1]

    async def _resync(self, key: tuple[str, str]) -> None:
        stream_type = registry.stream_type(key[0])
        if stream_type is None:
            return
        held = self.subscriptions.get(key)
        await self._send_subscribed(stream_type, key[1], None, None, None, held is not None and held.digest,
                                    resync=True)

    # --- Outgoing frames, heartbeat ----------------------------------------------------------

    def send_frame(self, frame: dict[str, Any]) -> None:
        self.outbox.put(encode(frame))

    async def forward(self, text: str, timestamp: float | None = None) -> None:
        """An event's frame: sent at once when nothing waits, else after what does."""
        await self.outbox.forward(text, timestamp)

    async def _send_text(self, text: str) -> None:
        # JSON is encoded ASCII-only (json.dumps' default): characters are bytes.
        metrics.FRAMES_OUT.observe(len(text))
        await self.send(text_data=text)

    def _write_text(self, text: str) -> None:
        # As _send_text, without the coroutines: the outbox's push (socket_writer.py).
        metrics.FRAMES_OUT.observe(len(text))
        self.socket_writer(text)

    def _pong(self, content: dict[str, Any]) -> None:
        """The heartbeat's round trip, from the ``t`` our PING carried."""
        data = content.get("data")
        sent = data.get("t") if isinstance(data, dict) else None
        if not isinstance(sent, int) or isinstance(sent, bool):
            return
        rtt = clock.now().timestamp() - sent / 1000
        # A client may answer with any t: only round trips our PINGs could have had count.
        if 0 <= rtt <= settings.POKERRT_REALTIME["HEARTBEAT_TIMEOUT"]:
            metrics.HEARTBEAT_RTT_SECONDS.observe(rtt)

    def ping(self) -> None:
        """The heartbeat's PING (heartbeat.py), carrying the time for the round trip."""
        self.send_frame(control_frame("PING", {"t": int(clock.now().timestamp() * 1000)}))

    def fall_silent(self) -> None:
        """Nothing from the client for the heartbeat's timeout (heartbeat.py): close 4408."""
        self.closing = asyncio.ensure_future(self.close_with(CLOSE_HEARTBEAT_TIMEOUT))

    @classmethod
    async def encode_json(cls, content: Any) -> str:
        return encode(content)
