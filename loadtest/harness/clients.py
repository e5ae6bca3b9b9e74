"""The harness's WebSocket clients: idle connections, spectators and bot players.

Each one reads its socket in a task of its own (:meth:`start`), answers the
server's ``PING`` with ``PONG``, and hands every frame to an :class:`Observer`
(seq gaps, hole-card leaks, deliveries, errors, action latency). Whether it is
still open, and the close code if the server ended it, is on the client.

- :class:`IdleConnection`: connected, subscribed to nothing or to one LOBBY
  stream, answering heartbeats: what a browser tab left open costs.
- :class:`Spectator`: anonymous, subscribed to some TABLE streams, never sits.
- :class:`Player`: a :class:`loadtest.bots.Bot` (the same wire-protocol player
  the live tests and benches use) that also subscribes to its own PLAYER
  stream, times its actions for every receiver, and can play a tournament:
  it registers (``TOURNAMENT_REGISTER``) and follows its seat from table to
  table through its PLAYER stream until it is out.

No client sends WebSocket protocol pings (browsers do not): the only
heartbeat is the protocol's own ``PING``/``PONG`` (PROTOCOL.md section 4).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import websockets

from loadtest.bots import Bot

from .checks import LeakChecker, StreamChecker
from .stats import Stats

# A busy node may take long to answer a handshake; past this the connection counts as failed.
OPEN_TIMEOUT = 60


async def open_socket(url: str, token: str | None) -> Any:
    headers = {"Authorization": f"Token {token}"} if token else None
    return await websockets.connect(url, additional_headers=headers, max_size=2**22,
                                    open_timeout=OPEN_TIMEOUT, ping_interval=None)


def ended_code(ws: Any) -> int:
    """The close code the server sent (the TCP close may still be under way); 1006 when it sent none."""
    if ws.close_code is not None:
        return ws.close_code
    received = ws.protocol.close_rcvd
    return received.code if received is not None else 1006


class Observer:
    """One receiver's checks, feeding the run's shared :class:`Stats`."""

    def __init__(self, stats: Stats, owner: str | None) -> None:
        self.stats = stats
        self.owner = owner
        self.streams = StreamChecker()
        self.leaks = LeakChecker(owner)
        # (table, hand, user) -> broadcast actions of that user in that hand seen so far
        self._ranks: dict[tuple[str, str, str], int] = {}

    def observe(self, frame: dict[str, Any]) -> None:
        self.streams.check(frame)
        self.leaks.check(frame)
        kind = frame.get("type")
        if kind == "ERROR":
            self.stats.error(frame.get("data") or {})
            return
        if "seq" not in frame:
            return
        self.stats.delivered()
        if frame.get("target") != "TABLE":
            return
        data = frame.get("data") or {}
        if kind == "PLAYER_ACTION" and not str(data.get("action", "")).startswith("post_") and not data.get("auto"):
            user = str((data.get("user") or {}).get("id"))
            key = (str(frame.get("id")), str(data.get("hand_id")), user)
            rank = self._ranks.get(key, 0)
            self._ranks[key] = rank + 1
            self.stats.broadcast(key, rank, own=user == self.owner)
        elif kind == "HAND_END":
            table, hand = str(frame.get("id")), str(data.get("hand_id"))
            for key in [k for k in self._ranks if k[0] == table and k[1] == hand]:
                del self._ranks[key]

    @property
    def gaps(self) -> list[str]:
        return self.streams.gaps

    @property
    def leak_list(self) -> list[str]:
        return self.leaks.leaks


async def resubscribe(send: Any, observer: Observer) -> None:
    """Each stream the observer follows, from its last seq: the server replays what was missed, or sends a snapshot."""
    for target, stream_id, seq, epoch in observer.streams.subscriptions():
        await send("SUBSCRIBE", target, stream_id, {"since": seq, "epoch": epoch})


class Client:
    """A harness WebSocket that only watches: reads, answers PING, observes."""

    def __init__(self, url: str, stats: Stats, token: str | None = None, user_id: str | None = None) -> None:
        self.url = url
        self.token = token
        self.user_id = user_id
        self.observer = Observer(stats, user_id)
        self.ws: Any = None
        self.task: asyncio.Task | None = None
        # Set when the socket ended: the close code the server sent (1006: none).
        self.close_code: int | None = None
        # What broke the reading task, if something did (a bug in the harness or a frame it cannot read).
        self.failure: str | None = None
        self._closing = False
        self._refs = 0

    async def connect(self) -> None:
        self.ws = await open_socket(self.url, self.token)

    def start(self) -> None:
        self.task = asyncio.create_task(self._pump())

    async def send(self, type_: str, target: str | None = None, id_: str | None = None,
                   data: dict[str, Any] | None = None) -> str:
        self._refs += 1
        ref = f"h{self._refs}"
        await self.ws.send(json.dumps({"type": type_, "target": target, "id": id_, "data": data or {}, "ref": ref}))
        return ref

    async def _pump(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                self.observer.observe(frame)
                if frame.get("type") == "PING":
                    await self.ws.send(json.dumps({"type": "PONG", "data": {"t": frame["data"].get("t")}}))
        except websockets.ConnectionClosed:
            pass
        except Exception as error:  # a frame the client could not handle: reported, never taken for "open"
            self.failure = f"{type(error).__name__}: {error}"
            with contextlib.suppress(Exception):
                await self.ws.close()
        finally:
            self.close_code = ended_code(self.ws)

    @property
    def connected(self) -> bool:
        """A handshake succeeded (it may have closed since)."""
        return self.ws is not None

    async def reconnect(self, url: str | None = None) -> None:
        """A new socket (to ``url``, or the same node), every stream resubscribed with ``since`` (PROTOCOL.md section 3)."""
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        self.url = url or self.url
        self.close_code, self.failure = None, None
        await self.connect()
        self.start()
        await resubscribe(self.send, self.observer)

    @property
    def open(self) -> bool:
        return self.ws is not None and self.close_code is None

    @property
    def dropped(self) -> bool:
        """The server (or the network) ended it, not us (nor our own failure)."""
        return self.close_code is not None and not self._closing and self.failure is None

    async def close(self) -> None:
        self._closing = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), timeout=10)
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


async def probe(url: str, stats: Stats, hold: float) -> None:
    """One connection opened, held ``hold`` seconds and closed: a node's first starts its presence, timers and heartbeat."""
    client = Client(url, stats)
    await client.connect()
    client.start()
    await asyncio.sleep(hold)
    await client.close()


class IdleConnection(Client):
    """Connected and quiet: subscribed to nothing, or to one lobby (``lobby_id``)."""

    def __init__(self, url: str, stats: Stats, lobby_id: str | None = None) -> None:
        super().__init__(url, stats)
        self.lobby_id = lobby_id

    async def begin(self) -> None:
        self.start()
        if self.lobby_id is not None:
            await self.send("SUBSCRIBE", "LOBBY", self.lobby_id)


class Spectator(Client):
    """Anonymous, watching ``table_ids`` without sitting."""

    def __init__(self, url: str, stats: Stats, table_ids: list[str]) -> None:
        super().__init__(url, stats)
        self.table_ids = table_ids

    async def begin(self) -> None:
        self.start()
        for table_id in self.table_ids:
            await self.send("SUBSCRIBE", "TABLE", table_id)


class Player(Bot):
    """A bot at a cash table (``table_id``) or in a tournament (``tournament_id``), observed like every client."""

    def __init__(self, url: str, stats: Stats, token: str, user_id: str, *, table_id: str | None = None,
                 tournament_id: str | None = None, **bot: Any) -> None:
        super().__init__(url, token, user_id, **bot)
        self.stats = stats
        self.observer = Observer(stats, user_id)
        self.table_id = table_id
        self.tournament_id = tournament_id
        self.task: asyncio.Task | None = None
        self.close_code: int | None = None
        self.out = False  # a tournament player knocked out (or the tournament over)
        self.moves = 0  # tables a tournament player was moved to after its first
        self.failure: str | None = None
        self._closing = False
        # ref of a PLAYER_ACTION -> its ActionClock token, to strike it out if refused
        self._pending: dict[str, Any] = {}

    async def connect(self) -> None:
        self._ws = await open_socket(self.url, self.token)

    async def begin(self) -> None:
        """Subscribe and sit down (cash: buy in; tournament: register), then play from the reading task."""
        self.task = asyncio.create_task(self._pump())
        await self.subscribe("PLAYER", self.user_id)
        if self.tournament_id is not None:
            await self.send("TOURNAMENT_REGISTER", "TOURNAMENT", self.tournament_id)
        else:
            await self.subscribe("TABLE", self.table_id)
            await self.send("TABLE_JOIN", "TABLE", self.table_id, {"buy_in": self.rebuy or 1000})

    async def _pump(self) -> None:
        try:
            async for raw in self._ws:
                await self.on_frame(json.loads(raw))
        except websockets.ConnectionClosed:
            pass
        except Exception as error:  # as Client._pump
            self.failure = f"{type(error).__name__}: {error}"
            with contextlib.suppress(Exception):
                await self._ws.close()
        finally:
            self.close_code = ended_code(self._ws)

    async def on_frame(self, frame: dict[str, Any]) -> None:
        self.observer.observe(frame)
        kind = frame["type"]
        if kind == "ERROR":
            token = self._pending.pop(str((frame.get("data") or {}).get("ref")), None)
            if token is not None:
                self.stats.clock.refused(token)
        elif kind == "ACK":
            self._pending.pop(str((frame.get("data") or {}).get("ref")), None)
        elif frame.get("target") == "PLAYER" and self.tournament_id is not None:
            await self._follow_seat(frame)
        await super().on_frame(frame)
        # The bot keeps every frame for the tests that read them; a load run would only grow.
        self.frames.clear()

    async def _follow_seat(self, frame: dict[str, Any]) -> None:
        """A tournament player's seat: where the start puts it, where a move takes it, until it is out."""
        kind, data = frame["type"], frame.get("data") or {}
        if kind == "SUBSCRIBED":
            data = data.get("state") or {}
        for entry in data.get("registrations") or ():
            if str(entry.get("tournament_id")) == self.tournament_id and entry.get("table_id") \
                    and entry.get("status") == "playing":
                await self._sit(str(entry["table_id"]))
        if kind == "TOURNAMENT_START" and data.get("table_id"):
            await self._sit(str(data["table_id"]))
        # A move: the table core's TABLE_JOIN from the old table, or the tournament's own notice.
        if kind == "TABLE_JOIN" and data.get("from_table"):
            await self._sit(str(data["table_id"]))
        if kind in ("TABLE_BALANCE", "TABLE_MERGE") and data.get("to_table"):
            await self._sit(str(data["to_table"]))
        if kind == "PLAYER_ELIMINATION" and str(data.get("tournament_id")) == self.tournament_id:
            self.out = True
        if kind == "TOURNAMENT_END" and str(data.get("tournament_id")) == self.tournament_id:
            self.out = True

    async def _sit(self, table_id: str) -> None:
        if table_id == self.table_id:
            return
        if self.table_id is not None:
            await self.send("UNSUBSCRIBE", "TABLE", self.table_id)
            self.observer.streams.leave("TABLE", self.table_id)
            self.moves += 1
        self.table_id = table_id
        await self.subscribe("TABLE", table_id)

    async def _answer(self, table_id: str, data: dict[str, Any]) -> None:
        # As Bot._answer, and the send is timed for every receiver of the broadcast.
        ref = f"r{next(self._refs)}"
        self._sent_at = time.perf_counter()
        self.actions_sent += 1
        if "hand_id" in data:
            self._pending[ref] = self.stats.clock.sent(table_id, str(data["hand_id"]), str(self.user_id))
        frame = {"type": "PLAYER_ACTION", "target": "TABLE", "id": table_id, "data": data, "ref": ref}
        with contextlib.suppress(websockets.ConnectionClosed):
            await self._ws.send(json.dumps(frame))

    @property
    def connected(self) -> bool:
        return self._ws is not None

    async def reconnect(self, url: str | None = None) -> None:
        """As :meth:`Client.reconnect`: a new socket, every stream resubscribed with ``since``; play goes on."""
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
        self.url = url or self.url
        self.close_code, self.failure = None, None
        await self.connect()
        self.task = asyncio.create_task(self._pump())
        await resubscribe(self.send, self.observer)

    @property
    def open(self) -> bool:
        return self._ws is not None and self.close_code is None

    @property
    def dropped(self) -> bool:
        return self.close_code is not None and not self._closing and self.failure is None

    async def close(self) -> None:
        self._closing = True
        for task in list(self._thinking):
            task.cancel()
        if self._thinking:
            await asyncio.gather(*self._thinking, return_exceptions=True)
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws.close(), timeout=10)
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
