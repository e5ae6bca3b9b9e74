"""The load harness's command: nodes, clients, the measured window, the report.

    .venv/bin/python -m loadtest.harness --players 300 --tables 50 --think 1 --spectators 200 --idle 1000
    .venv/bin/python -m loadtest.harness --players 0 --idle 5000 --seconds 60
    .venv/bin/python -m loadtest.harness --profile services --nodes 2 --players 0 --idle 5000
    .venv/bin/python -m loadtest.harness --tournament --players 18 --think 0.5
    .venv/bin/python -m loadtest.harness --url ws://a:8000/ws/ --url ws://b:8000/ws/ --staff admin:PASS ...

Order of a run: nodes (started, or the ``--url``s), the lobby, tables or
sit-and-go and the bots' accounts (``seating.py``); a probe connection; the
idle connections, with the nodes' memory read before and after (memory per
connection); the spectators; the players, who buy in (or register) and play
``--warmup`` seconds; then the measured window of ``--seconds``, at the end of
which every count is read; then everything closes and local nodes stop.
Clients are spread round-robin over the nodes. Exit status 1 when any seq
gap or hole-card leak was seen, 2 when the run could not be set up.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import secrets
import sys
import time
from collections import Counter
from typing import Any

from .nodes import (
    Node,
    describe,
    local_env,
    make_workdir,
    recreate_postgres,
    remove_workdir,
    start_local_nodes,
    stop_nodes,
    total_usage,
)
from .report import check_plotting, plot, print_report, write_json
from .seating import BUY_IN, ApiError, Seating, seat_locally, seat_through_api
from .stats import Stats

# Handshakes in flight at once: enough to open thousands quickly, few enough not to look like a flood.
CONNECT_CONCURRENCY = 50
# How long past --warmup the harness waits for every table (or the tournament) to see an action.
PATIENCE = 300.0
# After the last idle connection opened, before reading the nodes' memory: their buffers settle.
IDLE_SETTLE = 3.0


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m loadtest.harness", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", action="append", default=[], metavar="WS_URL",
                   help="a node's WebSocket URL (ws://host:port/ws/); repeat for several nodes. "
                        "None: start local nodes (--profile, --nodes)")
    p.add_argument("--profile", choices=["embedded", "services"], default="embedded",
                   help="local nodes: embedded (SQLite, in-memory layer, one node) or services "
                        "(PostgreSQL + Redis)")
    p.add_argument("--nodes", type=int, default=1, help="local nodes to start (services profile for more than 1)")
    p.add_argument("--app", default="pokerrt.asgi:application", metavar="MODULE:APP",
                   help="the ASGI application local nodes serve; loadtest.baseline_asgi:application (a bare "
                        "Channels consumer) gives idle sockets' baseline cost (idle only: it plays no poker)")
    p.add_argument("--setup", choices=["local", "api"], default=None,
                   help="how bots get accounts and tables: local (ORM; local nodes only; the default there) "
                        "or api (REST API: sign-ups, and a staff account creates the tables; the default "
                        "with --url, which needs --staff)")
    p.add_argument("--staff", metavar="USER:PASSWORD", help="a staff account, for --setup api")
    p.add_argument("--metrics-token", help="METRICS_TOKEN of remote nodes, to read their CPU and memory")
    p.add_argument("--players", type=int, default=0, help="bot players (default 0)")
    p.add_argument("--tables", type=int, default=0, help="cash tables the players are spread over")
    p.add_argument("--tournament", action="store_true",
                   help="the players register for one sit-and-go of --players and play it")
    p.add_argument("--think", type=float, default=1.0, metavar="SECONDS",
                   help="each bot answers after 0.5x-1.5x this (default 1; 0: at once)")
    p.add_argument("--spectators", type=int, default=0, help="anonymous clients watching tables without sitting")
    p.add_argument("--tables-per-spectator", type=int, default=1)
    p.add_argument("--idle", type=int, default=0, help="idle connections, answering heartbeats")
    p.add_argument("--idle-subscribe", choices=["none", "lobby"], default="none",
                   help="what an idle connection subscribes to (default none)")
    p.add_argument("--warmup", type=float, default=10.0, metavar="SECONDS",
                   help="play this long before the window opens (and until every table has dealt)")
    p.add_argument("--seconds", type=float, default=60.0, help="the measured window")
    p.add_argument("--min-actions", type=int, default=0, metavar="N",
                   help="keep the window open past --seconds until N actions were timed (at most 300 s more): "
                        "a percentile needs samples, and a smoke test on a busy machine still measures something")
    p.add_argument("--connect-retries", type=int, default=2, metavar="N",
                   help="try a failed handshake again N times (default 2); every failure is reported")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", metavar="PATH", help="write the report as JSON")
    p.add_argument("--plot", metavar="PATH.png", help="draw latency over the window (matplotlib)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars (logs, CI)")
    args = p.parse_args(argv)
    for name in ("players", "tables", "spectators", "idle", "think", "warmup", "seconds", "min_actions",
                 "connect_retries"):
        if getattr(args, name) < 0:
            p.error(f"--{name} must be >= 0")
    if args.nodes < 1 or args.tables_per_spectator < 1:
        p.error("--nodes and --tables-per-spectator must be >= 1")
    if args.url and (args.nodes != 1 or args.profile != "embedded"):
        p.error("--nodes and --profile start local nodes: not with --url")
    if args.app != "pokerrt.asgi:application" and (args.url or args.players or args.spectators
                                                   or args.idle_subscribe != "none"):
        p.error("--app is for local nodes with idle connections alone (--players 0, no spectators)")
    if args.nodes > 1 and args.profile == "embedded":
        p.error("several local nodes share a database and a channel layer: --profile services")
    args.setup = args.setup or ("api" if args.url else "local")
    if args.setup == "local" and args.url:
        p.error("--setup local uses the ORM of nodes the harness starts: use --setup api with --url")
    if args.url and (args.players or args.tables or args.tournament or args.idle_subscribe == "lobby") \
            and not args.staff:
        p.error("--setup api needs --staff USER:PASSWORD to create the lobby and tables")
    if args.spectators and not (args.tables and not args.tournament):
        p.error("--spectators watch cash tables: give --tables")
    if args.tournament and args.tables:
        p.error("--tournament makes its own tables: no --tables")
    return args


def raise_open_files(wanted: int) -> None:
    """Room for every socket (the nodes started after this inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        if target < wanted:
            print(f"open files limited to {target} (hard limit): fewer connections may open")


class Bar:
    """tqdm when there is a terminal for it (and --no-progress is not given), else nothing."""

    def __init__(self, total: int, desc: str, quiet: bool, unit: str = "it") -> None:
        self._bar = None
        if not quiet:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr)

    def update(self, n: int = 1, **postfix: Any) -> None:
        if self._bar is not None:
            self._bar.update(n)
            if postfix:
                self._bar.set_postfix(postfix)

    def advance_to(self, n: int, **postfix: Any) -> None:
        if self._bar is not None:
            self.update(max(0, min(n, self._bar.total) - self._bar.n), **postfix)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


async def connect_all(clients: list[Any], desc: str, quiet: bool, retries: int, begin: bool = True) -> list[str]:
    """Open every client's socket, some at a time, each retried ``retries`` times; the handshakes that failed.

    A failed handshake is a result (a busy node drops those it cannot accept
    in time), so each is returned and reported; a client whose every attempt
    failed stays unopened. ``begin=False`` only opens: the caller begins them later.
    """
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    failures: list[str] = []
    bar = Bar(len(clients), desc, quiet)

    async def one(client: Any) -> None:
        async with gate:
            for attempt in range(retries + 1):
                try:
                    await client.connect()
                    break
                except Exception as error:  # refused, dropped or timed out
                    failures.append(f"{type(error).__name__}: {error}")
                    await asyncio.sleep(0.5 * 2**attempt)
            else:
                bar.update()
                return
            if begin:
                await client.begin()
            bar.update()

    await asyncio.gather(*(one(c) for c in clients))
    bar.close()
    return failures


async def begin_all(clients: list[Any]) -> None:
    """Every opened client subscribes and sits down, some at a time."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def one(client: Any) -> None:
        async with gate:
            await client.begin()

    await asyncio.gather(*(one(c) for c in clients if c.connected))


def kib_per(delta_bytes: float, count: int) -> float | None:
    return round(delta_bytes / count / 1024, 1) if count else None


async def wait_for_play(players: list[Any], args: argparse.Namespace) -> None:
    """The warm-up: ``--warmup`` seconds, then until every table in play has seen a bot act (bounded)."""
    started = time.monotonic()
    bar = Bar(int(args.warmup), "warm-up", args.no_progress, unit="s")

    def waiting() -> int:
        """Tables that can deal (two bots connected there) and have not seen one act."""
        acted: dict[str, bool] = {}
        seated: Counter[str] = Counter()
        for p in players:
            if p.table_id is not None and p.open:
                seated[p.table_id] += 1
                acted[p.table_id] = acted.get(p.table_id, False) or p.actions_sent > 0
        if args.tournament and not acted:
            return 1  # nobody seated yet
        return sum(1 for table, a in acted.items() if not a and seated[table] >= 2)

    while True:
        elapsed = time.monotonic() - started
        if elapsed >= args.warmup and (not players or waiting() == 0):
            break
        if elapsed >= args.warmup + PATIENCE:
            print(f"warm-up: {waiting()} tables have not dealt after {elapsed:.0f} s; measuring as it is")
            break
        await asyncio.sleep(0.5)
        bar.advance_to(int(time.monotonic() - started), tables_waiting=waiting() if players else 0)
    bar.close()


async def drive(nodes: list[Node], seating: Seating | None, args: argparse.Namespace) -> dict[str, Any]:
    from loadtest.bots import randomly

    from .clients import IdleConnection, Player, Spectator, probe

    stats = Stats()
    urls = [n.url for n in nodes]
    rng, think_rng = random.Random(args.seed), random.Random(args.seed + 1)

    def think() -> float:
        return think_rng.uniform(0.5 * args.think, 1.5 * args.think)

    # A first connection starts each node's presence, timers and heartbeat: not the idle connections' cost.
    for url in urls:
        await probe(url, stats, 0.5)
    await asyncio.sleep(1.0)

    lobby = seating.lobby_id if seating and args.idle_subscribe == "lobby" else None
    if args.idle_subscribe == "lobby" and lobby is None:
        raise SystemExit("--idle-subscribe lobby needs a lobby: give players or tables")
    idle = [IdleConnection(urls[i % len(urls)], stats, lobby) for i in range(args.idle)]
    before = total_usage(nodes)
    failures = await connect_all(idle, "idle connections", args.no_progress, args.connect_retries)
    await asyncio.sleep(IDLE_SETTLE)
    after_idle = total_usage(nodes)

    table_ids = seating.table_ids if seating else []
    spectators = [Spectator(urls[i % len(urls)], stats,
                            [table_ids[(i * args.tables_per_spectator + k) % len(table_ids)]
                             for k in range(min(args.tables_per_spectator, len(table_ids)))])
                  for i in range(args.spectators)]
    failures += await connect_all(spectators, "spectators", args.no_progress, args.connect_retries)

    players = [Player(urls[i % len(urls)], stats, seat.token, seat.user_id, table_id=seat.table_id,
                      tournament_id=seating.tournament_id if seating else None, strategy=randomly(rng),
                      rebuy=None if args.tournament else BUY_IN, think=think if args.think > 0 else None)
               for i, seat in enumerate(seating.players if seating else [])]
    # Every bot connects first, then they all sit down: a handshake (its credential check runs on
    # the node's one database thread) waiting behind hundreds of buy-ins would time out.
    failures += await connect_all(players, "players", args.no_progress, args.connect_retries, begin=False)
    await begin_all(players)
    await wait_for_play(players, args)

    # The measured window.
    usage0 = total_usage(nodes)
    harness_cpu0 = time.process_time()
    sent0 = sum(p.actions_sent for p in players)
    stats.open_window()
    bar = Bar(int(args.seconds), "measuring", args.no_progress, unit="s")
    opened = time.monotonic()
    while True:
        elapsed = time.monotonic() - opened
        if elapsed >= args.seconds and stats.actions_timed >= args.min_actions:
            break
        if elapsed >= args.seconds + PATIENCE:
            print(f"measuring: fewer than {args.min_actions} actions timed after {elapsed:.0f} s; reporting as it is")
            break
        await asyncio.sleep(min(1.0, args.seconds - elapsed) if elapsed < args.seconds else 0.1)
        bar.advance_to(int(time.monotonic() - opened), deliveries=stats.deliveries, timed=stats.actions_timed)
    bar.close()
    window = stats.close_window()
    usage1 = total_usage(nodes)
    harness_cpu = time.process_time() - harness_cpu0
    sent = sum(p.actions_sent for p in players) - sent0

    everyone: list[Any] = idle + spectators + players
    connected = [c for c in everyone if c.connected]
    closes = Counter(str(c.close_code) for c in connected if c.dropped)
    observers = [c.observer for c in connected]
    gaps = [g for o in observers for g in o.gaps]
    leaks = [leak for o in observers for leak in o.leak_list]
    result = {
        "load": load_text(args),
        "settings": {k: v for k, v in vars(args).items() if k not in ("staff", "metrics_token")},
        "nodes": describe(nodes),
        "window_seconds": round(window, 1),
        "connections": {
            "requested": len(everyone), "opened": len(connected),
            "open_at_end": sum(1 for c in connected if c.open),
            "dropped": sum(closes.values()), "closes_by_code": dict(closes),
            "failed_to_open": len(everyone) - len(connected),
            # Every failed attempt, retried ones too (--connect-retries).
            "handshake_failures": len(failures), "failures": failures[:5],
            # Clients whose reading task broke (the harness's fault, not the server's): must be 0.
            "client_failures": sum(1 for c in connected if c.failure),
            "client_failure_examples": [c.failure for c in connected if c.failure][:5],
            "by_kind": {kind: {"requested": len(group),
                               "open_at_end": sum(1 for c in group if c.open)}
                        for kind, group in (("idle", idle), ("spectators", spectators), ("players", players))},
        },
        "deliveries": stats.deliveries,
        "deliveries_per_second": round(stats.deliveries / window, 1) if window else None,
        "actions": {"sent": sent, "timed": stats.actions_timed,
                    "per_second": round(stats.actions_timed / window, 1) if window else None},
        "latency_ms": {**stats.latency_ms(), "samples": len(stats.samples)},
        "errors": dict(stats.errors),
        "seq_gaps": len(gaps), "gap_examples": gaps[:10],
        "hole_card_leaks": len(leaks), "leak_examples": leaks[:10],
        "server": {
            "cpu_percent_of_core": round((usage1[0] - usage0[0]) / window * 100, 1) if usage0 and usage1 else None,
            "rss_mib": round(usage1[1] / 2**20, 1) if usage1 else None,
        },
        "idle": {
            "connections": len(idle), "open_at_end": sum(1 for c in idle if c.open),
            "rss_before_mib": round(before[1] / 2**20, 1) if before else None,
            "rss_after_mib": round(after_idle[1] / 2**20, 1) if after_idle else None,
            # Over the sockets that opened: a dropped handshake holds no memory.
            "kib_per_connection": (kib_per(after_idle[1] - before[1], sum(1 for c in idle if c.connected))
                                   if before and after_idle else None),
        },
        "harness_cpu_percent": round(harness_cpu / window * 100, 1) if window else None,
    }
    if args.tournament and seating:
        result["tournament"] = {"id": seating.tournament_id,
                                "seated": sum(1 for p in players if p.table_id is not None),
                                "out": sum(1 for p in players if p.out),
                                "moves_followed": sum(p.moves for p in players)}
    result["_samples"] = stats.samples
    await asyncio.gather(*(client.close() for client in everyone))
    return result


def load_text(args: argparse.Namespace) -> str:
    parts = []
    if args.players:
        where = "a sit-and-go" if args.tournament else f"{args.tables} tables"
        parts.append(f"{args.players} players at {where}, think {args.think} s")
    if args.spectators:
        parts.append(f"{args.spectators} spectators")
    if args.idle:
        parts.append(f"{args.idle} idle ({args.idle_subscribe})")
    where = f"{len(args.url)} URL(s)" if args.url else f"{args.nodes} local {args.profile} node(s)"
    return (", ".join(parts) or "nothing") + f"; {where}"


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.plot:
        check_plotting()
    raise_open_files(args.idle + args.spectators + args.players + 1024)
    workdir = make_workdir()
    nodes: list[Node] = []
    try:
        try:
            if args.url:
                nodes = [Node(url, metrics_token=args.metrics_token) for url in args.url]
                env: dict[str, str] = {}
            else:
                env = local_env(args.profile, workdir)
                if args.profile == "services":
                    recreate_postgres(env)
            seating = None
            if args.setup == "local":
                # Even with no player: it migrates the fresh database and makes the lobby idle clients may watch.
                print(f"seating {args.players} players (ORM) ...", file=sys.stderr)
                seating = seat_locally(env, args.players, args.tables, args.tournament)
            elif not args.url:
                # The REST API's way on local nodes: a fresh database and a staff account first.
                args.staff = args.staff or f"harness-staff:{secrets.token_urlsafe(12)}"
                seat_locally(env, 0, 0, False, staff=args.staff)
            if not args.url:
                nodes = start_local_nodes(env, args.nodes, args.app)
            if args.setup == "api" and (args.players or args.tables or args.idle_subscribe == "lobby"):
                print(f"seating {args.players} players (REST API) ...", file=sys.stderr)
                seating = seat_through_api(nodes[0].http, args.staff, args.players, args.tables,
                                           args.tournament)
        except (ApiError, RuntimeError, ValueError, OSError) as error:
            print(f"could not set the run up: {error}", file=sys.stderr)
            return 2
        result = asyncio.run(drive(nodes, seating, args))
    finally:
        tails = stop_nodes(nodes)
        remove_workdir(workdir)
    for tail in tails:
        print(tail, file=sys.stderr)
    samples = result.pop("_samples")
    print_report(result)
    if args.json:
        write_json(result, args.json)
        print(f"report written to {args.json}")
    if args.plot:
        plot(samples, args.plot, result["load"])
        print(f"latency plot written to {args.plot}")
    return 1 if result["seq_gaps"] or result["hole_card_leaks"] else 0


if __name__ == "__main__":
    sys.exit(main())
