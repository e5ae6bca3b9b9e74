"""Fault drills: a fault under load, then proof that no event and no chip was lost.

    .venv/bin/python loadtest/drills.py kill-node
    .venv/bin/python loadtest/drills.py reconnect-storm --storm-clients 2000
    .venv/bin/python loadtest/drills.py restart-redis --outage 5
    .venv/bin/python loadtest/drills.py all --json drills.json

Each drill starts a platform of its own (loadtest/drill_platform.py: a fresh
PostgreSQL database ``pokerrt_drills``, two nodes on Redis's Pub/Sub layer,
in-process timers on both; the relay too for the RabbitMQ drill), seats bots
at ``--tables`` tables over real WebSockets, spread over both nodes, with
``--spectators`` watching, lets them play, then injects its fault:

- ``kill-node``: SIGKILL node a. Its clients reconnect to node b and
  resubscribe with ``since``/``epoch``.
- ``restart-redis``, ``restart-rabbitmq``, ``restart-postgres``: the
  machine's shared service is stopped, kept down ``--outage`` seconds and
  started again (always, even on error), as .ci/run starts it.
- ``reconnect-storm``: ``--storm-clients`` clients in all (players and
  spectators) lose their sockets at once (node a killed, node b's clients cut
  as a network fault would) and come back spread over ``--storm-window``
  seconds, all to node b.

It then measures the time to recover (from the fault until every client is
subscribed again and every table has seen a player act since), and checks:
events lost (per client and stream, every seq from its first subscription on
was received or stood for by a snapshot; every event received is the
journal's event of that seq; every client reaches the journal's last seq),
seq gaps seen live, holes in the journal itself, errors answered, and the
chips (``manage.py audit_chips`` once the nodes have stopped). The RabbitMQ
drill also waits until the relay has published every public event.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import datetime as dt
import json
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from loadtest.bots import randomly  # noqa: E402
from loadtest.drill_client import DrillClient, missing_seqs  # noqa: E402
from loadtest.drill_platform import SERVICES, Platform, wait_until  # noqa: E402
from loadtest.table_bench import proc_usage  # noqa: E402

DRILLS = ("kill-node", "reconnect-storm", "restart-redis", "restart-rabbitmq", "restart-postgres")
# Handshakes in flight while the load connects: Daphne drops one not accepted within 5 s.
HANDSHAKES = 50


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%H:%M:%S")


def say(message: str) -> None:
    print(f"[{utc_now()}] {message}", flush=True)


class Load:
    """The drill's clients: players (one per seat) and spectators, spread over both nodes."""

    def __init__(self, platform: Platform, spectators: int, think: float, seed: int) -> None:
        rng, think_rng = random.Random(seed), random.Random(seed + 1)
        urls = [node.url for node in platform.nodes]
        self.clients: list[DrillClient] = []
        self.by_table: dict[str, list[DrillClient]] = {}

        def think_time() -> float:
            return think_rng.uniform(0.5 * think, 1.5 * think)

        for i, (table_id, user_id, token) in enumerate(platform.seats):
            client = DrillClient(urls[0], token, user_id, randomly(rng), rebuy=1000,
                                 think=think_time if think > 0 else None, nodes=urls, home=i % 2,
                                 table_id=table_id, streams=[("TABLE", table_id), ("PLAYER", user_id)])
            self.clients.append(client)
        tables = sorted({s[0] for s in platform.seats}, key=int)
        for i in range(spectators):
            table_id = tables[i % len(tables)]
            self.clients.append(DrillClient(urls[0], None, nodes=urls, home=i % 2, table_id=table_id,
                                            streams=[("TABLE", table_id)]))
        for client in self.clients:
            self.by_table.setdefault(client.table_id, []).append(client)
        self.players = [c for c in self.clients if c.token]
        self.tasks: list[asyncio.Task] = []

    async def connect(self) -> None:
        """Every client connected and subscribed (a few handshakes at a time), players seated."""
        from tqdm import tqdm

        gate = asyncio.Semaphore(HANDSHAKES)
        releases = []
        bar = tqdm(total=len(self.clients), desc="connecting", unit="client")
        for client in self.clients:
            await gate.acquire()
            ready = asyncio.Event()

            def on_live(c: DrillClient, ready: asyncio.Event = ready) -> None:
                ready.set()

            self.tasks.append(asyncio.create_task(client.hold(on_live)))

            async def release(ready: asyncio.Event = ready) -> None:
                await ready.wait()
                gate.release()
                bar.update(1)

            releases.append(asyncio.create_task(release()))
        for _ in range(HANDSHAKES):
            await gate.acquire()
        bar.close()
        for player in self.players:
            await player.sit_down(1000)

    async def warm_up(self, seconds: float, patience: float) -> None:
        """Play ``seconds``, and until every table has dealt an action."""
        started = time.monotonic()
        while True:
            waiting = [t for t, cs in self.by_table.items() if not any(c.action_times for c in cs)]
            if time.monotonic() - started >= seconds and not waiting:
                return
            if time.monotonic() - started > seconds + patience:
                raise TimeoutError(f"tables {waiting} dealt no action within {patience:.0f} s")
            await asyncio.sleep(0.2)

    def action_after(self, table: str, after: float) -> float | None:
        """When the first PLAYER_ACTION after ``after`` reached a client of ``table``."""
        firsts = []
        for client in self.by_table[table]:
            i = bisect.bisect_right(client.action_times, after)
            if i < len(client.action_times):
                firsts.append(client.action_times[i])
        return min(firsts) if firsts else None

    async def recovered(self, fault: float, back: float, cut: list[DrillClient], patience: float) -> dict[str, Any]:
        """Wait until every client is live and every table acted since; the times (s after the fault).

        ``cut`` are the clients the fault cut off: each must have seen its socket
        drop before it counts as live again (a killed node's sockets close a
        moment after the kill, not at once).
        """
        from tqdm import tqdm

        cut_off = {id(c) for c in cut}

        def back_again(c: DrillClient) -> bool:
            dropped = bool(c.drops) and c.drops[-1] >= fault
            if id(c) in cut_off and not dropped:
                return False
            return c.live and (not dropped or (bool(c.live_again) and c.live_again[-1] > c.drops[-1]))

        bar = tqdm(total=len(self.clients), desc="recovering", unit="client")
        all_live = flowing = None
        waiting_tables: list[str] = list(self.by_table)
        while time.monotonic() - back < patience:
            live = sum(back_again(c) for c in self.clients)
            bar.update(live - bar.n)
            if all_live is None and live == len(self.clients):
                dropped = [c for c in self.clients if c.drops and c.drops[-1] >= fault]
                ends = [c.live_again[-1] for c in dropped if c.live_again]
                all_live = max([back, *ends])
            if all_live is not None:
                waiting_tables = [t for t in self.by_table if self.action_after(t, all_live) is None]
                bar.set_postfix({"tables waiting": len(waiting_tables)})
                if not waiting_tables:
                    flowing = max(self.action_after(t, all_live) for t in self.by_table)
                    break
            else:
                bar.set_postfix({"live": live})
            await asyncio.sleep(0.1)
        bar.close()
        # Dropped meanwhile by the recovery itself (or reported live late) count too.
        dropped = [c for c in self.clients if c.drops and c.drops[-1] >= fault]
        return {
            "clients dropped": len(dropped),
            "all live (s)": round(all_live - fault, 2) if all_live is not None else None,
            "recovered (s)": round(flowing - fault, 2) if flowing is not None else None,
            "tables not acting": len(waiting_tables) if flowing is None else 0,
        }

    def longest_pause(self, start: float, end: float) -> float:
        """The longest stretch between two players' actions at one table that ends within (start, end]."""
        longest = 0.0
        for clients in self.by_table.values():
            times = sorted(t for c in clients for t in c.action_times if start - 60 <= t <= end)
            earlier = [t for t in times if t <= start]
            later = [t for t in times if t > start]
            previous = earlier[-1] if earlier else None
            for t in later:
                if previous is not None:
                    longest = max(longest, t - previous)
                previous = t
        return round(longest, 2)

    async def settle(self, platform: Platform, patience: float) -> dict[tuple[str, str], int]:
        """Every client holds its streams up to the journal's seqs of now (or ``patience`` passed): those seqs."""
        position = await asyncio.to_thread(platform.stream_seqs)
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            behind = [c for c in self.clients for s in c.streams if c.seqs.get(s, 0) < position.get(s, 0)]
            if not behind:
                break
            await asyncio.sleep(0.1)
        return position

    async def stop(self) -> None:
        for client in self.clients:
            client.acting = False
        for client in self.clients:
            client.stopping = True
        await asyncio.gather(*(c.stop() for c in self.clients), return_exceptions=True)
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def event_checks(load: Load, platform: Platform, position: dict[tuple[str, str], int]) -> dict[str, Any]:
    """What the clients received against the journal."""
    streams = {s for c in load.clients for s in c.streams}
    journal = platform.journal(streams)
    lost = wrong = behind = 0
    for client in load.clients:
        for stream in client.streams:
            last = client.seqs.get(stream, 0)
            target = position.get(stream, 0)
            # A client that never came back is reported as such, not as the events it did not get.
            if client.live:
                behind += max(0, target - last)
            lost += len(missing_seqs(client, stream, upto=last))
            events = journal.get(stream, {})
            wrong += sum(1 for seq, event_id in client.received.get(stream, {}).items()
                         if events.get(seq) != event_id)
    replay = sum(c.resubscribed_by_replay for c in load.clients)
    snapshot = sum(c.resubscribed_by_snapshot for c in load.clients)
    errors = Counter(e.get("code", "?") for c in load.clients for e in c.errors)
    return {
        "clients not back at the end": sum(not c.live for c in load.clients),
        "resubscriptions": replay + snapshot,
        "recovered by replay (%)": round(100 * replay / (replay + snapshot), 2) if replay + snapshot else None,
        "resubscribed by snapshot": snapshot,
        "events lost (missing seqs)": lost + behind,
        "events not the journal's": wrong,
        "seq gaps seen live": sum(len(c.gaps) for c in load.clients),
        "duplicate events": sum(c.duplicates for c in load.clients),
        "journal holes": platform.journal_holes(),
        "actions resent after reconnect": sum(c.resent_actions for c in load.clients),
        "resends refused (turn passed)": sum(c.resends_refused for c in load.clients),
        "actions resent after INTERNAL": sum(c.resent_after_internal for c in load.clients),
        "stale answers not sent": sum(c.stale_answers_skipped for c in load.clients),
        "connect attempts refused": sum(c.connect_failures for c in load.clients),
        "subscriptions asked again after an error": sum(c.subscribe_retries for c in load.clients),
        "errors answered": dict(errors),
    }


# --- the faults: each returns when it struck, when the service was back (monotonic), whom it cut off ---

Fault = tuple[float, float, list[DrillClient]]


async def kill_node(platform: Platform, load: Load, args: argparse.Namespace) -> Fault:
    on_a = [c for c in load.clients if c.node == 0]
    say(f"fault: SIGKILL node a (pid {platform.nodes[0].proc.pid}) with {len(on_a)} clients")
    at = await asyncio.to_thread(platform.kill_node, 0)
    return at, at, on_a


async def storm(platform: Platform, load: Load, args: argparse.Namespace) -> Fault:
    window = args.storm_window
    on_b = [c for c in load.clients if c.node == 1]
    for client in load.clients:
        client.first_retry = lambda: random.uniform(0.0, window)
        # Everyone comes back to the surviving node.
        client.node = 1
    say(f"fault: SIGKILL node a and cut node b's {len(on_b)} sockets; "
        f"{len(load.clients)} clients come back within {window:.0f} s")
    at = time.monotonic()
    for client in on_b:
        client.drop()
    await asyncio.to_thread(platform.kill_node, 0)
    return at, at, list(load.clients)


def restart(service_name: str):
    async def fault(platform: Platform, load: Load, args: argparse.Namespace) -> Fault:
        service = SERVICES[service_name]
        say(f"fault: stopping {service_name} for {args.outage:.0f} s")
        at = time.monotonic()
        args.restarts.append({"service": service_name, "stopped (UTC)": utc_now()})
        try:
            await asyncio.to_thread(service.stop)
            await asyncio.sleep(args.outage)
        finally:
            await asyncio.to_thread(service.start)
            args.restarts[-1]["back (UTC)"] = utc_now()
        say(f"{service_name} is back")
        return at, time.monotonic(), []

    return fault


FAULTS = {"kill-node": kill_node, "reconnect-storm": storm, "restart-redis": restart("redis"),
          "restart-rabbitmq": restart("rabbitmq"), "restart-postgres": restart("postgres")}


async def drive(name: str, platform: Platform, args: argparse.Namespace, spectators: int) -> dict[str, Any]:
    load = Load(platform, spectators, args.think, args.seed)
    try:
        say(f"{len(load.players)} players at {platform.tables} tables, {spectators} spectators, over 2 nodes")
        async with asyncio.timeout(args.patience):
            await load.connect()
        await load.warm_up(args.warmup, args.patience)
        say("playing: the fault strikes now")
        survivor = platform.nodes[1].proc.pid
        cpu0, own0 = proc_usage(survivor)[0], time.process_time()
        fault, back, cut = await FAULTS[name](platform, load, args)
        times = await load.recovered(fault, back, cut, args.patience)
        # Play between actions is think time and deals; across the fault, the pause the fault caused.
        times["longest pause at a table before the fault (s)"] = load.longest_pause(fault - 30, fault)
        times["longest pause at a table across the fault (s)"] = load.longest_pause(fault, time.monotonic())
        # Who was busy while it recovered: the node that stayed up, and the clients' own process.
        took = max(0.001, time.monotonic() - fault)
        times["node b CPU while recovering (% of a core)"] = round((proc_usage(survivor)[0] - cpu0) / took * 100)
        times["clients' process CPU while recovering (%)"] = round((time.process_time() - own0) / took * 100)
        if platform.with_relay:
            times["bus caught up (s)"] = await asyncio.to_thread(bus_caught_up, platform, fault, back, args.patience)
        say(f"recovered: {times}")
        await asyncio.sleep(args.after)
        # Clients that never came back would only be waited for in vain: the counts say they are behind.
        position = await load.settle(platform, args.patience if times["recovered (s)"] is not None else 5)
    finally:
        await load.stop()
    checks = await asyncio.to_thread(event_checks, load, platform, position)
    return {"clients": len(load.clients), "service down (s)": round(back - fault, 1), **times, **checks}


def run_drill(name: str, args: argparse.Namespace) -> dict[str, Any]:
    storm_ = name == "reconnect-storm"
    spectators = max(0, args.storm_clients - args.tables * args.players) if storm_ else args.spectators
    platform = Platform(args.tables, args.players, clock=args.clock, relay=name == "restart-rabbitmq",
                        extra_env={"POKERRT_CHANNEL_LAYER": args.layer}, backlog=args.backlog or None)
    say(f"drill {name}: setting up {args.tables} tables x {args.players} players on {platform.env['DATABASE_URL']}")
    row: dict[str, Any] = {"drill": name, "tables x players": f"{args.tables} x {args.players}", "layer": args.layer,
                           "listen backlog": args.backlog or "node default"}
    try:
        platform.set_up()
        platform.start()
        row.update(asyncio.run(drive(name, platform, args, spectators)))
        # The journal is final once the nodes are gone: every public event in it must reach the bus.
        platform.stop_nodes()
        if platform.with_relay:
            row["bus: unpublished public events at the end"] = wait_published(platform, args.patience)
    finally:
        platform.stop()
        for service in SERVICES.values():
            if not service.is_up():
                say(f"{service.name} is down after the drill: starting it")
                service.start()
    audit = platform.audit()
    row["chips lost"] = audit["chips lost"]
    row["chip audit"] = "conserved" if audit["passed"] else f"FAILED: {audit['problems'][:5]}"
    if not audit["passed"]:
        print(audit["output"])
    platform.clean()
    return row


def bus_caught_up(platform: Platform, fault: float, back: float, patience: float) -> float | None:
    """Seconds from the fault until the relay had published every event committed before the broker was back."""
    back_wall = time.time() - (time.monotonic() - back)
    try:
        done = wait_until(lambda: platform.unpublished_before(back_wall) == 0, patience, "relay caught up", every=0.2)
    except TimeoutError:
        return None
    return round(done - fault, 2)


def wait_published(platform: Platform, patience: float) -> int:
    """Public events the relay has not published once it had ``patience`` seconds to catch up."""
    deadline = time.monotonic() + patience
    left = platform.unpublished()
    while left and time.monotonic() < deadline:
        time.sleep(0.5)
        left = platform.unpublished()
    return left


def passed(row: dict[str, Any]) -> bool:
    return (row.get("recovered (s)") is not None and row["clients not back at the end"] == 0
            and row["events lost (missing seqs)"] == 0
            and row["events not the journal's"] == 0 and row["seq gaps seen live"] == 0
            and row["journal holes"] == 0 and row["chips lost"] == 0 and row["chip audit"] == "conserved"
            and row.get("bus: unpublished public events at the end", 0) == 0)


def print_rows(rows: list[dict[str, Any]]) -> None:
    keys: list[str] = []
    for row in rows:
        keys += [k for k in row if k not in keys]
    width = max(len(k) for k in keys)
    cells = [[str(row.get(k, "")) for k in keys] for row in rows]
    widths = [max(len(c) for c in col) for col in cells]
    print()
    for i, key in enumerate(keys):
        print(f"{key:<{width}}  " + "  ".join(f"{col[i]:>{w}}" for col, w in zip(cells, widths, strict=True)))


def raise_open_files() -> None:
    """Room for thousands of sockets here and in the nodes (they inherit the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 65536, hard))


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("drill", choices=[*DRILLS, "all"])
    parser.add_argument("--tables", type=int, default=4)
    parser.add_argument("--players", type=int, default=6, help="bots per table (default 6)")
    parser.add_argument("--spectators", type=int, default=40, help="watchers besides the players (default 40)")
    parser.add_argument("--think", type=float, default=0.5, metavar="SECONDS",
                        help="bots answer after 0.5x-1.5x this (default 0.5)")
    parser.add_argument("--clock", type=int, default=15, metavar="SECONDS", help="the tables' action clock (default 15)")
    parser.add_argument("--warmup", type=float, default=5.0, metavar="SECONDS", help="play before the fault")
    parser.add_argument("--after", type=float, default=5.0, metavar="SECONDS", help="play after recovering")
    parser.add_argument("--outage", type=float, default=5.0, metavar="SECONDS", help="how long a service stays down")
    parser.add_argument("--storm-clients", type=int, default=2000, metavar="N", help="clients in the storm, players included")
    parser.add_argument("--storm-window", type=float, default=10.0, metavar="SECONDS",
                        help="the storm's clients come back spread over this (default 10)")
    parser.add_argument("--patience", type=float, default=180.0, metavar="SECONDS",
                        help="failure bound of each wait (default 180)")
    parser.add_argument("--layer", choices=["pubsub", "core"], default="pubsub",
                        help="the Redis channel layer (POKERRT_CHANNEL_LAYER, default pubsub)")
    parser.add_argument("--backlog", type=int, default=0, metavar="N",
                        help="the nodes' listen backlog (default 0: the node's, POKERRT_LISTEN_BACKLOG or 1024)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", metavar="PATH", help="write the result rows as JSON")
    args = parser.parse_args(argv)
    args.restarts = []
    raise_open_files()

    rows = []
    for name in (DRILLS if args.drill == "all" else (args.drill,)):
        try:
            rows.append(run_drill(name, args))
            rows[-1]["passed"] = passed(rows[-1])
        except Exception as error:  # the next drill still runs; this one is reported failed
            say(f"drill {name} failed: {error!r}")
            rows.append({"drill": name, "error": repr(error)[:300], "passed": False})
    print_rows(rows)
    if args.restarts:
        print("service restarts:", args.restarts)
    if args.json:
        Path(args.json).write_text(json.dumps({"rows": rows, "restarts": args.restarts}, indent=2) + "\n")
        print(f"rows written to {args.json}")
    if not all(r["passed"] for r in rows):
        sys.exit(1)
    return rows


if __name__ == "__main__":
    main()
