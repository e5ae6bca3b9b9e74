"""Lobby benchmark: busy tables in one lobby, with and without lobby subscribers watching.

Two runs, one after the other, each on a fresh embedded database and node
(``python -m pokerrt.realtime.server``), with the same seed: ``--tables`` cash
tables of ``--players`` bots playing (``loadtest/bots.py``) in one lobby,
first with nobody watching the lobby, then with ``--subscribers`` clients that
each sent ``LOBBY_JOIN`` (so they are members, subscribed to the LOBBY stream).
The subscribers run in a process of their own, so that reading their frames
does not hold up the bots' event loop (and their latencies).
It reports:

- the table actions per second and their action->broadcast latency in both
  runs (the lobby must not slow the tables by more than 10%);
- the ``LOBBY_UPDATE``s per second a subscriber receives, and the most in any
  one second (the coalescer allows about two);
- the delay from a row change (a ``TABLE_JOIN``, ``TABLE_LEAVE`` or
  ``HAND_END`` on a TABLE stream, by its server timestamp) to the first
  ``LOBBY_UPDATE`` emitted after it that carries that table's row, as each
  subscriber receives it: p50 and p99;
- whether every subscriber's lobby (snapshot + events) equals a fresh
  snapshot once play stops and the last update went out, and the seq gaps.

    .venv/bin/python loadtest/lobby_bench.py --tables 100 --subscribers 200 --seconds 30
    .venv/bin/python loadtest/lobby_bench.py --tables 20 --subscribers 50 --seconds 15 --json lobby.json
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import multiprocessing
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from loadtest.play import percentile_ms  # noqa: E402
from loadtest.table_bench import proc_usage, profile_env, report, stop_server  # noqa: E402
from tests.lobby.reducer import apply_lobby_event  # noqa: E402 (pure: no Django)

# TABLE events that change the table's lobby row.
ROW_CHANGES = ("TABLE_JOIN", "TABLE_LEAVE", "HAND_END")
# After play stops: time for the last LOBBY_UPDATE (half a second apart) to arrive.
SETTLE_SECONDS = 2.0

SETUP = """
import json, django
django.setup()
from django.conf import settings
# Bench users sign in by token: a fast hasher keeps setting up hundreds of them short.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
from django.core.management import call_command
call_command("migrate", verbosity=0)
from rest_framework.authtoken.models import Token
from lobby.actions import do_create_lobby
from pokerrt.accounts.actions import do_create_user
from tables.actions import do_create_table
lobby = do_create_lobby("Bench")
seats = []
for t in range({tables}):
    table = do_create_table(lobby, f"Bench {{t}}", small_blind=5, big_blind=10, max_seats={players},
                            min_buy_in=100, max_buy_in=100000, action_seconds=30)
    for p in range({players}):
        user = do_create_user(f"bot{{t}}_{{p}}", "bench-password-1")
        seats.append([table.pk, user.pk, Token.objects.create(user=user).key])
watchers = [Token.objects.create(user=do_create_user(f"watcher{{n}}", "bench-password-1")).key
            for n in range({subscribers})]
print(json.dumps({{"lobby": str(lobby.pk), "seats": seats, "watchers": watchers}}))
"""


def server_time(timestamp: str) -> float:
    """An envelope's RFC 3339 timestamp as epoch seconds (the node and the bench share the clock)."""
    return dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()


@dataclass
class Update:
    """One LOBBY_UPDATE as a subscriber got it."""

    received: float  # epoch seconds
    emitted: float  # its server timestamp
    tables: set[str]


@dataclass
class Watcher:
    """A lobby member: joined (and so subscribed), keeping the lobby's state as a client does."""

    url: str
    token: str
    lobby_id: str
    state: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    updates: list[Update] = field(default_factory=list)
    gaps: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    # Whether the state matched the snapshot a fresh SUBSCRIBE answered after play stopped.
    exact: bool | None = None
    # The socket closed under us: counted as an error, not checked again.
    lost: bool = False
    # How the last check's fresh snapshot differed from the state built from events.
    mismatch: str | None = None
    # We are closing the socket: a close seen now is ours, not a loss.
    closing: bool = False
    _ws: Any = None

    async def join(self) -> None:
        import websockets

        # No websockets-level keepalive: the protocol's own PING/PONG is
        # answered below, and a saturated node's late pong must not end the run.
        self._ws = await websockets.connect(self.url, additional_headers={"Authorization": f"Token {self.token}"},
                                            max_size=2**24, open_timeout=120, ping_interval=None)
        await self._ws.send(json.dumps({"type": "LOBBY_JOIN", "target": "LOBBY", "id": self.lobby_id,
                                        "data": {}, "ref": "join"}))

    async def check(self) -> None:
        """Ask for a fresh snapshot; :meth:`read` compares it with the state built from events."""
        import websockets

        try:
            await self._ws.send(json.dumps({"type": "SUBSCRIBE", "target": "LOBBY", "id": self.lobby_id,
                                            "data": {}, "ref": "check"}))
        except websockets.ConnectionClosed as closed:
            self.lost, self.exact = True, False
            self.errors.append({"code": "CONNECTION_LOST", "message": str(closed)})

    async def read(self) -> None:
        import websockets

        try:
            await self._read()
        except websockets.ConnectionClosed as closed:
            if self.closing:
                return  # our own close crossed a PONG we were sending
            self.lost = True
            self.errors.append({"code": "CONNECTION_LOST", "message": str(closed)})

    async def _read(self) -> None:
        async for raw in self._ws:
            frame = json.loads(raw)
            kind = frame["type"]
            if kind == "PING":
                await self._ws.send(json.dumps({"type": "PONG", "data": {"t": frame["data"].get("t")}}))
            elif kind == "ERROR":
                self.errors.append(frame["data"])
            elif kind == "SUBSCRIBED":
                if frame["data"].get("ref") == "check":
                    self.exact = frame["data"]["state"] == self.state and frame["data"]["seq"] == self.seq
                    if not self.exact:
                        self.mismatch = describe_mismatch(frame["data"], self.state, self.seq)
                else:
                    self.state, self.seq = frame["data"]["state"], frame["data"]["seq"]
            elif "seq" in frame and frame["target"] == "LOBBY":
                if frame["seq"] != self.seq + 1:
                    self.gaps += 1
                self.seq = frame["seq"]
                self.state = apply_lobby_event(self.state, frame)
                if kind == "LOBBY_UPDATE":
                    self.updates.append(Update(time.time(), server_time(frame["timestamp"]),
                                               {row["id"] for row in frame["data"].get("tables", [])}))

    async def close(self) -> None:
        self.closing = True
        if self._ws is not None:
            await self._ws.close()


def describe_mismatch(fresh: dict[str, Any], state: dict[str, Any], seq: int) -> str:
    """Where a fresh snapshot and the state built from events differ: the seqs, and the rows by id."""
    parts = [f"seq {seq} vs fresh {fresh['seq']}"] if fresh["seq"] != seq else []
    for key in sorted(set(fresh["state"]) | set(state)):
        mine, theirs = state.get(key), fresh["state"].get(key)
        if mine == theirs:
            continue
        if isinstance(mine, list) and isinstance(theirs, list):
            by_id = {row.get("id"): row for row in mine if isinstance(row, dict)}
            fresh_by_id = {row.get("id"): row for row in theirs if isinstance(row, dict)}
            rows = sorted(str(i) for i in set(by_id) | set(fresh_by_id) if by_id.get(i) != fresh_by_id.get(i))
            fields = sorted({f for i in rows if by_id.get(i) and fresh_by_id.get(i)
                             for f in set(by_id[i]) | set(fresh_by_id[i]) if by_id[i].get(f) != fresh_by_id[i].get(f)})
            parts.append(f"{key}: rows {', '.join(rows[:5])} differ (fields {', '.join(fields)})")
        else:
            parts.append(f"{key} differs")
    return "; ".join(parts) or "equal state, check crossed"


def change_delays(changes: list[tuple[str, float]], subscribers: list[list[Update]]) -> list[float]:
    """Per (change, subscriber): seconds from the change to the first update emitted after it carrying its table."""
    delays = []
    for updates in subscribers:
        by_table: dict[str, list[Update]] = {}
        for update in updates:
            for table_id in update.tables:
                by_table.setdefault(table_id, []).append(update)
        for table_id, at in changes:
            later = next((u for u in by_table.get(table_id, ()) if u.emitted >= at), None)
            if later is not None:
                delays.append(later.received - at)
    return sorted(delays)


def most_in_a_second(updates: list[Update]) -> int:
    """The most updates emitted within any one second."""
    times = sorted(u.emitted for u in updates)
    most, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def check_all(watchers: list[Watcher], patience: float = 60.0) -> None:
    """Each subscriber compares its state with a fresh snapshot, again until it matches or patience runs out."""
    deadline = time.monotonic() + patience
    pending = list(watchers)
    while pending and time.monotonic() < deadline:
        for watcher in pending:
            watcher.exact = None
            await watcher.check()
        while any(w.exact is None and not w.lost for w in pending) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        pending = [w for w in pending if not w.exact and not w.lost]
        if pending:
            await asyncio.sleep(0.5)


@dataclass
class Watched:
    """What the subscribers' process reports back: per subscriber, its updates, gaps, errors, exactness."""

    updates: list[list[Update]]
    gaps: int
    errors: list[dict[str, Any]]
    exact: int
    # Why the others were not: each distinct reason once.
    inexact: list[str] = field(default_factory=list)


def watch(url: str, tokens: list[str], lobby_id: str, joined: Any, stop: Any, results: Any) -> None:
    """The subscribers, in a process of their own: reading 200 sockets must not slow the bots' event loop."""
    asyncio.run(_watch(url, tokens, lobby_id, joined, stop, results))


async def _watch(url: str, tokens: list[str], lobby_id: str, joined: Any, stop: Any, results: Any) -> None:
    watchers = [Watcher(url, token, lobby_id) for token in tokens]
    readers = []
    for watcher in watchers:
        await watcher.join()
        # Read from the start: a socket nobody reads stops reading after a
        # few frames (the client's flow control), its WebSocket pings go
        # unanswered, and the server drops it while the others still join.
        readers.append(asyncio.create_task(watcher.read()))
    joined.set()
    while not stop.is_set():
        await asyncio.sleep(0.1)
    await check_all(watchers)
    for watcher in watchers:
        await watcher.close()
    await asyncio.gather(*readers, return_exceptions=True)
    results.put(Watched([w.updates for w in watchers], sum(w.gaps for w in watchers),
                        [e for w in watchers for e in w.errors], sum(bool(w.exact) for w in watchers),
                        sorted({w.mismatch or "no answer to the check" for w in watchers if not w.exact})))


async def drive(setup: dict[str, Any], args: argparse.Namespace, port: int, server_pid: int,
                subscribers: int, label: str) -> dict[str, Any]:
    from loadtest.bots import Bot, randomly
    from loadtest.play import Play

    url = f"ws://127.0.0.1:{port}/ws/"
    rng, think_rng = random.Random(args.seed), random.Random(args.seed + 1)

    def think_time() -> float:
        return think_rng.uniform(0.5 * args.think, 1.5 * args.think)

    spawn = multiprocessing.get_context("spawn")
    joined, stop, results = spawn.Event(), spawn.Event(), spawn.Queue()
    watching = None
    if subscribers:
        print(f"[{label}] {subscribers} subscribers joining the lobby ...")
        watching = spawn.Process(target=watch, args=(url, setup["watchers"][:subscribers], setup["lobby"],
                                                     joined, stop, results))
        watching.start()
        if not await asyncio.to_thread(joined.wait, 600):
            raise RuntimeError(f"[{label}] the subscribers did not join within 600 s")

    bots = []
    for table_id, user_id, token in setup["seats"]:
        bot = Bot(url, token, str(user_id), randomly(rng), rebuy=1000, think=think_time if args.think > 0 else None)
        await bot.connect()
        await bot.subscribe("TABLE", str(table_id))
        bot.table_id = str(table_id)
        bots.append(bot)
    play = Play(bots)
    await play.start()
    await play.warm_up(args.warmup, label)
    cpu0, _ = proc_usage(server_pid)
    window_start = time.time()
    play.open_window()
    started = time.monotonic()
    await play.window(args.seconds, label, args.min_actions, args.players)
    elapsed = time.monotonic() - started
    window_end = time.time()
    cpu1, _ = proc_usage(server_pid)
    await play.stop()

    # Play has stopped: the last rows go out within half a second; then every
    # subscriber's lobby must be the server's. A check that crossed a last
    # update in flight is asked again; a wrong state never passes.
    await asyncio.sleep(SETTLE_SECONDS)
    watched = Watched([], 0, [], 0)
    if watching is not None:
        stop.set()
        watched = await asyncio.to_thread(results.get, True, 600)
        await asyncio.to_thread(watching.join, 60)

    changes = {}
    for bot in bots:
        for frame in bot.frames:
            if frame.get("target") == "TABLE" and frame["type"] in ROW_CHANGES and "event_id" in frame:
                at = server_time(frame["timestamp"])
                if window_start <= at <= window_end:
                    changes[frame["event_id"]] = (frame["id"], at)
    window_updates = [[u for u in updates if window_start <= u.emitted <= window_end] for updates in watched.updates]
    return {
        "elapsed": elapsed, "cpu": cpu1 - cpu0,
        "actions": sum(b.actions_sent - b.actions_sent_before for b in bots),
        "latencies": sorted(x for b in bots for x in b.latencies),
        "updates": window_updates[0] if window_updates else [],
        "delays": change_delays(list(changes.values()), watched.updates),
        "changes": len(changes),
        "exact": watched.exact,
        "inexact": watched.inexact,
        "gaps": sum(len(b.gaps) for b in bots) + watched.gaps,
        "errors": [e for b in bots for e in b.errors] + watched.errors,
    }


def run_once(args: argparse.Namespace, subscribers: int, label: str) -> dict[str, Any]:
    from tests.live import free_port, wait_for_port

    workdir = Path(tempfile.mkdtemp(prefix="pokerrt-lobby-bench-"))
    try:
        env = profile_env("embedded", workdir, REPO)
        print(f"[{label}] setting up {args.tables} tables x {args.players} bots, {subscribers} subscribers ...")
        setup = subprocess.run(
            [sys.executable, "-c", SETUP.format(tables=args.tables, players=args.players,
                                                subscribers=subscribers)],
            env=env, cwd=REPO, capture_output=True, text=True)
        if setup.returncode:
            raise RuntimeError(f"[{label}] setup failed:\n{setup.stderr[-3000:]}")
        world = json.loads(setup.stdout.strip().splitlines()[-1])
        port = free_port()
        log = tempfile.TemporaryFile()
        server = subprocess.Popen([sys.executable, "-m", "pokerrt.realtime.server", "-b", "127.0.0.1",
                                   "-p", str(port), "pokerrt.asgi:application"], env=env, cwd=REPO,
                                  stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_for_port(port, proc=server)
            result = asyncio.run(drive(world, args, port, server.pid, subscribers, label))
        finally:
            stopped = stop_server(server, env, label)
        if stopped is None or server.returncode not in (0, -15):
            log.seek(0)
            print(f"[{label}] server log tail:\n{log.read().decode(errors='replace')[-2000:]}")
        result["subscribers"] = subscribers
        return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def pooled(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs of one kind as one: their windows end to end, their samples together.

    A p99 over one 20 s window is its tenth-slowest action or so; pooling
    rounds gives it more samples to stand on.
    """
    if len(results) == 1:
        return results[0]
    return {
        "elapsed": sum(r["elapsed"] for r in results), "cpu": sum(r["cpu"] for r in results),
        "actions": sum(r["actions"] for r in results),
        "latencies": sorted(x for r in results for x in r["latencies"]),
        # The windows are apart in time: the busiest second is still one window's.
        "updates": [u for r in results for u in r["updates"]],
        "delays": sorted(x for r in results for x in r["delays"]),
        "changes": sum(r["changes"] for r in results),
        "exact": sum(r["exact"] for r in results),
        "inexact": sorted({why for r in results for why in r["inexact"]}),
        "gaps": sum(r["gaps"] for r in results),
        "errors": [e for r in results for e in r["errors"]],
        "subscribers": sum(r["subscribers"] for r in results),
    }


def summarise(r: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    elapsed, lat = r["elapsed"], r["latencies"]
    watched = r["subscribers"] > 0
    return {
        "tables x bots": f"{args.tables} x {args.players}",
        "think (s)": args.think,
        "lobby subscribers": r["subscribers"],
        "seconds": round(elapsed, 1),
        "table actions per second": round(r["actions"] / elapsed, 1),
        "action->broadcast p50 (ms)": percentile_ms(lat, 0.50),
        "action->broadcast p99 (ms)": percentile_ms(lat, 0.99),
        "action->broadcast mean (ms)": round(statistics.fmean(lat) * 1000, 1) if lat else None,
        "row changes (TABLE events)": r["changes"],
        "LOBBY_UPDATEs per second": round(len(r["updates"]) / elapsed, 2) if watched else None,
        "most LOBBY_UPDATEs in one second": most_in_a_second(r["updates"]) if watched else None,
        "change->LOBBY_UPDATE p50 (ms)": percentile_ms(r["delays"], 0.50) if watched else None,
        "change->LOBBY_UPDATE p99 (ms)": percentile_ms(r["delays"], 0.99) if watched else None,
        "subscribers exact after play": f"{r['exact']}/{r['subscribers']}" if watched else None,
        "server CPU (% of one core)": round(r["cpu"] / elapsed * 100),
        "seq gaps": r["gaps"],
        "errors answered": len(r["errors"]),
    }


def print_table(columns: dict[str, dict[str, Any]]) -> None:
    keys = list(next(iter(columns.values())))
    width = max(len(k) for k in keys)
    cells = {name: [("-" if col[k] is None else str(col[k])) for k in keys] for name, col in columns.items()}
    widths = {name: max(len(name), *(len(c) for c in cs)) for name, cs in cells.items()}
    print()
    print(f"{'':<{width}}  " + "  ".join(f"{name:>{widths[name]}}" for name in columns))
    for i, key in enumerate(keys):
        print(f"{key:<{width}}  " + "  ".join(f"{cells[name][i]:>{widths[name]}}" for name in columns))


def main(argv: list[str] | None = None) -> dict[str, dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tables", type=int, default=100)
    parser.add_argument("--players", type=int, default=6)
    parser.add_argument("--subscribers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=10.0, metavar="SECONDS")
    parser.add_argument("--think", type=float, default=1.0, metavar="SECONDS",
                        help="each bot waits uniformly 0.5x-1.5x this before answering (default 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--min-actions", type=int, default=0, metavar="N",
                        help="keep the window open past --seconds until N actions came back (default 0)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="N rounds of both runs, alternating; latencies pooled over the rounds (default 1)")
    parser.add_argument("--json", metavar="PATH", help="write the result rows (per column) as JSON")
    args = parser.parse_args(argv)

    runs = {}
    errors = {}
    pairs: dict[str, list[dict[str, Any]]] = {"nobody watching": [], f"{args.subscribers} watching": []}
    for round_ in range(args.repeat):
        for label, subscribers in (("nobody watching", 0), (f"{args.subscribers} watching", args.subscribers)):
            tag = label if args.repeat == 1 else f"{label}, round {round_ + 1}/{args.repeat}"
            pairs[label].append(run_once(args, subscribers, tag))
    for label, results in pairs.items():
        result = pooled(results)
        runs[label] = summarise(result, args)
        errors[label] = result["errors"]
    without, with_ = runs.values()
    if args.repeat > 1:
        # Each round's own ratio beside the pooled one: how much of a
        # difference is the lobby, and how much the machine's noise.
        for key in ("action->broadcast p50 (ms)", "action->broadcast p99 (ms)"):
            ratios = []
            for alone, watched in zip(*pairs.values(), strict=True):
                a, w = summarise(alone, args)[key], summarise(watched, args)[key]
                ratios.append(round(w / a, 2) if a and w else None)
            with_[f"{key}: watched / not, per round"] = " ".join(str(r) for r in ratios)
            without[f"{key}: watched / not, per round"] = None
    for key in ("action->broadcast p50 (ms)", "action->broadcast p99 (ms)", "table actions per second"):
        if without[key] and with_[key]:
            with_[f"{key}: watched / not"] = round(with_[key] / without[key], 2)
            without[f"{key}: watched / not"] = None
    report(runs, errors, args.json, table=print_table)
    inexact = sorted({why for results in pairs.values() for r in results for why in r.get("inexact", [])})
    for why in inexact:
        print(f"a subscriber not exact after play: {why}")
    return runs


if __name__ == "__main__":
    main()
