"""Poker bots over the wire protocol: used by the live tests and the table benchmark.

A :class:`Bot` is one WebSocket client (PROTOCOL.md): it subscribes to a
table and to its own PLAYER stream, checks every stream's ``seq`` for gaps,
keeps every frame it received, and answers ``to_act`` when the seat to act
is its own, with a strategy ``choose(to_act, table_state) -> (action, amount)``.
With ``think`` (a function returning seconds) a bot answers after that long, from
a task of its own: it keeps reading its socket meanwhile, and other bots are not held up.
Nothing here imports Django: bots are outside programs.

Works against servers with and without the turn guard: a ``to_act`` without
``turn`` (older servers) is answered once per (hand, seat, deadline), without
naming the hand and turn in the ``PLAYER_ACTION``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import websockets

Strategy = Callable[[dict[str, Any]], tuple[str, int | None]]


def passive(to_act: dict[str, Any]) -> tuple[str, int | None]:
    """Check when free, else call: every hand goes to showdown."""
    return ("check", None) if to_act["to_call"] == 0 else ("call", None)


def shove(to_act: dict[str, Any]) -> tuple[str, int | None]:
    """All in whenever raising is open, else call: side pots."""
    if to_act["max_raise_to"] is not None:
        return ("all_in", None)
    return ("check", None) if to_act["to_call"] == 0 else ("call", None)


def randomly(rng: random.Random) -> Strategy:
    """Fold, call, or raise a little, at random (never an illegal action)."""

    def choose(to_act: dict[str, Any]) -> tuple[str, int | None]:
        roll = rng.random()
        if to_act["to_call"] and roll < 0.2:
            return ("fold", None)
        if to_act["min_raise_to"] is not None and roll > 0.85:
            low, high = to_act["min_raise_to"], to_act["max_raise_to"]
            action = "raise" if "raise" in to_act.get("legal", ()) else "bet"
            return (action, min(high, low + rng.randint(0, low)))
        return ("check", None) if to_act["to_call"] == 0 else ("call", None)

    return choose


@dataclass
class Bot:
    url: str
    token: str | None
    user_id: str | None = None
    strategy: Strategy = passive
    # Buy in again for this many chips when the server stands the bot up (busted).
    rebuy: int | None = None
    # Seconds to wait before answering a to_act (called once per decision); None: answer at once.
    think: Callable[[], float] | None = None
    frames: list[dict[str, Any]] = field(default_factory=list)
    # Keep every frame in ``frames`` (tests read them back). A benchmark's
    # thousand bots would pile up millions of objects, and the bots' process
    # would stall in ever longer garbage collections, each stall counted as
    # the server's latency.
    keep_frames: bool = True
    # (target, id) -> last seq applied
    seqs: dict[tuple[str, str], int] = field(default_factory=dict)
    gaps: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    hands_ended: int = 0
    # action -> broadcast latencies in seconds (our PLAYER_ACTION seen on the table)
    latencies: list[float] = field(default_factory=list)
    # PLAYER_ACTIONs sent (answers to to_act)
    actions_sent: int = 0
    _refs: itertools.count = field(default_factory=lambda: itertools.count(1))
    _sent_at: float | None = None
    _ws: Any = None
    # (hand_id, turn) of every decision answered ((hand_id, seat, deadline) without the turn guard)
    _answered: set[tuple[Any, ...]] = field(default_factory=set)
    # answers waiting out their think time
    _thinking: set[asyncio.Task] = field(default_factory=set)

    async def connect(self) -> None:
        headers = {"Authorization": f"Token {self.token}"} if self.token else None
        # A failure bound: a busy machine may take long to answer the handshake.
        self._ws = await websockets.connect(self.url, additional_headers=headers, max_size=2**22,
                                            open_timeout=60)

    async def close(self) -> None:
        for task in list(self._thinking):
            task.cancel()
        if self._thinking:
            await asyncio.gather(*self._thinking, return_exceptions=True)
        if self._ws is not None:
            await self._ws.close()

    async def send(self, type_: str, target: str | None = None, id_: str | None = None,
                   data: dict[str, Any] | None = None) -> str:
        ref = f"r{next(self._refs)}"
        frame = {"type": type_, "target": target, "id": id_, "data": data or {}, "ref": ref}
        await self._ws.send(json.dumps(frame))
        return ref

    async def subscribe(self, target: str, id_: str) -> None:
        await self.send("SUBSCRIBE", target, id_)

    async def run(self, until: Callable[[Bot], bool], timeout: float) -> None:
        """Read frames and play until ``until(self)`` or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        while not until(self):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"bot {self.user_id}: gave up after {timeout}s "
                                   f"({self.hands_ended} hands ended)")
            raw = await asyncio.wait_for(self._ws.recv(), timeout=left)
            await self.on_frame(json.loads(raw))

    async def on_frame(self, frame: dict[str, Any]) -> None:
        if self.keep_frames:
            self.frames.append(frame)
        kind = frame["type"]
        if kind == "PING":
            await self._ws.send(json.dumps({"type": "PONG", "data": {"t": frame["data"].get("t")}}))
            return
        if kind == "ERROR":
            self.errors.append(frame["data"])
            return
        stream = (frame.get("target"), frame.get("id"))
        if kind == "SUBSCRIBED":
            self.seqs[stream] = frame["data"]["seq"]
            state = frame["data"].get("state") or {}
            hand = state.get("hand") if isinstance(state, dict) else None
            if hand and hand.get("to_act"):
                await self._maybe_act(frame["id"], hand["hand_id"], hand["to_act"])
            return
        if "seq" not in frame:
            return
        expected = self.seqs.get(stream, 0) + 1
        if frame["seq"] != expected:
            self.gaps.append(f"{stream}: got {frame['seq']}, expected {expected}")
        self.seqs[stream] = frame["seq"]
        data = frame["data"]
        if frame["target"] != "TABLE":
            return
        if kind == "PLAYER_ACTION" and self._sent_at is not None and data.get("user", {}).get("id") == self.user_id \
                and not data["action"].startswith("post_"):
            self.latencies.append(time.perf_counter() - self._sent_at)
            self._sent_at = None
        if kind == "HAND_END":
            self.hands_ended += 1
        if kind == "TABLE_LEAVE" and self.rebuy and data["user"]["id"] == self.user_id:
            await self.send("TABLE_JOIN", "TABLE", frame["id"], {"buy_in": self.rebuy})
        to_act = data.get("to_act")
        if to_act:
            await self._maybe_act(frame["id"], data["hand_id"], to_act)

    async def _maybe_act(self, table_id: str, hand_id: str, to_act: dict[str, Any]) -> None:
        if to_act["user"]["id"] != self.user_id:
            return
        # One answer per decision: HAND_START and its DEAL_CARDS, a snapshot,
        # and the time bank's TABLE_UPDATE (a new deadline) all show the same one.
        turn = to_act.get("turn")
        decision = (hand_id, turn) if turn is not None else (hand_id, to_act["seat"], to_act.get("deadline"))
        if decision in self._answered:
            return
        self._answered.add(decision)
        action, amount = self.strategy(to_act)
        data: dict[str, Any] = {"action": action}
        if turn is not None:
            data.update(hand_id=hand_id, turn=turn)
        if amount is not None:
            data["amount"] = amount
        delay = self.think() if self.think is not None else 0.0
        if delay > 0:
            task = asyncio.create_task(self._answer_later(delay, table_id, data))
            self._thinking.add(task)
            task.add_done_callback(self._thinking.discard)
        else:
            await self._answer(table_id, data)

    async def _answer_later(self, delay: float, table_id: str, data: dict[str, Any]) -> None:
        await asyncio.sleep(delay)
        await self._answer(table_id, data)

    @property
    def action_in_flight(self) -> bool:
        """An action sent whose broadcast has not come back yet."""
        return self._sent_at is not None

    async def _answer(self, table_id: str, data: dict[str, Any]) -> str | None:
        """Send the answer to a decision; returns the command's ref (None: not sent)."""
        # Latency counts from here: the think time is not part of it.
        self._sent_at = time.perf_counter()
        self.actions_sent += 1
        return await self.send("PLAYER_ACTION", "TABLE", table_id, data)
