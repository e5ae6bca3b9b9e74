"""``python -m pokerrt.realtime.server``: Daphne with a clean shutdown and backpressure.

Same command line as ``daphne``. What it adds:

- On SIGTERM/SIGINT, every open WebSocket is closed with 1012 (service
  restart, PROTOCOL.md section 4) and its consumer gets to run ``disconnect``
  (presence rows, groups) within ``SHUTDOWN_GRACE`` before Daphne cancels
  what is left. Plain Daphne cancels the consumers and drops the sockets
  without a close frame. Meanwhile consumers take no more commands (those
  still waiting for the sync thread are dropped unrun) and the in-process
  timers stop, so the disconnects get the database. Whatever still runs
  ``SHUTDOWN_GRACE + HARD_STOP_MARGIN`` after the signal (a saturated node's
  queued database work) is abandoned: the process exits then.
- Close codes 1009 (frame too big) and 1012 reach the client: autobahn's
  public ``sendClose`` only takes 1000 and 3000-4999, so under plain Daphne
  the consumer's ``close(1009)`` ends as 1011. A frame over
  ``MAX_FRAME_BYTES`` is refused by autobahn from its header, whatever its
  size; plain Daphne drops the TCP connection over 1 MiB.
- Each WebSocket scope carries ``extensions["pokerrt.flow"]``: the consumer's
  writer waits on it while the socket's send buffer is over the high-water
  mark, so a client that does not read fills the consumer's bounded queue and
  is closed 4503 instead of growing the server's memory.
- Each WebSocket scope carries ``extensions["pokerrt.writer"]``
  (socket_writer.py): the consumer's outbox writes a frame with it
  synchronously, the frame's bytes built once for every socket an event
  goes to, instead of through Channels' and Daphne's send coroutines.
- Each WebSocket scope carries ``scheme`` (``ws`` or ``wss``, following
  ``X-Forwarded-Proto`` under ``--proxy-headers``), which the browser origin
  check compares.
- Less held per idle socket (loadtest/README.md, "Memory per idle
  connection"): its input queue is a ``Mailbox``, autobahn's options are
  read from the protocol's class instead of copied into each protocol, and
  the HTTP request it was upgraded from is let go once it is open. Less CPU
  per frame: no autobahn debug line is formatted for each read, nor coloured.
- Less CPU per idle socket: no WebSocket-level ping by default
  (``--ping-interval 0``; the protocol's ``PING`` keeps sockets alive and
  finds dead ones), and Daphne's once-a-second sweep of the connections
  passes over the ones that need nothing without allocating for each.
- The listening sockets get a backlog of ``LISTEN_BACKLOG`` (``-b/-p``, ``-u``
  and ``-e`` endpoints that name none), capped by the kernel's
  ``net.core.somaxconn``; Daphne leaves Twisted's 50. When thousands of
  clients come back at once, SYNs over the backlog are dropped and each
  client's kernel tries again only after 1, 3, 7 s...
- A handshake may take ``HANDSHAKE_TIMEOUT`` seconds (Daphne's
  ``--websocket_connect_timeout``, 5 s by default there) before Daphne
  refuses it: in a reconnect storm the consumers' connects queue for the
  database, and a handshake refused at 5 s comes back as one more.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import os
import pprint
import signal
import threading
import time
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import daphne.server
from autobahn.websocket import protocol as autobahn_protocol
from daphne.cli import CommandLineInterface
from daphne.server import Server
from daphne.ws_protocol import WebSocketFactory, WebSocketProtocol
from django.conf import settings
from twisted.internet import defer, reactor
from twisted.internet.interfaces import ISSLTransport
from twisted.web.http import HTTPChannel

from .mailbox import Mailbox
from .socket_writer import SocketWriter

logger = logging.getLogger(__name__)

CLOSE_RESTART = 1012
# Where Linux keeps the cap it puts on every listen backlog.
SOMAXCONN = Path("/proc/sys/net/core/somaxconn")
# Endpoint kinds that listen themselves and take ``backlog=`` (an ``fd:``
# endpoint's socket already listens: its backlog was set by whoever opened it).
BACKLOG_ENDPOINTS = ("tcp:", "tcp6:", "unix:", "ssl:")
# Seconds after the grace (counted from the stop signal) when the process
# exits, whatever still runs.
HARD_STOP_MARGIN = 0.5


@dataclass
class Shutdown:
    """How far the node is in stopping; WebSocket scopes carry it as ``extensions["pokerrt.shutdown"]``."""

    # The stop signal came: consumers take no more commands, so that the one
    # sync thread gets to their disconnects within the grace.
    started: bool = False
    # The grace is over: a consumer ended now leaves its presence row to the
    # node's next run, or to its expiry.
    grace_over: bool = False


class TransportFlow:
    """Whether a WebSocket's TCP send buffer has room, read from its Twisted transport."""

    # Seconds between looks at a full buffer.
    poll = 0.02

    def __init__(self, protocol: WebSocketProtocol, high: int, low: int):
        self.protocol = protocol
        self.high = high
        self.low = low

    def buffered(self) -> int:
        """Bytes written to the socket but not yet taken by the kernel; 0 when unknown."""
        transport = self.protocol.transport
        data = getattr(transport, "dataBuffer", None)
        if data is None:
            return 0
        return len(data) - getattr(transport, "offset", 0) + getattr(transport, "_tempDataLen", 0)

    def has_room(self) -> bool:
        return self.buffered() < self.high

    async def writable(self) -> None:
        """Return at once while below ``high``; once over it, wait until below ``low``."""
        if self.buffered() < self.high:
            return
        while self.buffered() > self.low and self.protocol.state == self.protocol.STATE_OPEN:
            await asyncio.sleep(self.poll)


def socket_scheme(protocol: WebSocketProtocol) -> str:
    """``wss`` or ``ws``: Daphne leaves ``scheme`` out of WebSocket scopes, and the origin check needs it."""
    # Daphne sets client_scheme from X-Forwarded-Proto when run with --proxy-headers.
    forwarded = getattr(protocol, "client_scheme", None)
    if forwarded:
        return "wss" if forwarded in ("https", "wss") else "ws"
    return "wss" if ISSLTransport.providedBy(protocol.transport) else "ws"


class RealtimeWebSocketProtocol(WebSocketProtocol):
    """Daphne's protocol, able to send every close code RFC 6455 lets an endpoint send."""

    def dataReceived(self, data: bytes) -> None:
        # autobahn's Twisted adapter formats a debug line for every read,
        # whether debug logging is on or not: a tenth of an idle node's CPU.
        self._dataReceived(data)

    def onOpen(self) -> None:
        super().onOpen()
        # Daphne upgrades a Twisted HTTP request to this protocol and leaves
        # the request in its HTTP channel, which stays the TCP transport's
        # producer (for pause and resume) as long as the socket lives. The
        # request (its headers twice, its body buffer) is done with: about
        # 3 KiB of each socket.
        channel = getattr(self.transport, "producer", None)
        if isinstance(channel, HTTPChannel):
            channel.requests.clear()

    def check_timeouts(self) -> None:
        """Daphne's two-second check of each socket; with ``--ping-interval 0`` (our default) it sends no ping.

        The protocol's own ``PING`` (heartbeat.py) keeps a connection alive
        through proxies and finds a dead one (4408); Daphne's WebSocket-level
        ping on top of it was a second round trip per idle socket, a quarter
        of an idle node's frames.
        """
        if self.server.ping_interval:
            super().check_timeouts()
            return
        age = time.time() - self.socket_opened
        if self.state == self.STATE_CONNECTING:
            if age > self.server.websocket_connect_timeout:
                self.serverReject()
        elif 0 <= self.server.websocket_timeout < age:
            self.serverClose()

    def serverClose(self, code=None):  # type: ignore[no-untyped-def]
        if code is not None and 1001 <= code <= 1014:
            self.sendCloseFrame(code=code, isReply=False)
        else:
            super().serverClose(code)


class RealtimeWebSocketFactory(WebSocketFactory):
    protocol = RealtimeWebSocketProtocol

    def setProtocolOptions(self, **options: Any) -> None:
        conf = settings.POKERRT_REALTIME
        # A slow client reads its whole backlog before it sees our close
        # frame: give it the shutdown grace, not autobahn's one second.
        options.setdefault("closeHandshakeTimeout", conf["SHUTDOWN_GRACE"])
        # autobahn refuses a frame over this from its header, before reading
        # the payload. Its message limit stays Daphne's (1 MiB): it bounds
        # what we send too, and a fragmented message below it reaches the
        # consumer, which closes 1009 itself.
        options["maxFramePayloadSize"] = conf["MAX_FRAME_BYTES"]
        # Over a limit autobahn fails the connection: with a close frame
        # (1009), not by dropping the TCP connection as it does by default.
        options["failByDrop"] = False
        super().setProtocolOptions(**options)
        # autobahn copies each of these options from the factory onto every
        # protocol instance that has no such attribute, class attributes
        # counting: set on a class of the factory's own, they cost a socket
        # nothing, where the copies made each socket's __dict__ about 2 KiB larger.
        options_now = {name: _as_class_attribute(getattr(self, name)) for name in self.protocol.CONFIG_ATTRS}
        self.protocol = type("ConfiguredRealtimeWebSocketProtocol", (RealtimeWebSocketProtocol,), options_now)


def _as_class_attribute(value: Any) -> Any:
    # A function (perMessageCompressionAccept) set on a class would read back as a bound method.
    return staticmethod(value) if isinstance(value, types.FunctionType) else value


class LazyFormat:
    """``pprint.pformat(value)``, done only if a log line is written with it."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __str__(self) -> str:
        return pprint.pformat(self.value)


def format_debug_lines_lazily() -> None:
    """autobahn pretty-prints its ~40 options for a debug line on every connection, logged or not.

    That was a few milliseconds of the event loop per handshake (a
    reconnect storm's thousands of them); Daphne sends Twisted's log nowhere.
    """
    autobahn_protocol.pformat = LazyFormat
    # The one caller that returns what it formats.
    autobahn_protocol.Timings.__str__ = lambda self: pprint.pformat(self._timings)  # type: ignore[method-assign]


# Allocations between young collections (CPython's default: 700). A node
# finds almost no cycles (a full pass over 200 busy tables collected 0-700
# objects), and every young pass promotes what happens to be in flight at
# that moment: the promotions add up to a full pass every 25-30 s.
YOUNG_COLLECTION_THRESHOLD = 10_000


def tune_garbage_collector() -> None:
    """Fewer, shorter stalls of the whole node for the garbage collector.

    A full collection walks every tracked object and holds the interpreter
    while it does: on a node with 200 busy tables about 400,000 objects and
    a 210-240 ms stall every half minute, most of it the startup heap
    (Django, the apps, every module), which never becomes garbage. Frozen,
    it is out of every pass; frozen objects are still freed by reference
    counting, only a cycle among them would never be collected. A larger
    young generation then gives objects time to die before a pass looks at
    them: measured at 200 tables x 6 bots (loadtest/README.md), the
    collector's time fell from 2.0 s to 0.45 s per 100 s, with one full
    pass in 100 s instead of ten.
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, older * 2, oldest)


class RealtimeServer(Server):
    """Daphne's server, closing WebSockets with 1012 before the reactor stops, and stopping on time."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shutdown = Shutdown()
        self.hard_stop: threading.Timer | None = None

    def run(self) -> None:
        # Server.run builds its factory from this module global.
        daphne.server.WebSocketFactory = RealtimeWebSocketFactory
        format_debug_lines_lazily()
        backlog = listen_backlog(settings.POKERRT_REALTIME["LISTEN_BACKLOG"])
        self.endpoints = [with_backlog(endpoint, backlog) for endpoint in self.endpoints]
        # After startup, when Twisted has installed its signal handlers.
        reactor.callWhenRunning(self._hard_stop_on_signals)
        tune_garbage_collector()
        super().run()

    def _hard_stop_on_signals(self) -> None:
        # Twisted's handlers only ask the event loop to stop; a saturated loop
        # may get to it late. The hard deadline counts from the signal itself.
        for signum in (signal.SIGTERM, signal.SIGINT):
            handler = signal.getsignal(signum)
            if callable(handler):
                signal.signal(signum, functools.partial(self._stop_signal, handler))

    def _stop_signal(self, twisted_handler: Any, signum: int, frame: Any) -> None:
        self._arm_hard_stop()
        twisted_handler(signum, frame)

    def _arm_hard_stop(self) -> None:
        """Exit the process SHUTDOWN_GRACE + HARD_STOP_MARGIN from now, if it still runs then."""
        if self.hard_stop is None:
            seconds = settings.POKERRT_REALTIME["SHUTDOWN_GRACE"] + HARD_STOP_MARGIN
            self.hard_stop = threading.Timer(seconds, _exit_now, args=(seconds,))
            self.hard_stop.daemon = True
            self.hard_stop.start()

    def create_application(self, protocol: Any, scope: dict[str, Any]):  # type: ignore[no-untyped-def]
        if scope.get("type") == "websocket":
            conf = settings.POKERRT_REALTIME
            flow = TransportFlow(protocol, conf["SEND_BUFFER_HIGH"], conf["SEND_BUFFER_HIGH"] // 4)
            scope["extensions"] = {
                **scope.get("extensions", {}),
                "pokerrt.flow": flow,
                "pokerrt.shutdown": self.shutdown,
                "pokerrt.writer": SocketWriter(protocol),
            }
            scope["scheme"] = socket_scheme(protocol)
            return self._create_socket_application(protocol, scope)
        return super().create_application(protocol, scope)

    def _create_socket_application(self, protocol: Any, scope: dict[str, Any]) -> Mailbox | None:
        """Daphne's create_application, the input queue a Mailbox: an idle socket's asyncio.Queue was 3 KiB."""
        assert "application_instance" not in self.connections[protocol]
        inbox = Mailbox()
        scope.setdefault("asgi", {"version": "3.0"})
        application = self.application(scope=scope, receive=inbox.get, send=functools.partial(self.handle_reply, protocol))
        if protocol not in self.connections:
            return None
        self.connections[protocol]["application_instance"] = asyncio.ensure_future(application)
        return inbox

    def application_checker(self) -> None:
        """Daphne's once-a-second sweep, passing over the sockets that need nothing.

        Daphne's own takes a tuple of every connection each second; when the
        garbage collector runs during the sweep, the tuples still referenced
        are promoted, and at 5,000 sockets that promotion set off a full
        collection of the node's heap every half minute (about 0.4 s of the
        event loop each). Only a connection that closed, or whose application
        ended, is looked at.
        """
        connections = self.connections
        for protocol in list(connections):
            details = connections.get(protocol)
            if details is None:
                continue
            instance = details.get("application_instance")
            if "disconnected" in details or instance is None or instance.done():
                self._check_application(protocol, details, instance)
        reactor.callLater(1, self.application_checker)

    def _check_application(self, protocol: Any, details: dict[str, Any], instance: Any) -> None:
        # Daphne's Server.application_checker, for one connection.
        disconnected = details.get("disconnected")
        if disconnected and time.time() - disconnected > self.application_close_timeout:
            if instance is not None and not instance.done():
                logger.warning(
                    "Application instance %r for connection %s took too long to shut down and was killed.",
                    instance,
                    repr(protocol),
                )
                instance.cancel()
        if instance is not None and instance.done():
            try:
                exception = instance.exception()
            except asyncio.CancelledError:
                exception = None
            if isinstance(exception, KeyboardInterrupt):
                # The application asks the server to exit (tests do).
                self.stop()
            elif exception is not None:
                logger.error("Exception inside application: %s", exception, exc_info=exception)
                if not disconnected:
                    protocol.handle_exception(exception)
            del details["application_instance"]
            instance = None
        if instance is None and disconnected:
            del self.connections[protocol]

    def kill_all_applications(self):  # type: ignore[no-untyped-def]
        return defer.Deferred.fromFuture(asyncio.ensure_future(self._close_then_kill()))

    async def _close_then_kill(self) -> None:
        # Stopped without a signal (reactor.stop()): the deadline starts now.
        self._arm_hard_stop()
        self.shutdown.started = True
        self.timers_stopping = asyncio.ensure_future(_stop_timers())
        sockets = [protocol for protocol in list(self.connections) if isinstance(protocol, WebSocketProtocol)]
        open_sockets = [protocol for protocol in sockets if protocol.state == protocol.STATE_OPEN]
        for protocol in open_sockets:
            protocol.serverClose(code=CLOSE_RESTART)
        logger.info("closing %d WebSockets with %d", len(open_sockets), CLOSE_RESTART)
        deadline = time.monotonic() + settings.POKERRT_REALTIME["SHUTDOWN_GRACE"]
        while time.monotonic() < deadline and any(self._running(p) for p in sockets):
            await asyncio.sleep(0.05)
        self.shutdown.grace_over = True
        await defer.Deferred.asFuture(super().kill_all_applications(), asyncio.get_event_loop())

    def _running(self, protocol: Any) -> bool:
        details = self.connections.get(protocol)
        instance = details and details.get("application_instance")
        return bool(instance) and not instance.done()


def listen_backlog(wanted: int, somaxconn: Path = SOMAXCONN) -> int:
    """``wanted``, or the kernel's cap when lower: the backlog the node's sockets really get."""
    try:
        cap = int(somaxconn.read_text())
    except (OSError, ValueError):
        return wanted
    if wanted > cap:
        logger.warning("listen backlog %d is over net.core.somaxconn: the kernel gives %d", wanted, cap)
    return min(wanted, cap)


def with_backlog(endpoint: str, backlog: int) -> str:
    """A Twisted endpoint description listening with ``backlog``, unless it names its own."""
    options = endpoint.split(":")[1:]
    if not endpoint.startswith(BACKLOG_ENDPOINTS) or any(o.startswith("backlog=") for o in options):
        return endpoint
    return f"{endpoint}:backlog={backlog}"


async def _stop_timers() -> None:
    # No new deals and clocks while the node stops: they would compete with
    # the disconnects for the database. The next node's sweep fires what is
    # due. (Imported here: the module needs Django's apps loaded.)
    from pokerrt.timers.inprocess import scheduler

    await scheduler.stop()


def _exit_now(seconds: float) -> None:
    # A saturated node still has database work queued (commands, consumers'
    # disconnects, timer fires), and Python waits for its worker threads
    # before exiting. Each state change is one transaction: the database
    # rolls back the one in flight, and the next node carries on from the
    # journal, the hands' logs and the deadlines.
    logger.warning("still running %.1f s after the stop signal: exiting now", seconds)
    logging.shutdown()
    os._exit(0)


class RealtimeCommandLine(CommandLineInterface):
    server_class = RealtimeServer

    def __init__(self) -> None:
        super().__init__()
        self.parser.set_defaults(
            websocket_connect_timeout=settings.POKERRT_REALTIME["HANDSHAKE_TIMEOUT"],
            # No WebSocket-level ping: the protocol's PING does its work
            # (RealtimeWebSocketProtocol.check_timeouts). A positive
            # --ping-interval turns Daphne's back on.
            ping_interval=0,
        )


def main() -> None:
    import autobahn.util

    from .eager_writes import install

    # The command line's defaults come from the settings (as pokerrt.asgi would choose them).
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pokerrt.settings")
    install(reactor)
    # autobahn colours the arguments of its debug lines (with click) before
    # the logger decides to drop them, on each frame sent: plain text is as
    # good for a log nobody reads, and costs a fraction.
    autobahn.util._HAS_CLICK = False
    RealtimeCommandLine.entrypoint()


if __name__ == "__main__":
    main()
