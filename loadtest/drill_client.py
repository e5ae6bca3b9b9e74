"""A client that survives faults: it reconnects, resubscribes with ``since``/``epoch`` and keeps a record.

:class:`DrillClient` is a :class:`loadtest.bots.Bot` (a player when it has a
token and a table to play at, a spectator otherwise) that, when its socket
drops, reconnects as PROTOCOL.md section 3 asks (backoff with jitter, to its
node or to the other one) and resubscribes every stream from the last ``seq``
it applied. It records what the drills measure:

- every event it received, per stream (``seq -> event_id``), and the seqs a
  fresh snapshot stood in for, so :func:`missing_seqs` can tell an event lost
  from one a snapshot covered;
- each resubscription's answer: recovered by replay, or a snapshot;
- when it dropped and when it was live again (every stream SUBSCRIBED);
- errors answered to it, apart from the refusal of an action it sent again
  after a reconnect that had in fact been applied (the turn guard's CONFLICT:
  that refusal is the guard doing its job, not a fault).

An action answered ``INTERNAL`` (the database away, a fault past the
server's retries) changed nothing, or was applied and its answer lost: the
client sends it again with the same ``hand_id`` and ``turn`` after a short
backoff, for as long as that decision is still the table's, and the turn
guard refuses the copy of one that was applied.

Nothing here imports Django: clients are outside programs.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import websockets

from loadtest.bots import Bot

Stream = tuple[str, str]

# Reconnect backoff after a failed attempt (seconds): doubled each time up to the cap, with full jitter.
BACKOFF_FIRST, BACKOFF_CAP = 0.25, 4.0
# Wait before sending again an action answered INTERNAL (seconds): doubled each time up to the cap, with
# equal jitter (never at once: the server just said it could not).
BUSY_FIRST, BUSY_CAP = 0.25, 2.0


@dataclass
class DrillClient(Bot):
    # Node URLs; the client starts on ``home`` and fails over to the others in turn.
    nodes: Sequence[str] = ()
    home: int = 0
    table_id: str = ""
    # Streams to hold: (target, id). A player holds its TABLE and its PLAYER stream.
    streams: list[Stream] = field(default_factory=list)
    # Delay before the first reconnect attempt after a drop (seconds); the storm spreads it over a window.
    first_retry: Callable[[], float] = lambda: random.uniform(0.0, 0.5)
    epochs: dict[Stream, str] = field(default_factory=dict)
    # stream -> {seq: event_id} of every event received (a second copy of a seq counts in ``duplicates``)
    received: dict[Stream, dict[int, str]] = field(default_factory=dict)
    # stream -> seqs of snapshots taken: a snapshot at seq n stands for every event up to n
    snapshots: dict[Stream, list[int]] = field(default_factory=dict)
    duplicates: int = 0
    # When each player's decision (PLAYER_ACTION, not a blind or the clock's) arrived: whether play flows.
    action_times: list[float] = field(default_factory=list)
    resubscribed_by_replay: int = 0
    resubscribed_by_snapshot: int = 0
    drops: list[float] = field(default_factory=list)
    live_again: list[float] = field(default_factory=list)
    connect_failures: int = 0
    resent_actions: int = 0
    resends_refused: int = 0
    stale_answers_skipped: int = 0
    # Actions sent again after an INTERNAL answer, and the INTERNAL answers to actions.
    resent_after_internal: int = 0
    live: bool = False
    stopping: bool = False
    acting: bool = True
    node: int = 0
    _pending: set[Stream] = field(default_factory=set)
    _resubscribing: bool = False
    _last_action: tuple[str, dict[str, Any]] | None = None
    _resend_refs: set[str] = field(default_factory=set)
    # The ref of the last PLAYER_ACTION sent (first or again), and how often it was answered INTERNAL in a row.
    _action_ref: str | None = None
    _busy_answers: int = 0
    _sync_ref: str | None = None
    # A buy-in not yet sent: sent as soon as the client is live (again).
    _join: int | None = None
    # ref -> stream of each SUBSCRIBE in flight: one answered with an ERROR is sent again.
    _subscribe_refs: dict[str, Stream] = field(default_factory=dict)
    subscribe_retries: int = 0
    # The decision in play at the table as last seen: (hand_id, turn), or None between decisions.
    _in_play: tuple[str, int] | None = None

    @property
    def url_now(self) -> str:
        return self.nodes[self.node]

    async def hold(self, on_live: Callable[[DrillClient], Any] | None = None) -> None:
        """Connect, subscribe and read until ``stopping``; reconnect whenever the socket drops."""
        self.node = self.home
        first = True
        while not self.stopping:
            try:
                if not await self._connect_somewhere(first):
                    return
                await self._subscribe_all()
                async for raw in self._ws:
                    frame = json.loads(raw)
                    await self.on_frame(frame)
                    if self.live and on_live is not None:
                        on_live(self)
                        on_live = None
            except (TimeoutError, websockets.ConnectionClosed, OSError):
                pass
            if self.stopping:
                return
            first = False
            self.live = False
            self.drops.append(time.monotonic())
            await asyncio.sleep(self.first_retry())

    async def _connect_somewhere(self, first: bool) -> bool:
        """Connect to the current node, else the next, with backoff; False only when stopping."""
        delay = BACKOFF_FIRST
        while not self.stopping:
            try:
                self.url = self.url_now
                await self.connect()
                return True
            except (TimeoutError, OSError, websockets.InvalidHandshake):
                self.connect_failures += 1
                if not first:
                    # A dead node refuses at once: try the next one.
                    self.node = (self.node + 1) % len(self.nodes)
                await asyncio.sleep(random.uniform(0, delay))
                delay = min(BACKOFF_CAP, delay * 2)
        return False

    async def _subscribe_all(self) -> None:
        self._resubscribing = bool(self.drops)
        self._pending = set(self.streams)
        self._subscribe_refs.clear()
        for stream in self.streams:
            await self._subscribe(stream)

    async def _subscribe(self, stream: Stream) -> None:
        data: dict[str, Any] = {}
        if stream in self.seqs and stream in self.epochs:
            data = {"since": self.seqs[stream], "epoch": self.epochs[stream]}
        ref = await self.send("SUBSCRIBE", stream[0], stream[1], data)
        self._subscribe_refs[ref] = stream

    async def _subscribe_again(self, stream: Stream) -> None:
        # An overloaded node answers INTERNAL (or RATE_LIMITED): back off, then ask again, as a client should.
        self.subscribe_retries += 1
        await asyncio.sleep(random.uniform(0.5, 2.0))
        try:
            await self._subscribe(stream)
        except websockets.ConnectionClosed:
            pass  # the reconnect subscribes it

    async def on_frame(self, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        stream = (frame.get("target"), frame.get("id"))
        if kind == "SUBSCRIBED":
            data = frame["data"]
            self.epochs[stream] = data["epoch"]
            if not data["recovered"]:
                self.snapshots.setdefault(stream, []).append(data["seq"])
                if stream[0] == "TABLE":
                    hand = (data.get("state") or {}).get("hand") or {}
                    self._note_decision(hand.get("hand_id"), hand.get("to_act"))
            if self._resubscribing and stream in self._pending:
                if data["recovered"]:
                    self.resubscribed_by_replay += 1
                else:
                    self.resubscribed_by_snapshot += 1
            self._pending.discard(stream)
            await super().on_frame(frame)
            if not self._pending and not self.live:
                await self._went_live()
            return
        if kind == "PONG" and self._sync_ref is not None and frame["data"].get("ref") == self._sync_ref:
            # Everything the resubscriptions replayed is in: an action of ours still unseen was lost.
            self._sync_ref = None
            await self._resend_lost_action()
            return
        if kind == "ERROR" and frame["data"].get("ref") in self._subscribe_refs:
            stream = self._subscribe_refs.pop(frame["data"]["ref"])
            self.errors.append(frame["data"])
            if stream in self._pending:
                task = asyncio.create_task(self._subscribe_again(stream))
                self._thinking.add(task)
                task.add_done_callback(self._thinking.discard)
            return
        if kind == "ERROR" and frame["data"].get("ref") in self._resend_refs:
            self._resend_refs.discard(frame["data"]["ref"])
            if frame["data"].get("code") == "CONFLICT":
                self.resends_refused += 1
                self._sent_at = None
                return
        if kind == "ERROR" and frame["data"].get("code") == "INTERNAL" and frame["data"].get("ref") is not None \
                and frame["data"]["ref"] == self._action_ref:
            self.errors.append(frame["data"])
            self._busy_answers += 1
            task = asyncio.create_task(self._resend_after_internal(self._busy_answers))
            self._thinking.add(task)
            task.add_done_callback(self._thinking.discard)
            return
        if "seq" in frame and stream[0] is not None:
            seen = self.received.setdefault(stream, {})
            if frame["seq"] in seen:
                self.duplicates += 1
            seen[frame["seq"]] = frame.get("event_id", "")
            if stream[0] == "TABLE":
                data = frame["data"]
                # A player's own decision: blinds and the clock's auto actions move a hand without anyone playing.
                if kind == "PLAYER_ACTION" and not data.get("auto") and not data.get("action", "").startswith("post_"):
                    self.action_times.append(time.monotonic())
                if data.get("to_act") or kind in ("PLAYER_ACTION", "HAND_END"):
                    self._note_decision(data.get("hand_id"), data.get("to_act"))
        await super().on_frame(frame)
        # What the drills need is recorded above; thousands of clients keeping every frame would not fit.
        self.frames.clear()

    def _note_decision(self, hand_id: str | None, to_act: dict[str, Any] | None) -> None:
        self._in_play = (hand_id, to_act.get("turn")) if hand_id and to_act else None

    async def sit_down(self, buy_in: int) -> None:
        """TABLE_JOIN now if live, else as soon as the client is live again."""
        self._join = buy_in
        if self.live:
            await self._send_join()

    async def _send_join(self) -> None:
        try:
            await self.send("TABLE_JOIN", "TABLE", self.table_id, {"buy_in": self._join})
            self._join = None
        except websockets.ConnectionClosed:
            pass  # the reconnect sends it

    async def _went_live(self) -> None:
        self.live = True
        if self._join is not None:
            await self._send_join()
        if not self.drops:
            return
        self.live_again.append(time.monotonic())
        if self._sent_at is not None and self._last_action is not None:
            # Commands run in order: the PONG comes after every replayed event.
            self._sync_ref = await self.send("PING", data={"t": 0})

    async def _resend_lost_action(self) -> None:
        if self._sent_at is None or self._last_action is None or not self.acting:
            return
        table_id, data = self._last_action
        self.resent_actions += 1
        ref = await self.send("PLAYER_ACTION", "TABLE", table_id, data)
        self._action_ref = ref
        self._resend_refs.add(ref)

    async def _resend_after_internal(self, answers: int) -> None:
        ceiling = min(BUSY_CAP, BUSY_FIRST * 2 ** (answers - 1))
        await asyncio.sleep(random.uniform(ceiling / 2, ceiling))
        if self._last_action is None or not self.acting or not self.live:
            return  # a reconnect resends it if it was lost
        table_id, data = self._last_action
        if "turn" in data and (data["hand_id"], data["turn"]) != self._in_play:
            return  # the hand moved on (the action landed after all, or the clock acted)
        self.resent_after_internal += 1
        try:
            ref = await self.send("PLAYER_ACTION", "TABLE", table_id, data)
        except websockets.ConnectionClosed:
            return
        self._action_ref = ref
        self._resend_refs.add(ref)

    async def _maybe_act(self, table_id: str, hand_id: str, to_act: dict[str, Any]) -> None:
        if self.acting:
            await super()._maybe_act(table_id, hand_id, to_act)

    async def _answer(self, table_id: str, data: dict[str, Any]) -> str | None:
        if not self.acting or self._ws is None:
            return None
        if "turn" in data and (data["hand_id"], data["turn"]) != self._in_play:
            # A decision replayed after a reconnect, or one that passed while thinking: the
            # events after it already moved the hand on, and the turn guard would refuse it.
            self.stale_answers_skipped += 1
            return None
        self._last_action = (table_id, data)
        self._busy_answers = 0
        try:
            self._action_ref = await super()._answer(table_id, data)
        except websockets.ConnectionClosed:
            # Sent into a dying socket: the reconnect resends it if it was lost.
            self._action_ref = None
        return self._action_ref

    def drop(self) -> None:
        """Cut the socket as a network fault would: no close handshake."""
        if self._ws is not None and self._ws.transport is not None:
            self._ws.transport.abort()

    async def stop(self) -> None:
        self.stopping = True
        self.acting = False
        await self.close()


def missing_seqs(client: DrillClient, stream: Stream, upto: int | None = None) -> list[int]:
    """Seqs after the client's first subscription, up to ``upto`` (else its last), that it neither
    received nor had a snapshot stand in for."""
    got = client.received.get(stream, {})
    snaps = sorted(client.snapshots.get(stream, []))
    if not snaps and not got:
        return []
    start = snaps[0] if snaps else min(got) - 1
    end = upto if upto is not None else max([*got, *snaps])
    missing = []
    for seq in range(start + 1, end + 1):
        if seq in got:
            continue
        # Covered when a snapshot taken at or after it came while it was missing.
        if any(s >= seq for s in snaps):
            continue
        missing.append(seq)
    return missing
